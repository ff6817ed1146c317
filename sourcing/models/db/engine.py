"""Engines, sessions, migrations, and retrying a transaction that lost a race.

SQLite (the default, one process) and PostgreSQL (several replicas) are both
first-class. What makes them safe under concurrency differs:

* **SQLite**: pysqlite's default mode starts transactions lazily and
  deferred, so two writers can both read "1 left" and both reserve it. Here
  pysqlite's own transaction handling is switched off and every transaction,
  reads included, starts with ``BEGIN IMMEDIATE``, which takes the database's
  write lock up front: transactions run one at a time, so a read-check-write
  cannot interleave with another. The busy timeout makes the others queue
  for the lock instead of failing at once; WAL lets outside readers (a
  backup, the sqlite3 shell) read meanwhile. Commits run with
  ``synchronous=NORMAL``: under WAL that skips the fsync of every commit
  (3.5 ms each on this machine's disk), so a commit survives a
  crash of the server process but the last few may be lost to a power cut
  or an operating-system crash; the database itself stays consistent. Set
  ``PRAGMA synchronous = FULL`` where every acknowledged order must survive
  a power cut.
* **PostgreSQL**: READ COMMITTED (the default; do not raise it, the
  inventory functions rely on each statement seeing the latest commits) with
  row locks taken in a stable order by ``sourcing.models.inventory.inventory``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0

# PostgreSQL SQLSTATEs that mean "a concurrent transaction won; try again".


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for an SQLite or PostgreSQL URL, set up for safe concurrency.

    Parameters
    ----------
    url
        ``sqlite:///path/to/file.db`` or
        ``postgresql+psycopg://user@host:5432/db``; a bare ``postgresql://``
        gets the psycopg 3 driver. A PostgreSQL schema can be chosen with
        ``?options=-csearch_path%3Dmy_schema``.
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`. For SQLite,
        ``connect_args={"timeout": seconds}`` sets how long a transaction
        waits for the write lock (default ``SQLITE_BUSY_TIMEOUT_S``).

    Raises
    ------
    ValueError
        For any other database.
    """
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _use_begin_immediate(engine, busy_timeout_s=float(connect_args["timeout"]))
        return engine
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
        _bound_statements(engine)
        return engine
    raise ValueError(
        f"Expected an sqlite:// or postgresql+psycopg:// database URL, got {url.drivername!r}."
    )


def _use_begin_immediate(engine: Engine, *, busy_timeout_s: float) -> None:
    """SQLAlchemy's pysqlite recipe: take over BEGIN and make it IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from emitting BEGIN itself (and from committing
        # before DDL); the "begin" hook below emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# No statement may keep a PostgreSQL backend busy longer than this, nor wait
# longer for a lock: a call that would is cut and answered, not left running
# after its caller has gone. Generous against the service's deadlines (10 s
# per order by default, a minute per wave).
PG_STATEMENT_TIMEOUT_MS = 60_000
PG_LOCK_TIMEOUT_MS = 30_000


def _bound_statements(engine: Engine) -> None:
    """Set PostgreSQL's statement and lock timeouts on every new connection."""

    @event.listens_for(engine, "connect")
    def _on_pg_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET statement_timeout = {PG_STATEMENT_TIMEOUT_MS}")
            cursor.execute(f"SET lock_timeout = {PG_LOCK_TIMEOUT_MS}")
        finally:
            cursor.close()
        dbapi_connection.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session maker bound to ``engine``.

    Objects stay readable after commit (``expire_on_commit=False``), so a
    caller can commit first and then build its response from them.

    Examples
    --------
    >>> sessions = session_factory(engine)  # doctest: +SKIP
    >>> with sessions.begin() as session:  # commits, or rolls back on error
    ...     session.add(product)
    """
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the migrations shipped in this package.

    With ``connection``, the migrations run on it (and in its transaction);
    without, ``env.py`` expects ``sqlalchemy.url`` to be set on the result.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_connection(engine_or_url: Engine | str | URL) -> Iterator[Connection]:
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default), in one transaction."""
    with _migration_connection(engine_or_url) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine_or_url: Engine | str | URL, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    with _migration_connection(engine_or_url) as connection:
        command.downgrade(alembic_config(connection), revision)


# Trust auth on the development and CI machines; the user differs between them.
LOCAL_POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def find_postgres(configured: str | None = None) -> str | None:
    """The first PostgreSQL URL that answers: ``configured``, else this machine's usual ones."""
    for url in (configured,) if configured else LOCAL_POSTGRES_URLS:
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return url
        except OperationalError:
            continue
        finally:
            engine.dispose()
    return None

"""Database fixtures shared by every test that touches persistence.

Each test that asks for ``db_url`` (or ``engine``/``sessions``) runs twice:
on SQLite in a file under ``tmp_path``, and on PostgreSQL at
127.0.0.1:5432, database ``test``, in a schema of its own that is created
for the test and dropped after it. The schema is selected by the URL itself
(``?options=-csearch_path%3D<schema>``), so a server started in a
subprocess with ``--db <db_url>`` stays inside it too.

Set ``SOURCING_TEST_PG_URL`` to use another PostgreSQL server, or
``SOURCING_SKIP_PG=1`` to skip the PostgreSQL runs on a machine without one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from sourcing.models.db.engine import find_postgres, make_engine, session_factory, upgrade

BACKENDS = ("sqlite", "postgresql")

# Property tests draw the same examples on every run ("repeatable", the
# default), so the README's test command and CI give the same verdict twice;
# HYPOTHESIS_PROFILE=explore draws new ones each run, to hunt for bugs.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def _find_postgres() -> str | None:
    return find_postgres(os.environ.get("SOURCING_TEST_PG_URL"))


@pytest.fixture(scope="session")
def pg_admin_engine() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database's default schema, for DDL on test schemas."""
    if os.environ.get("SOURCING_SKIP_PG"):
        pytest.skip("SOURCING_SKIP_PG is set")
    url = _find_postgres()
    if url is None:
        pytest.fail(
            "No PostgreSQL at 127.0.0.1:5432/test (tried users postgres and root). "
            "Start it, point SOURCING_TEST_PG_URL at one, or set SOURCING_SKIP_PG=1."
        )
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_schema_url(pg_admin_engine: Engine) -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema that is dropped after the test."""
    schema = f"sourcing_test_{uuid.uuid4().hex[:12]}"
    with pg_admin_engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(pg_admin_engine.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with pg_admin_engine.connect() as connection:
            # A leaked connection holding a lock must not hang the suite.
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database, once per backend (SQLite file, PostgreSQL schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sourcing.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url``, migrated to the newest schema."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory for ``engine``; use ``with sessions.begin() as session:``."""
    return session_factory(engine)

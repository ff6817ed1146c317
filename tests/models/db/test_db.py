"""Engines are set up for safe concurrency, and lost races are retried or reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from sourcing.models import ConcurrencyConflict, Location, LocationType, NotFound
from sourcing.models.db.engine import make_engine
from sourcing.models.db.retry import run_in_transaction


def add_location(session: Session, ref: str = "WH_1") -> Location:
    """A bare warehouse, enough for a row to commit or roll back."""
    location = Location(ref=ref, name=ref, type=LocationType.WAREHOUSE, latitude=0, longitude=0)
    session.add(location)
    session.flush()
    return location


def test_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    """Every SQLite connection runs in WAL mode with foreign keys on and waits for locks."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 2.5})
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
    finally:
        engine.dispose()


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    """A second transaction cannot even start while the first is open (BEGIN IMMEDIATE)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0.1})
    try:
        with engine.connect() as first, engine.connect() as second:
            first.execute(text("SELECT 1"))  # only reads, yet holds the write lock
            with pytest.raises(OperationalError, match="locked"):
                second.execute(text("SELECT 1"))
            first.commit()
            assert second.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_bare_postgresql_url_gets_psycopg() -> None:
    """postgresql:// without a driver means psycopg 3, the driver the project installs."""
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_other_databases_are_refused() -> None:
    """Only SQLite and PostgreSQL are supported, and the error says so."""
    with pytest.raises(ValueError, match="Expected an sqlite"):
        make_engine("mysql://root@localhost/test")


def test_run_in_transaction_commits(sessions: sessionmaker[Session]) -> None:
    """The work's changes are committed and its result returned."""
    ref = run_in_transaction(sessions, lambda session: add_location(session, "WH_9").ref)
    with sessions() as session:
        assert session.scalars(select(Location.ref).where(Location.ref != "RJT_1")).all() == [ref]


def test_run_in_transaction_retries_a_lost_race(sessions: sessionmaker[Session]) -> None:
    """A stale-version failure is retried from the start, in a fresh transaction."""
    calls = []

    def work(session: Session) -> None:
        calls.append(1)
        add_location(session, f"WH_{len(calls)}")
        if len(calls) == 1:
            raise StaleDataError("lost the race")

    run_in_transaction(sessions, work)
    with sessions() as session:
        assert session.scalars(select(Location.ref).where(Location.ref != "RJT_1")).all() == [
            "WH_2"
        ]


def test_run_in_transaction_gives_up_with_concurrency_conflict(
    sessions: sessionmaker[Session],
) -> None:
    """When every attempt loses, ConcurrencyConflict says how many were made."""

    def work(session: Session) -> None:
        add_location(session)
        raise StaleDataError("lost again")

    with pytest.raises(ConcurrencyConflict) as caught:
        run_in_transaction(sessions, work, attempts=2, entity="inventory position")
    assert (caught.value.entity, caught.value.attempts) == ("inventory position", 2)
    with sessions() as session:
        assert session.scalars(select(Location).where(Location.ref != "RJT_1")).all() == []


def test_run_in_transaction_passes_domain_errors_through(
    sessions: sessionmaker[Session],
) -> None:
    """A domain error is not retried; it rolls back and reaches the caller unchanged."""
    calls = []

    def work(session: Session) -> None:
        calls.append(1)
        add_location(session)
        raise NotFound("product", "SKU_X", field="lines[0].product_ref")

    with pytest.raises(NotFound) as caught:
        run_in_transaction(sessions, work)
    assert (caught.value.ref, caught.value.field, len(calls)) == (
        "SKU_X",
        "lines[0].product_ref",
        1,
    )
    with sessions() as session:
        assert session.scalars(select(Location).where(Location.ref != "RJT_1")).all() == []


def test_postgresql_connections_bound_statements_and_lock_waits(pg_schema_url: str) -> None:
    """A statement cannot keep a backend busy past the timeout: the engine sets both bounds."""
    from sourcing.models.db.engine import PG_LOCK_TIMEOUT_MS, PG_STATEMENT_TIMEOUT_MS

    engine = make_engine(pg_schema_url)
    try:
        with engine.connect() as connection:
            setting = "SELECT setting::int FROM pg_settings WHERE name = %s"
            statement = connection.exec_driver_sql(setting, ("statement_timeout",)).scalar()
            lock = connection.exec_driver_sql(setting, ("lock_timeout",)).scalar()
            assert (statement, lock) == (PG_STATEMENT_TIMEOUT_MS, PG_LOCK_TIMEOUT_MS)
            # The search_path the URL chose is kept.
            assert "sourcing_test_" in str(connection.exec_driver_sql("SHOW search_path").scalar())
    finally:
        engine.dispose()

"""The shipped Alembic migrations build and remove exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from sourcing.models import Base, FulfilmentStatus, InventoryPosition, LocationDayLoad
from sourcing.models.db.engine import (
    alembic_config,
    downgrade,
    make_engine,
    session_factory,
    upgrade,
)
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.inventory import reserve
from sourcing.models.inventory.ledger import ledger_check
from tests.models.builders import add_fulfilment, add_location, add_position, add_product


def test_upgrade_creates_every_table(engine: Engine) -> None:
    """Migrating to head creates every table the models declare."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert tables - set(Base.metadata.tables) == {"alembic_version"}


def test_migrations_match_models(engine: Engine) -> None:
    """Autogenerate finds nothing to change between the migrated database and the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_base_removes_every_table(engine: Engine) -> None:
    """Downgrading to base leaves only Alembic's own version table, and upgrading again works."""
    downgrade(engine, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    with engine.connect() as connection:
        assert "orders" in inspect(connection).get_table_names()


def test_upgrade_from_url_is_idempotent(db_url: str) -> None:
    """upgrade() accepts a URL, and running it twice changes nothing the second time."""
    upgrade(db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert version == head
    finally:
        engine.dispose()


def test_postgres_migration_stays_in_the_test_schema(pg_schema_url: str) -> None:
    """On PostgreSQL the tables are created in the schema the URL names."""
    schema = pg_schema_url.rsplit("search_path%3D", 1)[1]
    upgrade(pg_schema_url)
    engine = make_engine(pg_schema_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_schema()")).scalar() == schema
            assert "orders" in inspect(connection).get_table_names(schema=schema)
    finally:
        engine.dispose()


def test_reserved_counter_is_filled_from_the_ledger(engine: Engine) -> None:
    """Migration 0005 sets each position's reserved counter to its active reservations."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        location, product = add_location(session), add_product(session)
        position = add_position(session, product, location, on_hand=9)
        fulfilment = add_fulfilment(session, location, product, 4)
        reserve(session, fulfilment.id, position.id, 4)
        position_id = position.id
    downgrade(engine, "0004")
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("inventory_positions")}
        assert "reserved" not in columns
    upgrade(engine)
    with sessions() as session:
        assert session.get_one(InventoryPosition, position_id).reserved == 4
        assert ledger_check(session) == []


def test_day_loads_are_filled_from_the_open_fulfilments(engine: Engine) -> None:
    """Migration 0006 counts each location's open fulfilments by day and order type."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        location, product = add_location(session), add_product(session)
        add_fulfilment(session, location, product, 1, ref="O_1")
        closed = add_fulfilment(session, location, product, 1, ref="O_2")
        closed.status = FulfilmentStatus.CANCELLED
    downgrade(engine, "0005")
    upgrade(engine)
    with sessions() as session:
        assert [(row.location_id, row.fulfilments) for row in session.query(LocationDayLoad)] == [
            (location.id, 1)
        ]
        assert load_check(session) == []

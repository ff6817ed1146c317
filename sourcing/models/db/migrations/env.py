"""Alembic environment: runs the migrations on the connection it is handed.

``sourcing.models.db.engine.upgrade`` passes an open connection in
``config.attributes["connection"]``, so the migrations run inside the
caller's transaction and, on PostgreSQL, in whatever schema the
connection's ``search_path`` names. Run from the ``alembic`` command line,
set ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sourcing.models import Base
from sourcing.models.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Run on the connection given by the caller, or on one made from ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "Expected a connection in config.attributes or sqlalchemy.url; "
            "use sourcing.models.db.engine.upgrade(engine_or_url)."
        )
    engine = make_engine(url)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) migrations are not supported; run them online.")
run_migrations()

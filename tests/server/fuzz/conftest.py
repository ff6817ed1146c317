"""A server per database (an SQLite file, a PostgreSQL schema), seeded once per module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.engine import make_url

from sourcing.models.db.engine import session_factory
from sourcing.server.app import RunningServer, create_server
from tests.conftest import BACKENDS
from tests.models.builders import add_location, add_position, add_product


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the module: an SQLite file, or a PostgreSQL schema dropped after."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("fuzz") / "sourcing.db"
        yield f"sqlite:///{path}"
        return
    admin: Engine = request.getfixturevalue("pg_admin_engine")
    schema = f"sourcing_fuzz_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="module")
def fuzz_server(fuzz_db_url: str) -> Iterator[RunningServer]:
    """A server with two stores stocking SKU_1 and SKU_2, so valid requests do real work."""
    running = create_server(fuzz_db_url, address="127.0.0.1:0")
    with session_factory(running.engine).begin() as session:
        products = [add_product(session, sku) for sku in ("SKU_1", "SKU_2")]
        for ref, longitude in (("NEAR", 0.1), ("FAR", 0.5)):
            store = add_location(session, ref, latitude=0.0, longitude=longitude)
            for product in products:
                add_position(session, product, store, 50)
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


@pytest.fixture(scope="module")
def fuzz_channel(fuzz_server: RunningServer) -> Iterator[grpc.Channel]:
    """A channel to the fuzz server."""
    with grpc.insecure_channel(f"127.0.0.1:{fuzz_server.port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield channel


@pytest.fixture(scope="module")
def tables(fuzz_server: RunningServer) -> MetaData:
    """The fuzz database's tables, reflected once."""
    metadata = MetaData()
    metadata.reflect(fuzz_server.engine)
    return metadata


# Rows a background worker changes on its own (a what-if run's progress): only
# whether they exist is the calls' doing.
KEYS_ONLY = {"simulation_runs": "id"}


def snapshot(engine: Engine, metadata: MetaData) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted, to tell whether a call changed anything."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        for name, table in metadata.tables.items():
            query = select(table.c[KEYS_ONLY[name]]) if name in KEYS_ONLY else select(table)
            rows[name] = sorted((tuple(row) for row in connection.execute(query)), key=repr)
    return rows

"""A history read from the service's database: the window's orders, stock rebuilt from the
ledger, and a run that leaves every table it read exactly as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.base import Base
from sourcing.models.db.enums import LocationType, OrderType
from sourcing.models.inventory.inventory import set_stock
from sourcing.models.orders.source import source_order
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.solver import GeoPoint
from sourcing.whatif.database import TABLES_READ, read_history_from_url
from sourcing.whatif.engine import run_scenarios
from sourcing.whatif.kpis import fidelity
from sourcing.whatif.report import WhatIf, markdown
from sourcing.whatif.scenarios import ScenarioFile
from tests.models.builders import add_location, add_position, add_product

SCENARIOS = """
[baseline]
name = "live"
[[scenarios]]
name = "greedy"
policy = "greedy"
[[scenarios]]
name = "no stores"
[scenarios.rules]
closed = ["S1"]
"""


def _network(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        warehouse = add_location(session, "W1", latitude=0.0, longitude=0.0, fixed_cost_minor=500)
        store = add_location(session, "S1", type=LocationType.STORE, latitude=0.5, longitude=0.5)
        for sku in ("A", "B"):
            product = add_product(session, sku)
            add_position(session, product, warehouse, 5)
            add_position(session, product, store, 2)


def _order(ref: str, sku: str, quantity: int) -> OrderInput:
    return OrderInput(
        ref=ref,
        type=OrderType.HD,
        lines=(LineInput("1", sku, quantity),),
        delivery_point=GeoPoint(0.4, 0.4),
    )


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = Base.metadata.tables
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(tables[name]).order_by(*tables[name].primary_key.columns)
                )
            ]
            for name in TABLES_READ
        }


def test_history_rebuilds_start_stock_and_a_run_changes_nothing(
    engine: Engine, sessions: sessionmaker[Session], db_url: str
) -> None:
    """Stock at the window's start is before the window's orders took any; tables stay equal."""
    _network(sessions)
    start = datetime.now(UTC)
    for i, (sku, quantity) in enumerate([("A", 2), ("B", 1), ("A", 4), ("B", 3)]):
        source_order(sessions, _order(f"O{i}", sku, quantity), SourceOptions())
    end = datetime.now(UTC) + timedelta(seconds=1)
    before = _dump(engine)
    history = read_history_from_url(db_url, start, end)
    assert [o.order.ref for o in history.orders] == ["O0", "O1", "O2", "O3"]
    warehouse = history.location("W1")
    assert {p: s.on_hand - s.reserved for p, s in warehouse.stock.items()} == {"A": 5, "B": 5}
    assert {loc.ref for loc in history.locations} == {"W1", "S1"}
    runs = run_scenarios(history, ScenarioFile.parse(SCENARIOS))
    live = runs[0]
    replayed = {
        r.order_ref: dict(d.plan) for r, d in zip(live.records, live.decisions, strict=True)
    }
    stored = {o.order.ref: dict(o.stored_plan or {}) for o in history.orders}
    assert replayed == stored
    assert all("S1" not in dict(d.plan) for d in runs[2].decisions)
    assert _dump(engine) == before


def test_an_empty_window_is_an_empty_history(engine: Engine, db_url: str) -> None:
    """No order in the window: no orders, and the locations still read."""
    now = datetime.now(UTC)
    history = read_history_from_url(db_url, now - timedelta(days=2), now - timedelta(days=1))
    assert history.orders == ()


def test_a_stock_feed_inside_the_window_is_named_as_why_a_plan_differs(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    """W1's stock of A counted to 0 after O0: the service rejected O1, the replay serves it."""
    with sessions.begin() as session:
        warehouse = add_location(session, "W1", latitude=0.0, longitude=0.0)
        position = add_position(session, add_product(session, "A"), warehouse, 5)
    start = datetime.now(UTC)
    source_order(sessions, _order("O0", "A", 1), SourceOptions())
    with sessions.begin() as session:
        set_stock(session, position.id, 0, reason="stock count")
    source_order(sessions, _order("O1", "A", 1), SourceOptions())
    history = read_history_from_url(db_url, start, datetime.now(UTC) + timedelta(seconds=1))
    assert history.stock_corrections == 1
    file = ScenarioFile.parse("[baseline]\n")
    found = fidelity(history, run_scenarios(history, file)[0])
    assert found is not None
    assert (found.compared, found.differing, found.stock_corrections) == (2, ("O1",), 1)
    result = WhatIf.of(history, file, run_scenarios(history, file), [])
    text = markdown(result, [])
    assert "reproduced the stored plan of 1 of 2 orders" in text
    assert "1 stock corrections" in text

"""Scarce daily capacity is priced by the refresh and steers Source (real server, both DBs).

NEAR (0.1 degrees east) and FAR (0.5) both hold plenty of SKU_1 and ship at
1 per unit and km; NEAR takes 4 orders a day. Three past orders right at
NEAR use three of today's four slots. Over a horizon of one day, forecast
from a window of one day, NEAR's neighbourhood is expected to want three
more orders and NEAR can take one: its last slot is worth the 44 km more
FAR would ship that order's unit. Stock is plentiful, so no position is
priced. An order at 0.28 degrees east (NEAR 20 km, FAR 24.5 km) goes to
FAR with the prices weighed, to NEAR without.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sourcing.cli import main
from sourcing.models.config.tables import Location
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.scarcity import PriceSettings, read_inputs
from sourcing.models.inventory.tables import CapacityPrice, ScarcityPrice
from sourcing.server.app import RunningServer
from sourcing.v1 import domain_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_scarcity_prices import history, order_at, steered_to_far

REFRESH = ["--window-days", "1", "--horizon-days", "1"]


def capacity_network(server: RunningServer, near_capacity: int | None) -> None:
    """NEAR (taking ``near_capacity`` orders a day) and FAR, 20 units of SKU_1 each."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        for ref, longitude, capacity in (("NEAR", 0.1, near_capacity), ("FAR", 0.5, None)):
            store = add_location(
                session,
                ref,
                longitude=longitude,
                shipping_cost_per_unit_km=1.0,
                capacity_total=capacity,
            )
            add_position(session, product, store, 20)


def capacity_prices(server: RunningServer) -> dict[str, float]:
    """The stored per-fulfilment prices by location ref."""
    with session_factory(server.engine)() as session:
        rows = session.execute(
            select(Location.ref, CapacityPrice.price).join(
                Location, Location.id == CapacityPrice.location_id
            )
        ).all()
    return {row.ref: row.price for row in rows}


def position_prices(server: RunningServer) -> int:
    """How many positions have a stored price."""
    with session_factory(server.engine)() as session:
        return int(session.scalar(select(func.count()).select_from(ScarcityPrice)) or 0)


def test_a_short_capacity_is_priced_and_steers_source(
    server: RunningServer, db_url: str, clients: Clients
) -> None:
    """NEAR's last slot today is priced at 44 per fulfilment; the order goes to FAR."""
    capacity_network(server, near_capacity=4)
    history(clients)
    assert main(["prices", "refresh", "--db", db_url, *REFRESH]) == 0
    assert position_prices(server) == 0
    prices = capacity_prices(server)
    assert set(prices) == {"NEAR"}
    assert prices["NEAR"] == pytest.approx(44.0, rel=0.02)

    steered_to_far(clients)


def test_capacity_to_spare_is_not_priced_and_a_refresh_replaces_old_prices(
    server: RunningServer, db_url: str, clients: Clients
) -> None:
    """Over a week NEAR has slots to spare: the refresh drops the price the day's shortage set."""
    capacity_network(server, near_capacity=4)
    history(clients)
    assert main(["prices", "refresh", "--db", db_url, *REFRESH]) == 0
    assert set(capacity_prices(server)) == {"NEAR"}
    # Three orders a day expected, four slots a day: nothing is short over 7 days.
    week = ["--window-days", "1", "--horizon-days", "7"]
    assert main(["prices", "refresh", "--db", db_url, *week]) == 0
    assert capacity_prices(server) == {}


@pytest.mark.parametrize(("split", "expected"), [(True, 1.0), (False, 2.0)])
def test_a_slot_carries_the_units_the_stored_fulfilments_carried(
    server: RunningServer, clients: Clients, split: bool, expected: float
) -> None:
    """Orders of one unit each of SKU_1 and SKU_2: 1 unit a fulfilment when split, else 2.

    Neither the units per order (2) nor per line (1) would give both.
    """
    with session_factory(server.engine).begin() as session:
        one, two = add_product(session, "SKU_1"), add_product(session, "SKU_2")
        a = add_location(session, "A", longitude=0.1, capacity_total=10)
        b = add_location(session, "B", longitude=0.1, capacity_total=10)
        add_position(session, one, a, 10)
        add_position(session, two, b if split else a, 10)
    for i in range(3):
        order = order_at(f"PAST_{i}", 0.1)
        order.lines.append(domain_pb2.OrderLine(ref="2", product_ref="SKU_2", quantity=1))
        plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30).plan
        assert len(plan.fulfilments) == (2 if split else 1)
    with session_factory(server.engine)() as session:
        inputs = read_inputs(session, PriceSettings())
    assert inputs.supply.units_per_fulfilment == pytest.approx(expected)
    assert inputs.supply.capacity_orders is not None

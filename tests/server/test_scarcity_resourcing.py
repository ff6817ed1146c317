"""Scarce-stock prices steer Reassign and ReviseOrder as they steer Source (real server, both DBs).

NEAR (0.1 degrees east, 4 units of SKU_1), MID (0.28, 1 unit) and FAR (0.5,
20 units) ship at 1 per unit and km. Three past orders right at NEAR take
three of NEAR's units; the refresh, over a horizon as long as that
history, expects NEAR's neighbourhood to want three more units: NEAR's last
unit is priced at the 44 km more FAR would ship it, MID's at 24 km.

An order NEW at 0.28 (MID 0 km, NEAR 20 km, FAR 24.5 km) goes to MID either
way. The units it then needs elsewhere (Reassign away from MID; one unit
more by ReviseOrder, MID being empty) go to NEAR, 20 km, with the weight
at 0, and to FAR, 24.5 km, with the prices weighed at 1: 24.5 < 20 + 44.
"""

from __future__ import annotations

import pytest

from sourcing.cli import main
from sourcing.models.db.engine import session_factory
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, config_pb2, orders_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_scarcity_prices import HD, history, order_at, stored_prices


def network(server: RunningServer) -> None:
    """NEAR, MID and FAR on the equator, each holding SKU_1."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        for ref, longitude, units in (("NEAR", 0.1, 4), ("MID", 0.28, 1), ("FAR", 0.5, 20)):
            store = add_location(session, ref, longitude=longitude, shipping_cost_per_unit_km=1.0)
            add_position(session, product, store, units)


def weigh_prices(clients: Clients, weight: float) -> None:
    """The home-delivery profile with ``weight`` on the scarce-stock prices."""
    profile = config_pb2.SourcingProfile(
        order_type=HD, weights=config_pb2.SourcingWeights(scarcity_price=weight)
    )
    clients.config.SetSourcingProfile(
        config_pb2.SetSourcingProfileRequest(profile=profile), timeout=10
    )


def priced_network(server: RunningServer, clients: Clients, db_url: str, weight: float) -> str:
    """The network, its history, refreshed prices, ``weight`` on them, and NEW at MID.

    Returns NEW's fulfilment id at MID.
    """
    network(server)
    history(clients)
    assert main(["prices", "refresh", "--db", db_url, "--horizon-days", "28"]) == 0
    prices = stored_prices(server)
    assert set(prices) == {"NEAR", "MID"}
    assert prices["NEAR"] == pytest.approx(44.0, rel=0.02)
    assert prices["MID"] == pytest.approx(24.0, rel=0.02)
    weigh_prices(clients, weight)
    plan = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=order_at("NEW", 0.28)), timeout=30
    ).plan
    assert [f.location_ref for f in plan.fulfilments] == ["MID"]
    return str(plan.fulfilments[0].id)


def served_at(plan: plan_pb2.Plan) -> list[str]:
    """The locations a plan serves from; fails when it rejects anything."""
    assert not plan.HasField("rejected_fulfilment")
    return [f.location_ref for f in plan.fulfilments]


@pytest.mark.parametrize(("weight", "expected"), [(1.0, "FAR"), (0.0, "NEAR")])
def test_reassign_spares_the_last_units_the_prices_protect(
    server: RunningServer, db_url: str, clients: Clients, weight: float, expected: str
) -> None:
    """Reassign away from MID: FAR with the prices weighed, NEAR without."""
    at_mid = priced_network(server, clients, db_url, weight)
    plan = clients.sourcing.Reassign(
        sourcing_pb2.ReassignRequest(fulfilment_id=at_mid, reason="test"), timeout=30
    ).plan
    assert served_at(plan) == [expected]
    # The reported cost is the real one: the shipping alone, never the price.
    assert "scarcity_price" not in plan.objective.terms
    assert plan.objective.total == pytest.approx(24.5 if expected == "FAR" else 20.0, rel=0.02)


@pytest.mark.parametrize(("weight", "expected"), [(1.0, "FAR"), (0.0, "NEAR")])
def test_revise_sources_added_units_as_the_prices_steer(
    server: RunningServer, db_url: str, clients: Clients, weight: float, expected: str
) -> None:
    """One unit more of NEW's line, MID being empty: FAR with the prices weighed, NEAR without."""
    priced_network(server, clients, db_url, weight)
    response = clients.orders.ReviseOrder(
        orders_pb2.ReviseOrderRequest(
            order_ref="NEW",
            revisions=[
                orders_pb2.OrderRevision(
                    set_quantity=common_pb2.LineQuantity(line_ref="1", quantity=2)
                )
            ],
        ),
        timeout=30,
    )
    assert served_at(response.plan) == [expected]
    assert "scarcity_price" not in response.plan.objective.terms

"""Scarce-stock prices steer SourceBatch and Rebalance as they steer Source (real server, both DBs).

The network, history and prices are ``test_scarcity_resourcing``'s: NEAR
(0.1 degrees east, 4 units of SKU_1, three taken by the history), MID
(0.28, 1 unit) and FAR (0.5, 20 units) ship at 1 per unit and km; NEAR's
last unit is priced 44, MID's 24. Orders at 0.28 are 0 km from MID, 20 km
from NEAR and 24.5 km from FAR: once MID's unit is gone, the next one comes
from NEAR (20) with the weight at 0 and from FAR (24.5 < 20 + 44) at 1.
"""

from __future__ import annotations

import pytest

from sourcing.cli import main
from sourcing.server.app import RunningServer
from sourcing.v1 import sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_scarcity_prices import history, order_at, stored_prices
from tests.server.test_scarcity_resourcing import network, served_at, weigh_prices


def refreshed(server: RunningServer, clients: Clients, db_url: str) -> None:
    """The network, its history and its refreshed prices (NEAR 44, MID 24)."""
    network(server)
    history(clients)
    assert main(["prices", "refresh", "--db", db_url, "--horizon-days", "28"]) == 0
    assert stored_prices(server)["NEAR"] == pytest.approx(44.0, rel=0.02)


@pytest.mark.parametrize(("weight", "expected"), [(1.0, "FAR"), (0.0, "NEAR")])
def test_source_batch_follows_the_prices(
    server: RunningServer, db_url: str, clients: Clients, weight: float, expected: str
) -> None:
    """Two orders at MID in one wave: one takes MID's unit, the other NEAR's or FAR's."""
    refreshed(server, clients, db_url)
    weigh_prices(clients, weight)
    reply = clients.sourcing.SourceBatch(
        sourcing_pb2.SourceBatchRequest(orders=[order_at("A", 0.28), order_at("B", 0.28)]),
        timeout=60,
    )
    served = sorted(loc for result in reply.results for loc in served_at(result.plan))
    assert served == sorted(["MID", expected])
    # The reported cost is the real one: the shipping alone, never the price.
    assert reply.objective.total == pytest.approx(24.5 if expected == "FAR" else 20.0, rel=0.02)
    for result in reply.results:
        assert "scarcity_price" not in result.plan.objective.terms


@pytest.mark.parametrize(("weight", "moved"), [(1.0, True), (0.0, False)])
def test_rebalance_moves_an_order_off_a_priced_unit_only_when_weighed(
    server: RunningServer, db_url: str, clients: Clients, weight: float, moved: bool
) -> None:
    """B took NEAR's last unit unweighed; with the weight on, Rebalance moves it to FAR.

    That raises the real cost (20 to 24.5) and lowers what the wave minimises
    (20 + 44 to 24.5); with the weight at 0 nothing moves.
    """
    refreshed(server, clients, db_url)
    for ref in ("A", "B"):
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order_at(ref, 0.28)), timeout=30)
    weigh_prices(clients, weight)
    reply = clients.sourcing.Rebalance(sourcing_pb2.RebalanceRequest(order_refs=["B"]), timeout=60)
    assert reply.objective_before.total == pytest.approx(20.0, rel=0.02)
    if moved:
        assert [(p.order_ref, served_at(p)) for p in reply.plans] == [("B", ["FAR"])]
        assert reply.objective_after.total == pytest.approx(24.5, rel=0.02)
    else:
        assert not reply.plans
        assert reply.objective_after.total == pytest.approx(20.0, rel=0.02)

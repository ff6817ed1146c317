"""SourceBatch and Rebalance over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from sqlalchemy import func, select

from sourcing.models import Fulfilment
from sourcing.models.config.tables import Location, Product
from sourcing.models.db.engine import session_factory
from sourcing.models.db.enums import FulfilmentStatus
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.ledger import ledger_check
from sourcing.models.inventory.positions import StockAdjustment, adjust_stock
from sourcing.server.app import RunningServer
from sourcing.solver.wave import solve_batch
from sourcing.v1 import plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_source import active_reserved, hd_order, orders_stored, stock_network


def units(result: sourcing_pb2.BatchOrderResult) -> dict[str, int]:
    """Units per location of one order's plan."""
    return {f.location_ref: sum(ln.quantity for ln in f.lines) for f in result.plan.fulfilments}


def costed_network(server: RunningServer, near: int, far: int) -> None:
    """NEAR (about 11 km away) and FAR (about 55 km away), shipping at 1 per unit and km."""
    with session_factory(server.engine).begin() as session:
        sku = add_product(session, "SKU_1")
        costs = {"fixed_cost_minor": 100, "shipping_cost_per_unit_km": 1.0}
        add_position(session, sku, add_location(session, "NEAR", longitude=0.1, **costs), near)
        add_position(session, sku, add_location(session, "FAR", longitude=0.5, **costs), far)


def ledger_is_sound(server: RunningServer) -> None:
    with session_factory(server.engine)() as session:
        assert ledger_check(session) == []
        assert load_check(session) == []


def test_one_bad_order_loses_no_other_plan(server: RunningServer, clients: Clients) -> None:
    """Good orders are stored with their reservations; each bad one is reported on its own."""
    stock_network(server, near=3, far=5)
    zero = hd_order("BAD_QTY", qty=1)
    zero.lines[0].quantity = 0
    request = sourcing_pb2.SourceBatchRequest(
        orders=[
            hd_order("A", qty=2),
            hd_order("UNKNOWN", product="NO_SUCH_SKU"),
            zero,
            hd_order("B", qty=2),
            hd_order("A", qty=1),
        ]
    )
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    by_ref = [(r.order_ref, r.WhichOneof("outcome")) for r in reply.results]
    assert by_ref == [
        ("A", "plan"),
        ("UNKNOWN", "error"),
        ("BAD_QTY", "error"),
        ("B", "plan"),
        ("A", "error"),
    ]
    unknown, zero_qty, twice = (
        reply.results[1].error,
        reply.results[2].error,
        reply.results[4].error,
    )
    assert unknown.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert [v.field for v in unknown.field_violations] == ["orders[1].lines[0].product_ref"]
    assert zero_qty.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [v.field for v in zero_qty.field_violations] == ["orders[2].lines[0].quantity"]
    assert [v.field for v in twice.field_violations] == ["orders[4].ref"]
    a, b = reply.results[0], reply.results[3]
    assert all(f.id for f in (*a.plan.fulfilments, *b.plan.fulfilments))
    # Three units at NEAR, five at FAR: one order gets NEAR's, the other splits or goes far.
    assert sum(units(a).values()) == sum(units(b).values()) == 2
    assert active_reserved(server) == 4
    assert orders_stored(server) == 2
    ledger_is_sound(server)


def test_the_last_units_go_where_they_save_most(server: RunningServer, clients: Clients) -> None:
    """Two orders, one unit near both: the order far from every other store gets it."""
    with session_factory(server.engine).begin() as session:
        sku = add_product(session, "SKU_1")
        costs = {"fixed_cost_minor": 100, "shipping_cost_per_unit_km": 1.0}
        middle = add_location(session, "MIDDLE", latitude=0.0, longitude=0.0, **costs)
        east = add_location(session, "EAST", latitude=0.0, longitude=0.4, **costs)
        add_position(session, sku, middle, 1)
        add_position(session, sku, east, 5)
    # X lives between MIDDLE and EAST; Y lives far west of MIDDLE.
    x = hd_order("X", qty=1)
    x.delivery_point.longitude = 0.1
    y = hd_order("Y", qty=1)
    y.delivery_point.longitude = -0.9
    reply = clients.sourcing.SourceBatch(sourcing_pb2.SourceBatchRequest(orders=[x, y]), timeout=60)
    assert [units(r) for r in reply.results] == [{"EAST": 1}, {"MIDDLE": 1}]
    assert reply.gap >= 0 and reply.objective.total > 0
    ledger_is_sound(server)


def test_batch_again_replays_and_reserves_nothing_more(
    server: RunningServer, clients: Clients
) -> None:
    """A retried batch returns each stored plan as replayed; stock is reserved once."""
    stock_network(server)
    request = sourcing_pb2.SourceBatchRequest(orders=[hd_order("A", qty=1), hd_order("B", qty=1)])
    first = clients.sourcing.SourceBatch(request, timeout=60)
    again = clients.sourcing.SourceBatch(request, timeout=60)
    assert [r.replayed for r in again.results] == [True, True]
    assert [r.plan.fulfilments[0].id for r in again.results] == [
        r.plan.fulfilments[0].id for r in first.results
    ]
    assert active_reserved(server) == 2


def test_dry_run_batch_stores_nothing(server: RunningServer, clients: Clients) -> None:
    """A dry run returns plans without ids and writes no order or reservation."""
    stock_network(server)
    request = sourcing_pb2.SourceBatchRequest(
        orders=[hd_order("A"), hd_order("B")], dry_run=True, explain=True
    )
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert all(r.plan.fulfilments and not r.plan.fulfilments[0].id for r in reply.results)
    assert reply.results[0].plan.objective.terms
    assert orders_stored(server) == 0 and active_reserved(server) == 0


def test_greedy_batch_sources_one_order_after_another(
    server: RunningServer, clients: Clients
) -> None:
    """With the greedy policy the first order takes the nearest store's units."""
    stock_network(server, near=2, far=5)
    request = sourcing_pb2.SourceBatchRequest(
        orders=[hd_order("A", qty=2), hd_order("B", qty=2)],
        policy=plan_pb2.SOURCING_POLICY_GREEDY,
        time_limit=duration_pb2.Duration(seconds=5),
    )
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [units(r) for r in reply.results] == [{"NEAR": 2}, {"FAR": 2}]


def test_stock_taken_meanwhile_is_sourced_again_alone(
    server: RunningServer, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When another call takes an order's stock after the solve, that order alone is redone."""
    stock_network(server, near=2, far=5)

    def solve_then_lose_near(*args: Any, **kwargs: Any) -> Any:
        wave = solve_batch(*args, **kwargs)
        with session_factory(server.engine).begin() as session:
            near = session.scalars(select(Location).where(Location.ref == "NEAR")).one()
            sku = session.scalars(select(Product).where(Product.ref == "SKU_1")).one()
            adjust_stock(session, StockAdjustment(near.ref, sku.ref, -2, reason="shrinkage"))
        return wave

    monkeypatch.setattr("sourcing.models.waves.batch.solve_batch", solve_then_lose_near)
    request = sourcing_pb2.SourceBatchRequest(orders=[hd_order("A", qty=1), hd_order("B", qty=1)])
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [r.WhichOneof("outcome") for r in reply.results] == ["plan", "plan"]
    assert all(units(r) == {"FAR": 1} for r in reply.results)
    assert active_reserved(server) == 2
    ledger_is_sound(server)


def test_empty_batch_names_the_field(clients: Clients) -> None:
    """A batch without orders is refused as INVALID_ARGUMENT."""
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.SourceBatch(sourcing_pb2.SourceBatchRequest(), timeout=30)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT


# Rebalance ------------------------------------------------------------------


def count_cancelled(server: RunningServer) -> int:
    """Fulfilments CANCELLED so far."""
    with session_factory(server.engine)() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Fulfilment)
                .where(Fulfilment.status == FulfilmentStatus.CANCELLED)
            )
            or 0
        )


def open_fulfilments(server: RunningServer) -> list[tuple[str, str]]:
    """(order ref, location ref) of every CREATED or ACKNOWLEDGED fulfilment."""
    with session_factory(server.engine)() as session:
        rows = session.execute(
            select(Fulfilment.id, Location.ref)
            .join(Location, Fulfilment.location_id == Location.id)
            .where(Fulfilment.status.in_([FulfilmentStatus.CREATED, FulfilmentStatus.ACKNOWLEDGED]))
        ).all()
        refs = [
            (session.get(Fulfilment, fid).order.ref, location)  # type: ignore[union-attr]
            for fid, location in rows
        ]
    return sorted(refs)


def test_rebalance_moves_an_order_to_stock_that_arrived(
    server: RunningServer, clients: Clients
) -> None:
    """Stock arrives near the customer: rebalancing moves the order there and frees FAR."""
    costed_network(server, near=0, far=5)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("A", qty=2)), timeout=30)
    assert open_fulfilments(server) == [("A", "FAR")]
    with session_factory(server.engine).begin() as session:
        adjust_stock(session, StockAdjustment("NEAR", "SKU_1", 3, reason="delivery"))
    dry = clients.sourcing.Rebalance(sourcing_pb2.RebalanceRequest(dry_run=True), timeout=60)
    assert dry.objective_after.total < dry.objective_before.total
    assert open_fulfilments(server) == [("A", "FAR")]
    reply = clients.sourcing.Rebalance(sourcing_pb2.RebalanceRequest(order_refs=["A"]), timeout=60)
    assert reply.objective_after.total < reply.objective_before.total
    assert (reply.fulfilments_before, reply.fulfilments_after) == (1, 1)
    assert [(p.order_ref, [f.location_ref for f in p.fulfilments]) for p in reply.plans] == [
        ("A", ["NEAR"])
    ]
    assert reply.plans[0].fulfilments[0].id
    assert open_fulfilments(server) == [("A", "NEAR")]
    assert count_cancelled(server) == 1
    assert active_reserved(server) == 2
    ledger_is_sound(server)


def test_rebalance_with_nothing_to_gain_changes_nothing(
    server: RunningServer, clients: Clients
) -> None:
    """Orders already at their best locations stay; the saving is zero."""
    costed_network(server, near=3, far=5)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("A", qty=2)), timeout=30)
    reply = clients.sourcing.Rebalance(sourcing_pb2.RebalanceRequest(), timeout=60)
    assert not reply.plans
    assert reply.objective_after.total == pytest.approx(reply.objective_before.total)
    assert open_fulfilments(server) == [("A", "NEAR")]
    assert active_reserved(server) == 2


def test_rebalance_of_an_unknown_order_names_the_field(
    server: RunningServer, clients: Clients
) -> None:
    """An order ref that does not exist is NOT_FOUND, naming order_refs[i]."""
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Rebalance(sourcing_pb2.RebalanceRequest(order_refs=["NOPE"]), timeout=30)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND

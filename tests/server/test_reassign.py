"""Reassign over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from sourcing.models import (
    Fulfilment,
    FulfilmentStatus,
    Order,
    OrderStatus,
    OrderType,
    SourcingProfile,
)
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.availability import available_by_position
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.inventory import set_stock
from sourcing.models.inventory.ledger import ledger_check
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_source import field_violations, hd_order


def network(
    server: RunningServer,
    stock: dict[str, dict[str, int]],
    split_limit: int | None = None,
    fixed_cost: dict[str, int] | None = None,
) -> None:
    """Stores at growing distance east of the origin holding the given units per product."""
    with session_factory(server.engine).begin() as session:
        products = {
            ref: add_product(session, ref) for ref in sorted({p for s in stock.values() for p in s})
        }
        for i, (store, units) in enumerate(stock.items()):
            location = add_location(
                session,
                store,
                latitude=0.0,
                longitude=0.1 * (i + 1),
                fixed_cost_minor=(fixed_cost or {}).get(store, 100),
            )
            for product, qty in units.items():
                add_position(session, products[product], location, qty)
        if split_limit is not None:
            session.add(
                SourcingProfile(
                    order_type=OrderType.HD, version=1, active=True, split_limit=split_limit
                )
            )


def source(clients: Clients, order: domain_pb2.Order) -> dict[str, str]:
    """Source an order; return fulfilment ids by location ref."""
    plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30).plan
    ids = {f.location_ref: f.id for f in plan.fulfilments}
    if plan.HasField("rejected_fulfilment"):
        ids[plan.rejected_fulfilment.location_ref] = plan.rejected_fulfilment.id
    return ids


def units(plan: plan_pb2.Plan) -> dict[str, int]:
    """Units per location in a plan, the rejection location included."""
    out = {f.location_ref: sum(ln.quantity for ln in f.lines) for f in plan.fulfilments}
    if plan.HasField("rejected_fulfilment"):
        out[plan.rejected_fulfilment.location_ref] = sum(
            ln.quantity for ln in plan.rejected_fulfilment.lines
        )
    return out


def status_of(server: RunningServer, fulfilment_id: str) -> FulfilmentStatus:
    """A stored fulfilment's status."""
    with session_factory(server.engine)() as session:
        row = session.get(Fulfilment, int(fulfilment_id))
        assert row is not None
        return row.status


def available(server: RunningServer) -> dict[str, int]:
    """Available units of SKU_1 per location ref."""
    with session_factory(server.engine)() as session:
        from sourcing.models import Location, Product

        product = session.scalars(select(Product).where(Product.ref == "SKU_1")).one()
        refs = {loc.id: loc.ref for loc in session.scalars(select(Location))}
        rows = available_by_position(session, [product.id])
        return {refs[loc]: a.available for (_, loc), a in rows.items()}


def reassign(clients: Clients, fid: str, lines: dict[str, int] | None = None) -> plan_pb2.Plan:
    """Call Reassign and return the plan."""
    request = sourcing_pb2.ReassignRequest(
        fulfilment_id=fid,
        lines=[
            common_pb2.LineQuantity(line_ref=ref, quantity=q) for ref, q in (lines or {}).items()
        ],
        reason="test",
    )
    plan: plan_pb2.Plan = clients.sourcing.Reassign(request, timeout=30).plan
    return plan


def test_all_units_move_to_the_next_location(server: RunningServer, clients: Clients) -> None:
    """Every unit leaves NEAR for FAR; NEAR's stock is released and its fulfilment REJECTED."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    ids = source(clients, hd_order(qty=2))
    plan = reassign(clients, ids["NEAR"])
    assert units(plan) == {"FAR": 2}
    assert status_of(server, ids["NEAR"]) is FulfilmentStatus.REJECTED
    assert available(server) == {"NEAR": 3, "FAR": 1}
    with session_factory(server.engine)() as session:
        assert ledger_check(session) == []
        assert load_check(session) == []


def test_some_units_move_and_the_rest_stay(server: RunningServer, clients: Clients) -> None:
    """Moving 1 of 3 units leaves 2 reserved at NEAR and reserves 1 at FAR."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    ids = source(clients, hd_order(qty=3))
    plan = reassign(clients, ids["NEAR"], {"1": 1})
    assert units(plan) == {"FAR": 1}
    assert status_of(server, ids["NEAR"]) is FulfilmentStatus.CREATED
    assert available(server) == {"NEAR": 1, "FAR": 2}


def test_no_stock_elsewhere_escalates_to_rjt1(server: RunningServer, clients: Clients) -> None:
    """With nothing elsewhere the units go to RJT_1 as ESCALATED and the order is ESCALATED."""
    network(server, {"NEAR": {"SKU_1": 3}})
    ids = source(clients, hd_order(qty=2))
    plan = reassign(clients, ids["NEAR"])
    assert units(plan) == {"RJT_1": 2}
    assert plan.rejected_fulfilment.status == common_pb2.FULFILMENT_STATUS_ESCALATED
    with session_factory(server.engine)() as session:
        order = session.scalars(select(Order)).one()
        assert order.status is OrderStatus.ESCALATED
    assert available(server) == {"NEAR": 3}


def test_split_allowance_is_respected(server: RunningServer, clients: Clients) -> None:
    """With split limit 2 used up by two locations, moving part of one fulfilment rejects it."""
    stock = {"A": {"SKU_1": 2}, "B": {"SKU_2": 2}, "C": {"SKU_1": 5, "SKU_2": 5}}
    network(server, stock, split_limit=2, fixed_cost={"C": 100_000})
    order = hd_order(qty=2)
    order.lines.append(domain_pb2.OrderLine(ref="2", product_ref="SKU_2", quantity=2))
    ids = source(clients, order)
    assert set(ids) == {"A", "B"}
    plan = reassign(clients, ids["A"], {"1": 1})
    assert units(plan) == {"RJT_1": 1}
    whole = reassign(clients, ids["B"])
    assert units(whole) == {"C": 2}


def test_escalated_units_are_served_once_stock_arrives(
    server: RunningServer, clients: Clients
) -> None:
    """Reassigning the ESCALATED fulfilment after a delivery serves its units and closes it."""
    network(server, {"NEAR": {"SKU_1": 1}})
    ids = source(clients, hd_order(qty=3))
    with session_factory(server.engine).begin() as session:
        from sourcing.models import InventoryPosition

        position = session.scalars(select(InventoryPosition)).one()
        set_stock(session, position.id, 5, reason="delivery")
    plan = reassign(clients, ids["RJT_1"])
    assert units(plan) == {"NEAR": 2}
    assert status_of(server, ids["RJT_1"]) is FulfilmentStatus.CANCELLED
    with session_factory(server.engine)() as session:
        assert session.scalars(select(Order)).one().status is OrderStatus.BOOKED
        assert ledger_check(session) == []
        assert load_check(session) == []


@pytest.mark.parametrize(
    ("fid", "lines", "code", "field"),
    [
        ("999999", {}, grpc.StatusCode.NOT_FOUND, "fulfilment_id"),
        ("abc", {}, grpc.StatusCode.INVALID_ARGUMENT, "fulfilment_id"),
        (None, {"9": 1}, grpc.StatusCode.INVALID_ARGUMENT, "lines[0].line_ref"),
        (None, {"1": 7}, grpc.StatusCode.INVALID_ARGUMENT, "lines[0].quantity"),
    ],
)
def test_bad_reassign_requests(
    server: RunningServer,
    clients: Clients,
    fid: str | None,
    lines: dict[str, int],
    code: grpc.StatusCode,
    field: str,
) -> None:
    """Unknown fulfilments, foreign lines and too many units are refused, naming the field."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    ids = source(clients, hd_order(qty=2))
    with pytest.raises(grpc.RpcError) as info:
        reassign(clients, fid or ids["NEAR"], lines)
    assert info.value.code() is code
    assert field in field_violations(info.value)
    assert status_of(server, ids["NEAR"]) is FulfilmentStatus.CREATED
    assert available(server) == {"NEAR": 1, "FAR": 3}


def test_rejected_fulfilment_cannot_be_reassigned_again(
    server: RunningServer, clients: Clients
) -> None:
    """A fulfilment whose units already moved is FAILED_PRECONDITION for Reassign."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    ids = source(clients, hd_order(qty=2))
    reassign(clients, ids["NEAR"])
    with pytest.raises(grpc.RpcError) as info:
        reassign(clients, ids["NEAR"])
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert available(server) == {"NEAR": 3, "FAR": 1}

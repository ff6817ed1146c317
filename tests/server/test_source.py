"""Source over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import func, select

from sourcing.models import InventoryQuantity, Order, QuantityStatus, QuantityType
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.ledger import ledger_check
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients


def stock_network(server: RunningServer, near: int = 3, far: int = 5) -> None:
    """Two stores holding SKU_1: NEAR (about 11 km away) and FAR (about 55 km away)."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        add_product(session, "SKU_2")
        near_store = add_location(
            session, "NEAR", latitude=0.0, longitude=0.1, fixed_cost_minor=100
        )
        far_store = add_location(session, "FAR", latitude=0.0, longitude=0.5, fixed_cost_minor=100)
        add_position(session, product, near_store, near)
        add_position(session, product, far_store, far)


def hd_order(ref: str = "O1", qty: int = 2, product: str = "SKU_1") -> domain_pb2.Order:
    """A one-line home-delivery order near the origin."""
    return domain_pb2.Order(
        ref=ref,
        type=common_pb2.ORDER_TYPE_HD,
        lines=[domain_pb2.OrderLine(ref="1", product_ref=product, quantity=qty)],
        delivery_point=common_pb2.GeoPoint(latitude=0.0, longitude=0.0),
        customer=domain_pb2.Customer(ref="C1"),
    )


def active_reserved(server: RunningServer) -> int:
    """Units held by ACTIVE RESERVED records."""
    with session_factory(server.engine)() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(InventoryQuantity.quantity), 0)).where(
                InventoryQuantity.type == QuantityType.RESERVED,
                InventoryQuantity.status == QuantityStatus.ACTIVE,
            )
        )
    return int(total or 0)


def orders_stored(server: RunningServer) -> int:
    """Orders in the database."""
    with session_factory(server.engine)() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def test_source_stores_the_plan_and_reserves_stock(server: RunningServer, clients: Clients) -> None:
    """The nearest store serves; its units are reserved and the ids come back."""
    stock_network(server)
    reply = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order()), timeout=30)
    plan = reply.plan
    assert not reply.replayed
    assert [
        (f.location_ref, [(ln.line_ref, ln.quantity) for ln in f.lines]) for f in plan.fulfilments
    ] == [("NEAR", [("1", 2)])]
    assert plan.fulfilments[0].id
    assert plan.fulfilments[0].status == common_pb2.FULFILMENT_STATUS_CREATED
    assert plan.solve_status == plan_pb2.SOLVE_STATUS_OPTIMAL
    assert not plan.HasField("rejected_fulfilment")
    assert active_reserved(server) == 2


def test_same_order_twice_replays_and_reserves_nothing_more(
    server: RunningServer, clients: Clients
) -> None:
    """A retried Source returns the first plan; the stock is reserved once."""
    stock_network(server)
    first = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order()), timeout=30)
    again = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order()), timeout=30)
    assert again.replayed
    assert [f.id for f in again.plan.fulfilments] == [f.id for f in first.plan.fulfilments]
    assert active_reserved(server) == 2


@pytest.mark.parametrize(("first_explain", "retry_explain"), [(True, False), (False, True)])
def test_a_replay_is_the_first_answer_byte_for_byte_whatever_the_retry_asks(
    server: RunningServer, clients: Clients, first_explain: bool, retry_explain: bool
) -> None:
    """explain on the first call or on the retry: the retry gets the first plan, to the byte."""
    stock_network(server)
    first = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=hd_order(), explain=first_explain), timeout=30
    )
    again = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=hd_order(), explain=retry_explain), timeout=30
    )
    assert again.replayed
    assert again.plan.SerializeToString(deterministic=True) == first.plan.SerializeToString(
        deterministic=True
    )
    assert bool(first.plan.candidates) is first_explain


def test_different_order_under_used_ref_is_already_exists(
    server: RunningServer, clients: Clients
) -> None:
    """Reusing an order ref for another order is refused and changes nothing."""
    stock_network(server)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order(qty=2)), timeout=30)
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order(qty=3)), timeout=30)
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert active_reserved(server) == 2


def test_dry_run_computes_without_storing(server: RunningServer, clients: Clients) -> None:
    """A dry run returns a plan with no ids and stores no order or reservation."""
    stock_network(server)
    reply = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=hd_order(), dry_run=True), timeout=30
    )
    assert [f.location_ref for f in reply.plan.fulfilments] == ["NEAR"]
    assert reply.plan.fulfilments[0].id == ""
    assert orders_stored(server) == 0
    assert active_reserved(server) == 0


def test_explain_returns_terms_and_reasons(server: RunningServer, clients: Clients) -> None:
    """With explain, the objective is broken down and every candidate has a reason."""
    stock_network(server)
    request = sourcing_pb2.SourceRequest(order=hd_order(), explain=True, dry_run=True)
    plan = clients.sourcing.Source(request, timeout=30).plan
    assert plan.objective.terms["fixed"] == pytest.approx(100.0)
    reasons = {c.location_ref: list(c.reasons) for c in plan.candidates}
    assert reasons == {
        "NEAR": [plan_pb2.CANDIDATE_REASON_USED],
        "FAR": [plan_pb2.CANDIDATE_REASON_MORE_EXPENSIVE],
    }


def test_units_nobody_holds_go_to_rjt1_escalated(server: RunningServer, clients: Clients) -> None:
    """Ordering more than the network holds rejects the rest to RJT_1 as ESCALATED."""
    stock_network(server, near=1, far=1)
    plan = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=hd_order(qty=5)), timeout=30
    ).plan
    assert sum(ln.quantity for f in plan.fulfilments for ln in f.lines) == 2
    rejected = plan.rejected_fulfilment
    assert rejected.location_ref == "RJT_1"
    assert rejected.status == common_pb2.FULFILMENT_STATUS_ESCALATED
    assert [(ln.line_ref, ln.quantity) for ln in rejected.lines] == [("1", 3)]
    assert rejected.id


def field_violations(error: grpc.RpcError) -> list[str]:
    """The fields named in the error's google.rpc.BadRequest detail."""
    status = rpc_status.from_call(error)
    assert status is not None
    fields: list[str] = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields.extend(v.field for v in bad.field_violations)
    return fields


def bad(order: domain_pb2.Order, **changes: object) -> domain_pb2.Order:
    """A copy of ``order`` with some fields changed."""
    copy = domain_pb2.Order()
    copy.CopyFrom(order)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def many_lines(n: int) -> domain_pb2.Order:
    """An order of ``n`` one-unit lines."""
    order = hd_order()
    del order.lines[:]
    order.lines.extend(
        domain_pb2.OrderLine(ref=str(i), product_ref="SKU_1", quantity=1) for i in range(n)
    )
    return order


def negative_quantity() -> domain_pb2.Order:
    """An order whose only line asks for -1 units."""
    order = hd_order()
    order.lines[0].quantity = -1
    return order


def unknown_collection_store() -> domain_pb2.Order:
    """A CC order to be collected at a store that does not exist."""
    order = hd_order()
    order.type = common_pb2.ORDER_TYPE_CC
    order.ClearField("delivery_point")
    order.collection_location_ref = "NOWHERE"
    return order


def no_delivery_point() -> domain_pb2.Order:
    """An HD order with nowhere to deliver."""
    order = hd_order()
    order.ClearField("delivery_point")
    return order


@pytest.mark.parametrize(
    ("request_factory", "code", "field"),
    [
        (lambda: sourcing_pb2.SourceRequest(), grpc.StatusCode.INVALID_ARGUMENT, "order"),
        (
            lambda: sourcing_pb2.SourceRequest(order=bad(hd_order(), ref="")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "order.ref",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(
                order=bad(hd_order(), type=common_pb2.ORDER_TYPE_UNSPECIFIED)
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "order.type",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=negative_quantity()),
            grpc.StatusCode.INVALID_ARGUMENT,
            "order.lines[0].quantity",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=no_delivery_point()),
            grpc.StatusCode.INVALID_ARGUMENT,
            "order.delivery_point",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=hd_order(product="NOPE")),
            grpc.StatusCode.NOT_FOUND,
            "order.lines[0].product_ref",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=unknown_collection_store()),
            grpc.StatusCode.NOT_FOUND,
            "order.collection_location_ref",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=many_lines(10_000)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "order.lines",
        ),
        (
            lambda: sourcing_pb2.SourceRequest(order=hd_order(), weight_overrides={"split": -1.0}),
            grpc.StatusCode.INVALID_ARGUMENT,
            "weight_overrides",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    server: RunningServer,
    clients: Clients,
    request_factory: object,
    code: grpc.StatusCode,
    field: str,
) -> None:
    """Each bad request gets its status code, the field in BadRequest, and no write."""
    stock_network(server)
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(request_factory(), timeout=30)  # type: ignore[operator]
    assert info.value.code() is code
    assert field in field_violations(info.value)
    assert orders_stored(server) == 0
    assert active_reserved(server) == 0


def test_message_over_the_size_limit_is_resource_exhausted(
    server: RunningServer, clients: Clients
) -> None:
    """A request above the 4 MiB limit is refused by gRPC before it reaches the engine."""
    order = hd_order()
    order.lines[0].category = "x" * (5 * 1024 * 1024)
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30)
    assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert orders_stored(server) == 0


def test_concurrent_orders_never_oversell(server: RunningServer, clients: Clients) -> None:
    """Twelve orders race for the last 5 units: 5 are served, 7 rejected, the ledger adds up."""
    stock_network(server, near=3, far=2)

    def place(i: int) -> int:
        plan = clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=hd_order(f"R{i}", qty=1)), timeout=60
        ).plan
        served = int(sum(ln.quantity for f in plan.fulfilments for ln in f.lines))
        rejected = sum(ln.quantity for ln in plan.rejected_fulfilment.lines)
        assert served + rejected == 1
        return served

    with ThreadPoolExecutor(max_workers=12) as pool:
        served = list(pool.map(place, range(12)))
    assert sum(served) == 5
    assert active_reserved(server) == 5
    with session_factory(server.engine)() as session:
        assert ledger_check(session) == []
        assert load_check(session) == []


def test_cc_order_is_sourced_at_its_collection_store(
    server: RunningServer, clients: Clients
) -> None:
    """With distance weighed in (a per-request override), the collection store itself serves."""
    stock_network(server)
    order = unknown_collection_store()
    order.collection_location_ref = "FAR"
    request = sourcing_pb2.SourceRequest(order=order, weight_overrides={"distance": 1.0})
    plan = clients.sourcing.Source(request, timeout=30).plan
    assert [(f.location_ref, f.type) for f in plan.fulfilments] == [
        ("FAR", common_pb2.ORDER_TYPE_CC)
    ]
    without = sourcing_pb2.SourceRequest(order=bad(order, ref="O2"), dry_run=True, explain=True)
    terms = clients.sourcing.Source(without, timeout=30).plan.objective.terms
    assert terms["distance"] == 0.0


def test_request_id_replays_and_refuses_another_order(
    server: RunningServer, clients: Clients
) -> None:
    """A retry under the same request_id replays; another order under it is refused."""
    stock_network(server)
    request = sourcing_pb2.SourceRequest(order=hd_order("O1"), request_id="req-1")
    first = clients.sourcing.Source(request, timeout=30)
    again = clients.sourcing.Source(request, timeout=30)
    assert (first.replayed, again.replayed) == (False, True)
    assert [f.id for f in again.plan.fulfilments] == [f.id for f in first.plan.fulfilments]
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=hd_order("O2"), request_id="req-1"), timeout=30
        )
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    # The same order without the request id is still a replay through its ref.
    by_ref = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("O1")), timeout=30)
    assert by_ref.replayed
    assert (active_reserved(server), orders_stored(server)) == (2, 1)


def test_request_id_too_long_is_invalid(server: RunningServer, clients: Clients) -> None:
    """A request_id over 64 characters is INVALID_ARGUMENT naming the field; nothing is stored."""
    stock_network(server)
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=hd_order(), request_id="r" * 65), timeout=30
        )
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(info.value)
    assert status is not None
    detail = error_details_pb2.BadRequest()
    status.details[0].Unpack(detail)
    assert [v.field for v in detail.field_violations] == ["request_id"]
    assert orders_stored(server) == 0


def test_an_hd_order_naming_an_unknown_store_is_not_found_and_stores_nothing(
    server: RunningServer, clients: Clients
) -> None:
    """An HD order's collection_location_ref must exist too: NOT_FOUND naming it, not INTERNAL."""
    stock_network(server)
    order = hd_order()
    order.collection_location_ref = "NO_SUCH_STORE"
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert "order.collection_location_ref" in field_violations(info.value)
    assert orders_stored(server) == 0
    assert active_reserved(server) == 0

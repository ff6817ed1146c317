"""Cancelling orders over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest

from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, orders_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import (
    PRICE_MINOR,
    Stock,
    assert_stock,
    events,
    get_order,
    network,
    order,
    payloads,
    pick,
    source,
)
from tests.server.test_source import field_violations

F = common_pb2.FulfilmentStatus


def cancel(
    clients: Clients, lines: dict[str, int] | None = None, request_id: str = ""
) -> orders_pb2.CancelOrderResponse:
    """Cancel units of order O1 (all when ``lines`` is empty)."""
    response: orders_pb2.CancelOrderResponse = clients.orders.CancelOrder(
        orders_pb2.CancelOrderRequest(
            order_ref="O1",
            lines=[
                common_pb2.LineQuantity(line_ref=ref, quantity=q)
                for ref, q in (lines or {}).items()
            ],
            reason="customer changed their mind",
            request_id=request_id,
        ),
        timeout=30,
    )
    return response


def test_whole_cancel_releases_everything(server: RunningServer, clients: Clients) -> None:
    """Every fulfilment CANCELLED, stock available again, the whole price refunded, once."""
    network(server, {"NEAR": {"SKU_1": 3, "SKU_2": 2}})
    source(clients, order(lines={"SKU_1": 2, "SKU_2": 1}))
    response = cancel(clients, request_id="c-1")
    assert response.refund == common_pb2.Money(amount_minor=3 * PRICE_MINOR, currency="EUR")
    assert {(ln.line_ref, ln.quantity) for ln in response.cancelled_lines} == {("1", 2), ("2", 1)}
    assert response.order.status == common_pb2.ORDER_STATUS_CANCELLED
    assert [f.status for f in response.order.fulfilments] == [F.FULFILMENT_STATUS_CANCELLED]
    assert [ln.cancelled_quantity for ln in response.order.lines] == [2, 1]
    again = cancel(clients, request_id="c-1")
    assert again.replayed
    assert again.refund == response.refund
    (announced,) = payloads(server, "ORDER_STATUS_CHANGED")[1:]
    assert announced["refund"] == {"amount_minor": 3 * PRICE_MINOR, "currency": "EUR"}
    assert events(server, "ORDER_STATUS_CHANGED")[-1][2] == "CANCELLED"
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3), ("NEAR", "SKU_2"): Stock(2)})


def test_partial_cancel_refunds_what_was_cancelled(server: RunningServer, clients: Clients) -> None:
    """One unit of line 1 and all of line 2: the fulfilment keeps the rest, reserved."""
    network(server, {"NEAR": {"SKU_1": 3, "SKU_2": 2}})
    source(clients, order(lines={"SKU_1": 3, "SKU_2": 2}))
    response = cancel(clients, {"1": 1, "2": 2})
    assert response.refund.amount_minor == 3 * PRICE_MINOR
    assert response.order.status == common_pb2.ORDER_STATUS_BOOKED
    lines = [(ln.ref, ln.quantity, ln.cancelled_quantity) for ln in response.order.lines]
    assert lines == [("1", 2, 1), ("2", 0, 2)]
    (fulfilment,) = response.order.fulfilments
    assert fulfilment.status == F.FULFILMENT_STATUS_CREATED
    assert [(ln.line_ref, ln.quantity) for ln in fulfilment.lines] == [("1", 2)]
    assert events(server, "ORDER_STATUS_CHANGED")[-1][2] == "BOOKED"
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("NEAR", "SKU_2"): Stock(2)})


def test_cancelling_an_escalated_unit(server: RunningServer, clients: Clients) -> None:
    """After a short pick with nothing elsewhere, the escalated unit can still be cancelled."""
    network(server, {"NEAR": {"SKU_1": 3}})
    near = source(clients, order(lines={"SKU_1": 3}))["NEAR"]
    pick(clients, near, {"1": 2})
    response = cancel(clients, {"1": 1})
    assert response.refund.amount_minor == PRICE_MINOR
    assert response.order.status == common_pb2.ORDER_STATUS_IN_PROGRESS
    assert [f.status for f in response.order.fulfilments] == [
        F.FULFILMENT_STATUS_PICKED,
        F.FULFILMENT_STATUS_CANCELLED,
    ]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(0, sold=2, corrected=2)})


def test_cancel_after_pick_is_refused(server: RunningServer, clients: Clients) -> None:
    """By default an order cannot be cancelled once picked; nothing changes."""
    network(server, {"NEAR": {"SKU_1": 3}})
    near = source(clients, order())["NEAR"]
    pick(clients, near)
    written = events(server)
    for lines in (None, {"1": 1}):
        with pytest.raises(grpc.RpcError) as info:
            cancel(clients, lines)
        assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert events(server) == written
    stored = get_order(clients)
    assert stored.status == common_pb2.ORDER_STATUS_IN_PROGRESS
    assert [ln.cancelled_quantity for ln in stored.lines] == [0]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(1, sold=2)})


def test_profile_may_allow_cancelling_picked_goods(server: RunningServer, clients: Clients) -> None:
    """With PICKED cancellable, the picked units go back on the shelf with a CORRECTION."""
    rules = {"cancellable_statuses": ["CREATED", "ACKNOWLEDGED", "PICKED"]}
    network(server, {"NEAR": {"SKU_1": 3}}, rules=rules)
    near = source(clients, order())["NEAR"]
    pick(clients, near)
    response = cancel(clients)
    assert response.order.status == common_pb2.ORDER_STATUS_CANCELLED
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, sold=2, corrected=5)})


@pytest.mark.parametrize(
    ("lines", "field"),
    [({"1": 3}, "lines[0].quantity"), ({"9": 1}, "lines[0].line_ref")],
)
def test_bad_cancellations(
    server: RunningServer, clients: Clients, lines: dict[str, int], field: str
) -> None:
    """More units than are wanted, or a foreign line, are refused naming the field."""
    network(server, {"NEAR": {"SKU_1": 3}})
    source(clients, order())
    with pytest.raises(grpc.RpcError) as info:
        cancel(clients, lines)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(info.value)
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2)})


def test_request_id_reused_for_another_cancellation(
    server: RunningServer, clients: Clients
) -> None:
    """The same request id with different lines is ALREADY_EXISTS and cancels nothing."""
    network(server, {"NEAR": {"SKU_1": 3}})
    source(clients, order(lines={"SKU_1": 3}))
    cancel(clients, {"1": 1}, request_id="c-1")
    with pytest.raises(grpc.RpcError) as info:
        cancel(clients, {"1": 2}, request_id="c-1")
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2)})

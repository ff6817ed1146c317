"""Revising orders in flight over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest

from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import (
    PRICE_MINOR,
    Stock,
    assert_stock,
    get_order,
    network,
    order,
    pick,
    source,
    units,
)
from tests.server.test_source import field_violations

F = common_pb2.FulfilmentStatus


def add(ref: str, product: str, quantity: int) -> orders_pb2.OrderRevision:
    """A revision adding a line at the catalogue price."""
    return orders_pb2.OrderRevision(
        add_line=domain_pb2.OrderLine(
            ref=ref,
            product_ref=product,
            quantity=quantity,
            unit_price=common_pb2.Money(amount_minor=PRICE_MINOR, currency="EUR"),
        )
    )


def remove(ref: str) -> orders_pb2.OrderRevision:
    """A revision removing a line."""
    return orders_pb2.OrderRevision(remove_line_ref=ref)


def set_quantity(ref: str, quantity: int) -> orders_pb2.OrderRevision:
    """A revision setting a line's units still wanted."""
    return orders_pb2.OrderRevision(
        set_quantity=common_pb2.LineQuantity(line_ref=ref, quantity=quantity)
    )


def revise(clients: Clients, *changes: orders_pb2.OrderRevision) -> orders_pb2.ReviseOrderResponse:
    """Revise order O1."""
    response: orders_pb2.ReviseOrderResponse = clients.orders.ReviseOrder(
        orders_pb2.ReviseOrderRequest(order_ref="O1", revisions=list(changes)), timeout=30
    )
    return response


def fulfilment_lines(msg: domain_pb2.Order) -> dict[str, list[tuple[str, int]]]:
    """Lines of each fulfilment still working (not cancelled or rejected), by location."""
    closed = (F.FULFILMENT_STATUS_CANCELLED, F.FULFILMENT_STATUS_REJECTED)
    return {
        f.location_ref: [(ln.line_ref, ln.quantity) for ln in f.lines]
        for f in msg.fulfilments
        if f.status not in closed
    }


def test_adding_a_line_sources_only_the_new_units(server: RunningServer, clients: Clients) -> None:
    """The new line goes to FAR, the only holder; NEAR's fulfilment stays as it was."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_2": 4}})
    near = source(clients, order())["NEAR"]
    clients.orders.AcknowledgeFulfilment(
        orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id=near), timeout=30
    )
    response = revise(clients, add("2", "SKU_2", 3))
    assert units(response.plan) == {"FAR": 3}
    assert response.price_change.amount_minor == 3 * PRICE_MINOR
    assert fulfilment_lines(response.order) == {"NEAR": [("1", 2)], "FAR": [("2", 3)]}
    (kept,) = [f for f in response.order.fulfilments if f.id == near]
    assert kept.status == F.FULFILMENT_STATUS_ACKNOWLEDGED
    assert [ln.ref for ln in response.order.lines] == ["1", "2"]
    assert_stock(
        server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("FAR", "SKU_2"): Stock(4, reserved=3)}
    )


def test_removing_a_line_releases_only_its_units(server: RunningServer, clients: Clients) -> None:
    """Line 2 leaves the order and NEAR's fulfilment; line 1 stays reserved."""
    network(server, {"NEAR": {"SKU_1": 3, "SKU_2": 2}})
    source(clients, order(lines={"SKU_1": 2, "SKU_2": 2}))
    response = revise(clients, remove("2"))
    assert not response.HasField("plan")
    assert response.price_change.amount_minor == -2 * PRICE_MINOR
    assert [ln.ref for ln in response.order.lines] == ["1"]
    assert fulfilment_lines(response.order) == {"NEAR": [("1", 2)]}
    assert response.order.status == common_pb2.ORDER_STATUS_BOOKED
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("NEAR", "SKU_2"): Stock(2)})


def test_changing_quantities_moves_only_the_difference(
    server: RunningServer, clients: Clients
) -> None:
    """Up by 2 sources 2 more units; down by 3 takes the newest units first."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order(lines={"SKU_1": 3}))["NEAR"]
    up = revise(clients, set_quantity("1", 5))
    assert units(up.plan) == {"FAR": 2}
    assert up.price_change.amount_minor == 2 * PRICE_MINOR
    assert_stock(
        server, {("NEAR", "SKU_1"): Stock(3, reserved=3), ("FAR", "SKU_1"): Stock(5, reserved=2)}
    )
    down = revise(clients, set_quantity("1", 2))
    assert down.price_change.amount_minor == -3 * PRICE_MINOR
    assert fulfilment_lines(down.order) == {"NEAR": [("1", 2)]}
    assert [f.id for f in down.order.fulfilments if f.location_ref == "NEAR"] == [near]
    assert [(ln.quantity, ln.cancelled_quantity) for ln in down.order.lines] == [(2, 0)]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("FAR", "SKU_1"): Stock(5)})


def test_revision_after_pick_is_refused(server: RunningServer, clients: Clients) -> None:
    """Once a location picked, the order cannot grow or shrink; nothing changes."""
    network(server, {"NEAR": {"SKU_1": 3, "SKU_2": 3}})
    near = source(clients, order())["NEAR"]
    pick(clients, near)
    for change in (add("2", "SKU_2", 1), set_quantity("1", 1)):
        with pytest.raises(grpc.RpcError) as info:
            revise(clients, change)
        assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert [ln.ref for ln in get_order(clients).lines] == ["1"]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(1, sold=2), ("NEAR", "SKU_2"): Stock(3)})


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ([add("1", "SKU_1", 1)], grpc.StatusCode.INVALID_ARGUMENT, "revisions[0].add_line.ref"),
        ([add("2", "NOPE", 1)], grpc.StatusCode.NOT_FOUND, "revisions[0].add_line.product_ref"),
        ([remove("1")], grpc.StatusCode.INVALID_ARGUMENT, "revisions[0].remove_line_ref"),
        (
            [add("2", "SKU_1", 1), set_quantity("1", 0)],
            grpc.StatusCode.INVALID_ARGUMENT,
            "revisions[1].set_quantity.quantity",
        ),
        (
            [add("2", "SKU_1", 1), remove("9")],
            grpc.StatusCode.INVALID_ARGUMENT,
            "revisions[1].remove_line_ref",
        ),
    ],
)
def test_bad_revisions_change_nothing(
    server: RunningServer,
    clients: Clients,
    changes: list[orders_pb2.OrderRevision],
    code: grpc.StatusCode,
    field: str,
) -> None:
    """A bad change anywhere in the list is refused naming it, and none is applied."""
    network(server, {"NEAR": {"SKU_1": 5}})
    source(clients, order())
    with pytest.raises(grpc.RpcError) as info:
        revise(clients, *changes)
    assert info.value.code() is code
    assert field in field_violations(info.value)
    assert [ln.ref for ln in get_order(clients).lines] == ["1"]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(5, reserved=2)})

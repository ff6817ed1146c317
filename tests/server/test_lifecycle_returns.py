"""Returns and restocking over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest

from sourcing.models import LocationType
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import (
    PRICE_MINOR,
    Stock,
    assert_stock,
    events,
    get_order,
    network,
    order,
    pack,
    pick,
    source,
)
from tests.server.test_source import field_violations


def delivered_order(server: RunningServer, clients: Clients, quantity: int = 3) -> None:
    """Order O1 of ``quantity`` SKU_1 shipped from the warehouse WH; SHOP has no SKU_1."""
    network(
        server,
        {"WH": {"SKU_1": 5}, "SHOP": {"SKU_2": 1}},
        types={"WH": LocationType.WAREHOUSE},
    )
    fid = source(clients, order(lines={"SKU_1": quantity}))["WH"]
    pick(clients, fid)
    pack(clients, fid, [{"1": quantity}])
    clients.orders.MarkDispatched(orders_pb2.MarkDispatchedRequest(fulfilment_id=fid), timeout=30)


def announce(
    clients: Clients, quantity: int, ref: str = "R1", reason: str = "too small"
) -> orders_pb2.CreateReturnResponse:
    """Announce a return of ``quantity`` units of line 1 of O1."""
    response: orders_pb2.CreateReturnResponse = clients.orders.CreateReturn(
        orders_pb2.CreateReturnRequest(
            return_order=domain_pb2.ReturnOrder(
                ref=ref,
                order_ref="O1",
                lines=[domain_pb2.ReturnLine(order_line_ref="1", quantity=quantity, reason=reason)],
            )
        ),
        timeout=30,
    )
    return response


def receive(
    clients: Clients, arrived: list[tuple[int, bool]], ref: str = "R1"
) -> orders_pb2.ReceiveReturnResponse:
    """Receive units of line 1 at SHOP: (quantity, resellable) per entry."""
    response: orders_pb2.ReceiveReturnResponse = clients.orders.ReceiveReturn(
        orders_pb2.ReceiveReturnRequest(
            return_ref=ref,
            location_ref="SHOP",
            lines=[
                orders_pb2.ReceivedReturnLine(order_line_ref="1", quantity=q, resellable=r)
                for q, r in arrived
            ],
        ),
        timeout=30,
    )
    return response


def test_return_and_restock(server: RunningServer, clients: Clients) -> None:
    """2 of 3 come back to SHOP, one resellable: it goes into SHOP's stock; both are refunded."""
    delivered_order(server, clients)
    created = announce(clients, 2)
    assert created.return_order.status == domain_pb2.RETURN_STATUS_CREATED
    assert not created.replayed
    assert announce(clients, 2).replayed
    received = receive(clients, [(1, True), (1, False)])
    assert received.refund == common_pb2.Money(amount_minor=2 * PRICE_MINOR, currency="EUR")
    back = received.return_order
    assert back.status == domain_pb2.RETURN_STATUS_RESTOCKED
    assert back.location_ref == "SHOP"
    assert [(ln.quantity, ln.received_quantity, ln.restocked_quantity) for ln in back.lines] == [
        (2, 2, 1)
    ]
    (stored,) = get_order(clients).return_orders
    assert stored.ref == "R1"
    assert stored.refund.amount_minor == 2 * PRICE_MINOR
    assert [s for _, _, s in events(server, "RETURN_STATUS_CHANGED")] == [
        "CREATED",
        "RECEIVED",
        "RESTOCKED",
    ]
    assert ("INVENTORY_CHANGED", "SKU_1@SHOP", "CORRECTION") in events(server)
    assert_stock(
        server,
        {
            ("WH", "SKU_1"): Stock(2, sold=3),
            ("SHOP", "SKU_1"): Stock(1),
            ("SHOP", "SKU_2"): Stock(1),
        },
    )


def test_damaged_goods_and_missing_units(server: RunningServer, clients: Clients) -> None:
    """Nothing resellable: RECEIVED, no stock moved, and units that never came not refunded."""
    delivered_order(server, clients)
    announce(clients, 3)
    received = receive(clients, [(1, False)])
    assert received.return_order.status == domain_pb2.RETURN_STATUS_RECEIVED
    assert received.refund.amount_minor == PRICE_MINOR
    (line,) = received.return_order.lines
    assert (line.quantity, line.received_quantity, line.restocked_quantity) == (3, 1, 0)
    with pytest.raises(grpc.RpcError) as info:
        receive(clients, [(1, True)])
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert_stock(server, {("WH", "SKU_1"): Stock(2, sold=3), ("SHOP", "SKU_2"): Stock(1)})


def test_never_more_returned_than_delivered(server: RunningServer, clients: Clients) -> None:
    """4 of 3 is refused; after a return of 2, only 1 more may come back."""
    delivered_order(server, clients)
    with pytest.raises(grpc.RpcError) as info:
        announce(clients, 4)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "return_order.lines[0].quantity" in field_violations(info.value)
    announce(clients, 2)
    with pytest.raises(grpc.RpcError) as info:
        announce(clients, 2, ref="R2")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    announce(clients, 1, ref="R2")
    with pytest.raises(grpc.RpcError) as info:
        announce(clients, 1, ref="R1", reason="other")
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert_stock(server, {("WH", "SKU_1"): Stock(2, sold=3), ("SHOP", "SKU_2"): Stock(1)})


def test_nothing_to_return_before_delivery(server: RunningServer, clients: Clients) -> None:
    """Units still at the location have not been delivered: no return, no stock moved."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    pick(clients, fid)
    with pytest.raises(grpc.RpcError) as info:
        announce(clients, 1)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert_stock(server, {("SHOP", "SKU_1"): Stock(1, sold=2)})


@pytest.mark.parametrize(
    ("arrived", "field"),
    [([(3, True)], "lines[0].quantity"), ([(1, True), (2, False)], "lines[1].quantity")],
)
def test_receiving_more_than_announced_is_refused(
    server: RunningServer, clients: Clients, arrived: list[tuple[int, bool]], field: str
) -> None:
    """More units than the return announced, in one entry or two, name the entry."""
    delivered_order(server, clients)
    announce(clients, 2)
    with pytest.raises(grpc.RpcError) as info:
        receive(clients, arrived)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(info.value)
    assert_stock(server, {("WH", "SKU_1"): Stock(2, sold=3), ("SHOP", "SKU_2"): Stock(1)})

"""Short picks and locations' rejections over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, orders_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import (
    Stock,
    assert_stock,
    events,
    fulfilment_ids,
    get_order,
    network,
    order,
    pick,
    source,
    status_of,
    units,
)
from tests.server.test_source import field_violations

F = common_pb2.FulfilmentStatus


def reject(clients: Clients, fid: str, location_ref: str) -> orders_pb2.RejectFulfilmentResponse:
    """The location refuses the fulfilment."""
    response: orders_pb2.RejectFulfilmentResponse = clients.orders.RejectFulfilment(
        orders_pb2.RejectFulfilmentRequest(
            fulfilment_id=fid, location_ref=location_ref, reason="till system down"
        ),
        timeout=30,
    )
    return response


def test_short_pick_is_served_from_elsewhere(server: RunningServer, clients: Clients) -> None:
    """2 of 3 picked: SALE 2, CORRECTION -1 at NEAR, and the missing unit reserved at FAR."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order(lines={"SKU_1": 3}))["NEAR"]
    response = pick(clients, near, {"1": 2})
    assert response.fulfilment.status == F.FULFILMENT_STATUS_PICKED
    assert [(ln.quantity, ln.picked_quantity) for ln in response.fulfilment.lines] == [(3, 2)]
    assert units(response.reassignment) == {"FAR": 1}
    assert response.order_status == common_pb2.ORDER_STATUS_IN_PROGRESS
    far = fulfilment_ids(response.reassignment)["FAR"]
    stored = {f.id: f for f in get_order(clients).fulfilments}
    assert stored[far].reassigned_from_fulfilment_id == near
    assert stored[far].status == F.FULFILMENT_STATUS_CREATED
    created = [entity for _, entity, _ in events(server, "FULFILMENT_CREATED")]
    assert created == [near, far]
    assert_stock(
        server,
        {
            ("NEAR", "SKU_1"): Stock(0, sold=2, corrected=2),
            ("FAR", "SKU_1"): Stock(5, reserved=1),
        },
    )


def test_short_pick_with_nothing_elsewhere_escalates(
    server: RunningServer, clients: Clients
) -> None:
    """The missing unit goes to RJT_1 as ESCALATED and the order is ESCALATED."""
    network(server, {"NEAR": {"SKU_1": 3}})
    near = source(clients, order(lines={"SKU_1": 3}))["NEAR"]
    response = pick(clients, near, {"1": 2})
    assert units(response.reassignment) == {"RJT_1": 1}
    assert response.reassignment.rejected_fulfilment.status == F.FULFILMENT_STATUS_ESCALATED
    assert response.order_status == common_pb2.ORDER_STATUS_ESCALATED
    assert events(server, "ORDER_STATUS_CHANGED")[-1][2] == "ESCALATED"
    assert_stock(server, {("NEAR", "SKU_1"): Stock(0, sold=2, corrected=2)})


def test_nothing_picked_rejects_the_fulfilment(server: RunningServer, clients: Clients) -> None:
    """A pick of 0 writes every unit off, leaves NEAR REJECTED and serves the order from FAR."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order(lines={"SKU_1": 2}))["NEAR"]
    response = pick(clients, near, {"1": 0})
    assert response.fulfilment.status == F.FULFILMENT_STATUS_REJECTED
    assert units(response.reassignment) == {"FAR": 2}
    assert response.order_status == common_pb2.ORDER_STATUS_BOOKED
    assert_stock(
        server,
        {
            ("NEAR", "SKU_1"): Stock(1, corrected=1),
            ("FAR", "SKU_1"): Stock(5, reserved=2),
        },
    )


def test_short_pick_of_one_line_of_two(server: RunningServer, clients: Clients) -> None:
    """Only the short line moves; the fully picked line is sold where it was."""
    network(server, {"NEAR": {"SKU_1": 2, "SKU_2": 2}, "FAR": {"SKU_2": 4}})
    near = source(clients, order(lines={"SKU_1": 2, "SKU_2": 2}))["NEAR"]
    response = pick(clients, near, {"2": 1})
    assert [ln.picked_quantity for ln in response.fulfilment.lines] == [2, 1]
    assert units(response.reassignment) == {"FAR": 1}
    assert_stock(
        server,
        {
            ("NEAR", "SKU_1"): Stock(0, sold=2),
            ("NEAR", "SKU_2"): Stock(0, sold=1, corrected=1),
            ("FAR", "SKU_2"): Stock(4, reserved=1),
        },
    )


def test_location_rejection_moves_every_unit(server: RunningServer, clients: Clients) -> None:
    """NEAR refuses: its stock is freed, FAR serves; FAR refuses too: RJT_1 holds the units."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order(lines={"SKU_1": 2}))["NEAR"]
    response = reject(clients, near, "NEAR")
    assert response.fulfilment.status == F.FULFILMENT_STATUS_REJECTED
    assert response.fulfilment.status_reason == "till system down"
    assert units(response.reassignment) == {"FAR": 2}
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3), ("FAR", "SKU_1"): Stock(5, reserved=2)})
    far = fulfilment_ids(response.reassignment)["FAR"]
    again = reject(clients, far, "FAR")
    assert units(again.reassignment) == {"RJT_1": 2}
    assert again.order_status == common_pb2.ORDER_STATUS_ESCALATED
    rejected = [e for e in events(server, "FULFILMENT_STATUS_CHANGED") if e[2] == "REJECTED"]
    assert [entity for _, entity, _ in rejected] == [near, far]
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3), ("FAR", "SKU_1"): Stock(5)})


def test_rejection_after_pick_is_refused(server: RunningServer, clients: Clients) -> None:
    """A location that picked cannot refuse any more; nothing changes."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order())["NEAR"]
    pick(clients, near)
    with pytest.raises(grpc.RpcError) as info:
        reject(clients, near, "NEAR")
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_PICKED
    assert_stock(server, {("NEAR", "SKU_1"): Stock(1, sold=2), ("FAR", "SKU_1"): Stock(5)})


@pytest.mark.parametrize(
    ("picked", "field"),
    [
        ({"1": 3}, "picked_lines[0].quantity"),
        ({"1": -1}, "picked_lines[0].quantity"),
        ({"9": 1}, "picked_lines[0].line_ref"),
    ],
)
def test_bad_picks(
    server: RunningServer, clients: Clients, picked: dict[str, int], field: str
) -> None:
    """Counts out of range and foreign lines name the field and move no stock."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order())["NEAR"]
    with pytest.raises(grpc.RpcError) as info:
        pick(clients, near, picked)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(info.value)
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_ACKNOWLEDGED
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("FAR", "SKU_1"): Stock(5)})


def test_only_the_fulfilments_location_may_reject(server: RunningServer, clients: Clients) -> None:
    """FAR cannot refuse NEAR's fulfilment: INVALID_ARGUMENT on location_ref."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    near = source(clients, order())["NEAR"]
    with pytest.raises(grpc.RpcError) as info:
        reject(clients, near, "FAR")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "location_ref" in field_violations(info.value)
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_CREATED
    assert_stock(server, {("NEAR", "SKU_1"): Stock(3, reserved=2), ("FAR", "SKU_1"): Stock(5)})


def test_racing_pick_and_cancel_one_wins(server: RunningServer, clients: Clients) -> None:
    """A pick and a cancellation of one order at once: one applies, the other is refused."""
    network(server, {"NEAR": {"SKU_1": 3}})
    near = source(clients, order())["NEAR"]
    clients.orders.AcknowledgeFulfilment(
        orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id=near), timeout=30
    )
    calls: list[Callable[[], object]] = [
        lambda: clients.orders.ConfirmPick(
            orders_pb2.ConfirmPickRequest(fulfilment_id=near), timeout=30
        ),
        lambda: clients.orders.CancelOrder(
            orders_pb2.CancelOrderRequest(order_ref="O1"), timeout=30
        ),
    ] * 2
    with ThreadPoolExecutor(len(calls)) as pool:
        outcomes = list(pool.map(status_of, calls))
    assert outcomes.count(grpc.StatusCode.OK) == 1
    assert set(outcomes) <= {grpc.StatusCode.OK, grpc.StatusCode.FAILED_PRECONDITION}
    status = get_order(clients).status
    if status == common_pb2.ORDER_STATUS_CANCELLED:
        assert_stock(server, {("NEAR", "SKU_1"): Stock(3)})
    else:
        assert_stock(server, {("NEAR", "SKU_1"): Stock(1, sold=2)})

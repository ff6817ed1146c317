"""The status summary: the same figures from ``read_status``, GetStatus and ``sourcing status``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import select, update

from sourcing.cli import main
from sourcing.models import Fulfilment, OrderStatus, OutboxEvent
from sourcing.models.db.engine import session_factory
from sourcing.models.db.enums import OutboxState
from sourcing.ops.status import read_status
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, operations_pb2, operations_pb2_grpc
from tests.server.conftest import Clients
from tests.server.lifecycle import network, order, source
from tests.server.test_source import field_violations


def _scenario(server: RunningServer, clients: Clients) -> None:
    """One order booked (its position now at buffer), one escalated, one overdue, one parked."""
    network(server, {"S1": {"SKU_1": 3, "SKU_2": 1}})
    booked = source(clients, order("O1", {"SKU_1": 3}))
    source(clients, order("O2", {"SKU_1": 2}))  # nothing left: fully rejected
    sessions = session_factory(server.engine)
    with sessions.begin() as session:
        session.execute(
            update(Fulfilment)
            .where(Fulfilment.id == int(booked["S1"]))
            .values(due_at=datetime.now(UTC) - timedelta(minutes=5))
        )
        first_event = session.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)).first()
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == first_event)
            .values(state=OutboxState.PARKED)
        )


def test_status_three_ways(
    server: RunningServer,
    clients: Clients,
    channel: grpc.Channel,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Library, gRPC and command line agree, on both databases."""
    _scenario(server, clients)
    summary = read_status(session_factory(server.engine))
    expected_orders = {OrderStatus.BOOKED: 1, OrderStatus.ESCALATED: 1}
    assert summary.orders_today == expected_orders
    assert summary.orders_this_week == expected_orders
    assert len(summary.escalations_per_day) == 14
    assert summary.escalations_per_day[-1] == (summary.now.date(), 1)
    assert sum(count for _, count in summary.escalations_per_day) == 1
    assert (summary.overdue_fulfilments, summary.parked_webhooks) == (1, 1)
    assert summary.positions_at_or_below_buffer == 1  # SKU_1 at S1: 3 on hand, 3 reserved

    stub = operations_pb2_grpc.OperationsServiceStub(channel)
    answer = stub.GetStatus(operations_pb2.GetStatusRequest(escalation_days=3), timeout=10)
    assert {(c.status, c.orders) for c in answer.orders_today} == {
        (common_pb2.ORDER_STATUS_BOOKED, 1),
        (common_pb2.ORDER_STATUS_ESCALATED, 1),
    }
    assert [e.fulfilments for e in answer.escalations_per_day] == [0, 0, 1]
    assert answer.escalations_per_day[-1].day == summary.now.date().isoformat()
    assert (answer.overdue_fulfilments, answer.parked_webhooks) == (1, 1)
    assert answer.positions_at_or_below_buffer == 1
    default = stub.GetStatus(operations_pb2.GetStatusRequest(), timeout=10)
    assert len(default.escalations_per_day) == 14

    assert main(["status", "--db", db_url, "--days", "2"]) == 0
    printed = capsys.readouterr().out
    assert "orders today: BOOKED 1, ESCALATED 1" in printed
    assert "overdue fulfilments: 1" in printed
    assert "parked webhooks: 1" in printed
    assert "stock positions at or below buffer: 1" in printed


def test_get_status_bounds_escalation_days(channel: grpc.Channel) -> None:
    """More days than 90 is refused naming the field; nothing is read."""
    stub = operations_pb2_grpc.OperationsServiceStub(channel)
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetStatus(operations_pb2.GetStatusRequest(escalation_days=91), timeout=10)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == ["escalation_days"]


def test_a_later_week_starts_empty(server: RunningServer, clients: Clients) -> None:
    """Read eight days later, today's orders are in neither today nor this week."""
    _scenario(server, clients)
    later = datetime.now(UTC) + timedelta(days=8)
    summary = read_status(session_factory(server.engine), now=later)
    assert summary.orders_today == {} and summary.orders_this_week == {}
    assert sum(count for _, count in summary.escalations_per_day) == 1
    assert summary.escalations_per_day[-1][1] == 0


@pytest.mark.parametrize("days", [0, 91])
def test_escalation_days_outside_range_are_refused(server: RunningServer, days: int) -> None:
    """The library names the field when the days are out of range."""
    with pytest.raises(ValueError, match="escalation_days"):
        read_status(session_factory(server.engine), escalation_days=days)

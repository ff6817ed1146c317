"""GetStatus: the request's options in, the status summary out."""

from __future__ import annotations

from collections.abc import Mapping

from sourcing.models.db.enums import OrderStatus
from sourcing.ops.status import ESCALATION_DAYS, StatusSummary
from sourcing.server.convert.fields import enum_to_proto, timestamp
from sourcing.v1 import common_pb2, operations_pb2


def escalation_days(request: operations_pb2.GetStatusRequest) -> int:
    """The days of escalations asked for; 0 (unset) means the default fortnight."""
    return request.escalation_days or ESCALATION_DAYS


def _by_status(counts: Mapping[OrderStatus, int]) -> list[operations_pb2.OrderStatusCount]:
    return [
        operations_pb2.OrderStatusCount(
            status=enum_to_proto(status, common_pb2.OrderStatus), orders=counts[status]
        )
        for status in OrderStatus
        if counts.get(status)
    ]


def status_to_proto(summary: StatusSummary) -> operations_pb2.GetStatusResponse:
    """The summary as the wire carries it."""
    return operations_pb2.GetStatusResponse(
        as_of=timestamp(summary.now),
        orders_today=_by_status(summary.orders_today),
        orders_this_week=_by_status(summary.orders_this_week),
        escalations_per_day=[
            operations_pb2.DailyEscalations(day=day.isoformat(), fulfilments=count)
            for day, count in summary.escalations_per_day
        ],
        overdue_fulfilments=summary.overdue_fulfilments,
        parked_webhooks=summary.parked_webhooks,
        positions_at_or_below_buffer=summary.positions_at_or_below_buffer,
    )

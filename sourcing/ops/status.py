"""A one-screen summary for someone without a dashboard: ``sourcing status`` and GetStatus.

Read in one transaction from the database itself, so it is the same on
every replica and needs no metrics: orders by status today and this week
(UTC; a week starts on Monday), fulfilments escalated per day, overdue
fulfilments, parked webhooks and stock positions at or below their buffer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import FulfilmentStatus, OrderStatus, OutboxState
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.events.tables import OutboxEvent
from sourcing.models.inventory.tables import InventoryPosition
from sourcing.models.orders.sla import SWEPT_STATUSES
from sourcing.models.orders.tables import Fulfilment, Order

ESCALATION_DAYS = 14
MAX_ESCALATION_DAYS = 90


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """What the status screen shows, as of ``now``.

    ``escalations_per_day`` holds one (day, count) per day, oldest first,
    today last, days without escalations included: fulfilments now
    ESCALATED, by the day they last changed (the day they were escalated).
    """

    now: datetime
    orders_today: Mapping[OrderStatus, int]
    orders_this_week: Mapping[OrderStatus, int]
    escalations_per_day: tuple[tuple[date, int], ...]
    overdue_fulfilments: int
    parked_webhooks: int
    positions_at_or_below_buffer: int

    def lines(self) -> list[str]:
        """The summary as text, one fact per line."""

        def by_status(counts: Mapping[OrderStatus, int]) -> str:
            shown = [f"{s.value} {counts.get(s, 0)}" for s in OrderStatus if counts.get(s)]
            return ", ".join(shown) or "none"

        out = [
            f"status at {self.now.isoformat(timespec='seconds')}",
            f"orders today: {by_status(self.orders_today)}",
            f"orders this week: {by_status(self.orders_this_week)}",
            f"escalations, last {len(self.escalations_per_day)} days:",
        ]
        out += [f"  {day.isoformat()} {count}" for day, count in self.escalations_per_day]
        out += [
            f"overdue fulfilments: {self.overdue_fulfilments}",
            f"parked webhooks: {self.parked_webhooks}",
            f"stock positions at or below buffer: {self.positions_at_or_below_buffer}",
        ]
        return out


def read_status(
    sessions: sessionmaker[Session],
    *,
    now: datetime | None = None,
    escalation_days: int = ESCALATION_DAYS,
) -> StatusSummary:
    """The summary as of ``now`` (default: the current time), in one read transaction."""
    if not 1 <= escalation_days <= MAX_ESCALATION_DAYS:
        raise ValueError(
            f"Expected escalation_days from 1 to {MAX_ESCALATION_DAYS}, got {escalation_days}."
        )
    at = (now or utcnow()).astimezone(UTC)
    today = datetime(at.year, at.month, at.day, tzinfo=UTC)
    week = today - timedelta(days=today.weekday())
    first_day = today - timedelta(days=escalation_days - 1)

    def work(session: Session) -> StatusSummary:
        return StatusSummary(
            now=at,
            orders_today=_orders_since(session, today),
            orders_this_week=_orders_since(session, week),
            escalations_per_day=_escalations(session, first_day, escalation_days),
            overdue_fulfilments=_count(
                session,
                select(func.count()).where(
                    Fulfilment.status.in_(SWEPT_STATUSES), Fulfilment.due_at < at
                ),
            ),
            parked_webhooks=_count(
                session, select(func.count()).where(OutboxEvent.state == OutboxState.PARKED)
            ),
            positions_at_or_below_buffer=_count(
                session,
                select(func.count()).where(
                    InventoryPosition.on_hand - InventoryPosition.reserved
                    <= InventoryPosition.buffer_qty
                ),
            ),
        )

    return run_in_transaction(sessions, work, entity="status")


def _count(session: Session, query: Select[tuple[int]]) -> int:
    return int(session.scalar(query) or 0)


def _orders_since(session: Session, since: datetime) -> dict[OrderStatus, int]:
    rows = session.execute(
        select(Order.status, func.count()).where(Order.created_at >= since).group_by(Order.status)
    )
    return {status: int(count) for status, count in rows}


def _escalations(session: Session, first: datetime, days: int) -> tuple[tuple[date, int], ...]:
    changed = session.scalars(
        select(Fulfilment.updated_at).where(
            Fulfilment.status == FulfilmentStatus.ESCALATED, Fulfilment.updated_at >= first
        )
    )
    per_day = Counter(when.astimezone(UTC).date() for when in changed)
    start = first.date()
    return tuple(
        (start + timedelta(days=i), per_day.get(start + timedelta(days=i), 0)) for i in range(days)
    )

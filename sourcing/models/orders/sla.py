"""The SLA sweep: what happens to fulfilments nobody has picked in time.

A fulfilment is overdue when its ``due_at`` (set at sourcing: the ready-by
it promised, i.e. the location's pick-and-pack hours counted inside its
opening hours (``sourcing.solver.eta``), plus the profile's
``sla_slack_minutes``) has passed and
it is still CREATED or ACKNOWLEDGED. The profile the order was sourced under
(its due time came from it; the active one for the order type when none was
recorded) says what to do, in ``rules["overdue_action"]``:

* ``ESCALATE`` (the default): the fulfilment becomes ESCALATED with the
  reason and its reservations are released (an escalated fulfilment can only
  be cancelled or reassigned, so it holds no stock); FULFILMENT_STATUS_CHANGED,
  INVENTORY_CHANGED and, when the order's status moves, ORDER_STATUS_CHANGED
  go to the outbox in the same transaction.
* ``REASSIGN``: its units are sourced again elsewhere with
  :func:`sourcing.models.orders.reassign.reassign`, the late location excluded
  (which writes its own events).

Each fulfilment is handled in its own transaction under the order's row
lock, so several replicas may sweep at once: a fulfilment that was picked,
or handled by another sweep, meanwhile is skipped.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config.candidates import active_profile
from sourcing.models.config.profiles import OverdueAction, ProfileRules
from sourcing.models.config.tables import SourcingProfile
from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import FulfilmentStatus, OrderType
from sourcing.models.db.errors import SourcingError
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.inventory.inventory import release
from sourcing.models.orders.lifecycle import (
    announce_stock,
    change_status,
    fulfilment_positions,
    lock_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders.reassign import ReassignInput, reassign
from sourcing.models.orders.tables import Fulfilment, Order
from sourcing.ops.recorder import current

log = logging.getLogger(__name__)

_F = FulfilmentStatus
# Statuses in which a fulfilment can be late: nobody has picked it yet.
SWEPT_STATUSES = (_F.CREATED, _F.ACKNOWLEDGED)
DEFAULT_SWEEP_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep did, by fulfilment id.

    ``reassigned`` maps each moved fulfilment to the fulfilments now holding
    its units (the rejection location's included); ``skipped`` holds the
    overdue ones left alone, with why (picked meanwhile, no longer there, ...).
    """

    escalated: tuple[int, ...] = ()
    reassigned: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    skipped: tuple[tuple[int, str], ...] = ()

    def lines(self) -> list[str]:
        """One human-readable line per fulfilment handled, then a total."""
        out = [f"fulfilment {fid}: escalated" for fid in self.escalated]
        out += [
            f"fulfilment {fid}: reassigned to {', '.join(map(str, new)) or 'nothing'}"
            for fid, new in self.reassigned.items()
        ]
        out += [f"fulfilment {fid}: skipped ({why})" for fid, why in self.skipped]
        out.append(
            f"sweep: {len(self.escalated)} escalated, {len(self.reassigned)} reassigned, "
            f"{len(self.skipped)} skipped"
        )
        return out


@dataclass(frozen=True, slots=True)
class _Overdue:
    fulfilment_id: int
    due_at: datetime
    action: OverdueAction


def sweep(
    sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    limit: int = DEFAULT_SWEEP_LIMIT,
) -> SweepReport:
    """Escalate or reassign every fulfilment overdue at ``now`` (default: the current time).

    At most ``limit`` fulfilments are handled, the longest overdue first; the
    next sweep takes the rest.
    """
    now = now or utcnow()
    with sessions() as session, session.begin():
        overdue = _find_overdue(session, now, limit)
    current().overdue_found(len(overdue))
    escalated: list[int] = []
    reassigned: dict[int, tuple[int, ...]] = {}
    skipped: list[tuple[int, str]] = []
    for item in overdue:
        fid = item.fulfilment_id
        try:
            if item.action is OverdueAction.REASSIGN:
                reassigned[fid] = _reassign(sessions, item)
                continue
            escalate = functools.partial(_escalate, overdue=item, now=now)
            if run_in_transaction(sessions, escalate, entity="fulfilment"):
                escalated.append(fid)
            else:
                skipped.append((fid, "no longer overdue in CREATED or ACKNOWLEDGED"))
        except SourcingError as error:  # picked, cancelled or reassigned meanwhile
            log.info("sweep skipped fulfilment %d: %s", fid, error)
            skipped.append((fid, str(error)))
    return SweepReport(tuple(escalated), reassigned, tuple(skipped))


def _find_overdue(session: Session, now: datetime, limit: int) -> list[_Overdue]:
    rows = session.execute(
        select(Fulfilment.id, Fulfilment.due_at, Order.sourcing_profile_id, Order.type)
        .join(Order, Fulfilment.order_id == Order.id)
        .where(Fulfilment.status.in_(SWEPT_STATUSES), Fulfilment.due_at < now)
        .order_by(Fulfilment.due_at, Fulfilment.id)
        .limit(limit)
    ).tuples()
    actions: dict[tuple[int | None, OrderType], OverdueAction] = {}
    found = []
    for fid, due_at, profile_id, order_type in rows:
        key = (profile_id, order_type)
        if key not in actions:
            actions[key] = _overdue_action(session, profile_id, order_type)
        assert due_at is not None  # filtered by the query
        found.append(_Overdue(fid, due_at, actions[key]))
    return found


def _overdue_action(
    session: Session, profile_id: int | None, order_type: OrderType
) -> OverdueAction:
    """The order's profile's overdue action; ESCALATE when none is set or it is unreadable."""
    profile = session.get(SourcingProfile, profile_id) if profile_id else None
    profile = profile or active_profile(session, order_type)
    if profile is None:
        return OverdueAction.ESCALATE
    try:
        return ProfileRules.from_json(profile.rules or {}).overdue_action
    except (TypeError, ValueError) as error:
        log.warning("profile %d has unreadable rules (%s); escalating", profile.id, error)
        return OverdueAction.ESCALATE


def _reason(overdue: _Overdue) -> str:
    return f"overdue: due at {overdue.due_at:%Y-%m-%d %H:%M} UTC"


def _escalate(session: Session, overdue: _Overdue, now: datetime) -> bool:
    """Escalate one fulfilment if it is still overdue; False when something else moved it.

    The order's row is locked first, as every lifecycle call does, so a
    concurrent pick or a second sweep on another replica waits, then finds
    the status changed.
    """
    fulfilment = lock_fulfilment(session, overdue.fulfilment_id)
    due_at = fulfilment.due_at
    if fulfilment.status not in SWEPT_STATUSES or due_at is None or due_at >= now:
        return False
    positions = fulfilment_positions(session, fulfilment)
    change_status(session, fulfilment, _F.ESCALATED, reason=_reason(overdue))
    if release(session, fulfilment.id):
        announce_stock(session, positions.values(), "RELEASED", fulfilment_id=fulfilment.id)
    refresh_order_status(session, fulfilment.order)
    return True


def _reassign(sessions: sessionmaker[Session], overdue: _Overdue) -> tuple[int, ...]:
    """Source the fulfilment's units again elsewhere; the new fulfilments' ids."""
    outcome = reassign(
        sessions, ReassignInput(overdue.fulfilment_id, reason=_reason(overdue), time_limit_s=5.0)
    )
    return tuple(sorted(outcome.fulfilment_ids.values()))

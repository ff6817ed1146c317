"""Daily capacity use as counters: fulfilments per location, UTC day and order type.

A location's daily capacity counts the fulfilments it took today that have
not closed (REJECTED, CANCELLED and ESCALATED free their slot). Counting
them for every order cost a scan of the day's fulfilments, which grows all
day; ``LocationDayLoad`` keeps the count instead:

* :func:`count_new` adds the fulfilments a plan stores (``plan_store``);
* :func:`count_status_change` takes one off when a fulfilment closes
  (``lifecycle.change_status``, the only place a status changes);
* :func:`used_on` is what sourcing reads; :func:`load_check` compares the
  counters with the fulfilments themselves, as ``ledger_check`` does for stock.

Increments are one upsert per statement, rows in key order, so concurrent
writers add up and never wait on each other in a cycle among themselves.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Executable, bindparam, select, update
from sqlalchemy.orm import Session

from sourcing.models.base import dialect_insert, table_of
from sourcing.models.candidates import CLOSED_STATUSES
from sourcing.models.enums import FulfilmentStatus, OrderType
from sourcing.models.orders import Fulfilment, LocationDayLoad

Key = tuple[int, date, OrderType]

_LOADS = table_of(LocationDayLoad)
_SUBTRACT = (
    update(_LOADS)
    .where(
        _LOADS.c.location_id == bindparam("b_location"),
        _LOADS.c.day == bindparam("b_day"),
        _LOADS.c.type == bindparam("b_type"),
    )
    .values(fulfilments=_LOADS.c.fulfilments + bindparam("b_delta"))
)
_USED_ON = select(_LOADS.c.location_id, _LOADS.c.type, _LOADS.c.fulfilments).where(
    _LOADS.c.day == bindparam("day"), _LOADS.c.fulfilments > 0
)


def day_of(moment: datetime) -> date:
    """The UTC day a fulfilment created at ``moment`` counts on."""
    return moment.date()


def count_new(session: Session, fulfilments: Iterable[tuple[int, datetime, OrderType]]) -> None:
    """Count newly stored open fulfilments, given as (location id, created at, order type)."""
    _add(session, Counter((loc, day_of(at), kind) for loc, at, kind in fulfilments))


def count_status_change(
    session: Session, fulfilment: Fulfilment, previous: FulfilmentStatus, new: FulfilmentStatus
) -> None:
    """Take a fulfilment off its day's count when it closes (and back if it ever reopened)."""
    delta = int(new not in CLOSED_STATUSES) - int(previous not in CLOSED_STATUSES)
    if delta:
        key = (fulfilment.location_id, day_of(fulfilment.created_at), fulfilment.type)
        _add(session, Counter({key: delta}))


def used_on(session: Session, day: date) -> list[tuple[int, OrderType, int]]:
    """(location id, order type, fulfilments) for every location that took some on ``day``."""
    return [
        (int(location_id), OrderType(kind), int(n))
        for location_id, kind, n in session.execute(_USED_ON, {"day": day}).tuples()
    ]


@dataclass(frozen=True, slots=True)
class LoadDiscrepancy:
    """A (location, day, type) whose counter differs from its open fulfilments."""

    location_id: int
    day: date
    type: OrderType
    counted: int
    actual: int


def load_check(session: Session) -> list[LoadDiscrepancy]:
    """Counters that differ from the fulfilments they count, in key order; empty when right."""
    actual: Counter[Key] = Counter(
        (loc, day_of(at), kind)
        for loc, at, kind in session.execute(
            select(Fulfilment.location_id, Fulfilment.created_at, Fulfilment.type).where(
                Fulfilment.status.not_in(CLOSED_STATUSES)
            )
        ).tuples()
    )
    counted: Counter[Key] = Counter(
        {
            (row.location_id, row.day, row.type): row.fulfilments
            for row in session.scalars(select(LocationDayLoad))
        }
    )
    return [
        LoadDiscrepancy(*key, counted[key], actual[key])
        for key in sorted(set(actual) | set(counted), key=lambda k: (k[0], k[1], k[2].value))
        if counted[key] != actual[key]
    ]


def _add(session: Session, deltas: Counter[Key]) -> None:
    """Add ``deltas`` to the counters in key order: increments upsert, decrements update.

    A decrement never needs a new row (what closes was counted when stored),
    and an upsert's candidate row of -1 would fail the CHECK before the
    conflict turned it into an update.
    """
    ordered = sorted(
        ((key, n) for key, n in deltas.items() if n), key=lambda item: (item[0][0], item[0][1])
    )
    for (loc, day, kind), n in ordered:
        if n < 0:
            values = {"b_location": loc, "b_day": day, "b_type": kind, "b_delta": n}
            session.execute(_SUBTRACT, values)
    increments = [
        {"b_location": loc, "b_day": day, "b_type": kind, "b_delta": n}
        for (loc, day, kind), n in ordered
        if n > 0
    ]
    if increments:
        session.execute(_upsert(session.get_bind().dialect.name), increments)


@functools.cache
def _upsert(dialect: str) -> Executable:
    """The dialect's INSERT ... ON CONFLICT DO UPDATE adding to a counter, built once."""
    statement = dialect_insert(dialect, _LOADS).values(
        location_id=bindparam("b_location"),
        day=bindparam("b_day"),
        type=bindparam("b_type"),
        fulfilments=bindparam("b_delta"),
    )
    return statement.on_conflict_do_update(
        index_elements=["location_id", "day", "type"],
        set_={"fulfilments": _LOADS.c.fulfilments + statement.excluded.fulfilments},
    )

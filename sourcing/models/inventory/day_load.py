"""Daily capacity use as counters: fulfilments per location, UTC day and order type.

A location's daily capacity counts the fulfilments it took today that have
not closed (REJECTED, CANCELLED and ESCALATED free their slot). Counting
them for every order cost a scan of the day's fulfilments, which grows all
day; ``LocationDayLoad`` keeps the count instead:

* :func:`count_new` adds the fulfilments a plan stores (``plan_store``);
* :func:`count_status_change` takes one off when a fulfilment closes
  (``lifecycle.change_status``, the only place a status changes);
* :func:`check_capacity` re-checks, under a lock on the locations, that a
  plan being stored keeps every location within its daily capacity: the
  solver read the counters before other orders may have taken the capacity;
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

from sqlalchemy import Executable, bindparam, or_, select, update
from sqlalchemy.orm import Session

from sourcing.models.config.candidates import CLOSED_STATUSES
from sourcing.models.config.tables import Location
from sourcing.models.db.base import dialect_insert, table_of
from sourcing.models.db.enums import FulfilmentStatus, OrderType
from sourcing.models.db.errors import CapacityTaken
from sourcing.models.orders.tables import Fulfilment, LocationDayLoad

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
_LOCK_LIMITED = (
    select(
        Location.id,
        Location.ref,
        Location.capacity_total,
        Location.capacity_hd,
        Location.capacity_cc,
    )
    .where(
        Location.id.in_(bindparam("ids", expanding=True)),
        or_(
            Location.capacity_total.is_not(None),
            Location.capacity_hd.is_not(None),
            Location.capacity_cc.is_not(None),
        ),
    )
    .order_by(Location.id)
    # FOR NO KEY UPDATE: it serialises capacity checks at a location, yet does not
    # wait on the key-share locks other orders' fulfilments take on it (a deadlock).
    .with_for_update(key_share=True)
)
_TAKEN = select(_LOADS.c.location_id, _LOADS.c.type, _LOADS.c.fulfilments).where(
    _LOADS.c.location_id.in_(bindparam("ids", expanding=True)), _LOADS.c.day == bindparam("day")
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


def check_capacity(session: Session, new: Iterable[tuple[int, OrderType]], day: date) -> None:
    """Lock the capacity-limited locations among ``new`` and check they can take these.

    ``new`` lists the fulfilments about to be stored, as (location id, order
    type). Each location's total and per-type capacity must hold with them
    added to what it took on ``day``. Locations are locked in id order
    (``FOR NO KEY UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
    serialises writers), so two orders never both take a location's last slot.

    Raises
    ------
    CapacityTaken
        For the first location, in id order, that the new fulfilments would
        take beyond a capacity; nothing has been counted yet.
    """
    adding = Counter(new)
    ids = sorted({location_id for location_id, _ in adding})
    if not ids:
        return
    limited = session.execute(_LOCK_LIMITED, {"ids": ids}).tuples().all()
    if not limited:
        return
    taken: Counter[tuple[int, OrderType]] = Counter()
    for location_id, kind, n in session.execute(
        _TAKEN, {"ids": [row[0] for row in limited], "day": day}
    ).tuples():
        taken[(location_id, OrderType(kind))] += n
    for location_id, ref, total, hd, cc in limited:
        new_of = {kind: adding[(location_id, kind)] for kind in OrderType}
        had = {kind: taken[(location_id, kind)] for kind in OrderType}
        limits = [
            ("total", total, sum(had.values()), sum(new_of.values())),
            ("HD", hd, had[OrderType.HD], new_of[OrderType.HD]),
            ("CC", cc, had[OrderType.CC], new_of[OrderType.CC]),
        ]
        for label, capacity, before, added in limits:
            if capacity is not None and added and before + added > capacity:
                raise CapacityTaken(ref, label, capacity, before)


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

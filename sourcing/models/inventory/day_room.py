"""The room a location has left on each of its days, for the ready-by (``solver.eta``).

A location's daily capacity limits the orders it takes each UTC day
(``day_load``: the counters the capacity check reads) and, for the
promise, the fulfilments due on each of its own days: a local date on
which the open fulfilments it already holds with their ready-by that day
reach its capacity takes no more work, and a new fulfilment's ready-by
moves to its next open day with room. Both use the same capacities (total,
and the order type's own) and the same open statuses.

Read only when a candidate has a daily capacity, for those candidates and
the fulfilments due from yesterday (UTC) on: what the ETA walks from now.
A read-only transaction asking for two order types (the fulfilment options'
HD and CC snapshots) can read every location's due rows once
(``share_due_reads``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sourcing.models.config.candidate_cache import CandidateSet
from sourcing.models.config.candidates import CLOSED_STATUSES
from sourcing.models.db.enums import OrderType
from sourcing.models.orders.tables import Fulfilment
from sourcing.solver.types import IntArray

DueRow = tuple[int, OrderType, datetime | None]  # location id, type, ready-by

_DUE_ANYWHERE = select(Fulfilment.location_id, Fulfilment.type, Fulfilment.ready_by_at).where(
    Fulfilment.ready_by_at >= bindparam("since"),
    Fulfilment.status.not_in(CLOSED_STATUSES),
)
_DUE = _DUE_ANYWHERE.where(Fulfilment.location_id.in_(bindparam("ids", expanding=True)))
# Above this many limited candidates the rows are read for every location and the
# others skipped here: rendering a thousand-id IN list cost more than the query.
_MOST_IDS_LISTED = 100


def day_room(
    session: Session, cached: CandidateSet, order_type: OrderType, now: datetime
) -> dict[str, dict[date, int]] | None:
    """Per capacity-limited candidate holding fulfilments due, its room per local date.

    The room of a date is what the location can still take that day for an
    order of ``order_type``: the least of its total capacity less everything
    due that day and its ``order_type`` capacity less that type's due. None
    when no candidate has a capacity (nothing is read then).
    """
    own = cached.capacity_hd if order_type is OrderType.HD else cached.capacity_cc
    refs = _limited(cached, order_type, own)
    if not refs:
        return None
    since = now.astimezone(UTC) - timedelta(days=1)
    due: Counter[tuple[int, date, bool]] = Counter()
    if len(refs) > _MOST_IDS_LISTED:
        rows = _due_anywhere(session, since)
    else:
        rows = list(session.execute(_DUE, {"ids": list(refs), "since": since}).tuples())
    for location_id, kind, ready in rows:
        assert ready is not None  # the query keeps rows with a ready-by only
        index = refs.get(location_id)
        if index is None:  # not a limited candidate (read when the ids were not listed)
            continue
        calendar = cached.locations[index].calendar
        day = ready.astimezone(calendar.zone() if calendar else UTC).date()
        due[(index, day, OrderType(kind) is order_type)] += 1
    room: dict[str, dict[date, int]] = {}
    for index, day in sorted({(index, day) for index, day, _ in due}):
        total, mine = int(cached.capacity_total[index]), int(own[index])
        everything = due[(index, day, True)] + due[(index, day, False)]
        left = [
            limit - held
            for limit, held in ((total, everything), (mine, due[(index, day, True)]))
            if limit >= 0
        ]
        room.setdefault(cached.locations[index].ref, {})[day] = min(left)
    return room


def share_due_reads(session: Session) -> None:
    """Let the room reads of ``session`` reuse every location's due rows read before.

    For read-only work asking about two order types: the rows are the
    transaction's, so reading them again would give the same, but a write in
    between would not be seen.
    """
    session.info.setdefault(_SHARED_DUE, None)


# session.info key of the shared due rows: (the ``since`` they were read from, the rows).
_SHARED_DUE = "sourcing.shared_due_rows"


def _due_anywhere(session: Session, since: datetime) -> list[DueRow]:
    """Every location's open fulfilments due from ``since``: read once per session that
    shares them (``share_due_reads``). A later ``since`` (the next snapshot's ``now``,
    a moment on) keeps the rows the query would have kept."""
    if _SHARED_DUE not in session.info:
        return list(session.execute(_DUE_ANYWHERE, {"since": since}).tuples())
    shared: tuple[datetime, list[DueRow]] | None = session.info[_SHARED_DUE]
    if shared is None or shared[0] > since:
        shared = (since, list(session.execute(_DUE_ANYWHERE, {"since": since}).tuples()))
        session.info[_SHARED_DUE] = shared
    read_since, rows = shared
    if read_since == since:
        return rows
    return [row for row in rows if row[2] is not None and row[2] >= since]


def _limited(cached: CandidateSet, order_type: OrderType, own: IntArray) -> dict[int, int]:
    """The candidates with a daily capacity (total or ``order_type``'s), location id ->
    index: derived once per candidate set (rebuilt with it when the configuration moves)."""
    key = f"day_room.limited.{order_type.value}"
    refs: dict[int, int] | None = cached.derived.get(key)
    if refs is None:
        limited = np.flatnonzero((cached.capacity_total >= 0) | (own >= 0))
        refs = {cached.location_ids[cached.locations[i].ref]: int(i) for i in limited.tolist()}
        cached.derived[key] = refs
    return refs


__all__ = ["day_room", "share_due_reads"]

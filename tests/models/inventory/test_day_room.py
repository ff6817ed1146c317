"""The ready-by's room per day counts the open fulfilments due at a location, and its
read can use the (ready-by, location) index on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import FulfilmentStatus, Location, OrderType, Product
from sourcing.models.config.candidate_cache import candidate_set
from sourcing.models.inventory import day_room as room_module
from sourcing.models.inventory.day_room import day_room, share_due_reads
from tests.models.builders import add_fulfilment, add_location, add_product

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _due(
    session: Session, kind: OrderType, at: datetime, ref: str, status: FulfilmentStatus | None
) -> None:
    """A one-unit fulfilment of ``kind`` at NEAR, ready by ``at``."""
    near = session.execute(select(Location).where(Location.ref == "NEAR")).scalar_one()
    product = session.execute(select(Product).where(Product.ref == "SKU_1")).scalar_one()
    fulfilment = add_fulfilment(session, near, product, 1, ref)
    fulfilment.type = kind
    fulfilment.ready_by_at = at
    if status is not None:
        fulfilment.status = status


def test_room_per_day_counts_open_fulfilments_by_type(sessions: sessionmaker[Session]) -> None:
    """NEAR takes 3 a day, 2 of them HD. Today it holds one HD and one CC fulfilment due
    (and a cancelled one, which frees its room); in ten days one HD. An HD order then has
    room for 1 today (the total binds) and 1 in ten days (HD's own capacity binds); a CC
    order 1 today and 2 in ten days. A location without a capacity is not in the answer."""
    with sessions.begin() as session:
        add_product(session, "SKU_1")
        add_location(session, "NEAR", capacity_total=3, capacity_hd=2)
        add_location(session, "FAR", longitude=0.5)
        _due(session, OrderType.HD, NOW + timedelta(hours=2), "O_1", None)
        _due(session, OrderType.CC, NOW + timedelta(hours=3), "O_2", None)
        _due(session, OrderType.HD, NOW + timedelta(hours=4), "O_3", FulfilmentStatus.CANCELLED)
        _due(session, OrderType.HD, NOW + timedelta(days=10), "O_4", None)
        _due(session, OrderType.HD, NOW - timedelta(days=3), "O_5", None)  # before yesterday
    today, later = NOW.date(), (NOW + timedelta(days=10)).date()
    with sessions.begin() as session:
        hd = day_room(session, candidate_set(session, OrderType.HD, None), OrderType.HD, NOW)
        cc = day_room(session, candidate_set(session, OrderType.CC, None), OrderType.CC, NOW)
    assert hd == {"NEAR": {today: 1, later: 1}}
    assert cc == {"NEAR": {today: 1, later: 2}}


def test_room_read_can_use_the_ready_by_index(sessions: sessionmaker[Session]) -> None:
    """The planner can answer the room's read of every location's fulfilments due (what it
    reads for more than a hundred limited candidates) from ix_fulfilments_ready_by_location
    (on PostgreSQL with sequential scans off: its tables here are too small to prefer it)."""
    query = (
        "SELECT location_id, type, ready_by_at FROM fulfilments "
        "WHERE ready_by_at >= :since AND status NOT IN ('REJECTED')"
    )
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            rows = session.execute(text("EXPLAIN QUERY PLAN " + query), {"since": NOW})
            plan = " ".join(str(row[-1]) for row in rows)
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = session.execute(text("EXPLAIN " + query), {"since": NOW})
            plan = " ".join(str(row[0]) for row in rows)
    assert "ix_fulfilments_ready_by_location" in plan, plan


def test_shared_due_rows_give_the_rooms_of_separate_reads(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session sharing the due rows (the options' HD and CC snapshots) reads them once
    and answers as separate reads do: for both order types, and for a later ``now`` (the
    second snapshot's, a moment on), which leaves out a fulfilment due in between."""
    monkeypatch.setattr(room_module, "_MOST_IDS_LISTED", 0)  # NEAR's rows read as every one's
    with sessions.begin() as session:
        add_product(session, "SKU_1")
        add_location(session, "NEAR", capacity_total=3, capacity_hd=2)
        _due(session, OrderType.HD, NOW + timedelta(hours=2), "O_1", None)
        _due(session, OrderType.CC, NOW + timedelta(hours=3), "O_2", None)
        # Due just after the first read's ``since`` and before the later one's.
        _due(session, OrderType.HD, NOW - timedelta(days=1, seconds=-30), "O_3", None)
    later = NOW + timedelta(minutes=1)
    asked = [(OrderType.HD, NOW), (OrderType.CC, NOW), (OrderType.HD, later)]

    def rooms(session: Session) -> list[object]:
        return [
            day_room(session, candidate_set(session, kind, None), kind, at) for kind, at in asked
        ]

    with sessions.begin() as session:
        separate = rooms(session)
    engine = sessions.kw["bind"]
    queries: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "ready_by_at" in statement:
            queries.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions.begin() as session:
            share_due_reads(session)
            shared = rooms(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(queries) == 1
    assert shared == separate
    assert separate[0] != separate[2]  # the later ``since`` left O_3 out

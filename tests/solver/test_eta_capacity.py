"""The ready-by inside the location's remaining daily capacity: days without room are skipped.

Hand-checked dates on the São Paulo store calendar (Monday to Friday
09:00-18:00, Saturday 09:00-13:00, UTC-3), and a brute-force walk, half an
hour at a time, against ``eta.ready_by`` and ``Clock`` on random calendars.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver import solve
from sourcing.solver.carriers import Calendar
from sourcing.solver.clock import Clock
from sourcing.solver.eta import (
    HORIZON_DAYS,
    collection_promise,
    days_without_room,
    parcel_promise,
    ready_by,
)
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import random_week, service, store_calendar

FRIDAY, SATURDAY, MONDAY = date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 7)
TEN_AM_FRIDAY = datetime(2026, 12, 4, 13, tzinfo=UTC)  # 10:00 in Sao Paulo


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A São Paulo wall time (UTC-3) as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) + timedelta(hours=3)


def test_room_per_day_becomes_days_without_room() -> None:
    """Only the dates left at 0 (or below, when over-promised) are full."""
    room = {FRIDAY: 0, SATURDAY: 2, MONDAY: -1}
    assert days_without_room(room) == frozenset({FRIDAY, MONDAY})
    assert days_without_room({}) == frozenset()


def test_a_full_day_moves_the_ready_by_to_the_next_open_day_with_room() -> None:
    """Friday 10:00 + 2 h: Friday 12:00; Friday full: Saturday 11:00; Saturday too: Monday."""
    cal = store_calendar()
    assert ready_by(TEN_AM_FRIDAY, cal, 2.0) == local(FRIDAY, 12)
    assert ready_by(TEN_AM_FRIDAY, cal, 2.0, frozenset({FRIDAY})) == local(SATURDAY, 11)
    assert ready_by(TEN_AM_FRIDAY, cal, 2.0, frozenset({FRIDAY, SATURDAY})) == local(MONDAY, 11)
    # A full Sunday changes nothing: the store is closed then anyway.
    assert ready_by(TEN_AM_FRIDAY, cal, 2.0, frozenset({date(2026, 12, 6)})) == local(FRIDAY, 12)


def test_work_started_on_a_day_with_room_skips_a_full_day() -> None:
    """Friday 17:00 + 2 h with Saturday full: 1 h on Friday, the other on Monday 09:00-10:00."""
    assert ready_by(local(FRIDAY, 17), store_calendar(), 2.0, frozenset({SATURDAY})) == local(
        MONDAY, 10
    )


def test_no_calendar_skips_full_utc_days() -> None:
    """Always open: a full UTC day is skipped whole, so the work starts at its end."""
    now = datetime(2026, 12, 4, 20, tzinfo=UTC)
    assert ready_by(now, None, 1.0) == now + timedelta(hours=1)
    assert ready_by(now, None, 1.0, frozenset({FRIDAY})) == datetime(2026, 12, 5, 1, tzinfo=UTC)


def test_a_parcel_from_a_full_store_ships_and_arrives_later() -> None:
    """Friday full: ready Saturday 11:00, no carrier at the weekend, shipped Monday 15:00."""
    promise = parcel_promise(
        TEN_AM_FRIDAY, store_calendar(), 2.0, service(), 100.0, frozenset({FRIDAY})
    )
    assert promise is not None
    assert promise.ready_by == local(SATURDAY, 11)
    assert promise.ship_by == local(MONDAY, 15)
    without = parcel_promise(TEN_AM_FRIDAY, store_calendar(), 2.0, service(), 100.0)
    assert without is not None and without.ship_by == local(FRIDAY, 15)


def test_collection_at_a_full_store_is_ready_on_its_next_day_with_room() -> None:
    """The store picks its own units: Friday full, ready at Saturday 09:30."""
    cal = store_calendar()
    promise = collection_promise(
        TEN_AM_FRIDAY, None, 0.5, None, 0.0, cal, at_store=True, full_days=frozenset({FRIDAY})
    )
    assert promise is not None and promise.promised_at == local(SATURDAY, 9, 30)


def test_a_plan_reads_the_problems_room_per_location() -> None:
    """Two stores of one calendar, only S1 full on Friday: its promise moves, S2's does not."""
    cal = store_calendar()
    stores = [
        loc(ref, km, {"p1": 1}, calendar=cal, pick_pack_hours=2.0)
        for ref, km in (("S1", 1), ("S2", 2))
    ]
    base = replace(problem(order([("p1", 2)]), stores), now=TEN_AM_FRIDAY)
    room = {"S1": {FRIDAY: 0, SATURDAY: 3}, "S2": {FRIDAY: 1}}
    promises = {f.location_ref: f.promise for f in solve(replace(base, day_room=room)).fulfilments}
    assert {ref: p.ready_by for ref, p in promises.items() if p} == {
        "S1": local(SATURDAY, 11),
        "S2": local(FRIDAY, 12),
    }


# Zones without daylight saving in 2026: a wall time is one instant, so the walk below
# can tell open from closed by the local clock alone.
ZONES = ("America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata", "UTC")
START = date(2026, 3, 1)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar | None:
    """None, or random half-hour intervals per weekday, some closed dates, a zone."""
    if draw(st.integers(0, 4)) == 0:
        return None
    hours = random_week(draw)
    holidays = frozenset(START + timedelta(days=d) for d in draw(st.lists(st.integers(0, 40))))
    return Calendar(draw(st.sampled_from(ZONES)), tuple(hours), holidays)


def walked(
    now: datetime, calendar: Calendar | None, hours: float, full: frozenset[date]
) -> datetime | None:
    """The brute force: step half an hour at a time and count the open slots of days with room."""
    zone = calendar.zone() if calendar is not None else UTC
    needed = round(hours * 2)
    slot = now
    for _ in range(48 * (HORIZON_DAYS - 1)):
        wall = slot.astimezone(zone)
        day, clock = wall.date(), wall.time()
        open_now = day not in full and (
            calendar is None or any(i.opens <= clock < i.closes for i in calendar.intervals_of(day))
        )
        if open_now:
            if needed == 0:
                return slot
            needed -= 1
            if needed == 0:
                return slot + timedelta(minutes=30)
        slot += timedelta(minutes=30)
    return None


@settings(max_examples=150, deadline=None)
@given(
    calendar=calendars(),
    start=st.integers(0, 48 * 30),
    halves=st.integers(0, 60),
    full=st.lists(st.integers(0, 45), max_size=12),
)
def test_ready_by_and_clock_equal_a_half_hour_walk(
    calendar: Calendar | None, start: int, halves: int, full: list[int]
) -> None:
    """On half-hour calendars from a half-hour ``now``, both answer what the walk finds."""
    now = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=30 * start)
    full_days = frozenset(START + timedelta(days=d) for d in full)
    expected = walked(now, calendar, halves / 2, full_days)
    got = ready_by(now, calendar, halves / 2, full_days)
    if expected is None:  # the walk stops a day short of the horizon: nothing open by then
        assert got is None or got - now > timedelta(days=HORIZON_DAYS - 3)
    else:
        assert got == expected
    assert Clock(now).ready_by(calendar, halves / 2, full_days) == got

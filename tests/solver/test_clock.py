"""``Clock`` answers exactly what ``eta`` answers, however many questions share one clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver import eta
from sourcing.solver.carriers import Calendar, CarrierService, OpeningHours
from sourcing.solver.clock import Clock, distance_bands
from tests.solver.calendars import random_week, service

# St John's went back an hour across midnight until 2010 (00:01 to 23:01), Casey three
# hours on 5 March 2010 (02:00 to 23:00): a local date repeats there.
ZONES = (
    "America/Sao_Paulo",
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "America/St_Johns",
    "Antarctica/Casey",
)
NOWS = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 4, 30), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(2010, 3, 1), max_value=datetime(2010, 3, 8), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(2010, 10, 30), max_value=datetime(2010, 11, 8), timezones=st.just(UTC)
    ),
)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar | None:
    """None, or a calendar of random intervals per weekday, some closed dates, any zone."""
    if draw(st.integers(0, 5)) == 0:
        return None
    hours = random_week(draw)
    start = date(2026, 3, 1)
    holidays = frozenset(
        start + timedelta(days=d) for d in draw(st.lists(st.integers(0, 60), max_size=6))
    )
    return Calendar(draw(st.sampled_from(ZONES)), tuple(hours), holidays)


@st.composite
def services(draw: st.DrawFn) -> CarrierService:
    """A service with a random cut-off, transit days and delivery weekdays."""
    weekdays = frozenset(draw(st.lists(st.integers(0, 6), min_size=1, max_size=7)))
    return service(
        cut_off=time(draw(st.integers(0, 23)), draw(st.sampled_from((0, 30, 59)))),
        transit=(draw(st.integers(0, 3)), draw(st.integers(0, 5))),
        weekdays=weekdays,
    )


@settings(max_examples=150, deadline=None)
@given(
    now=NOWS,
    cals=st.lists(calendars(), min_size=1, max_size=3),
    svcs=st.lists(services(), min_size=1, max_size=3),
    asks=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.floats(0, 80, allow_nan=False),
            st.integers(-1, 2),
            st.sampled_from((0.0, 10.0, 49.9, 50.0, 120.0)),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=25,
    ),
    fulls=st.lists(st.frozensets(st.integers(0, 10), max_size=4), min_size=2, max_size=2),
)
def test_clock_equals_eta(
    now: datetime,
    cals: list[Calendar | None],
    svcs: list[CarrierService],
    asks: list[tuple[int, float, int, float, int]],
    fulls: list[frozenset[int]],
) -> None:
    clock = Clock(now)
    first = now.date()
    # No day without room, or one of two sets of days from now's date on.
    days = [frozenset(), *(frozenset(first + timedelta(days=d) for d in f) for f in fulls)]
    for c, hours, s, km, f in asks:
        calendar = cals[c % len(cals)]
        chosen = svcs[s % len(svcs)] if s >= 0 else None
        full = days[f]
        ready = eta.ready_by(now, calendar, hours, full)
        assert clock.ready_by(calendar, hours, full) == ready
        promise = eta.parcel_promise(now, calendar, hours, chosen, km, full)
        assert clock.parcel_promised_at(calendar, hours, chosen, km, full) == (
            promise.promised_at if promise else None
        )
        if ready is not None and chosen is not None:
            shipped = eta.ship_by(ready, chosen, calendar)
            assert clock.ship_by(ready, chosen, calendar) == shipped
            # Any instant, not only a ready-by: the memo must hold for all.
            other = ready + timedelta(minutes=int(hours * 37) % 5000)
            assert clock.ship_by(other, chosen, calendar) == eta.ship_by(other, chosen, calendar)


def test_pick_pack_over_a_weekend_and_a_closed_location() -> None:
    """Hand-checked: Friday 17:00 with 3 h of work is ready Monday 11:00; never open is None."""
    week = tuple(OpeningHours(d, time(9), time(18)) for d in range(5))
    calendar = Calendar("UTC", week)
    friday = datetime(2026, 12, 4, 17, tzinfo=UTC)
    clock = Clock(friday)
    assert clock.ready_by(calendar, 3.0) == datetime(2026, 12, 7, 11, tzinfo=UTC)
    assert clock.ready_by(calendar, 0.5) == datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert clock.ready_by(Calendar("UTC", ()), 1.0) is None
    assert clock.ready_by(None, 2.0) == friday + timedelta(hours=2)


def test_ship_by_when_the_clocks_go_back_across_midnight() -> None:
    """St John's, 7 November 2010: at 00:01 NDT the clocks went back to 23:01 on the 6th.

    Saturday the 6th then repeats from 23:01, after Sunday's first 00:00 has
    passed. A ready-by in the repeated hour has Saturday's date, as one on
    Saturday morning does, yet Sunday's 00:00 cut-off (its first occurrence,
    as ``eta`` reads a wall time) is already behind it: the memo must not
    hand it the morning's answer.
    """
    every_day = tuple(OpeningHours(d, time(0), time(23, 59)) for d in range(7))
    calendar = Calendar("America/St_Johns", every_day)
    midnight = service(cut_off=time(0), weekdays=frozenset(range(7)))
    morning = datetime(2010, 11, 6, 12, 30, tzinfo=UTC)  # Saturday 10:00 NDT
    repeated = datetime(2010, 11, 7, 3, tzinfo=UTC)  # Saturday 23:30 NST, the second time
    clock = Clock(morning)
    assert clock.ship_by(morning, midnight, calendar) == eta.ship_by(morning, midnight, calendar)
    assert eta.ship_by(morning, midnight, calendar) == datetime(2010, 11, 7, 2, 30, tzinfo=UTC)
    assert eta.ship_by(repeated, midnight, calendar) == datetime(2010, 11, 8, 3, 30, tzinfo=UTC)
    assert clock.ship_by(repeated, midnight, calendar) == eta.ship_by(repeated, midnight, calendar)


@settings(max_examples=200, deadline=None)
@given(
    now=NOWS,
    calendar=calendars(),
    chosen=st.one_of(st.none(), services()),
    asks=st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from((0.0, 0.5, 1.0, 1.25, 7.5, 30.0)),
                st.floats(0, 80, allow_nan=False),  # many ready-bys between two cut-offs
            ),
            st.sampled_from((0.0, 10.0, 49.9, 50.0, 50.1, 120.0)),
        ),
        max_size=60,
    ),
    full=st.frozensets(st.integers(0, 10), max_size=4),
)
def test_parcels_promised_codes_equal_one_at_a_time(
    now: datetime,
    calendar: Calendar | None,
    chosen: CarrierService | None,
    asks: list[tuple[float, float]],
    full: frozenset[int],
) -> None:
    """Many locations asked at once get each, by its code among the distinct answers,
    what a fresh clock answers for it alone."""
    hours = np.array([h for h, _ in asks], dtype=float)
    km = np.array([d for _, d in asks], dtype=float)
    first = now.astimezone(eta._zone(calendar)).date()
    days = frozenset(first + timedelta(days=d) for d in full)
    alone = [Clock(now).parcel_promised_at(calendar, h, chosen, d, days) for h, d in asks]
    clock = Clock(now)
    answers, code = clock.parcels_promised_codes(calendar, hours, chosen, km, days)
    assert [answers[c] for c in code.tolist()] == alone
    assert len(answers) <= len(asks)
    # Asked again (as the fast builds do after the earliest dates), in another order and
    # with days without room or not: the clock's memos give the same answers.
    for again in (days, frozenset()):
        expected = [Clock(now).parcel_promised_at(calendar, h, chosen, d, again) for h, d in asks]
        answers, code = clock.parcels_promised_codes(calendar, hours[::-1], chosen, km[::-1], again)
        assert [answers[c] for c in code.tolist()] == expected[::-1]


def test_distance_bands_match_the_service() -> None:
    """Each distance gets ``CarrierService.distance_band``'s band, edges included."""
    chosen = service()
    km = np.array([0.0, 49.999, 50.0, 50.001, 1e6])
    assert distance_bands(chosen, km).tolist() == [chosen.distance_band(d) for d in km]
    assert distance_bands(None, km).tolist() == [0] * len(km)


@settings(max_examples=150, deadline=None)
@given(
    now=NOWS,
    cals=st.lists(calendars(), min_size=1, max_size=3),
    asks=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from((0.0, 0.5, 2.0, 30.0, 80.0)),
            st.integers(0, 2),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=25,
    ),
    full=st.frozensets(st.integers(0, 10), max_size=4),
)
def test_collection_promises_equal_eta(
    now: datetime,
    cals: list[Calendar | None],
    asks: list[tuple[int, float, int, bool, bool]],
    full: frozenset[int],
) -> None:
    """The stores' promises from one clock (units sent without a transfer service), the
    same sending location asked again for other stores and the same store for other
    senders: what ``eta`` answers."""
    clock = Clock(now)
    days = frozenset(now.date() + timedelta(days=d) for d in full)
    for source, hours, store, at_store, roomless in asks:
        source_calendar, store_calendar = cals[source % len(cals)], cals[store % len(cals)]
        full_days = days if roomless else frozenset()
        picker = store_calendar if at_store else source_calendar
        assert clock.collected(picker, hours, store_calendar, at_store, full_days) == (
            eta.collection_promise(
                now, source_calendar, hours, None, 30.0, store_calendar, at_store, full_days
            )
        )

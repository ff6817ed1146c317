"""ETAs computed by hand: weekends, closed dates, cut-offs, time zones and daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from sourcing.solver.carriers import Calendar, OpeningHours
from sourcing.solver.eta import (
    collection_promise,
    parcel_promise,
    ready_by,
    ship_by,
)
from tests.solver.calendars import CHRISTMAS, dc_calendar, service, store_calendar


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_pick_pack_hours_run_over_the_weekend_to_monday_cut_off() -> None:
    """Friday 17:00 + 2 h: 1 h on Friday, 1 h on Saturday; shipped Monday; 3 transit days."""
    cal = store_calendar()
    now = utc(2026, 12, 4, 20)  # Friday 17:00 in Sao Paulo
    promise = parcel_promise(now, cal, 2.0, service(), distance_km=100.0)
    assert promise is not None
    assert promise.ready_by == utc(2026, 12, 5, 13)  # Saturday 10:00 local
    assert promise.ship_by == utc(2026, 12, 7, 18)  # Monday 15:00 local (no carrier at weekends)
    assert promise.promised_at == utc(2026, 12, 11, 2, 59, 59)  # Thursday 10th, end of day
    assert promise.service == "STANDARD"


def test_closed_date_is_skipped() -> None:
    """Thursday 24th 17:30 + 1 h: 30 min on Thursday, Christmas closed, ready Saturday 09:30."""
    cal = store_calendar(holidays=frozenset({CHRISTMAS}))
    now = utc(2026, 12, 24, 20, 30)
    assert ready_by(now, cal, 1.0) == utc(2026, 12, 26, 12, 30)
    promise = parcel_promise(now, cal, 1.0, service(), distance_km=10.0)
    assert promise is not None
    assert promise.ship_by == utc(2026, 12, 28, 18)  # Monday 28th 15:00
    assert promise.promised_at.date() == datetime(2026, 12, 30).date()  # Tuesday 29th local


@pytest.mark.parametrize(
    ("hours", "shipped", "delivered_day"),
    [(2.0, utc(2026, 12, 7, 18), 8), (6.0, utc(2026, 12, 8, 18), 9)],
)
def test_cut_off_decides_the_shipping_day(
    hours: float, shipped: datetime, delivered_day: int
) -> None:
    """Ready at 12:00 ships at Monday's 15:00 cut-off; ready at 16:00 waits for Tuesday's."""
    now = utc(2026, 12, 7, 13)  # Monday 10:00 local
    promise = parcel_promise(now, store_calendar(), hours, service(), distance_km=10.0)
    assert promise is not None
    assert promise.ship_by == shipped
    assert promise.promised_at == utc(2026, 12, delivered_day + 1, 2, 59, 59)


def test_time_zones_count_from_local_opening() -> None:
    """Monday 00:30 UTC is 09:30 in Tokyo (open) and 00:30 in Lisbon (not yet)."""
    now = utc(2026, 12, 7, 0, 30)
    assert ready_by(now, store_calendar("Asia/Tokyo"), 1.0) == utc(2026, 12, 7, 1, 30)
    assert ready_by(now, store_calendar("Europe/Lisbon"), 1.0) == utc(2026, 12, 7, 10)


def test_daylight_saving_change_is_wall_clock() -> None:
    """New York springs forward on 8 March 2026: Sunday's 09:00 opening is 13:00 UTC."""
    every_day = tuple(OpeningHours(d, time(9), time(17)) for d in range(7))
    cal = Calendar("America/New_York", every_day)
    now = utc(2026, 3, 7, 21)  # Saturday 16:00 EST
    assert ready_by(now, cal, 2.0) == utc(2026, 3, 8, 14)  # Sunday 10:00 EDT


def test_no_calendar_is_always_open_and_no_service_promises_ready_by() -> None:
    """Without a calendar ready-by is now + hours; without a carrier the promise is ready-by."""
    now = utc(2026, 12, 6, 3)  # a Sunday night
    promise = parcel_promise(now, None, 1.5, None, distance_km=10.0)
    assert promise is not None
    assert promise.ready_by == promise.promised_at == utc(2026, 12, 6, 4, 30)
    assert promise.ship_by is None


def test_a_location_never_open_promises_nothing() -> None:
    """Closed every date of the horizon: no ready-by, no promise."""
    cal = Calendar("UTC", (OpeningHours(0, time(9), time(10)),))
    mondays = frozenset(
        datetime.fromordinal(utc(2026, 12, 7).toordinal() + 7 * w).date() for w in range(60)
    )
    closed = Calendar("UTC", cal.hours, mondays)
    assert ready_by(utc(2026, 12, 7), closed, 0.5) is None
    assert ship_by(utc(2026, 12, 7), service(), closed) is None


def test_click_and_collect_at_the_store_and_after_a_transfer() -> None:
    """At the store: its ready-by. From the DC: Friday's 20:00 cut-off missed, shipped Monday,
    one transit day, ready at the store's Tuesday 09:00 opening."""
    store = store_calendar()
    now = utc(2026, 12, 4, 22)  # Friday 19:00 local
    here = collection_promise(now, store, 0.5, None, 0.0, store, at_store=True)
    assert here is not None and here.promised_at == utc(2026, 12, 5, 12, 30)  # Saturday 09:30
    assert not here.transfer
    truck = service("TRUCK", transit=(1, 1), cut_off=time(20), weekdays=frozenset(range(6)))
    moved = collection_promise(now, dc_calendar(), 2.0, truck, 30.0, store, at_store=False)
    assert moved is not None
    assert moved.ready_by == utc(2026, 12, 5, 0)  # Friday 21:00 local
    assert moved.ship_by == utc(2026, 12, 7, 23)  # Monday 20:00 (the DC is shut at weekends)
    assert moved.promised_at == utc(2026, 12, 8, 12)  # Tuesday 09:00 at the store
    assert moved.transfer and moved.service == "TRUCK"


def test_now_must_be_aware() -> None:
    """A naive now is refused, naming the field."""
    with pytest.raises(ValueError, match="now"):
        ready_by(datetime(2026, 12, 7), None, 1.0)

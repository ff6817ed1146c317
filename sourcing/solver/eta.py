"""When a fulfilment will be ready, shipped and delivered (or ready to collect).

The rules (all times aware; a location's local time is its calendar's zone):

* **ready-by**: the later of now and the location's next opening, plus its
  pick-and-pack hours counted only while it is open (closed dates skipped)
  and on days it has room: a local date whose daily capacity is used up by
  the fulfilments already due that day (``full_days``, from the remaining
  capacity per day, :func:`days_without_room`) takes no more work, so the
  ready-by moves to the next open day with room. A location without a
  calendar is always open (its days are UTC days).
* **ship-by**: the first carrier cut-off at or after ready-by, on a day the
  location opens (not a closed date) and the carrier works (the carrier
  collects on the days it delivers).
* **delivery date**: the ship-by date plus the service's transit days for the
  distance band, counted in the carrier's delivery weekdays only.
* **click and collect**: from the collection store itself, ready-for-collection
  is its ready-by. From another location, the units travel with that
  location's transfer service (ship-by and transit days as above, distance to
  the store) and are ready at the store's first opening on the arrival date
  or later.

A location without carrier services promises its ready-by: the retailer has
told the engine nothing about how the parcel travels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sourcing.solver.carriers import Calendar, CarrierService
from sourcing.solver.errors import InvalidProblem

# How far ahead a calendar is searched for an opening or a carrier day. A
# location closed for longer than this cannot promise anything.
HORIZON_DAYS = 370


@dataclass(frozen=True, slots=True)
class Promise:
    """What a fulfilment promises: when it is ready, shipped and delivered or collectable.

    ``promised_at`` is the moment promised to the customer: the end of the
    delivery date (location time) for a parcel, the ready-for-collection time
    for click and collect, the ready-by when no carrier is known.
    """

    ready_by: datetime
    promised_at: datetime
    ship_by: datetime | None = None
    service: str | None = None
    transfer: bool = False

    @property
    def promised_date(self) -> date:
        """The promised day (in UTC)."""
        return self.promised_at.date()


def _check_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidProblem(f"Expected {name} to carry a time zone, got {moment.isoformat()}.")


def _zone(calendar: Calendar | None) -> ZoneInfo:
    return calendar.zone() if calendar is not None else ZoneInfo("UTC")


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant (DST handled by zoneinfo)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def days_without_room(room: Mapping[date, int]) -> frozenset[date]:
    """The local dates of ``room`` (fulfilments a location can still take per date) left at 0.

    A date absent from ``room`` has room: nothing is due there yet.
    """
    return frozenset(day for day, left in room.items() if left <= 0)


def open_spans(
    day: date, calendar: Calendar | None, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals as UTC instants, in time order; all day without a calendar."""
    if calendar is None:
        return [(_at(day, time(0), zone), _at(day + timedelta(days=1), time(0), zone))]
    return [
        (_at(day, interval.opens, zone), _at(day, interval.closes, zone))
        for interval in calendar.intervals_of(day)
    ]


def ready_by(
    now: datetime,
    calendar: Calendar | None,
    pick_pack_hours: float,
    full_days: frozenset[date] = frozenset(),
) -> datetime | None:
    """When a location that starts at ``now`` has spent ``pick_pack_hours`` open; None: never.

    ``full_days``: local dates without room (:func:`days_without_room`), skipped
    as closed dates are.
    """
    _check_aware("now", now)
    now = now.astimezone(UTC)
    work = timedelta(hours=pick_pack_hours)
    if calendar is None and not full_days:
        return now + work
    zone = _zone(calendar)
    first = now.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        day = first + timedelta(days=offset)
        if day in full_days:
            continue
        for opens, closes in open_spans(day, calendar, zone):
            start = max(now, opens)
            if start >= closes:
                continue
            if work <= closes - start:
                return start + work
            work -= closes - start
    return None


def ship_by(ready: datetime, service: CarrierService, calendar: Calendar | None) -> datetime | None:
    """The first cut-off of ``service`` at or after ``ready`` on a collection day; None: never."""
    zone = _zone(calendar)
    first = ready.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in service.delivery_weekdays:
            continue
        if calendar is not None and not calendar.intervals_of(day):
            continue  # nobody at the location hands the parcel over
        cut_off = _at(day, service.cut_off, zone)
        if cut_off >= ready:
            return cut_off
    return None


def delivery_date(
    shipped: datetime, service: CarrierService, distance_km: float, zone: ZoneInfo
) -> date:
    """The shipping date plus the transit days, counted on the carrier's delivery weekdays."""
    day = shipped.astimezone(zone).date()
    left = service.transit_days(distance_km)
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() in service.delivery_weekdays:
            left -= 1
    return day


def end_of(day: date, zone: ZoneInfo) -> datetime:
    """The last second of a local day, as a UTC instant."""
    return _at(day, time(23, 59, 59), zone)


def parcel_promise(
    now: datetime,
    calendar: Calendar | None,
    pick_pack_hours: float,
    service: CarrierService | None,
    distance_km: float,
    full_days: frozenset[date] = frozenset(),
) -> Promise | None:
    """The promise of a parcel sent from a location with ``service`` (None: no carrier known).

    ``full_days``: the location's local dates without room (see :func:`ready_by`).
    """
    ready = ready_by(now, calendar, pick_pack_hours, full_days)
    if ready is None:
        return None
    if service is None:
        return Promise(ready_by=ready, promised_at=ready)
    shipped = ship_by(ready, service, calendar)
    if shipped is None:
        return None
    zone = _zone(calendar)
    arrives = delivery_date(shipped, service, distance_km, zone)
    return Promise(
        ready_by=ready, promised_at=end_of(arrives, zone), ship_by=shipped, service=service.code
    )


def first_opening(after: datetime, calendar: Calendar | None) -> datetime | None:
    """The first moment at or after ``after`` the location is open."""
    return ready_by(after, calendar, 0.0)


def collection_promise(
    now: datetime,
    source_calendar: Calendar | None,
    pick_pack_hours: float,
    transfer: CarrierService | None,
    distance_km: float,
    store_calendar: Calendar | None,
    at_store: bool,
    full_days: frozenset[date] = frozenset(),
) -> Promise | None:
    """When units from a location are ready to collect at the collection store.

    ``at_store``: the units are at the store itself, so no transfer. Otherwise
    they travel with ``transfer`` (None: the retailer configured none, so the
    units count as arriving when ready) and are ready at the store's first
    opening on the arrival date or later. ``full_days``: the local dates
    without room of the location that picks (see :func:`ready_by`).
    """
    picker = source_calendar if not at_store else store_calendar
    ready = ready_by(now, picker, pick_pack_hours, full_days)
    if ready is None:
        return None
    if at_store:
        return Promise(ready_by=ready, promised_at=ready)
    arrival = ready
    shipped = None
    if transfer is not None:
        shipped = ship_by(ready, transfer, source_calendar)
        if shipped is None:
            return None
        store_zone = _zone(store_calendar)
        day = delivery_date(shipped, transfer, distance_km, _zone(source_calendar))
        arrival = max(ready, _at(day, time(0, 0), store_zone))
    collectable = first_opening(arrival, store_calendar)
    if collectable is None:
        return None
    return Promise(
        ready_by=ready,
        promised_at=collectable,
        ship_by=shipped,
        service=transfer.code if transfer is not None else None,
        transfer=True,
    )


__all__ = [
    "HORIZON_DAYS",
    "Promise",
    "collection_promise",
    "days_without_room",
    "delivery_date",
    "end_of",
    "first_opening",
    "open_spans",
    "parcel_promise",
    "ready_by",
    "ship_by",
]

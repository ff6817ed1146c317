"""``eta``'s ready-by, ship-by and delivery dates for one ``now``, memoised per call.

Checkout asks the same questions of hundreds of candidates: locations share
calendars and services (the candidate cache shares equal ones), and their
answers depend on a location only through few inputs. ``Clock`` answers
each exactly as ``eta`` does, computing each distinct case once:

* **ready-by**: per calendar and set of days without room, the open
  intervals from ``now`` on are laid out once with their cumulative open
  time; a location's ready-by is then a bisection on its pick-and-pack
  hours (the same interval ``eta.ready_by`` stops at, and the same sum, in
  exact ``timedelta`` arithmetic).
* **ship-by**: per service, calendar and local date of the ready-by, the
  collection days' cut-offs from that date on are laid out once, in the
  order ``eta.ship_by`` walks them; a ready-by's ship-by is the first at or
  after it. Not "that day's cut-off or else the next day's": where clocks go
  back across midnight (St John's until 2010, at 00:01) a local date
  repeats, and a ready-by in the repeated hours is already past the next
  date's first cut-off.
* **delivery**: depends on the shipping instant, the service, the distance
  band (transit days) and the zone.

``parcels_promised_codes`` asks for many locations of one calendar and service
at once: each distinct pick-and-pack time, ready-by and shipping instant
with distance band is computed once, the distance bands with numpy.

Calendars and services are keyed by identity: the caller's problem keeps
them alive while the clock is in use, so a clock lives for one call.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from sourcing.solver import eta
from sourcing.solver.carriers import Calendar, CarrierService
from sourcing.solver.types import FloatArray, IntArray


class _OpenTime:
    """A calendar's open intervals from ``now`` on, with the open time before and after each."""

    def __init__(
        self, now: datetime, calendar: Calendar | None, full_days: frozenset[date]
    ) -> None:
        self.now = now
        self.calendar = calendar
        self.full_days = full_days
        self.zone = eta._zone(calendar)
        self.first = now.astimezone(self.zone).date()
        self.days = 0  # days laid out so far
        self.starts: list[datetime] = []
        self.before: list[timedelta] = []
        self.after: list[timedelta] = []

    def _lay_day(self) -> None:
        """Append the next day's intervals, as ``eta.ready_by`` walks them."""
        day = self.first + timedelta(days=self.days)
        self.days += 1
        if day in self.full_days:
            return
        for opens, closes in eta.open_spans(day, self.calendar, self.zone):
            start = max(self.now, opens)
            if start >= closes:
                continue
            total = self.after[-1] if self.after else timedelta(0)
            self.starts.append(start)
            self.before.append(total)
            self.after.append(total + (closes - start))

    def ready(self, work: timedelta) -> datetime | None:
        """When ``work`` of open time has passed from ``now``; None within the horizon: never."""
        while (not self.after or self.after[-1] < work) and self.days < eta.HORIZON_DAYS:
            self._lay_day()
        i = bisect_left(self.after, work)
        if i == len(self.after):
            return None
        return self.starts[i] + (work - self.before[i])

    def ready_ascending(self, works: list[timedelta]) -> list[datetime | None]:
        """``ready`` of each of ``works``, in ascending order: one walk along the intervals
        (the cumulative open times rise, so each work's interval is at or after the last's)."""
        found: list[datetime | None] = []
        i = 0
        for work in works:
            while (not self.after or self.after[-1] < work) and self.days < eta.HORIZON_DAYS:
                self._lay_day()
            while i < len(self.after) and self.after[i] < work:
                i += 1  # bisect_left's index, as the works ascend
            found.append(None if i == len(self.after) else self.starts[i] + (work - self.before[i]))
        return found


class _CutOffs:
    """A service's collection cut-offs from one local date on, in ``eta.ship_by``'s day order."""

    def __init__(
        self, first: date, service: CarrierService, calendar: Calendar | None, zone: ZoneInfo
    ) -> None:
        self.first = first
        self.service = service
        self.calendar = calendar
        self.zone = zone
        self.days = 0  # days looked at so far
        self.instants: list[datetime] = []

    def _lay_day(self) -> None:
        """Append the next day's cut-off if the carrier collects and the location opens then."""
        day = self.first + timedelta(days=self.days)
        self.days += 1
        if day.weekday() not in self.service.delivery_weekdays:
            return
        if self.calendar is not None and not self.calendar.intervals_of(day):
            return
        self.instants.append(eta._at(day, self.service.cut_off, self.zone))

    def first_at_or_after(self, ready: datetime) -> datetime | None:
        """The first cut-off, in day order, at or after ``ready``; None within the horizon."""
        i = 0
        while True:
            while i == len(self.instants) and self.days < eta.HORIZON_DAYS:
                self._lay_day()
            if i == len(self.instants):
                return None
            if self.instants[i] >= ready:
                return self.instants[i]
            i += 1


class Clock:
    """``eta.ready_by``, ``eta.ship_by`` and ``eta.delivery_date`` for one ``now``, memoised."""

    def __init__(self, now: datetime) -> None:
        eta._check_aware("now", now)
        self.now = now.astimezone(UTC)
        self._open: dict[tuple[int, frozenset[date]], _OpenTime] = {}
        self._ready: dict[tuple[int, float, frozenset[date]], datetime | None] = {}
        self._cut_offs: dict[tuple[int, int, date], _CutOffs] = {}
        self._zones: dict[int, ZoneInfo] = {}
        self._end: dict[tuple[date, ZoneInfo], datetime] = {}
        self._delivery: dict[tuple[datetime, int, int, ZoneInfo], date] = {}
        self._shipped: dict[tuple[int, int, frozenset[date]], dict[float, datetime | None]] = {}
        self._opening: dict[tuple[datetime, int], datetime | None] = {}

    def ready_by(
        self,
        calendar: Calendar | None,
        pick_pack_hours: float,
        full_days: frozenset[date] = frozenset(),
    ) -> datetime | None:
        """``eta.ready_by(now, calendar, pick_pack_hours, full_days)``."""
        work = timedelta(hours=pick_pack_hours)
        if calendar is None and not full_days:
            return self.now + work
        key = (id(calendar), pick_pack_hours, full_days)
        if key in self._ready:
            return self._ready[key]
        ready = self._ready[key] = self._open_time(calendar, full_days).ready(work)
        return ready

    def _open_time(self, calendar: Calendar | None, full_days: frozenset[date]) -> _OpenTime:
        """The calendar's open intervals from ``now`` on (laid out lazily, kept)."""
        key = (id(calendar), full_days)
        open_time = self._open.get(key)
        if open_time is None:
            open_time = self._open[key] = _OpenTime(self.now, calendar, full_days)
        return open_time

    def collected(
        self,
        picker: Calendar | None,
        pick_pack_hours: float,
        store_calendar: Calendar | None,
        at_store: bool,
        full_days: frozenset[date] = frozenset(),
    ) -> eta.Promise | None:
        """``eta.collection_promise(now, ...)`` of units sent without a transfer service
        (``picker``: the calendar of the location that picks), the ready-by and the
        store's first opening after it memoised: the options' stores ask for the same
        few sending locations."""
        ready = self.ready_by(picker, pick_pack_hours, full_days)
        if ready is None:
            return None
        if at_store:
            return eta.Promise(ready_by=ready, promised_at=ready)
        key = (ready, id(store_calendar))
        if key not in self._opening:
            self._opening[key] = eta.first_opening(ready, store_calendar)
        collectable = self._opening[key]
        if collectable is None:
            return None
        return eta.Promise(ready_by=ready, promised_at=collectable, transfer=True)

    def zone(self, calendar: Calendar | None) -> ZoneInfo:
        """The calendar's zone (UTC without one), looked up once per calendar."""
        zone = self._zones.get(id(calendar))
        if zone is None:
            zone = self._zones[id(calendar)] = eta._zone(calendar)
        return zone

    def ship_by(
        self, ready: datetime, service: CarrierService, calendar: Calendar | None
    ) -> datetime | None:
        """``eta.ship_by(ready, service, calendar)``."""
        day = ready.astimezone(self.zone(calendar)).date()
        return self._cut_offs_from(day, service, calendar).first_at_or_after(ready)

    def _cut_offs_from(
        self, day: date, service: CarrierService, calendar: Calendar | None
    ) -> _CutOffs:
        """The service's cut-offs from local date ``day`` on (laid out lazily, kept)."""
        key = (id(service), id(calendar), day)
        cut_offs = self._cut_offs.get(key)
        if cut_offs is None:
            cut_offs = self._cut_offs[key] = _CutOffs(day, service, calendar, self.zone(calendar))
        return cut_offs

    def delivery_date(
        self, shipped: datetime, service: CarrierService, distance_km: float, zone: ZoneInfo
    ) -> date:
        """``eta.delivery_date(shipped, service, distance_km, zone)``."""
        key = (shipped, id(service), service.distance_band(distance_km), zone)
        if key not in self._delivery:
            self._delivery[key] = eta.delivery_date(shipped, service, distance_km, zone)
        return self._delivery[key]

    def parcel_promised_at(
        self,
        calendar: Calendar | None,
        pick_pack_hours: float,
        service: CarrierService | None,
        distance_km: float,
        full_days: frozenset[date] = frozenset(),
    ) -> datetime | None:
        """``eta.parcel_promise(now, ...).promised_at``; None when it promises nothing."""
        ready = self.ready_by(calendar, pick_pack_hours, full_days)
        if ready is None:
            return None
        if service is None:
            return ready
        shipped = self.ship_by(ready, service, calendar)
        if shipped is None:
            return None
        zone = self.zone(calendar)
        return self._end_of(self.delivery_date(shipped, service, distance_km, zone), zone)

    def parcels_promised_codes(
        self,
        calendar: Calendar | None,
        pick_pack_hours: FloatArray,
        service: CarrierService | None,
        distance_km: FloatArray,
        full_days: frozenset[date] = frozenset(),
    ) -> tuple[list[datetime | None], IntArray]:
        """``parcel_promised_at`` of each ``(pick_pack_hours[i], distance_km[i])``, as the
        distinct answers and each ask's index among them (the i-th promise is
        ``answers[code[i]]``), for callers that compare them with numpy.

        The ready-by is computed once per distinct pick-and-pack time, the
        ship-by once per distinct ready-by, and the delivery once per
        shipping instant and distance band (a promise depends on the
        distance only through the band).
        """
        hours, hour_of = np.unique(np.asarray(pick_pack_hours, dtype=float), return_inverse=True)
        hour_of = hour_of.ravel()
        if service is None:
            return [self.ready_by(calendar, h, full_days) for h in hours.tolist()], hour_of
        shipped = self._shipped_at(calendar, hours.tolist(), service, full_days)
        zone = self.zone(calendar)
        km = np.asarray(distance_km, dtype=float)
        bands = distance_bands(service, km)
        # Pick-and-pack times shipping at one instant give equal answers in each band.
        instants: dict[datetime | None, int] = {}
        ship_of = np.array([instants.setdefault(s, len(instants)) for s in shipped], dtype=np.int64)
        case = ship_of[hour_of] * (int(bands.max(initial=0)) + 1) + bands
        _, first, case_of = np.unique(case, return_index=True, return_inverse=True)
        answers: list[datetime | None] = []
        for h, at in zip(hour_of[first].tolist(), first.tolist(), strict=True):
            ship = shipped[h]
            if ship is None:
                answers.append(None)
                continue
            day = self.delivery_date(ship, service, float(km[at]), zone)
            answers.append(self._end_of(day, zone))
        return answers, case_of.ravel()

    def _shipped_at(
        self,
        calendar: Calendar | None,
        hours: list[float],
        service: CarrierService,
        full_days: frozenset[date],
    ) -> list[datetime | None]:
        """The ship-by of the ready-by of each pick-and-pack time (None when either is
        None), memoised per calendar, service and days without room: the options ask
        again for the same locations (the earliest dates, then each fast build)."""
        key = (id(calendar), id(service), full_days)
        known = self._shipped.get(key)
        if known is None:
            known = self._shipped[key] = {}
        missing = sorted(h for h in hours if h not in known)
        if missing:
            readies = self._ready_ascending(calendar, missing, full_days)
            ships = self._ship_ascending(calendar, readies, service)
            known.update(zip(missing, ships, strict=True))
        return [known[h] for h in hours]

    def _ready_ascending(
        self, calendar: Calendar | None, hours: list[float], full_days: frozenset[date]
    ) -> list[datetime | None]:
        """``ready_by`` of each of ascending ``hours``, with one walk along the open
        intervals (the works ascend), remembered as ``ready_by`` would."""
        if calendar is None and not full_days:
            return [self.ready_by(calendar, h, full_days) for h in hours]
        works = [timedelta(hours=h) for h in hours]
        readies = self._open_time(calendar, full_days).ready_ascending(works)
        self._ready.update(
            ((id(calendar), h, full_days), r) for h, r in zip(hours, readies, strict=True)
        )
        return readies

    def _ship_ascending(
        self, calendar: Calendar | None, readies: list[datetime | None], service: CarrierService
    ) -> list[datetime | None]:
        """``ship_by`` of each of ascending ``readies`` (None where the ready-by is None). A
        ready-by at or after the last one shipped, on its local date and not past its
        ship-by, ships then too: the cut-offs before that one in the date's day order
        are all earlier than the last ready-by."""
        zone = self.zone(calendar)
        shipped: list[datetime | None] = []
        last: tuple[date, datetime, datetime] | None = None  # local date, ready-by, ship-by
        for ready in readies:
            if ready is None:
                shipped.append(None)
                continue
            day = ready.astimezone(zone).date()
            if last is not None and last[0] == day and last[1] <= ready <= last[2]:
                shipped.append(last[2])
                continue
            ship = self._cut_offs_from(day, service, calendar).first_at_or_after(ready)
            if ship is not None:
                last = (day, ready, ship)
            shipped.append(ship)
        return shipped

    def _end_of(self, day: date, zone: ZoneInfo) -> datetime:
        """``eta.end_of(day, zone)``, memoised."""
        end = self._end.get((day, zone))
        if end is None:
            end = self._end[day, zone] = eta.end_of(day, zone)
        return end


def distance_bands(service: CarrierService | None, distance_km: FloatArray) -> IntArray:
    """``service.distance_band`` of each distance (0 for every one without a service).

    The bands are contiguous and the last is open (``CarrierService`` checks
    it), so a distance's band is the number of finite upper limits at or below it.
    """
    km = np.asarray(distance_km, dtype=float)
    if service is None:
        return np.zeros(len(km), dtype=np.int64)
    uppers = [b.upper_km for b in service.distance_bands if b.upper_km is not None]
    return np.searchsorted(np.array(uppers, dtype=float), km, side="right").astype(np.int64)


__all__ = ["Clock", "distance_bands"]

"""Calendars and carrier services: when a location works and what shipping costs.

A location may carry a :class:`Calendar` (opening hours per weekday in its
time zone, and closed dates) and :class:`CarrierService` s (a daily cut-off,
transit days by distance band, the weekdays the carrier delivers, and a rate
card of price by distance band x parcel weight band). Everything checks itself
on construction and raises ``ValueError`` (:class:`InvalidProblem`) naming the
field, so the ETA and the rate-card pricing never see a malformed calendar.

Bands are half-open ``[lower, upper)`` and must cover ``[0, infinity)`` with
neither gap nor overlap: the last band has no upper limit. A carrier's
heaviest band is then "over N grams", so every parcel has a price.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sourcing.solver.errors import InvalidProblem

WEEKDAYS = 7  # Monday is 0, as ``date.weekday()`` counts


class ServiceChoice(StrEnum):
    """How a location's carrier service is chosen for a parcel."""

    CHEAPEST = "CHEAPEST"  # the cheapest service for the parcel's weight
    MEETS_NEED_BY = "MEETS_NEED_BY"  # the cheapest that delivers by the need-by date


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening interval of a weekday, in the location's local time."""

    weekday: int  # 0 = Monday ... 6 = Sunday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class Calendar:
    """When a location works: opening hours per weekday, its time zone and closed dates."""

    time_zone: str
    hours: tuple[OpeningHours, ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", tuple(self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        self.zone()  # names an unknown time zone
        by_day: dict[int, list[tuple[int, OpeningHours]]] = {}
        for i, interval in enumerate(self.hours):
            field = f"calendar.hours[{i}]"
            wd = interval.weekday
            if not isinstance(wd, int) or isinstance(wd, bool) or not 0 <= wd < WEEKDAYS:
                raise InvalidProblem(f"Expected {field}.weekday in 0..6, got {wd!r}.")
            if interval.closes <= interval.opens:
                raise InvalidProblem(
                    f"Expected {field}.closes after opens, got {interval.opens} to "
                    f"{interval.closes}."
                )
            by_day.setdefault(wd, []).append((i, interval))
        for intervals in by_day.values():
            intervals.sort(key=lambda pair: pair[1].opens)
            for (_, before), (i, after) in itertools.pairwise(intervals):
                if after.opens < before.closes:
                    raise InvalidProblem(
                        f"Expected calendar.hours[{i}] not to overlap another interval of "
                        f"weekday {after.weekday}, got {after.opens} before {before.closes}."
                    )

    def zone(self) -> ZoneInfo:
        """The location's time zone."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidProblem(
                f"Expected calendar.time_zone to be an IANA time zone, got {self.time_zone!r}."
            ) from None

    def intervals_of(self, day: date) -> tuple[OpeningHours, ...]:
        """The day's opening intervals in time order; none on a closed date."""
        if day in self.holidays:
            return ()
        return tuple(
            sorted((h for h in self.hours if h.weekday == day.weekday()), key=lambda h: h.opens)
        )


def check_bands(field: str, lowers: tuple[float, ...], uppers: tuple[float | None, ...]) -> None:
    """Raise unless the bands ``[lower, upper)`` cover ``[0, infinity)`` in order, once each."""
    if not lowers:
        raise InvalidProblem(f"Expected {field} to hold at least one band, got none.")
    for i, (lower, upper) in enumerate(zip(lowers, uppers, strict=True)):
        name = f"{field}[{i}]"
        if not isinstance(lower, int | float) or math.isnan(lower) or lower < 0:
            raise InvalidProblem(
                f"Expected {name}.lower to be a non-negative number, got {lower!r}."
            )
        expected = 0 if i == 0 else uppers[i - 1]
        if lower != expected:
            kind = "a gap" if expected is not None and lower > expected else "an overlap"
            raise InvalidProblem(
                f"Expected {name}.lower to be {expected} (bands without gaps or overlaps), "
                f"got {lower}: {kind}."
            )
        last = i == len(lowers) - 1
        if upper is None and not last:
            raise InvalidProblem(f"Expected only the last band of {field} to be open, not {name}.")
        if upper is not None and (last or upper <= lower):
            detail = "the last band to be open" if last else "upper above lower"
            raise InvalidProblem(f"Expected {name}.upper: {detail}, got {upper!r}.")


@dataclass(frozen=True, slots=True)
class DistanceBand:
    """Destinations from ``lower_km`` up to (not including) ``upper_km`` away; None: no limit."""

    lower_km: float
    upper_km: float | None
    transit_days: int  # working days of the carrier from collection to delivery


@dataclass(frozen=True, slots=True)
class WeightBand:
    """Parcels from ``lower_g`` up to (not including) ``upper_g`` grams; None: no limit."""

    lower_g: int
    upper_g: int | None


@dataclass(frozen=True, slots=True)
class CarrierService:
    """A carrier service a location ships with, e.g. STANDARD or EXPRESS.

    ``prices[d][w]`` is the price, in the retailer's minor currency units, of a
    parcel to a destination in distance band d weighing in weight band w. The
    carrier collects at ``cut_off`` (location time) on the days it delivers
    (``delivery_weekdays``, 0 = Monday). ``transfer`` marks the service that
    moves stock between locations (click and collect from another location).
    """

    code: str
    cut_off: time
    distance_bands: tuple[DistanceBand, ...]
    weight_bands: tuple[WeightBand, ...]
    prices: tuple[tuple[int, ...], ...]
    delivery_weekdays: frozenset[int] = frozenset(range(5))
    transfer: bool = False

    def __post_init__(self) -> None:
        for name in ("distance_bands", "weight_bands", "prices"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "prices", tuple(tuple(row) for row in self.prices))
        object.__setattr__(self, "delivery_weekdays", frozenset(self.delivery_weekdays))
        field = f"carrier_service {self.code}"
        if not self.code:
            raise InvalidProblem("Expected carrier_service.code to be non-empty, got ''.")
        check_bands(
            f"{field}: distance_bands",
            tuple(b.lower_km for b in self.distance_bands),
            tuple(b.upper_km for b in self.distance_bands),
        )
        for i, band in enumerate(self.distance_bands):
            days = band.transit_days
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise InvalidProblem(
                    f"Expected {field}: distance_bands[{i}].transit_days to be a non-negative "
                    f"integer, got {days!r}."
                )
        check_bands(
            f"{field}: weight_bands",
            tuple(b.lower_g for b in self.weight_bands),
            tuple(b.upper_g for b in self.weight_bands),
        )
        if not self.delivery_weekdays or not self.delivery_weekdays <= set(range(WEEKDAYS)):
            raise InvalidProblem(
                f"Expected {field}: delivery_weekdays among 0..6 and not empty, got "
                f"{sorted(self.delivery_weekdays)!r}."
            )
        self._check_prices(field)

    def _check_prices(self, field: str) -> None:
        if len(self.prices) != len(self.distance_bands):
            raise InvalidProblem(
                f"Expected {field}: prices to hold one row per distance band "
                f"({len(self.distance_bands)}), got {len(self.prices)}."
            )
        for d, row in enumerate(self.prices):
            if len(row) < len(self.weight_bands):
                raise InvalidProblem(
                    f"Expected {field}: prices[{d}] to price every weight band, "
                    f"got none for weight band {len(row)}."
                )
            if len(row) > len(self.weight_bands):
                raise InvalidProblem(
                    f"Expected {field}: prices[{d}] to hold {len(self.weight_bands)} prices, "
                    f"got {len(row)}."
                )
            for w, price in enumerate(row):
                if not isinstance(price, int) or isinstance(price, bool) or price < 0:
                    raise InvalidProblem(
                        f"Expected {field}: prices[{d}][{w}] to be a non-negative integer, "
                        f"got {price!r}."
                    )

    def distance_band(self, distance_km: float) -> int:
        """The index of the distance band a destination ``distance_km`` away falls in."""
        for i, band in enumerate(self.distance_bands):
            if band.upper_km is None or distance_km < band.upper_km:
                return i
        return len(self.distance_bands) - 1  # unreachable: the last band is open

    def transit_days(self, distance_km: float) -> int:
        """Carrier working days from collection to delivery at ``distance_km``."""
        return self.distance_bands[self.distance_band(distance_km)].transit_days


__all__ = [
    "Calendar",
    "CarrierService",
    "DistanceBand",
    "OpeningHours",
    "ServiceChoice",
    "WeightBand",
    "check_bands",
]

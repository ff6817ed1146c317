"""Calendars and carrier services refuse malformed input, naming the field."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from sourcing.solver import GeoPoint, Location, LocationType, OrderLine
from sourcing.solver.carriers import (
    Calendar,
    CarrierService,
    DistanceBand,
    OpeningHours,
    WeightBand,
)
from tests.solver.calendars import service

NINE_TO_SIX = OpeningHours(0, time(9), time(18))


@pytest.mark.parametrize(
    ("hours", "zone", "field"),
    [
        ((OpeningHours(0, time(18), time(9)),), "UTC", r"calendar.hours\[0\].closes"),
        ((OpeningHours(0, time(9), time(9)),), "UTC", r"calendar.hours\[0\].closes"),
        ((NINE_TO_SIX, OpeningHours(0, time(12), time(20))), "UTC", r"calendar.hours\[1\]"),
        ((OpeningHours(7, time(9), time(18)),), "UTC", r"calendar.hours\[0\].weekday"),
        ((NINE_TO_SIX,), "Mars/Olympus_Mons", "calendar.time_zone"),
        ((NINE_TO_SIX,), "", "calendar.time_zone"),
    ],
)
def test_calendar_errors_name_the_field(
    hours: tuple[OpeningHours, ...], zone: str, field: str
) -> None:
    """Inverted or overlapping hours, a bad weekday and an unknown zone are refused."""
    with pytest.raises(ValueError, match=field):
        Calendar(zone, hours)


def test_touching_intervals_are_fine() -> None:
    """A lunch break: 09:00-12:00 then 12:00-18:00 on one day do not overlap."""
    Calendar("UTC", (OpeningHours(0, time(12), time(18)), OpeningHours(0, time(9), time(12))))


def _service(**kw: Any) -> CarrierService:
    base: dict[str, Any] = dict(
        code="STANDARD",
        cut_off=time(15),
        distance_bands=(DistanceBand(0, 50, 1), DistanceBand(50, None, 3)),
        weight_bands=(WeightBand(0, 1000), WeightBand(1000, None)),
        prices=((500, 900), (800, 1200)),
    )
    base.update(kw)
    return CarrierService(**base)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance_bands": (DistanceBand(0, 50, -1), DistanceBand(50, None, 3))}, "transit_days"),
        ({"distance_bands": (DistanceBand(0, 50, 1), DistanceBand(60, None, 3))}, "gap"),
        ({"distance_bands": (DistanceBand(0, 50, 1), DistanceBand(40, None, 3))}, "overlap"),
        ({"distance_bands": (DistanceBand(10, None, 1),)}, r"distance_bands\[0\].lower"),
        ({"weight_bands": (WeightBand(0, 1000), WeightBand(1000, 2000))}, "last band to be open"),
        ({"weight_bands": (WeightBand(0, None), WeightBand(1000, None))}, "only the last band"),
        ({"weight_bands": (WeightBand(0, 1000), WeightBand(2000, None))}, r"weight_bands\[1\]"),
        ({"weight_bands": ()}, "at least one band"),
        ({"prices": ((500,), (800, 1200))}, r"prices\[0\].*weight band 1"),
        ({"prices": ((500, 900),)}, "one row per distance band"),
        ({"prices": ((500, -1), (800, 1200))}, r"prices\[0\]\[1\]"),
        ({"delivery_weekdays": frozenset()}, "delivery_weekdays"),
        ({"delivery_weekdays": frozenset({7})}, "delivery_weekdays"),
        ({"code": ""}, "carrier_service.code"),
    ],
)
def test_carrier_service_errors_name_the_field(change: dict[str, Any], field: str) -> None:
    """Negative transit days, gaps, overlaps, a band without a price are refused."""
    with pytest.raises(ValueError, match=field):
        _service(**change)


def test_location_service_codes_are_unique_and_line_weight_non_negative() -> None:
    """Two services of one code at a location, or a negative unit weight, are refused."""
    with pytest.raises(ValueError, match="carrier_services codes"):
        Location(
            "S1", LocationType.STORE, GeoPoint(0, 0), {}, carrier_services=(service(), service())
        )
    with pytest.raises(ValueError, match="weight_g"):
        OrderLine("L1", "p1", 1, weight_g=-5)


def test_bands_are_looked_up_half_open() -> None:
    """50 km falls in the second distance band, 49.9 km in the first."""
    s = _service()
    assert s.distance_band(49.9) == 0
    assert s.distance_band(50.0) == 1
    assert s.transit_days(1e6) == 3

"""Calendars and carrier services as stored (JSON columns of ``locations``) and as solved.

The stored shape is plain JSON so both databases keep it the same way:

* calendar: ``{"time_zone": "America/Sao_Paulo", "hours": [[0, "09:00", "18:00"], ...],
  "holidays": ["2026-12-25"]}`` (weekday 0 is Monday);
* a service: ``{"code": "STANDARD", "cut_off": "15:00", "distance_bands": [[0, 50, 1],
  [50, null, 3]], "weight_bands": [[0, 1000], [1000, null]], "prices": [[500, 900],
  [800, 1200]], "delivery_weekdays": [0, 1, 2, 3, 4], "transfer": false, "currency": "BRL"}``.

Both are written only from solver objects that checked themselves, so what
is read back is well formed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from sourcing.solver.carriers import (
    Calendar,
    CarrierService,
    DistanceBand,
    OpeningHours,
    WeightBand,
)


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def calendar_to_json(calendar: Calendar | None) -> dict[str, Any] | None:
    """A calendar as stored."""
    if calendar is None:
        return None
    return {
        "time_zone": calendar.time_zone,
        "hours": [[h.weekday, _clock(h.opens), _clock(h.closes)] for h in calendar.hours],
        "holidays": sorted(day.isoformat() for day in calendar.holidays),
    }


def calendar_from_json(data: Mapping[str, Any] | None) -> Calendar | None:
    """The stored calendar, or None."""
    if not data:
        return None
    return Calendar(
        time_zone=data["time_zone"],
        hours=tuple(
            OpeningHours(int(d), time.fromisoformat(a), time.fromisoformat(b))
            for d, a, b in data["hours"]
        ),
        holidays=frozenset(date.fromisoformat(day) for day in data.get("holidays", ())),
    )


def service_to_json(service: CarrierService, currency: str = "") -> dict[str, Any]:
    """A carrier service as stored."""
    return {
        "code": service.code,
        "cut_off": _clock(service.cut_off),
        "distance_bands": [
            [b.lower_km, b.upper_km, b.transit_days] for b in service.distance_bands
        ],
        "weight_bands": [[b.lower_g, b.upper_g] for b in service.weight_bands],
        "prices": [list(row) for row in service.prices],
        "delivery_weekdays": sorted(service.delivery_weekdays),
        "transfer": service.transfer,
        "currency": currency,
    }


def service_from_json(data: Mapping[str, Any]) -> CarrierService:
    """A stored carrier service."""
    return CarrierService(
        code=data["code"],
        cut_off=time.fromisoformat(data["cut_off"]),
        distance_bands=tuple(
            DistanceBand(lo, up, int(days)) for lo, up, days in data["distance_bands"]
        ),
        weight_bands=tuple(WeightBand(int(lo), up) for lo, up in data["weight_bands"]),
        prices=tuple(tuple(int(p) for p in row) for row in data["prices"]),
        delivery_weekdays=frozenset(int(d) for d in data["delivery_weekdays"]),
        transfer=bool(data.get("transfer", False)),
    )


def services_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[CarrierService, ...]:
    """The stored carrier services of a location (none when the column is NULL)."""
    return tuple(service_from_json(item) for item in data or ())


__all__ = [
    "calendar_from_json",
    "calendar_to_json",
    "service_from_json",
    "service_to_json",
    "services_from_json",
]

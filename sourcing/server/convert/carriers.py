"""Location calendars and carrier services: proto <-> the solver's checked objects <-> JSON.

A calendar or service from a request is built as the solver's object, which
checks itself (``sourcing.solver.carriers``); its error becomes a field
violation under the request path of the part at fault. Weekdays are ISO on
the wire (1 Monday .. 7 Sunday) and 0-based in the solver, as Python counts.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sourcing.models.config.carriers import (
    calendar_from_json,
    calendar_to_json,
    service_from_json,
    service_to_json,
)
from sourcing.server.errors import FieldError
from sourcing.solver.carriers import (
    Calendar,
    CarrierService,
    DistanceBand,
    OpeningHours,
    WeightBand,
)
from sourcing.solver.errors import InvalidProblem
from sourcing.v1 import config_pb2

DEFAULT_WEEKDAYS = (1, 2, 3, 4, 5)


def _clock(minute: int, field: str) -> time:
    if not 0 <= minute < 24 * 60:
        raise FieldError(field, f"Expected minutes after midnight from 0 to 1439, got {minute}.")
    return time(minute // 60, minute % 60)


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def calendar_from_proto(message: config_pb2.LocationCalendar, field: str) -> dict[str, Any] | None:
    """The calendar to store (JSON), checked; None when the message is empty."""
    if not message.time_zone and not message.hours and not message.closed_dates:
        return None
    hours = []
    for i, interval in enumerate(message.hours):
        here = f"{field}.hours[{i}]"
        if not 1 <= interval.iso_weekday <= 7:
            raise FieldError(f"{here}.iso_weekday", "Expected 1 (Monday) to 7 (Sunday).")
        hours.append(
            OpeningHours(
                interval.iso_weekday - 1,
                _clock(interval.opens_minute, f"{here}.opens_minute"),
                _clock(interval.closes_minute, f"{here}.closes_minute"),
            )
        )
    holidays = set()
    for i, day in enumerate(message.closed_dates):
        try:
            holidays.add(date.fromisoformat(day))
        except ValueError:
            raise FieldError(
                f"{field}.closed_dates[{i}]", f"Expected an ISO date YYYY-MM-DD, got {day!r}."
            ) from None
    try:
        calendar = Calendar(message.time_zone, tuple(hours), frozenset(holidays))
    except InvalidProblem as exc:
        raise FieldError(_path(field, str(exc), "calendar"), str(exc)) from None
    return calendar_to_json(calendar)


def _path(field: str, message: str, prefix: str) -> str:
    """The request path of the part a solver message names (``calendar.hours[1].closes``)."""
    named = message.removeprefix("Expected ").split(" ", 1)[0]
    if named.startswith(prefix + "."):
        rest = named[len(prefix) + 1 :].rstrip(":,.")
        rest = rest.replace("closes", "closes_minute").replace("weekday", "iso_weekday")
        return f"{field}.{rest}"
    return field


def service_from_proto(message: config_pb2.CarrierService, field: str) -> dict[str, Any]:
    """A carrier service to store (JSON), checked."""
    weekdays = tuple(message.delivery_iso_weekdays) or DEFAULT_WEEKDAYS
    for i, day in enumerate(weekdays):
        if not 1 <= day <= 7:
            raise FieldError(f"{field}.delivery_iso_weekdays[{i}]", "Expected 1 to 7.")
    try:
        service = CarrierService(
            code=message.code,
            cut_off=_clock(message.cut_off_minute, f"{field}.cut_off_minute"),
            distance_bands=tuple(
                DistanceBand(
                    b.lower_km, b.upper_km if b.HasField("upper_km") else None, b.transit_days
                )
                for b in message.distance_bands
            ),
            weight_bands=tuple(
                WeightBand(b.lower_grams, b.upper_grams if b.HasField("upper_grams") else None)
                for b in message.weight_bands
            ),
            prices=tuple(tuple(row.price_minor) for row in message.prices),
            delivery_weekdays=frozenset(day - 1 for day in weekdays),
            transfer=message.transfer,
        )
    except InvalidProblem as exc:
        raise FieldError(_service_path(field, str(exc)), str(exc)) from None
    return service_to_json(service, message.currency)


def _service_path(field: str, message: str) -> str:
    """The request path of the band or price a carrier-service message names."""
    for part in ("transit_days", "distance_bands", "weight_bands", "prices", "code"):
        if part in message:
            return f"{field}.{part}"
    return field


def services_from_proto(
    messages: list[config_pb2.CarrierService], field: str
) -> list[dict[str, Any]] | None:
    """A location's carrier services to store; None when it has none."""
    stored = [service_from_proto(m, f"{field}[{i}]") for i, m in enumerate(messages)]
    codes = [s["code"] for s in stored]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise FieldError(f"{field}[{i}].code", f"Expected unique codes, got {code!r} twice.")
    return stored or None


def calendar_to_proto(data: dict[str, Any] | None) -> config_pb2.LocationCalendar | None:
    """The stored calendar as a message, or None."""
    calendar = calendar_from_json(data)
    if calendar is None:
        return None
    return config_pb2.LocationCalendar(
        time_zone=calendar.time_zone,
        hours=[
            config_pb2.OpeningHours(
                iso_weekday=h.weekday + 1,
                opens_minute=_minute(h.opens),
                closes_minute=_minute(h.closes),
            )
            for h in calendar.hours
        ],
        closed_dates=sorted(day.isoformat() for day in calendar.holidays),
    )


def service_to_proto(data: dict[str, Any]) -> config_pb2.CarrierService:
    """A stored carrier service as a message."""
    service = service_from_json(data)
    message = config_pb2.CarrierService(
        code=service.code,
        cut_off_minute=_minute(service.cut_off),
        prices=[config_pb2.RateCardRow(price_minor=list(row)) for row in service.prices],
        delivery_iso_weekdays=sorted(day + 1 for day in service.delivery_weekdays),
        transfer=service.transfer,
        currency=data.get("currency", ""),
    )
    for d in service.distance_bands:
        band = message.distance_bands.add(lower_km=d.lower_km, transit_days=d.transit_days)
        if d.upper_km is not None:
            band.upper_km = d.upper_km
    for w in service.weight_bands:
        wband = message.weight_bands.add(lower_grams=w.lower_g)
        if w.upper_g is not None:
            wband.upper_grams = w.upper_g
    return message


__all__ = [
    "calendar_from_proto",
    "calendar_to_proto",
    "service_from_proto",
    "service_to_proto",
    "services_from_proto",
]

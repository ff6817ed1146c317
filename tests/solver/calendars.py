"""Calendars and carrier services shared by the ETA, rate-card and promise tests."""

from __future__ import annotations

from datetime import date, time

from hypothesis import strategies as st

from sourcing.solver.carriers import (
    Calendar,
    CarrierService,
    DistanceBand,
    OpeningHours,
    WeightBand,
)

SAO_PAULO = "America/Sao_Paulo"  # UTC-3 all year since 2019
CHRISTMAS = date(2026, 12, 25)  # a Friday


def store_calendar(zone: str = SAO_PAULO, holidays: frozenset[date] = frozenset()) -> Calendar:
    """Open Monday to Friday 09:00-18:00 and Saturday 09:00-13:00; closed on Sunday."""
    week = tuple(OpeningHours(d, time(9), time(18)) for d in range(5))
    return Calendar(zone, (*week, OpeningHours(5, time(9), time(13))), holidays)


def dc_calendar() -> Calendar:
    """A DC open Monday to Friday 06:00-22:00."""
    return Calendar(SAO_PAULO, tuple(OpeningHours(d, time(6), time(22)) for d in range(5)))


def service(
    code: str = "STANDARD",
    *,
    prices: tuple[tuple[int, ...], ...] = ((500, 900, 1500), (800, 1200, 2000)),
    weights_g: tuple[int, ...] = (0, 1000, 5000),
    transit: tuple[int, int] = (1, 3),
    cut_off: time = time(15),
    weekdays: frozenset[int] = frozenset(range(5)),
    transfer: bool = False,
) -> CarrierService:
    """A service with distance bands [0, 50) and [50, inf) km and the given weight band starts."""
    bands = tuple(
        WeightBand(lo, weights_g[i + 1] if i + 1 < len(weights_g) else None)
        for i, lo in enumerate(weights_g)
    )
    return CarrierService(
        code=code,
        cut_off=cut_off,
        distance_bands=(DistanceBand(0, 50, transit[0]), DistanceBand(50, None, transit[1])),
        weight_bands=bands,
        prices=prices,
        delivery_weekdays=weekdays,
        transfer=transfer,
    )


def random_week(draw: st.DrawFn) -> tuple[OpeningHours, ...]:
    """Non-overlapping half-hour intervals per weekday: sorted distinct marks, paired up."""
    hours = []
    for weekday in range(7):
        marks = sorted(set(draw(st.lists(st.integers(0, 47), max_size=4))))
        for opens, closes in zip(marks[0::2], marks[1::2], strict=False):
            hours.append(
                OpeningHours(
                    weekday,
                    time(opens // 2, 30 * (opens % 2)),
                    time(closes // 2, 30 * (closes % 2)),
                )
            )
    return tuple(hours)

"""Under ``MEETS_NEED_BY`` each candidate may choose the services whose delivery date
meets the need-by (all of them when none does), exactly as ``eta`` dates them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver import eta
from sourcing.solver.carriers import Calendar, CarrierService, ServiceChoice
from sourcing.solver.clock import Clock
from sourcing.solver.inputs import Location
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.rates import _services_of
from sourcing.solver.types import IntArray
from tests.solver.builders import loc, order, problem
from tests.solver.test_clock import calendars, services


class _CountingClock(Clock):
    """A ``Clock`` that notes whether it was asked for promises."""

    asked = False

    def parcels_promised_codes(
        self, *args: Any, **kwargs: Any
    ) -> tuple[list[datetime | None], IntArray]:
        self.asked = True
        return super().parcels_promised_codes(*args, **kwargs)


def one_at_a_time(
    now: datetime, need_by: datetime, location: Location, km: float
) -> tuple[CarrierService, ...]:
    """The services a location may choose, from ``eta`` alone (the brute force)."""
    offered = location.parcel_services
    ready = eta.ready_by(now, location.calendar, location.pick_pack_hours)
    if ready is None:
        return offered
    zone = location.calendar.zone() if location.calendar else ZoneInfo("UTC")
    last_day = need_by.astimezone(zone).date()
    meets = []
    for service in offered:
        shipped = eta.ship_by(ready, service, location.calendar)
        if shipped is not None and eta.delivery_date(shipped, service, km, zone) <= last_day:
            meets.append(service)
    return tuple(meets) or offered


def need_by_problem(now: datetime, need_by: datetime, locations: list[Location]) -> SourcingProblem:
    base = problem(order([("p1", 1)], need_by=need_by), locations)
    profile = replace(base.profile, service_choice=ServiceChoice.MEETS_NEED_BY)
    return replace(base, profile=profile, now=now)


@settings(max_examples=80, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 4, 30), timezones=st.just(UTC)
    ),
    ahead_h=st.integers(0, 24 * 12),
    cals=st.lists(calendars(), min_size=1, max_size=2),
    svcs=st.lists(services(), min_size=1, max_size=3),
    sites=st.lists(
        st.tuples(
            st.integers(0, 1),
            st.sampled_from((0.5, 2.0, 9.0, 30.0)),
            st.sampled_from((1.0, 49.0, 51.0, 300.0)),
            st.integers(0, 7),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_choice_equals_one_location_at_a_time(
    now: datetime,
    ahead_h: int,
    cals: list[Calendar | None],
    svcs: list[CarrierService],
    sites: list[tuple[int, float, float, int]],
) -> None:
    """Grouped by calendar and services, each candidate gets the brute force's services."""
    coded = [replace(s, code=f"SERVICE{n}") for n, s in enumerate(svcs)]  # codes are unique
    offers = [tuple(coded[: 1 + n]) for n in range(len(coded))] + [()]
    locations = [
        loc(
            f"S{i}",
            km,
            {"p1": 1},
            calendar=cals[c % len(cals)],
            pick_pack_hours=hours,
            carrier_services=offers[o % len(offers)],
        )
        for i, (c, hours, km, o) in enumerate(sites)
    ]
    need_by = now + timedelta(hours=ahead_h)
    the_problem = need_by_problem(now, need_by, locations)
    km = np.array([km for _, _, km, _ in sites], dtype=float)
    usable = np.arange(len(locations))
    groups = _services_of(the_problem, km, usable)
    got = {i: allowed for allowed, members in groups.values() for i in members}
    expected = {
        i: one_at_a_time(now, need_by, location, float(km[i]))
        for i, location in enumerate(locations)
    }
    assert got == {i: s for i, s in expected.items() if s}
    # A clock the caller shares (``_fastest``: its earliest dates, then each fast build)
    # is the one asked, and answers the same.
    shared = _CountingClock(now)
    assert _services_of(replace(the_problem, clock=shared), km, usable) == groups
    assert shared.asked == any(location.carrier_services for location in locations)
    # Members keep the candidates' order, as the rate steps are built from them.
    assert all(members == sorted(members) for _, members in groups.values())


def test_a_clock_at_another_now_is_refused() -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    base = need_by_problem(now, now + timedelta(days=2), [loc("S1", 5.0, {"p1": 1})])
    with pytest.raises(ValueError, match="clock"):
        replace(base, clock=Clock(now + timedelta(minutes=1)))
    with pytest.raises(ValueError, match="clock"):
        replace(base, now=None, clock=Clock(now))
    # The same instant in another zone is the same now.
    assert replace(base, clock=Clock(now.astimezone(ZoneInfo("America/Sao_Paulo")))).clock

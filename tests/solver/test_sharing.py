"""Candidates grouped by shared calendar, services and days without room, with numpy: the
groups a dict filled one candidate at a time holds, and each one's transfer service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem
from sourcing.solver.rates import transfer_services
from sourcing.solver.sharing import promise_groups
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import SAO_PAULO, dc_calendar, service, store_calendar

NOW = datetime(2026, 12, 7, 13)
CALENDARS = (None, store_calendar(), dc_calendar(), store_calendar(SAO_PAULO))  # 2 equal: apart
SERVICES = ((), (service(),), (service(), service("EXPRESS")), (service(transfer=True),))


def reference_groups(
    problem: SourcingProblem, indices: list[int]
) -> list[tuple[frozenset[date], list[int]]]:
    """The dict filled one candidate at a time, as the earliest dates grouped them."""
    locations = problem.locations
    groups: dict[tuple[int, int, frozenset[date]], list[int]] = {}
    for i in indices:
        full = problem.full_days(locations[i].ref)
        key = (id(locations[i].calendar), id(locations[i].carrier_services), full)
        groups.setdefault(key, []).append(i)
    return [(full, members) for (_, _, full), members in groups.items()]


@st.composite
def networks(draw: st.DrawFn) -> tuple[SourcingProblem, list[int]]:
    """Candidates picking among few shared calendars and services tuples, some with days
    without room (or with room left), and some of them asked about, in order."""
    n = draw(st.integers(1, 30))
    picks = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=n, max_size=n))
    locations = [
        loc(f"S{i}", float(i), {"P1": 1}, calendar=CALENDARS[c], carrier_services=SERVICES[s])
        for i, (c, s) in enumerate(picks)
    ]
    today = NOW.date()
    room = {
        f"S{i}": {today + timedelta(days=d): draw(st.integers(0, 1)) for d in range(days)}
        for i, days in draw(
            st.dictionaries(st.integers(0, n - 1), st.integers(0, 2), max_size=6)
        ).items()
    }
    built = replace(problem(order([("P1", 1)]), locations), day_room=room or None)
    asked = sorted(draw(st.sets(st.integers(0, n - 1))))
    if draw(st.booleans()):
        asked = asked[::-1]
    return built, asked


@settings(max_examples=200, deadline=None)
@given(networks())
def test_promise_groups_are_the_dict_filled_one_at_a_time(
    network: tuple[SourcingProblem, list[int]],
) -> None:
    built, asked = network
    assert promise_groups(built, asked) == reference_groups(built, asked)


@settings(max_examples=100, deadline=None)
@given(networks())
def test_transfer_services_are_each_location_s_own(
    network: tuple[SourcingProblem, list[int]],
) -> None:
    built, asked = network
    expected = [built.locations[i].transfer_service for i in asked]
    found = transfer_services(built.locations, asked)
    assert len(found) == len(expected)
    assert all(a is b for a, b in zip(found, expected, strict=True))

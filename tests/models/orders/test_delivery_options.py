"""The named delivery plans: building once and skipping solves changes no answer.

The reference is the plain way (before arrays were shared): every named plan
from a fresh ``solve`` of its own problem, "fewest_parcels" always solved,
every "fastest" date tried without the coverage check.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing import solver
from sourcing.models.orders import delivery_options as options
from sourcing.models.orders.delivery_options import (
    CHEAPEST,
    FASTEST,
    FASTEST_TRIES,
    FEWEST_PARCELS_SPLIT,
    delivery_plans,
    first_date,
    latest,
    named_plan,
)
from sourcing.solver.eta import parcel_promise
from sourcing.solver.geo import haversine_km
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.solve import solve_arrays, starts
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import service, store_calendar

NOW = datetime(2026, 12, 7, 13, tzinfo=UTC)  # a Monday


def earliest(p: solver.SourcingProblem, i: int) -> datetime | None:
    """A candidate's earliest promise over its parcel services, computed afresh."""
    assert p.now is not None
    location, point = p.locations[i], p.order.delivery_point
    lat, lon = np.array([location.point.latitude]), np.array([location.point.longitude])
    km = float(haversine_km(lat, lon, point.latitude, point.longitude)[0])
    dates = [
        promise.promised_at
        for s in location.parcel_services or (None,)
        if (promise := parcel_promise(p.now, location.calendar, location.pick_pack_hours, s, km))
    ]
    return min(dates) if dates else None


def reference(p: solver.SourcingProblem) -> dict[str, solver.Plan]:
    """Every named plan solved the plain way."""
    cheapest = solver.solve(p)
    plans = {"cheapest": cheapest}
    fewest = solver.solve(p, weight_overrides={"split": FEWEST_PARCELS_SPLIT})
    if len(fewest.fulfilments) < len(cheapest.fulfilments):
        plans["fewest_parcels"] = fewest
    last = latest(cheapest)
    if last is None:
        return plans
    table = p.candidate_table()
    stocking = set()
    for line in p.order.lines:
        column = table.products.get(line.product_ref)
        if column is not None:
            free = column.on_hand - column.reserved - column.buffer_qty
            stocking |= {int(i) for i in column.index[free > 0]}
    dates = {p.locations[i].ref: earliest(p, i) for i in stocking}
    for day in sorted({d for d in dates.values() if d is not None and d < last})[:FASTEST_TRIES]:
        late = frozenset(ref for ref, d in dates.items() if d is None or d > day)
        rules = replace(
            p.profile.rules, excluded_locations=p.profile.rules.excluded_locations | late
        )
        profile = replace(p.profile, rules=rules, service_choice=solver.ServiceChoice.MEETS_NEED_BY)
        plan = solver.solve(replace(p, order=replace(p.order, need_by=day), profile=profile))
        plan_last = latest(plan)
        if (
            plan.rejected_units <= cheapest.rejected_units
            and plan_last is not None
            and plan_last < last
        ):
            plans["fastest"] = plan
            break
    return plans


@st.composite
def timed_problems(draw: st.DrawFn) -> solver.SourcingProblem:
    """Two products over two to five stores with uneven stock, costs, speeds and services.

    Uneven enough that the cheapest plan often splits, one store often holds
    everything, and the stores' ready times differ by days.
    """
    standard = service(prices=((500, 900, 1500), (800, 1200, 2000)))
    express = service("EXPRESS", prices=((1500, 1900, 2500), (1800, 2200, 3000)), transit=(0, 1))
    carriers = st.sampled_from([(), (standard,), (standard, express)])
    stores = [
        loc(
            f"S{i}",
            draw(st.sampled_from([1.0, 20.0, 80.0])),
            {p: n for p in ("P1", "P2") if (n := draw(st.integers(0, 3)))},
            fixed_cost=draw(st.sampled_from([10.0, 50.0, 200.0])),
            pick_pack_hours=draw(st.sampled_from([0.5, 30.0, 80.0])),
            calendar=draw(st.sampled_from([None, store_calendar()])),
            carrier_services=draw(carriers),
        )
        for i in range(draw(st.integers(2, 5)))
    ]
    lines = [(p, draw(st.integers(1, 3))) for p in ("P1", "P2")]
    the_order = order(lines)
    weighted = tuple(
        replace(line, weight_g=draw(st.sampled_from([300, 1200]))) for line in the_order.lines
    )
    p = problem(replace(the_order, lines=weighted), stores, fixed=1.0, shipping=1.0)
    return replace(p, now=NOW)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timed_problems())
def test_named_plans_equal_the_plain_solves(p: solver.SourcingProblem) -> None:
    """Same names offered, same parcels and promises in each."""
    plans = delivery_plans(p, 10.0)
    expected = reference(p)
    assert plans.keys() == expected.keys()
    for name, plan in plans.items():
        assert plan.fulfilments == expected[name].fulfilments, name
        assert plan.objective.total == pytest.approx(expected[name].objective.total), name
        assert named_plan(p, name, 10.0).fulfilments == plan.fulfilments


def test_each_option_on_a_hand_built_network() -> None:
    """NEAR holds P1 only; FAR holds both, slower and dearer; a quick store holds P2.

    Cheapest: NEAR's P1 and SLOWP2's P2, two parcels (flat fixed 50 each beats
    FAR's 200). Fewest parcels: FAR alone. Fastest: NEAR and QUICK (QUICK is
    dearer than SLOWP2 but ready within the hour).
    """
    cal = store_calendar()
    p = problem(
        order([("P1", 1), ("P2", 1)]),
        [
            loc("NEAR", 1, {"P1": 5}, fixed_cost=50, calendar=cal, pick_pack_hours=1.0),
            loc("SLOWP2", 2, {"P2": 5}, fixed_cost=50, calendar=cal, pick_pack_hours=60.0),
            loc("QUICK", 3, {"P2": 5}, fixed_cost=120, calendar=cal, pick_pack_hours=1.0),
            loc("FAR", 4, {"P1": 5, "P2": 5}, fixed_cost=200, calendar=cal, pick_pack_hours=60.0),
        ],
        fixed=1.0,
    )
    p = replace(p, now=NOW)
    plans = delivery_plans(p, 10.0)
    where = {name: sorted(f.location_ref for f in plan.fulfilments) for name, plan in plans.items()}
    assert where == {
        "cheapest": ["NEAR", "SLOWP2"],
        "fastest": ["NEAR", "QUICK"],
        "fewest_parcels": ["FAR"],
    }
    fastest, cheapest = latest(plans["fastest"]), latest(plans["cheapest"])
    assert fastest is not None and cheapest is not None
    assert fastest < cheapest - timedelta(days=1)
    assert options.NAMES == ("cheapest", "fastest", "fewest_parcels")


def test_earliest_of_takes_each_locations_earliest_service() -> None:
    """Per location the earliest promise of any service; None only when none promises."""
    early, mid, late = (NOW + timedelta(days=d) for d in (1, 2, 3))
    by_standard = ([mid, None], np.array([0, 1, 0, 1]))
    by_express = ([early, late, None], np.array([1, 0, 0, 2]))
    assert options._earliest_of([by_standard, by_express]) == [mid, early, early, None]
    assert options._earliest_of([by_standard]) == [mid, None, mid, None]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timed_problems(), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_cheapest_started_with_other_orders_is_the_same(
    p: solver.SourcingProblem, latitude: float, longitude: float
) -> None:
    """The cheapest plan's price steps taken together with another order's over the same
    candidates (the fulfilment options' collection stores): the same plans, by name."""
    elsewhere = replace(
        p, order=replace(p.order, delivery_point=solver.GeoPoint(latitude, longitude))
    )
    arrays = SourcingArrays.build(p)
    begun = starts([SourcingArrays.build(elsewhere), arrays])
    plans = delivery_plans(p, 10.0, built=(arrays, begun[-1]))
    expected = delivery_plans(p, 10.0)
    assert plans.keys() == expected.keys()
    for name, plan in plans.items():
        assert plan.fulfilments == expected[name].fulfilments, name
        assert plan.objective == expected[name].objective, name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timed_problems(), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_fastest_started_with_other_orders_is_solved_from_scratch(
    p: solver.SourcingProblem, latitude: float, longitude: float
) -> None:
    """``fastest``'s first date started with the cheapest and another order (the options'
    stores) gives the plans each solve gives from scratch, with no start at all."""
    elsewhere = replace(
        p, order=replace(p.order, delivery_point=solver.GeoPoint(latitude, longitude))
    )
    arrays = SourcingArrays.build(p)
    first = first_date(p, arrays)
    extra = [first.arrays] if first else []
    begun = starts([SourcingArrays.build(elsewhere), arrays, *extra])
    started = replace(first, start=begun[2]) if first else None
    plans = delivery_plans(p, 10.0, (CHEAPEST, FASTEST), built=(arrays, begun[1]), first=started)
    cheapest = solve_arrays(arrays, time_limit_s=10.0)
    expected = {CHEAPEST: cheapest}
    fastest = options._fastest(p, arrays, cheapest, 10.0, first) if first else None
    if fastest is not None:
        expected[FASTEST] = fastest
    assert plans.keys() == expected.keys()
    for name, plan in plans.items():
        assert replace(plan, solve_time_s=0.0) == replace(expected[name], solve_time_s=0.0)


def test_arrays_of_another_problem_are_refused() -> None:
    """Arrays built for another cart would answer for that cart."""
    p = replace(problem(order([("P1", 1)]), [loc("S1", 1, {"P1": 2})]), now=NOW)
    other = replace(p, order=replace(p.order, lines=p.order.lines * 1))
    with pytest.raises(ValueError, match="problem"):
        delivery_plans(p, 10.0, built=(SourcingArrays.build(other), None))

"""Rate cards: the MIP prices parcels exactly by weight band and matches brute force."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import OrderLine, OrderType, SourcingProblem, SourcingProfile, solve
from sourcing.solver.carriers import CarrierService, ServiceChoice
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import service, store_calendar
from tests.solver.test_properties import Enumerated, assert_plan_is_valid, problems

PRICES = st.sampled_from([0, 300, 700, 1500])


@st.composite
def services(draw: st.DrawFn, code: str) -> CarrierService:
    """A service with two distance bands and two or three weight bands, random prices."""
    starts = draw(st.sampled_from([(0, 1000), (0, 500, 2000), (0, 1500)]))
    row = st.tuples(*[PRICES] * len(starts))
    return service(code, prices=(draw(row), draw(row)), weights_g=starts)


@st.composite
def rated_problems(draw: st.DrawFn) -> SourcingProblem:
    """A random small problem where some candidates ship with one or two rated services."""
    base = draw(problems())
    lines = tuple(
        replace(line, weight_g=draw(st.sampled_from([0, 300, 700, 1200])))
        for line in base.order.lines
    )
    locations = []
    for location in base.locations:
        n = draw(st.integers(0, 2))
        carriers = tuple(draw(services(f"C{i}")) for i in range(n))
        locations.append(replace(location, carrier_services=carriers))
    return replace(base, order=replace(base.order, lines=lines), locations=tuple(locations))


@st.composite
def transfer_problems(draw: st.DrawFn) -> SourcingProblem:
    """A random click and collect at S0 where some candidates have a rated transfer service."""
    base = draw(rated_problems())
    locations = tuple(
        replace(location, carrier_services=(replace(draw(services("TRUCK")), transfer=True),))
        if draw(st.booleans())
        else location
        for location in base.locations
    )
    store = locations[0]
    cc = replace(
        base.order,
        type=OrderType.CC,
        collection_location_ref=store.ref,
        delivery_point=store.point,
    )
    return replace(base, order=cc, locations=locations)


def rated_services(problem: SourcingProblem, i: int) -> tuple[CarrierService, ...]:
    """What prices candidate i's fulfilment: its parcel services, or its transfer to the store."""
    location = problem.locations[i]
    if problem.order.type is OrderType.HD:
        return location.parcel_services
    transfer = location.transfer_service
    at_store = location.ref == problem.order.collection_location_ref
    return (transfer,) if transfer is not None and not at_store else ()


def parcel_price(problem: SourcingProblem, i: int, distance_km: float, weight: int) -> float:
    """The cheapest service's price for a parcel, straight from the rate cards."""
    prices = []
    for s in rated_services(problem, i):
        band = max(j for j, b in enumerate(s.weight_bands) if b.lower_g <= weight)
        prices.append(s.prices[s.distance_band(distance_km)][band])
    return problem.profile.weights.shipping * min(prices)


def brute_force(problem: SourcingProblem, arrays: SourcingArrays) -> float:
    """The cheapest valid allocation's cost with parcels priced from the rate cards."""
    every, cost = allocation_costs(problem, arrays)
    return float(np.where(every.valid, cost, np.inf).min())


def allocation_costs(
    problem: SourcingProblem, arrays: SourcingArrays
) -> tuple[Enumerated, np.ndarray]:
    """Every allocation and its cost with parcels priced from the rate cards."""
    every = Enumerated.of(arrays)
    x, used = every.x, every.used
    flat = sum(arrays.fulfilment_cost_parts.values(), np.zeros(len(problem.locations)))
    cost = (
        (x * sum(arrays.unit_cost_parts.values(), np.zeros(arrays.cap.shape))).sum(axis=(1, 2))
        + (used * flat).sum(axis=1)
        + every.split_and_ideal_cost(arrays)
        + arrays.rejection_penalty * every.rejected
    )
    unit_weight = np.array([line.weight_g for line in problem.order.lines])
    for i in range(len(problem.locations)):
        if not rated_services(problem, i):
            continue
        parcel = x[:, i, :] @ unit_weight
        price = [parcel_price(problem, i, float(arrays.distance_km[i]), int(g)) for g in parcel]
        cost = cost + used[:, i] * np.array(price)
    return every, cost


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfer_problems())
def test_transfer_rate_cards_match_brute_force(problem: SourcingProblem) -> None:
    """Click and collect: transfers from other locations priced by their transfer rate card."""
    assert_optimal_against_brute_force(problem)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rated_problems())
def test_rate_cards_match_brute_force_and_never_lose_to_greedy(problem: SourcingProblem) -> None:
    """Reduced and full MIP reach the enumerated optimum with rate-card prices."""
    assert_optimal_against_brute_force(problem)


def assert_optimal_against_brute_force(problem: SourcingProblem) -> None:
    """Reduced and full MIP reach the enumerated optimum, at most the greedy's; plans valid."""
    arrays = SourcingArrays.build(problem)
    optimum = brute_force(problem, arrays)
    tolerance = 1e-6 * max(1.0, abs(optimum))
    plans = [solve(problem), solve(problem, reduce=False)]
    greedy = solve(problem, policy="greedy")
    for plan in [*plans, greedy]:
        assert_plan_is_valid(plan, arrays)
    for plan in plans:
        assert abs(plan.objective.total - optimum) <= tolerance
        assert plan.objective.total <= greedy.objective.total + tolerance


def heavy_order_problem(split: float = 0.0) -> SourcingProblem:
    """Two 800 g units; one store prices parcels from 1 kg at 1500, another charges flat 1200."""
    card = service(prices=((500, 1500, 1500), (500, 1500, 1500)))
    the_order = order([("p1", 2)])
    lines = tuple(replace(line, weight_g=800) for line in the_order.lines)
    stores = [
        loc("S1", 5, {"p1": 2}, carrier_services=(card,)),
        loc("S2", 6, {"p1": 2}, carrier_services=(card,)),
        loc("S3", 7, {"p1": 2}, fixed_cost=1200.0),
    ]
    return problem(replace(the_order, lines=lines), stores, fixed=1.0, shipping=1.0, split=split)


def test_weight_band_step_makes_the_split_cheaper() -> None:
    """1.6 kg costs 1500 from one store; two 800 g parcels cost 500 + 500."""
    plan = solve(heavy_order_problem())
    assert {f.location_ref for f in plan.fulfilments} == {"S1", "S2"}
    assert plan.objective["shipping"] == 1000.0


def test_locations_without_services_keep_flat_terms() -> None:
    """With a split penalty the flat 1200 store serves everything: the old terms still apply."""
    plan = solve(heavy_order_problem(split=1000.0))
    assert [f.location_ref for f in plan.fulfilments] == ["S3"]
    assert plan.objective["fixed"] == 1200.0
    assert plan.objective["shipping"] == 0.0


def test_service_choice_cheapest_or_meeting_need_by() -> None:
    """EXPRESS (next day, 900) or STANDARD (three days, 500): need-by picks EXPRESS."""
    standard = service("STANDARD", prices=((500,), (500,)), weights_g=(0,), transit=(3, 3))
    express = service("EXPRESS", prices=((900,), (900,)), weights_g=(0,), transit=(1, 1))
    now = datetime(2026, 12, 7, 13, tzinfo=UTC)  # Monday 10:00 in Sao Paulo
    need_by = datetime(2026, 12, 8, 23, tzinfo=UTC)  # Tuesday evening
    store = loc("S1", 5, {"p1": 1}, calendar=store_calendar(), carrier_services=(standard, express))
    the_order = order([("p1", 1)], need_by=need_by)
    base = problem(the_order, [store], shipping=1.0)
    for choice, code, cost, day in [
        (ServiceChoice.CHEAPEST, "STANDARD", 500.0, 11),
        (ServiceChoice.MEETS_NEED_BY, "EXPRESS", 900.0, 9),
    ]:
        profile = replace(base.profile, service_choice=choice)
        plan = solve(replace(base, profile=profile, now=now))
        promise = plan.fulfilments[0].promise
        assert promise is not None and promise.service == code
        assert promise.promised_at == datetime(2026, 12, day, 2, 59, 59, tzinfo=UTC)
        assert plan.objective["shipping"] == cost


def test_no_now_means_no_promise_and_old_plans_unchanged() -> None:
    """Without ``now`` fulfilments carry no promise; a plain problem prices as before."""
    plan = solve(problem(order([("p1", 1)]), [loc("S1", 5, {"p1": 1}, fixed_cost=7.0)], fixed=1.0))
    assert plan.fulfilments[0].promise is None
    assert plan.objective.total == 7.0
    assert isinstance(SourcingProfile().service_choice, ServiceChoice)
    assert OrderLine("L1", "p1", 1).weight_g == 0
    assert evaluate(SourcingArrays.build(heavy_order_problem()), np.zeros((3, 1), int)).total > 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rated_problems(), st.data())
def test_priced_by_weight_is_whether_a_rated_candidate_is_among_them(
    problem: SourcingProblem, data: st.DataObject
) -> None:
    """Any subset of the candidates (none, some, all): as ``np.isin`` of the rated ones."""
    arrays = SourcingArrays.build(problem)
    chosen = data.draw(st.sets(st.integers(0, len(arrays.cap) - 1)))
    candidates = np.array(sorted(chosen), dtype=np.int64)
    expected = arrays.rates is not None and bool(np.isin(arrays.rates.location, candidates).any())
    assert arrays.priced_by_weight(candidates) == expected

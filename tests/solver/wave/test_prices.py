"""The wave reads scarce-stock prices: they steer its plans, its bound bounds what it minimises."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sourcing.solver import ScarcityPrices, SourcingProblem
from sourcing.solver.errors import InvalidProblem
from sourcing.solver.wave import BatchPlan, BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.steps import PRIORITY_WEIGHT
from tests.solver.wave.test_solve import (
    PROFILE,
    _brute_force,
    order,
    served_by,
    store,
    tiny_waves,
)

# Order A sits at 0 km: NEAR (1 km) costs it 10 + 1 per unit, FAR (20 km) 10 + 20.
NEAR = store("NEAR", 1.0, {"p1": 2})
FAR = store("FAR", 20.0, {"p1": 10})


def wave(price: float, weight: float, orders: int = 1) -> BatchProblem:
    """``orders`` one-unit orders at 0 km; NEAR's p1 priced ``price``, weighed ``weight``."""
    profile = replace(PROFILE, weights=replace(PROFILE.weights, scarcity_price=weight))
    return BatchProblem(
        orders=tuple(order(f"O{i}", 0.0, {"p1": 1}) for i in range(orders)),
        locations=(NEAR, FAR),
        profile=profile,
        scarcity_prices=ScarcityPrices({"p1": {"NEAR": price}}),
    )


def solved(problem: BatchProblem) -> BatchPlan:
    return solve_batch(problem, time_limit_s=5.0)


def test_a_priced_position_steers_the_wave_to_the_far_store() -> None:
    """NEAR's unit priced 50 makes it cost 61 against FAR's 30; the real cost is reported."""
    plan = solved(wave(price=50.0, weight=1.0))
    assert served_by(plan, "O0") == {"FAR"}
    assert plan.objective == pytest.approx(30.0)
    assert plan.plans[0].objective.total == pytest.approx(30.0)
    assert plan.priced_objective == pytest.approx(30.0)
    assert plan.bound <= plan.priced_objective + 1e-6


def test_without_the_weight_the_wave_takes_the_cheap_store() -> None:
    """Weight 0 (the default) ignores the prices: NEAR at 11 is cheaper than FAR at 30."""
    plan = solved(wave(price=50.0, weight=0.0))
    assert served_by(plan, "O0") == {"NEAR"}
    assert plan.objective == pytest.approx(11.0)
    assert plan.priced is None
    assert plan.priced_objective == plan.objective


def test_the_wave_beats_the_greedy_on_the_priced_objective_not_the_cost() -> None:
    """The reference greedy goes nearest first, prices or not: NEAR, real 11, priced 61.

    On the real cost it would beat the wave's FAR (30); the wave keeps its own
    plan because it compares what it minimises.
    """
    greedy = sequential_greedy(wave(price=50.0, weight=1.0))
    assert served_by(greedy, "O0") == {"NEAR"}
    assert greedy.objective == pytest.approx(11.0)
    assert greedy.priced_objective == pytest.approx(61.0)
    plan = solved(wave(price=50.0, weight=1.0))
    assert plan.policy == "batch"
    assert plan.stats.greedy_objective == pytest.approx(11.0)


def test_the_bound_and_gap_are_on_the_priced_objective() -> None:
    """A price of 15 leaves NEAR cheaper (26 < 30): both orders take it, each steered by 15.

    The real cost is 22, what the wave minimised 52; the bound proves more than
    the real cost, so it bounds the priced objective, and the gap is measured
    on that objective.
    """
    plan = solved(wave(price=15.0, weight=1.0, orders=2))
    assert served_by(plan, "O0") == served_by(plan, "O1") == {"NEAR"}
    assert plan.objective == pytest.approx(22.0)
    assert plan.priced_objective == pytest.approx(52.0)
    assert plan.objective < plan.bound <= plan.priced_objective + 1e-6
    assert plan.gap == pytest.approx(
        max(0.0, (plan.priced_objective - plan.bound) / plan.priced_objective)
    )
    assert sum(p.objective.steering["scarcity_price"] for p in plan.plans) == pytest.approx(30.0)


def test_a_wave_takes_one_set_of_prices() -> None:
    problem = wave(price=50.0, weight=1.0, orders=2)
    first, second = (problem.problem_of(i) for i in range(2))
    assert first.scarcity_prices is problem.scarcity_prices
    assert BatchProblem.from_problems([first, second]).scarcity_prices == problem.scarcity_prices
    other = replace(second, scarcity_prices=ScarcityPrices({"p1": {"FAR": 1.0}}))
    with pytest.raises(InvalidProblem, match="scarcity prices"):
        BatchProblem.from_problems([first, other])
    assert isinstance(first, SourcingProblem)


@st.composite
def priced_tiny_waves(draw: st.DrawFn) -> BatchProblem:
    """``tiny_waves`` with prices on some positions and fulfilments, weighed at 1."""
    problem = draw(tiny_waves())
    refs = [location.ref for location in problem.locations]
    price = st.sampled_from([0.0, 20.0, 300.0])
    prices = ScarcityPrices(
        {p: {ref: draw(price) for ref in refs} for p in ("p1", "p2")},
        {ref: draw(price) for ref in refs},
    )
    weights = replace(problem.profile.weights, scarcity_price=1.0)
    return replace(
        problem, profile=replace(problem.profile, weights=weights), scarcity_prices=prices
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_tiny_waves())
def test_priced_wave_matches_brute_force_on_what_it_minimises(problem: BatchProblem) -> None:
    """Against brute force on cost plus steering: the plan is the cheapest, the bound below it."""
    best, rejected = _brute_force(problem)
    assume(best < float("inf"))
    wave = solve_batch(problem, gap_target=0.0, time_limit_s=20.0)
    assert wave.bound <= best + 1e-6 * max(1.0, abs(best))
    assert wave.rejected_units == rejected
    slack = PRIORITY_WEIGHT * problem.profile.weights.rejection * rejected
    assert best - 1e-6 * abs(best) <= wave.priced_objective <= best + slack + 1e-6 * abs(best)
    assert wave.objective == pytest.approx(sum(p.objective.total for p in wave.plans))

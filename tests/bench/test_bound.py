"""The whole-horizon LP bound: shared stock and capacity, and never above a policy's cost."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sourcing.bench.bound import lp_bound
from sourcing.bench.families import FAMILIES, Grid
from sourcing.bench.metrics import problems, summarise
from sourcing.bench.policies import DEFAULT_POLICIES, PolicyOptions
from sourcing.bench.runner import Settings, run
from sourcing.solver import Capacity, SourcingProblem, solve
from tests.solver.builders import loc, order, problem

# The quick run's families and sizes, with a few orders each so the test takes seconds.
TINY_QUICK = Grid(families=tuple(FAMILIES), sizes=(20, 100), orders={}, default_orders=6)


def two_orders(store_capacity: int | None = None) -> tuple[SourcingProblem, SourcingProblem]:
    """Two one-unit orders of P1 over one store holding two units, fixed cost 10."""
    store = loc("S1", 1.0, {"P1": 2}, fixed_cost=10.0, capacity=Capacity(total=store_capacity))
    first = problem(order({"P1": 1}), [store], fixed=1.0)
    second = replace(first, order=replace(first.order, ref="O2"))
    return first, second


def test_one_order_bound_is_its_optimum_when_no_fraction_helps() -> None:
    """A single order that one location serves whole: the LP is tight."""
    the_problem = problem(
        order({"P1": 2, "P2": 1}),
        [loc("S1", 10.0, {"P1": 2, "P2": 1}, fixed_cost=100.0, handling_cost=3.0)],
        fixed=1.0,
        handling=1.0,
        shipping=1.0,
    )
    plan = solve(the_problem)
    bound = lp_bound([the_problem], [0])
    assert bound.status == "optimal"
    assert bound.value == pytest.approx(plan.objective.total)
    assert bound.value <= bound.lp_value + 1e-9


def test_shared_daily_capacity_forces_a_rejection_on_one_day_only() -> None:
    """A store taking one order a day cannot serve both orders of one day, even fractionally."""
    same_day = lp_bound(two_orders(store_capacity=1), [0, 0])
    two_days = lp_bound(two_orders(store_capacity=1), [0, 1])
    assert same_day.rejected_units == pytest.approx(1.0)
    assert same_day.value >= 1_000_000.0
    assert two_days.rejected_units == pytest.approx(0.0)
    assert two_days.value == pytest.approx(20.0)


def test_shared_stock_is_shared() -> None:
    """Two units in stock, three ordered over two orders: one unit is rejected."""
    first, second = two_orders()
    bigger = replace(second, order=replace(second.order, lines=(replace(
        second.order.lines[0], quantity=2),)))  # fmt: skip
    bound = lp_bound([first, bigger], [0, 0])
    assert bound.rejected_units == pytest.approx(1.0)


def test_bound_is_at_most_every_policy_on_the_quick_instances() -> None:
    """On every family and size of the quick run, no policy costs less than the bound."""
    settings = Settings(
        grid=TINY_QUICK,
        seed=0,
        policies=DEFAULT_POLICIES,
        options=PolicyOptions(),
        bound_time_limit_s=60.0,
        jobs=0,
    )
    results = run(settings)
    assert len(results.bounds) == len(TINY_QUICK.families) * len(TINY_QUICK.sizes)
    assert all(math.isfinite(b.value) for b in results.bounds)
    for summary in summarise(results):
        assert summary.bound <= summary.cost * (1 + 1e-9), summary
    assert problems(results) == []

"""The wave's most-units step (``ShortWave._most_units``): never fewer units, the most, every rule.

The step re-plans a short wave for units by ``most_served`` hinted with the
plan and keeps the result only when, applied in sequence, it rejects fewer
units. Here it runs on the greedy's plan of tiny waves, with time enough
for every round: the plan it returns serves what the best plan serves
(brute force) and keeps every limit (stock, capacity in orders, split limits).
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.shortage as shortage
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.finish import decide_greedy
from sourcing.solver.wave.sequence import apply
from sourcing.solver.wave.served import plan_key
from sourcing.solver.wave.steps import WaveSolver
from tests.solver.wave.test_served import _max_served, scarce_waves
from tests.solver.wave.test_solve import tiny_waves


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()), st.sets(st.integers(0, 3)))
def test_most_units_step_serves_the_most_within_every_rule(
    problem: BatchProblem, dropped: set[int]
) -> None:
    """From the greedy's plan less some orders': the most units any plan serves, every rule kept.

    Dropping orders from the greedy's plan (a plan within every limit still)
    leaves units to win on most waves.
    """
    n = len(problem.orders)
    started = time.perf_counter()
    solver = WaveSolver(problem, started, started + 60.0)
    for o in range(n):
        solver._arrays(o)
    assert solver.collector is not None
    solver.served = solver.collector.served(solver.capacity)
    solver.collector = None

    def decide(o: int, arrays: SourcingArrays) -> IntArray:
        return np.zeros_like(arrays.cap) if o in dropped else decide_greedy(o, arrays)

    start = apply(solver._state(), problem.orders, solver.profiles, range(n), decide, "")
    key = plan_key(start.values())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shortage, "MOST_FROM", 1)  # a tiny wave has a few units to win at most
        plans, rejected, total = solver._most_units(start, list(range(n)), key)
    assert (rejected, total) <= key
    assert (rejected, total) == plan_key(plans.values())
    ordered = sum(order.total_units for order in problem.orders)
    assert rejected == ordered - _max_served(problem)
    assert_within_limits(problem, plans)


def assert_within_limits(problem: BatchProblem, plans: dict[int, Plan]) -> None:
    """Every plan together: stock, each location's orders, each order's split limit."""
    taken: Counter[tuple[str, str]] = Counter()
    orders_at: Counter[str] = Counter()
    for o, plan in plans.items():
        assert plan.split_count <= problem.profile_of(o).split_limit
        products = {line.ref: line.product_ref for line in problem.orders[o].lines}
        for fulfilment in plan.fulfilments:
            orders_at[fulfilment.location_ref] += 1
            for line in fulfilment.lines:
                taken[(fulfilment.location_ref, products[line.line_ref])] += line.quantity
    for location in problem.locations:
        limit = location.capacity.total
        assert limit is None or orders_at[location.ref] <= limit
        for product, position in location.stock.items():
            assert taken[(location.ref, product)] <= position.available

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

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.finish import decide_greedy
from sourcing.solver.wave.sequence import apply
from sourcing.solver.wave.served import plan_key
from sourcing.solver.wave.steps import WaveSolver
from tests.solver.wave.test_served import _max_served, scarce_waves
from tests.solver.wave.test_solve import tiny_waves


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_most_units_step_serves_the_most_within_every_rule(problem: BatchProblem) -> None:
    """From the greedy's plan: the most units any plan serves, never fewer, every limit kept."""
    n = len(problem.orders)
    started = time.perf_counter()
    solver = WaveSolver(problem, started, started + 60.0)
    for o in range(n):
        solver._arrays(o)
    assert solver.collector is not None
    solver.served = solver.collector.served(solver.capacity)
    solver.collector = None
    greedy = apply(solver._state(), problem.orders, solver.profiles, range(n), decide_greedy, "")
    key = plan_key(greedy.values())
    plans, rejected, total = solver._most_units(greedy, list(range(n)), key)
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

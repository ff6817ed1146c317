"""The most-units MIP's plan (``most_served``): as many units as any plan, and within every rule."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchProblem, sequential_greedy
from sourcing.solver.wave.capped import Cells, Transport
from sourcing.solver.wave.most_served import most_served
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState, apply
from sourcing.solver.wave.served import ServedCollector
from sourcing.solver.wave.steps import _capacity
from tests.solver.wave.test_served import _max_served, scarce_waves
from tests.solver.wave.test_solve import tiny_waves


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_most_served_plan_serves_the_most_when_applied(problem: BatchProblem) -> None:
    """From the greedy's plan, the MIP's plan serves what the best plan serves, every rule kept."""
    collector, graph, capacity, seed = greedy_seed(problem)
    arc_stock = np.concatenate(collector.arc_stock).astype(np.int64)
    found = most_served(graph, capacity, seed, 10.0, arc_stock)
    most = _max_served(problem)
    if found is None:  # only where no arc serves anything
        assert most == 0
        return
    cells = found
    assert sum(sum(c.values()) for c in cells.values()) == most
    assert_applies(problem, cells)


def greedy_seed(problem: BatchProblem) -> tuple[ServedCollector, Transport, IntArray, Cells]:
    """The wave's collector, flow graph and capacity, and the greedy's plan as cells."""
    collector = ServedCollector(len(problem.locations))
    for o in range(len(problem.orders)):
        collector.add(o, SourcingArrays.build(problem.problem_of(o)))
    capacity = _capacity(problem)
    graph = collector.served(capacity).graph
    assert graph is not None
    greedy = sequential_greedy(problem)
    return collector, graph, capacity, cells_of(problem, dict(enumerate(greedy.plans)))


def assert_applies(problem: BatchProblem, cells: Cells) -> None:
    """Applied in sequence, every allocation fits: each order gets exactly its cells."""
    state = NetworkState(problem.locations, problem.state, problem.table, problem.scarcity_prices)
    profiles = [problem.profile_of(o) for o in range(len(problem.orders))]
    n = len(problem.orders)
    applied = apply(state, problem.orders, profiles, range(n), decide_from(cells), "batch")
    assert cells_of(problem, applied) == {o: cells.get(o, {}) for o in range(n)}

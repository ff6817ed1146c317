"""The most-units MIP's plan (``most_served``): as many units as any plan, and within every rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import make_network, order_stream
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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_most_served_starts_from_its_hint(seed: int) -> None:
    """With no time to search, the plan found is the hint's: SCIP takes it (zeros hinted too).

    On a bench-like wave most variables are 0 in the greedy's plan; hinting
    only the others left SCIP ignoring the hint (it found nothing in the time).
    """
    network = make_network(FAMILIES["scarce_capacity"].config(30, 40, seed))
    problem = BatchProblem.from_problems(list(order_stream(network, 40)))
    collector, graph, capacity, start = greedy_seed(problem)
    arc_stock = np.concatenate(collector.arc_stock).astype(np.int64)
    found = most_served(graph, capacity, start, 0.001, arc_stock)
    assert found is not None
    assert _units(found) >= _units(start) > 0
    assert_applies(problem, found)


def _units(cells: Cells) -> int:
    return sum(sum(c.values()) for c in cells.values())


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

"""The transport flow within stores' capacity in orders and split limits (``capped``)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sourcing.solver import Capacity, SourcingProblem, SourcingProfile, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import violations
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch, steps
from sourcing.solver.wave import transport as transport_module
from sourcing.solver.wave.capped import Cells, Transport, _solve, seeded, within_capacity
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState
from sourcing.solver.wave.served import ServedCollector
from sourcing.solver.wave.shortage import surely_short
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import _brute_force, order, store

PROFILE = SourcingProfile(
    Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0), split_limit=1000
)


def _capacity(problem: BatchProblem) -> np.ndarray:
    return np.array(
        [
            [-1 if c is None else c for c in (s.capacity.total, s.capacity.hd, s.capacity.cc)]
            for s in problem.locations
        ],
        dtype=np.int64,
    )


def _graph(problem: BatchProblem) -> Transport:
    collector = ServedCollector(len(problem.locations))
    for o, the_order in enumerate(problem.orders):
        single = SourcingProblem(the_order, problem.locations, problem.profile_of(o))
        collector.add(o, SourcingArrays.build(single))
    graph = collector.served(_capacity(problem)).graph
    assert graph is not None
    return graph


def _orders_at(graph: Transport, flow: np.ndarray, location: int) -> int:
    used = (flow > 0) & (graph.arc_location == location)
    return len(set(graph.line_order[graph.arc_line[used]].tolist()))


def _broken(problem: BatchProblem, cells: Cells) -> list[int]:
    """Orders whose allocation breaks a rule when applied in the wave's order."""
    state = NetworkState(problem.locations, problem.state, problem.table)
    broken = []
    for o, the_order in enumerate(problem.orders):
        arrays = SourcingArrays.build(state.problem(the_order, problem.profile_of(o)))
        allocation = decide_from(cells)(o, arrays)
        if violations(arrays, allocation):
            broken.append(o)
        else:
            state.take(arrays, allocation)
    return broken


def _squeezed() -> BatchProblem:
    """Two one-unit orders by store S0, which takes one order today; O3 could take 2 there.

    The flow's unit relaxation lets S0 through the 2 units O3 could take,
    so its cheapest flow sends both O1 and O2 to S0: one order too many.
    S1, farther, holds enough for O2 and O3.
    """
    locations = (
        store("S0", 0.0, {"A": 2}, capacity=Capacity(total=1)),
        store("S1", 100.0, {"A": 3}),
    )
    orders = (order("O1", 0.0, {"A": 1}), order("O2", 0.0, {"A": 1}), order("O3", 150.0, {"A": 2}))
    return BatchProblem(orders, locations, PROFILE)


def test_capacity_in_orders_breaks_the_flow_and_capping_holds() -> None:
    """The raw flow overdraws S0's one order slot; capped, every order applies and all is served."""
    problem = _squeezed()
    graph = _graph(problem)
    raw = _solve(graph, np.ones(len(graph.arc_line), dtype=bool))
    assert _orders_at(graph, raw, 0) == 2
    cells = within_capacity(graph, np.ones(len(graph.arc_line), dtype=bool), _capacity(problem))
    assert sum(1 for mine in cells.values() if any(loc == 0 for loc, _ in mine)) == 1
    assert sum(sum(mine.values()) for mine in cells.values()) == 4
    assert _broken(problem, cells) == []


def test_raw_flow_breaks_when_applied() -> None:
    """Applied as it is, the raw flow's allocation of the second order at S0 breaks a rule."""
    problem = _squeezed()
    graph = _graph(problem)
    raw = _solve(graph, np.ones(len(graph.arc_line), dtype=bool))
    cells: Cells = {}
    for a in np.flatnonzero(raw > 0).tolist():
        line = int(graph.arc_line[a])
        mine = cells.setdefault(int(graph.line_order[line]), {})
        mine[(int(graph.arc_location[a]), int(graph.line_index[line]))] = int(raw[a])
    assert _broken(problem, cells) == [1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_seeded_flow_holds_together_and_serves_the_seed(problem: BatchProblem) -> None:
    """Seeded with the greedy's plan, the flow breaks no rule and serves at least its units."""
    graph = _graph(problem)
    greedy = sequential_greedy(problem)
    seed = cells_of(problem, dict(enumerate(greedy.plans)))
    cells = seeded(graph, seed, _capacity(problem))
    assert _broken(problem, cells) == []
    served = sum(sum(mine.values()) for mine in cells.values())
    assert served >= sum(sum(mine.values()) for mine in seed.values())
    taken: Counter[tuple[int, str]] = Counter()
    for o, mine in cells.items():
        for (loc, k), units in mine.items():
            taken[(loc, problem.orders[o].lines[k].product_ref)] += units
    for (loc, product), units in taken.items():
        assert units <= problem.locations[loc].stock[product].available


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_transport_bound_holds_with_one_arc_per_line(problem: BatchProblem) -> None:
    """The bound's flow on each line's cheapest arc, an overflow and the gate bounds every plan."""
    kept = transport_module.BOUND_ARCS_PER_LINE
    transport_module.BOUND_ARCS_PER_LINE = 1
    try:
        collector = ServedCollector(len(problem.locations))
        for o, the_order in enumerate(problem.orders):
            single = SourcingProblem(the_order, problem.locations, problem.profile_of(o))
            collector.add(o, SourcingArrays.build(single))
        bound = collector.served(_capacity(problem)).transport_bound
    finally:
        transport_module.BOUND_ARCS_PER_LINE = kept
    best, _ = _brute_force(problem)
    assert bound <= best + 1e-6 * max(1.0, best)


@pytest.fixture
def short_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every wave surely short of stock takes ``shortage``'s steps, whatever its size."""
    monkeypatch.setattr(steps, "SHORT_CELLS", 0)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scarce_waves())
def test_short_path_never_rejects_more_than_greedy(short_path: None, problem: BatchProblem) -> None:
    """The short path's plan rejects no more than the greedy; its bound is below the optimum."""
    wave = solve_batch(problem, time_limit_s=5.0)
    demanded = sum(o.total_units for o in problem.orders)
    assert wave.rejected_units >= demanded - wave.stats.max_served
    assert wave.rejected_units <= sequential_greedy(problem).rejected_units
    best, _ = _brute_force(problem)
    assert wave.bound <= best + 1e-6 * max(1.0, best)


def test_surely_short() -> None:
    """Short when some product is ordered beyond all the network holds of it."""
    problem = _squeezed()
    assert not surely_short(problem)
    more = (*problem.orders, order("O4", 0.0, {"A": 2}))
    assert surely_short(BatchProblem(more, problem.locations, PROFILE))
    other = (*problem.orders, order("O4", 0.0, {"B": 1}))
    assert surely_short(BatchProblem(other, problem.locations, PROFILE))

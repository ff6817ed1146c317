"""Sub-waves re-planned for units (``sub_served``): never fewer units, every rule kept."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.sub_served as sub_served
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.wave import BatchProblem, sequential_greedy
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState, apply
from sourcing.solver.wave.served import ServedCollector
from sourcing.solver.wave.steps import _capacity
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import tiny_waves


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(scarce_waves(), tiny_waves()),
    st.integers(1, 3),
    st.integers(0, 3),
    st.sets(st.integers(0, 7)),
)
def test_sub_waves_serve_at_least_the_seed_within_every_rule(
    problem: BatchProblem, rejecting: int, holders: int, dropped: set[int]
) -> None:
    """Groups of a few orders re-planned, the rest held: as many units or more, and they apply.

    The seed is the greedy's plan with some orders' cells dropped (a plan
    within every limit still), so groups have units to win back.
    """
    collector = ServedCollector(len(problem.locations))
    for o in range(len(problem.orders)):
        collector.add(o, SourcingArrays.build(problem.problem_of(o)))
    capacity = _capacity(problem)
    graph = collector.served(capacity).graph
    assert graph is not None
    greedy = sequential_greedy(problem)
    seed = cells_of(problem, dict(enumerate(greedy.plans)))
    seed = {o: {} if o in dropped else cells for o, cells in seed.items()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sub_served, "REJECTING", rejecting)
        patch.setattr(sub_served, "GROUP", rejecting + holders)
        cells, gained = sub_served.sub_served(graph, capacity, seed, 30.0)
    units = sum(sum(c.values()) for c in cells.values())
    assert gained >= 0
    assert units == sum(sum(c.values()) for c in seed.values()) + gained
    state = NetworkState(problem.locations, problem.state, problem.table, problem.scarcity_prices)
    profiles = [problem.profile_of(o) for o in range(len(problem.orders))]
    n = len(problem.orders)
    applied = apply(state, problem.orders, profiles, range(n), decide_from(cells), "batch")
    # Applied in sequence, every allocation fits: each order gets exactly its cells.
    assert cells_of(problem, applied) == {o: cells.get(o, {}) for o in range(n)}

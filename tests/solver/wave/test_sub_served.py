"""Sub-waves re-planned for units (``sub_served``): never fewer units, every rule kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.sub_served as sub_served
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.capped import Cells
from tests.solver.wave.test_most_served import assert_applies, greedy_seed
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import tiny_waves


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    _, graph, capacity, seed = greedy_seed(problem)
    seed = {o: {} if o in dropped else cells for o, cells in seed.items()}
    # Every location as many order slots as the seed fills: none to spare for the groups.
    capacity = capacity.copy()
    capacity[:, 0] = _orders_at(seed, len(problem.locations))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sub_served, "REJECTING", rejecting)
        patch.setattr(sub_served, "GROUP", rejecting + holders)
        cells, gained = sub_served.sub_served(graph, capacity, seed, 30.0)
    assert gained >= 0
    assert (
        sum(sum(c.values()) for c in cells.values())
        == sum(sum(c.values()) for c in seed.values()) + gained
    )
    assert_applies(problem, cells)
    assert (_orders_at(cells, len(problem.locations)) <= capacity[:, 0]).all()


def _orders_at(cells: Cells, n_locations: int) -> IntArray:
    """Per location, the orders the plan sends units from it."""
    used = [loc for c in cells.values() for loc in {loc for (loc, _), q in c.items() if q > 0}]
    result: IntArray = np.bincount(np.array(used, dtype=np.int64), minlength=n_locations)
    return result

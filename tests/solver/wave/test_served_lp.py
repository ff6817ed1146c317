"""The most-units program (``served_lp``): its MIP is the brute-force maximum, its LP a bound."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProfile, StockPosition, Weights
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.served_lp import (
    ServedProgram,
    lp_max_served,
    mip_max_served,
    served_program,
)
from tests.solver.builders import loc
from tests.solver.wave.test_served import _collected, _max_served, scarce_waves
from tests.solver.wave.test_solve import order, tiny_waves


def _program_and_flow(problem: BatchProblem) -> tuple[ServedProgram, int]:
    collector, capacity = _collected(problem)
    arc_stock = np.concatenate(collector.arc_stock).astype(np.int64)
    served = collector.served(capacity)
    assert served.graph is not None
    return served_program(served.graph, capacity, None, arc_stock), served.max_served


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_mip_is_the_most_units_and_lp_lies_between(problem: BatchProblem) -> None:
    """The MIP serves what the best plan serves; the LP bounds it and is no looser than the flow."""
    program, flow = _program_and_flow(problem)
    brute = _max_served(problem)
    best, bound = mip_max_served(program, 10.0)
    assert round(best) == brute
    assert bound >= brute - 1e-6
    lp = lp_max_served(program, 10.0)
    assert brute - 1e-6 <= lp <= flow + 1e-6


def test_split_limit_tightens_the_flow() -> None:
    """Where the flow leaves a split limit out, the MIP keeps it: one location per order."""
    stores = tuple(loc(f"S{i}", 10.0 * i, {"p1": StockPosition(on_hand=2)}) for i in range(2))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    # The first order gets 2 of its 3 units at one store, the second its 1 at the other.
    problem = BatchProblem(
        (order("O0", 0, {"p1": 3}), order("O1", 5, {"p1": 1})),
        stores,
        SourcingProfile(weights, split_limit=1),
    )
    program, flow = _program_and_flow(problem)
    assert _max_served(problem) == 3
    assert flow == 4
    assert mip_max_served(program, 10.0)[0] == 3

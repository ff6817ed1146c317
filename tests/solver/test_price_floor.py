"""The reduction's price floor: what its prices bound a plan over given locations at.

At the prices of ``Reduction.lower_bound`` a plan over locations T costs at
least the lines' terms plus the g of T's members and the split penalties.
The rated pair and larger-plan searches drop the plans that floor already
puts at the best plan before their own, dearer, bounds; the floor must
never exceed a plan's linear spread (else a plan that could win is lost),
and the searches must answer what they answered without it.
"""

from __future__ import annotations

import importlib
import itertools
import time
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from sourcing.solver.options import Backend
from sourcing.solver.rated_pairs import _pairs_below
from sourcing.solver.reduction import Reduction, price_subsets, reduce_candidates
from tests.solver.builders import loc, order, problem
from tests.solver.test_rated_search import split_problems
from tests.solver.test_rates import rated_problems

solve_module = importlib.import_module("sourcing.solver.solve")


def _reduced(problem: SourcingProblem) -> tuple[SourcingArrays, Reduction]:
    arrays = SourcingArrays.build(problem)
    allocation = greedy_allocation(arrays)
    upper = evaluate(arrays, allocation).priced_total
    return arrays, reduce_candidates(arrays, upper, allocation)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rated_problems(), split_problems()))
def test_floor_never_exceeds_a_plans_linear_spread(problem: SourcingProblem) -> None:
    """Every plan of up to three usable candidates (and the split limit) costs, by its
    linear spread (every member used, as ``price_subsets`` prices it), at least the
    price floor of its members."""
    arrays, reduction = _reduced(problem)
    usable = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    floor = reduction.price_floor(usable)
    if floor is None:
        return
    lines, g = floor
    split = arrays.weights.split
    for size in range(1, min(3, len(usable), arrays.split_limit) + 1):
        for members in itertools.combinations(range(len(usable)), size):
            spread = price_subsets(arrays, usable[list(members)], size).total[-1]
            bound = lines + g[list(members)].sum() + split * (size - 1)
            assert bound <= spread + 1e-9 * max(1.0, abs(spread))


def _rated(arrays: SourcingArrays, reduction: Reduction, floor: bool) -> object:
    keep = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    allocation = greedy_allocation(arrays)
    with patch.object(solve_module, "MAX_ENUMERATED", 0):  # the pair and larger searches
        return solve_module._rated(
            arrays,
            keep,
            min(arrays.split_limit, len(keep)),
            allocation,
            evaluate(arrays, allocation),
            time.perf_counter() + 60.0,
            Backend.SCIP,
            reduction.price_floor(keep) if floor else None,
        )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rated_problems(), split_problems()))
def test_pair_and_larger_searches_answer_the_same_with_the_floor(
    problem: SourcingProblem,
) -> None:
    """The searches with the floor find the very plan, cost and proof they find without."""
    arrays, reduction = _reduced(problem)
    alone, floored = _rated(arrays, reduction, False), _rated(arrays, reduction, True)
    assert floored.proved == alone.proved  # type: ignore[attr-defined]
    assert np.array_equal(floored.allocation, alone.allocation)  # type: ignore[attr-defined]
    assert floored.objective == alone.objective  # type: ignore[attr-defined]


def test_pairs_the_floor_puts_at_the_room_are_dropped() -> None:
    """Floors 0, 5 and 10 over no lines' terms, room 12: (0, 1) at 5 and (0, 2) at 10 stay,
    (1, 2) at 15 goes; a pair within rounding of the room stays."""
    arrays = SourcingArrays.build(
        problem(order([("p1", 1)]), [loc(f"S{i}", 5 + i, {"p1": 1}) for i in range(3)], split=0.0)
    )
    keep = np.arange(3)
    g = np.array([0.0, 5.0, 10.0])
    first, second = _pairs_below(arrays, keep, 12.0, [], (0.0, g))
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (0, 2)]
    first, second = _pairs_below(arrays, keep, 15.0 - 1e-12, [], (0.0, g))
    assert len(first) == 3

"""The reduction's price floor: what its prices bound a plan over given locations at.

At the prices of ``Reduction.lower_bound`` a plan over locations T costs at
least the lines' terms plus the g of T's members and the split penalties.
The rated pair and larger-plan searches drop the plans that floor already
puts at the best plan before their own, dearer, bounds; the floor must
never exceed a plan's linear spread (else a plan that could win is lost),
and the searches must answer what they answered without it.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from sourcing.solver.rated_pairs import _pairs_below
from sourcing.solver.reduction import Reduction, may_reach, reduce_candidates
from sourcing.solver.subset_pricing import price_subsets
from tests.solver.builders import loc, order, problem
from tests.solver.test_rated_search import search_every_candidate, split_problems
from tests.solver.test_rates import rated_problems


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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rated_problems(), split_problems()))
def test_pair_and_larger_searches_answer_the_same_with_the_floor(
    problem: SourcingProblem,
) -> None:
    """The searches with the floor find the very plan, cost and proof they find without."""
    arrays, reduction = _reduced(problem)
    usable = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    alone = search_every_candidate(arrays, pairs=True)
    floored = search_every_candidate(arrays, True, reduction.price_floor(usable))
    assert floored.proved == alone.proved
    assert np.array_equal(floored.allocation, alone.allocation)
    assert floored.objective == alone.objective


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


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-50.0, 50.0, allow_subnormal=False), min_size=2, max_size=40),
    st.floats(-100.0, 100.0),
    st.floats(-100.0, 100.0),
    st.sampled_from([0.0, 0.1, 7.0]),
)
def test_pairs_below_the_floor_are_every_such_pair_in_order(
    g_values: list[float], lines: float, room: float, split: float
) -> None:
    """Without listing every pair, the pairs kept are those whose floor sum ``may_reach``
    the room, in ``np.triu_indices`` order."""
    g = np.array(g_values)
    arrays = SourcingArrays.build(
        problem(order([("p1", 1)]), [loc("S0", 5, {"p1": 1})], split=split, split_limit=2)
    )
    keep = np.arange(len(g))
    first, second = _pairs_below(arrays, keep, room, [], (lines, g))
    every_first, every_second = np.triu_indices(len(g), k=1)
    floor = lines + g[every_first] + g[every_second] + arrays.weights.split
    reach = may_reach(floor, room)
    assert first.tolist() == every_first[reach].tolist()
    assert second.tolist() == every_second[reach].tolist()

"""The reference greedy behaves as rule-based systems do."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver import SolveStatus, solve
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from tests.solver.builders import loc, order, problem


def test_nearest_location_holding_everything_wins() -> None:
    """A nearer location with part of the order loses to the nearest with all of it."""
    p = problem(
        order({"p1": 1, "p2": 1}),
        [
            loc("PART", 1, {"p1": 5}),
            loc("ALL_FAR", 9, {"p1": 5, "p2": 5}),
            loc("ALL", 5, {"p1": 5, "p2": 5}),
        ],
    )
    assert solve(p, policy="greedy").served() == {"ALL": {"L1": 1, "L2": 1}}


def test_greedy_takes_most_units_first_then_nearest_on_ties() -> None:
    """Without a full location it takes the one serving most units, nearest first on ties."""
    p = problem(
        order({"p1": 2, "p2": 1, "p3": 1}),
        [
            loc("NEAR_SMALL", 1, {"p3": 1}),
            loc("BIG", 8, {"p1": 2, "p2": 1}),
            loc("P3_NEAR", 2, {"p3": 1}),
        ],
    )
    plan = solve(p, policy="greedy")
    assert plan.served() == {"BIG": {"L1": 2, "L2": 1}, "NEAR_SMALL": {"L3": 1}}


def test_greedy_respects_split_limit_and_rejects_the_rest() -> None:
    """At the split limit the greedy stops and rejects what is left."""
    p = problem(
        order({"p1": 1, "p2": 1, "p3": 1}),
        [loc("A", 1, {"p1": 1}), loc("B", 2, {"p2": 1}), loc("C", 3, {"p3": 1})],
        split_limit=2,
    )
    plan = solve(p, policy="greedy")
    assert plan.served() == {"A": {"L1": 1}, "B": {"L2": 1}}
    assert plan.rejected_units == 1


def test_greedy_ignores_cost_and_the_mip_does_not() -> None:
    """The greedy takes the nearest full location however dear; the MIP takes the cheaper one."""
    p = problem(
        order({"p1": 1}),
        [loc("DEAR", 1, {"p1": 1}, fixed_cost=1000.0), loc("CHEAP", 5, {"p1": 1}, fixed_cost=10.0)],
        fixed=1.0,
    )
    greedy = solve(p, policy="greedy")
    mip = solve(p)
    assert greedy.served() == {"DEAR": {"L1": 1}}
    assert mip.served() == {"CHEAP": {"L1": 1}}
    assert mip.objective.total < greedy.objective.total


def test_greedy_plan_is_not_claimed_optimal() -> None:
    """The greedy proves nothing, so its plan is FEASIBLE with an unknown gap."""
    plan = solve(problem(order({"p1": 1}), [loc("A", 1, {"p1": 1})]), policy="greedy")
    assert plan.status is SolveStatus.FEASIBLE and math.isinf(plan.gap)


def _greedy_by_sorting(arrays: SourcingArrays) -> np.ndarray:
    """The greedy as first written: the available locations sorted by distance (stable),
    each round the first maximum of the units they serve."""
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    remaining = arrays.quantity * (arrays.cap.sum(axis=0) > 0)
    stock_left = arrays.stock.copy()
    by_distance = np.argsort(arrays.distance_km, kind="stable")
    order = by_distance[arrays.cap.sum(axis=1)[by_distance] > 0]
    used = np.zeros(len(arrays.cap), dtype=bool)
    for _ in range(min(arrays.split_limit, len(order))):
        if remaining.sum() == 0:
            break
        wanted = np.zeros(arrays.stock.shape[1], dtype=np.int64)
        np.add.at(wanted, arrays.line_product, remaining)
        servable = np.minimum(stock_left[order], wanted[None, :]).sum(axis=1)
        servable[used[order]] = 0
        best = int(np.argmax(servable))
        if servable[best] == 0:
            break
        location = int(order[best])
        used[location] = True
        for k, product in enumerate(arrays.line_product.tolist()):
            take = min(remaining[k], stock_left[location, product], arrays.cap[location, k])
            if take > 0:
                allocation[location, k] = take
                remaining[k] -= take
                stock_left[location, product] -= take
    return allocation


@st.composite
def tied_arrays(draw: st.DrawFn) -> SourcingArrays:
    """Up to eight locations of two products, often serving alike, at distances from a few
    values: equal ones (-0.0 and 0.0 too), infinite and unknown (NaN)."""
    n = draw(st.integers(1, 8))
    stock = st.fixed_dictionaries({"p1": st.integers(0, 2), "p2": st.integers(0, 2)})
    locations = [loc(f"S{i}", i, draw(stock)) for i in range(n)]
    wanted = order({"p1": draw(st.integers(1, 3)), "p2": draw(st.integers(1, 3))})
    arrays = SourcingArrays.build(problem(wanted, locations, split_limit=draw(st.integers(1, 3))))
    far = st.sampled_from([0.0, -0.0, 1.0, 2.0, math.inf, math.nan])
    return replace(arrays, distance_km=np.array(draw(st.lists(far, min_size=n, max_size=n))))


@settings(max_examples=400, deadline=None)
@given(tied_arrays())
def test_greedy_takes_the_nearest_of_the_most_serving_as_a_sort_does(
    arrays: SourcingArrays,
) -> None:
    """Without the sort, the same plan, however the distances tie."""
    assert np.array_equal(greedy_allocation(arrays), _greedy_by_sorting(arrays))

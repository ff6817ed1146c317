"""The reduction's price steps, alone or for many stores at once, equal the full ascent's.

``Lagrangian.ascend`` sums only the pairs below their line's price;
``lagrangian.ascend_together`` steps many Lagrangians over the same pairs
in one numpy pass per step (``solve.starts`` uses it for the fulfilment
options' stores, for the first steps and the refining ones). Both must end,
bit for bit, where the ascent over every pair ends (prices, best bound and
its g, step), and a store's plan and reduction must be the ones
``solve_arrays`` finds from scratch.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem
from sourcing.solver.deliver_by import delivered_by
from sourcing.solver.greedy import (
    _nearest,
    _servable_units,
    _take,
    greedy_allocation,
    greedy_allocations,
)
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.lagrangian import STEP_DECAY, Lagrangian, ascend_together, same_pairs
from sourcing.solver.objective import evaluate, evaluate_alike
from sourcing.solver.reduction import reduce_candidates
from sourcing.solver.solve import Start, solve_arrays, starts
from sourcing.solver.variants import with_destination
from tests.solver.builders import loc, order, problem
from tests.solver.test_deliver_by import orders_and_dates
from tests.solver.test_properties import problems
from tests.solver.test_scarcity import priced_problems
from tests.solver.test_variants import to_cc


def stores_of(problem: SourcingProblem) -> list[SourcingArrays]:
    """The cart collected at each candidate, derived from the first as the options do."""
    base = SourcingArrays.build(to_cc(problem, 0))
    return [
        with_destination(base, replace(base.problem, order=to_cc(problem, at).order))
        for at in range(len(problem.locations))
    ]


def reference_ascend(prices: Lagrangian, upper_bound: float, steps: int) -> None:
    """``Lagrangian.ascend`` as it was, over every pair: what both ascents must equal."""
    n_lines = len(prices.q)
    for _ in range(steps):
        current = prices.prices
        pair_prices = current[prices.pair_k]
        saving = np.minimum(prices.cost - pair_prices, 0.0) * prices.cap
        g = prices.fixed + np.bincount(prices.pair_l, saving, minlength=len(prices.fixed))
        bound = float(
            current @ prices.q
            + np.minimum(0.0, prices.penalty - current) @ prices.q
            + np.minimum(g, 0.0).sum()
        )
        if bound > prices.best:
            prices.best, prices.best_g = bound, g
        if upper_bound - bound <= 1e-9 * max(1.0, abs(upper_bound)):
            return
        opened = (prices.cost < pair_prices) & (g < 0)[prices.pair_l]
        served = np.bincount(prices.pair_k, opened * prices.cap, minlength=n_lines)
        direction = prices.q - served - prices.q * (prices.penalty < current)
        norm = float(direction @ direction)
        if norm == 0.0:
            return
        prices.prices = current + prices.step * (upper_bound - bound) / norm * direction
        prices.step *= STEP_DECAY


def check(many: list[SourcingArrays], steps: int) -> None:
    reference = [Lagrangian(arrays) for arrays in many]
    alone = [Lagrangian(arrays) for arrays in many]
    together = [Lagrangian(arrays) for arrays in many]
    # Every third row aims below any bound (it stops at once), the others at the
    # greedy's plan (the options' aim) or above it: rows stop at different steps.
    bounds = [
        -1e9 if i % 3 == 1 else evaluate(arrays, greedy_allocation(arrays)).priced_total + i % 3
        for i, arrays in enumerate(many)
    ]
    for reference_one, one, bound in zip(reference, alone, bounds, strict=True):
        reference_ascend(reference_one, bound, steps)
        one.ascend(bound, steps)
    ascend_together(together, bounds, steps)
    for expected, one, other in zip(reference, alone, together, strict=True):
        for got in (one, other):
            assert np.array_equal(got.prices, expected.prices)
            assert got.best == expected.best
            assert np.array_equal(got.best_g, expected.best_g)
            assert got.step == expected.step
    for arrays, start in zip(many, starts(many), strict=True):
        plan, alone_plan = solve_arrays(arrays, start=start), solve_arrays(arrays)
        assert replace(plan, solve_time_s=0.0) == replace(alone_plan, solve_time_s=0.0)
        assert_same_reduction(arrays, start)


def assert_same_reduction(arrays: SourcingArrays, start: Start) -> None:
    """The reduction ``starts`` took (refining steps together) is the one taken alone."""
    greedy = greedy_allocation(arrays)
    expected = reduce_candidates(arrays, evaluate(arrays, greedy).priced_total, greedy)
    got = start.reduction
    assert got is not None
    assert np.array_equal(got.keep, expected.keep)
    assert got.lower_bound == expected.lower_bound
    assert np.array_equal(got.incumbent, expected.incumbent)
    assert got.incumbent_cost == expected.incumbent_cost


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from([1, 5, 40]))
def test_steps_together_equal_steps_alone(problem: SourcingProblem, steps: int) -> None:
    """Random carts and networks, each candidate a collection store."""
    check(stores_of(problem), steps)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_problems())
def test_steps_together_equal_steps_alone_with_scarce_stock_prices(
    pair: tuple[SourcingProblem, SourcingProblem],
) -> None:
    """Scarce-stock prices move the costs and the penalty; the steps still agree."""
    check(stores_of(pair[0]), 40)


def test_lagrangians_over_other_pairs_are_refused() -> None:
    """Orders whose candidates hold other lines cannot share the steps."""
    one = SourcingArrays.build(problem(order([("P1", 1)]), [loc("A", 1, {"P1": 1})]))
    other = SourcingArrays.build(problem(order([("P1", 1)]), [loc("A", 1, {"P2": 1})]))
    with pytest.raises(ValueError, match="pairs"):
        ascend_together([Lagrangian(one), Lagrangian(other)], [10.0, 10.0], 3)


def test_starts_over_other_pairs_take_their_steps_alone() -> None:
    """Arrays whose candidates hold other lines than the first's are started on their own:
    every plan is still the one found from scratch."""
    one = SourcingArrays.build(
        problem(order([("P1", 1)]), [loc("A", 1, {"P1": 1}), loc("B", 5, {"P1": 2})])
    )
    other = SourcingArrays.build(
        problem(order([("P1", 2)]), [loc("A", 1, {"P2": 1}), loc("B", 5, {"P1": 2})])
    )
    many = [one, other, one]
    for arrays, start in zip(many, starts(many), strict=True):
        plan, alone_plan = solve_arrays(arrays, start=start), solve_arrays(arrays)
        assert replace(plan, solve_time_s=0.0) == replace(alone_plan, solve_time_s=0.0)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
)
def test_row_dots_are_the_dots_of_each_row_alone(rows: int, columns: int, seed: int) -> None:
    """The shared steps take each row's dot products with ``np.vecdot``: bit for bit the
    ``@`` of the row alone, which the lone ascent takes."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, columns)) * 10.0 ** rng.integers(-3, 4, size=(rows, columns))
    vector = rng.normal(size=columns) * 10.0 ** rng.integers(-3, 4, size=columns)
    together = np.vecdot(matrix, vector).tolist()
    assert together == [float(matrix[r] @ vector) for r in range(rows)]
    assert np.vecdot(matrix, matrix).tolist() == [float(row @ row) for row in matrix]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2**32 - 1))
def test_first_prices_are_each_lines_cheapest_pair(problem: SourcingProblem, seed: int) -> None:
    """A line's first price is its cheapest pair's cost, the penalty without pairs, as
    ``np.minimum.at`` over the pairs gave it: for built costs, for costs with ties and
    for a store's derived arrays sharing the first's pairs."""
    arrays = SourcingArrays.build(problem)
    rng = np.random.default_rng(seed)
    tied = replace(arrays, unit_cost=rng.choice([0.0, 1.0, 2.5, np.inf], size=arrays.cap.shape))
    first = Lagrangian(arrays)
    for one in (first, Lagrangian(tied), Lagrangian(replace(arrays), like=first)):
        cheapest = np.full(len(one.q), np.inf)
        np.minimum.at(cheapest, one.pair_k, one.cost)
        expected = np.where(np.isfinite(cheapest), cheapest, one.penalty)
        assert np.array_equal(one.prices, expected)
        assert np.array_equal(np.signbit(one.prices), np.signbit(expected))


def reference_greedy(arrays: SourcingArrays) -> np.ndarray:
    """The greedy as it was written for one order alone: what ``greedy_allocations`` must
    give every order, however many share its rounds."""
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    remaining = arrays.quantity * (arrays.cap.sum(axis=0) > 0)
    stock_left = arrays.stock.copy()
    order = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    used = np.zeros(len(arrays.cap), dtype=bool)
    for _ in range(min(arrays.split_limit, len(order))):
        if remaining.sum() == 0:
            break
        servable = _servable_units(arrays, stock_left[order], remaining)
        servable[used[order]] = 0
        if servable.max() == 0:
            break
        location = _nearest(order[servable == servable.max()], arrays.distance_km)
        used[location] = True
        _take(arrays, allocation, remaining, stock_left, location)
    return allocation


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_greedy_of_many_stores_is_each_ones_greedy(problem: SourcingProblem) -> None:
    """Stores sharing their rounds until their nearest tied locations differ (each store
    is nearest to itself, so they part often), and an order over arrays of its own
    beside them, get the greedy each gets alone."""
    many = [*stores_of(problem), SourcingArrays.build(problem)]
    got = greedy_allocations(many)
    assert len(got) == len(many)
    for arrays, allocation in zip(many, got, strict=True):
        assert np.array_equal(allocation, reference_greedy(arrays))
        assert np.array_equal(greedy_allocation(arrays), allocation)
    assert len({id(allocation) for allocation in got}) == len(got)  # each its own array


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_plans_priced_alike_are_priced_as_alone(problem: SourcingProblem) -> None:
    """Stores' plans (equal ones sharing their terms but the distance-priced ones), the
    first store's plan at every store, an order over arrays of its own, and a store with
    a surplus of its own (its units below the ideal level counted again): each priced
    term for term as ``evaluate`` prices it alone."""
    stores = stores_of(problem)
    less = replace(stores[0], surplus=np.maximum(stores[0].surplus - 1, 0))
    many = [*stores, SourcingArrays.build(problem), less]
    greedy = greedy_allocations(many)
    first = [greedy[0].copy() for _ in many]
    for allocations in (greedy, first):
        got = evaluate_alike(many, allocations)
        for arrays, allocation, priced in zip(many, allocations, got, strict=True):
            assert priced == evaluate(arrays, allocation)
            assert priced.terms == evaluate(arrays, allocation).terms


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders_and_dates(), st.sampled_from([1, 5, 40]))
def test_steps_over_fewer_candidates_equal_their_own(
    pair: tuple[SourcingProblem, SourcingProblem], steps: int
) -> None:
    """``fastest``'s arrays (``delivered_by``: candidates left out, other rate cards) take
    the order's pairs with an infinite cost on those they lack: alone or with the order's,
    their steps end bit for bit where their own pairs' end, and so does their plan."""
    base, fast = pair
    order_arrays = SourcingArrays.build(base)
    fast_arrays = delivered_by(order_arrays, fast)
    like = Lagrangian(order_arrays)
    own, alone, together = (
        Lagrangian(fast_arrays),
        Lagrangian(fast_arrays, like),
        Lagrangian(fast_arrays, like),
    )
    aims = [evaluate(a, greedy_allocation(a)).priced_total for a in (order_arrays, fast_arrays)]
    own.ascend(aims[1], steps)
    alone.ascend(aims[1], steps)
    if same_pairs(like, together):
        ascend_together([like, together], aims, steps)
    else:  # stock in transit: built afresh, its capacities may differ
        together.ascend(aims[1], steps)
    for got in (alone, together):
        assert np.array_equal(got.prices, own.prices)
        assert got.best == own.best
        assert np.array_equal(got.best_g, own.best_g)
        assert got.step == own.step
    start = starts([order_arrays, fast_arrays])[1]
    plan, alone_plan = solve_arrays(fast_arrays, start=start), solve_arrays(fast_arrays)
    assert replace(plan, solve_time_s=0.0) == replace(alone_plan, solve_time_s=0.0)
    assert_same_reduction(fast_arrays, start)

"""Scarcity: the served maximum, the rejection floor and the wave's plan under shortage."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import Capacity, SourcingProblem, SourcingProfile, StockPosition, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.problem import controlled_gap
from sourcing.solver.wave.served import ServedCollector, _top_sum, rejection_floor
from tests.solver.builders import loc
from tests.solver.wave.test_solve import _allocations, _brute_force, order, tiny_waves


def _max_served(problem: BatchProblem) -> int:
    """The most units any wave plan serves, by trying every combination."""
    products = sorted({line.product_ref for o in problem.orders for line in o.lines})
    available = np.array(
        [[s.stock[p].available if p in s.stock else 0 for p in products] for s in problem.locations]
    )
    capacity = [s.capacity.total for s in problem.locations]
    options = []
    for o, the_order in enumerate(problem.orders):
        arrays = SourcingArrays.build(
            SourcingProblem(the_order, problem.locations, problem.profile_of(o))
        )
        column = [products.index(line.product_ref) for line in the_order.lines]
        priced = []
        for allocation in _allocations(arrays):
            takes = np.zeros(available.shape, dtype=np.int64)
            for k, j in enumerate(column):
                takes[:, j] += allocation[:, k]
            priced.append((takes, allocation.sum(axis=1) > 0, int(allocation.sum())))
        options.append(priced)
    most = 0
    for combo in itertools.product(*options):
        if (np.sum([c[0] for c in combo], axis=0) > available).any():
            continue
        used = sum(c[1].astype(int) for c in combo)
        if any(cap is not None and u > cap for u, cap in zip(used, capacity, strict=True)):
            continue
        most = max(most, sum(c[2] for c in combo))
    return most


def _served_of(problem: BatchProblem) -> tuple[int, int, float, float]:
    """(demanded, max_served, floor, transport bound) over the wave's starting state."""
    collector, capacity = _collected(problem)
    served = collector.served(capacity)
    return served.demanded, served.max_served, served.floor, served.transport_bound


def _collected(problem: BatchProblem) -> tuple[ServedCollector, IntArray]:
    """Every order's arcs collected over the wave's starting state, and the stores' capacity."""
    collector = ServedCollector(len(problem.locations))
    for o, the_order in enumerate(problem.orders):
        arrays = SourcingArrays.build(
            SourcingProblem(the_order, problem.locations, problem.profile_of(o))
        )
        collector.add(o, arrays)
    capacity = np.array(
        [
            [-1 if c is None else c for c in (s.capacity.total, s.capacity.hd, s.capacity.cc)]
            for s in problem.locations
        ],
        dtype=np.int64,
    )
    return collector, capacity


@st.composite
def scarce_waves(draw: st.DrawFn) -> BatchProblem:
    """Tiny waves where the orders want more than the network holds, often."""
    n_loc = draw(st.integers(2, 3))
    products = ("p1", "p2")
    locations = []
    for i in range(n_loc):
        stock = {p: StockPosition(on_hand=draw(st.integers(0, 2))) for p in products}
        locations.append(
            loc(
                f"S{i}",
                draw(st.integers(0, 300)),
                stock,
                fixed_cost=float(draw(st.sampled_from([0, 50]))),
                shipping_cost_per_km=1.0,
                capacity=Capacity(total=draw(st.sampled_from([None, 1]))),
            )
        )
    n_orders = draw(st.integers(2, 3))
    orders = []
    for o in range(n_orders):
        n_lines = draw(st.integers(1, 2 if n_orders == 2 else 1))
        chosen = draw(st.permutations(products))[:n_lines]
        lines = {p: draw(st.integers(1, 3)) for p in chosen}
        orders.append(order(f"O{o}", draw(st.integers(-300, 300)), lines))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    profile = SourcingProfile(weights, split_limit=draw(st.sampled_from([1, 2, 1000])))
    return BatchProblem(tuple(orders), tuple(locations), profile)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_served_maximum_and_floor_bound_every_plan(problem: BatchProblem) -> None:
    """No plan serves more than max_served; the floor and the wave's bound are below the optimum."""
    _, max_served, floor, transport = _served_of(problem)
    brute_served = _max_served(problem)
    assert max_served >= brute_served
    best, _ = _brute_force(problem)
    assert floor <= best + 1e-6 * max(1.0, best)
    assert transport <= best + 1e-6 * max(1.0, best)
    wave = solve_batch(problem, gap_target=0.0, time_limit_s=20.0)
    assert wave.stats.max_served == max_served
    assert wave.bound <= best + 1e-6 * max(1.0, best)
    assert wave.bound >= floor - 1e-6 * max(1.0, floor)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_wave_never_rejects_more_than_greedy_or_than_needed(problem: BatchProblem) -> None:
    """The wave rejects what no plan can serve, never more than the greedy or the optimum."""
    wave = solve_batch(problem)
    demanded = sum(o.total_units for o in problem.orders)
    assert wave.rejected_units >= demanded - wave.stats.max_served
    assert wave.rejected_units <= sequential_greedy(problem).rejected_units
    # The cheapest plan rejects the fewest units any plan can (the penalty dominates).
    _, fewest = _brute_force(problem)
    assert wave.rejected_units == fewest


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_served_maximum_is_exact_without_split_limit_or_capacity(problem: BatchProblem) -> None:
    """With neither a split limit nor a capacity to relax, the flow is the exact maximum."""
    free = tuple(loc(s.ref, 0.0, s.stock) for s in problem.locations)
    profile = SourcingProfile(problem.profile.weights, split_limit=1000)
    problem = BatchProblem(problem.orders, free, profile)
    _, max_served, _, _ = _served_of(problem)
    assert max_served == _max_served(problem)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_bounds_hold_with_one_arc_per_line(problem: BatchProblem) -> None:
    """Lines cut down to their cheapest arc plus an unlimited overflow still bound every plan."""
    import sourcing.solver.wave.served as served_module

    kept = served_module.ARCS_PER_LINE
    served_module.ARCS_PER_LINE = 1
    try:
        _, max_served, floor, transport = _served_of(problem)
    finally:
        served_module.ARCS_PER_LINE = kept
    best, _ = _brute_force(problem)
    assert max_served >= _max_served(problem)
    assert max(floor, transport) <= best + 1e-6 * max(1.0, best)


def test_floor_takes_the_cheapest_competing_units() -> None:
    """Two lines compete in one component for 3 of their 5 units: the 2 cheapest are the floor."""
    quantity = np.array([2, 3, 4])
    served = np.array([1, 2, 0])  # component 0 serves 3 of 5; line 2 alone serves nothing
    penalty = np.array([10.0, 1.0, 7.0])
    component = np.array([0, 0, 1])
    # Component 0: 2 units short, the cheapest 2 units cost 1 each; component 1: 4 x 7.
    assert rejection_floor(quantity, served, penalty, component) == 2 * 1.0 + 4 * 7.0


def test_capacity_lets_through_the_largest_takes() -> None:
    """A location taking 2 orders lets through its 2 largest orders' units; -1 lets all."""
    location = np.array([0, 0, 0, 1, 1])
    units = np.array([3, 5, 4, 1, 2])
    assert _top_sum(location, units, np.array([2, -1]), 2).tolist() == [9, 3]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 12)), max_size=30),
            st.lists(st.integers(-1, 5), min_size=n, max_size=n),
            st.sampled_from([1, 10**7]),
        )
    )
)
def test_top_sum_matches_brute_force(
    case: tuple[int, list[tuple[int, int]], list[int], int],
) -> None:
    """Per location, the largest takes up to its capacity, counted or (huge takes) sorted."""
    n, takes, capacity, scale = case
    location = np.array([t[0] for t in takes], dtype=np.int64)
    units = np.array([t[1] * scale for t in takes], dtype=np.int64)
    expected = []
    for where in range(n):
        mine = sorted((int(u) for u, at in zip(units, location, strict=True) if at == where))[::-1]
        expected.append(sum(mine if capacity[where] < 0 else mine[: capacity[where]]))
    got = _top_sum(location, units, np.array(capacity, dtype=np.int64), n)
    assert got.tolist() == expected


def test_unservable_units_raise_the_bound_to_the_floor() -> None:
    """Stock for 1 unit, 3 ordered: the wave's bound counts the 2 rejections no plan avoids."""
    locations = (loc("S0", 0, {"p1": 1}, shipping_cost_per_km=1.0),)
    orders = (order("O0", 1.0, {"p1": 2}), order("O1", 2.0, {"p1": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    problem = BatchProblem(orders, locations, SourcingProfile(weights))
    wave = solve_batch(problem)
    assert wave.stats.max_served == 1
    assert wave.stats.rejection_floor == 2 * weights.rejection
    # The transport bound adds the served unit's shipping (1 km): the bound is the optimum.
    assert wave.bound == pytest.approx(2 * weights.rejection + 1.0)
    assert wave.objective == pytest.approx(wave.bound)
    assert wave.rejected_units == 2


@pytest.mark.parametrize(
    ("cost", "bound", "floor", "expected"),
    [
        (110.0, 100.0, 0.0, 0.1),  # no floor: the plain cost over bound
        (1_000_110.0, 1_000_100.0, 1_000_000.0, 0.1),  # the floor taken out of both
        (1_000_000.0, 1_000_000.0, 1_000_000.0, 0.0),  # a plan at the floor
        (1_000_050.0, 1_000_000.0, 1_000_000.0, math.inf),  # a bound no better than the floor
    ],
)
def test_controlled_gap(cost: float, bound: float, floor: float, expected: float) -> None:
    """The controlled gap measures the plan above the unavoidable rejections."""
    assert controlled_gap(cost, bound, floor) == pytest.approx(expected)

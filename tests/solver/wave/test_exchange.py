"""Exchanges between orders: a store's last order slot goes to the order it serves most."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import Capacity, SourcingProblem, SourcingProfile, StockPosition, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.finish import decide_greedy
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.sequence import Cell, NetworkState, apply, settles
from tests.solver.builders import loc
from tests.solver.wave.test_served import _max_served, scarce_waves
from tests.solver.wave.test_solve import _brute_force, order

# What ``Exchanger._key`` gives: (rejected, cost, each order's cost), None when a rule breaks.
Key = tuple[int, float, dict[int, float]] | None


def _slot_wave() -> BatchProblem:
    """S0 holds 2 x p1 and takes one order today; S1 holds nothing; S2 holds 1 x p2.

    The older order O0 wants p1 + p2, the newer O1 wants 2 x p1 + p2. O0
    taking S0's slot serves 1 unit there and leaves O1 nothing it can use
    for p1: 3 rejected. O1 taking it serves 2 there: 2 rejected, the optimum
    (max_served is 3 of the 5 units ordered).
    """
    locations = (
        loc("S0", 10, {"p1": 2}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
        loc("S1", 20, {}, shipping_cost_per_km=1.0),
        loc("S2", 30, {"p2": 1}, shipping_cost_per_km=1.0),
    )
    orders = (order("O0", 0, {"p1": 1, "p2": 1}), order("O1", 0, {"p1": 2, "p2": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, locations, SourcingProfile(weights, split_limit=2))


def test_last_slot_goes_to_the_order_it_serves_most() -> None:
    """The wave rejects the 2 units no plan avoids, not the greedy's 3."""
    problem = _slot_wave()
    best, best_rejected = _brute_force(problem)
    assert best_rejected == 2
    assert _max_served(problem) == 3
    wave = solve_batch(problem, gap_target=0.0)
    assert wave.stats.max_served == 3
    assert wave.rejected_units == 2
    assert wave.objective <= best + 1e-6 * best
    assert sequential_greedy(problem).rejected_units == 3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_settled_orders_are_checked_and_priced_on_their_locations_alone(
    problem: BatchProblem,
) -> None:
    """The moves' check and price of a settled order match the whole network's, on fewer arrays."""
    greedy_plans = sequential_greedy(problem).plans
    plans = dict(enumerate(greedy_plans))
    cells = cells_of(problem, plans)
    n = len(problem.orders)
    alone = [
        SourcingProblem(o, problem.locations, problem.profile_of(i))
        for i, o in enumerate(problem.orders)
    ]
    settled = {o for o in range(n) if settles(SourcingArrays.build(alone[o]))}
    keys = []
    for held in (set(), settled):
        state = NetworkState(problem.locations, problem.state, problem.table, None, held)
        profiles = [problem.profile_of(o) for o in range(n)]
        network = Exchanger(
            state, problem.orders, profiles, lambda o: SourcingArrays.build(alone[o]), np.ones(n)
        )
        network.load(plans)
        old = network.release(list(range(n)))
        keys.append(network._key(list(range(n)), old))
        for o in settled & held:
            arrays, _ = network._arrays_for(o, cells[o])
            assert len(arrays.problem.locations) == max(len({loc for loc, _ in cells[o]}), 1)
    assert keys[0] is not None and keys[1] is not None
    assert keys[0][0] == keys[1][0]
    assert keys[0][1] == pytest.approx(keys[1][1], rel=1e-9)


@st.composite
def _spread_waves(draw: st.DrawFn) -> BatchProblem:
    """Waves of 4-6 orders over 4-6 stores, often far apart: many orders keep to their own."""
    products = ("p1", "p2", "p3")
    locations = [
        loc(
            f"S{i}",
            draw(st.sampled_from([0, 10, 500, 510, 1000])),
            {p: StockPosition(on_hand=draw(st.integers(0, 3))) for p in products},
            fixed_cost=float(draw(st.sampled_from([0, 50]))),
            shipping_cost_per_km=1.0,
            capacity=Capacity(total=draw(st.sampled_from([None, 1, 2]))),
        )
        for i in range(draw(st.integers(4, 6)))
    ]
    orders = []
    for o in range(draw(st.integers(4, 6))):
        chosen = draw(st.permutations(products))[: draw(st.integers(1, 2))]
        lines = {p: draw(st.integers(1, 3)) for p in chosen}
        orders.append(order(f"O{o}", draw(st.sampled_from([0, 500, 1000])), lines))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    profile = SourcingProfile(weights, split_limit=draw(st.sampled_from([1, 2])))
    return BatchProblem(tuple(orders), tuple(locations), profile)


def _spy(network: Exchanger, priced: list[list[int]]) -> Callable[..., Key]:
    """``network._key``, recording in ``priced`` the orders each call prices."""
    key = network._key

    def spy(touched: Sequence[int], cells: Mapping[int, dict[Cell, int]]) -> Key:
        priced.append(list(touched))
        return key(touched, cells)

    return spy


def _priced_orders(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Record the orders each ``Exchanger._key`` call prices, in call order."""
    priced: list[list[int]] = []
    key = Exchanger._key

    def spy(self: Exchanger, touched: list[int], cells: dict[int, dict[Cell, int]]) -> object:
        priced.append(list(touched))
        return key(self, touched, cells)

    monkeypatch.setattr(Exchanger, "_key", spy)
    return priced


def _loaded(problem: BatchProblem, plans: dict[int, Plan]) -> tuple[Exchanger, NetworkState]:
    """The network with ``plans`` held, every order settled that settles."""
    n = len(problem.orders)
    alone = [
        SourcingProblem(o, problem.locations, problem.profile_of(i))
        for i, o in enumerate(problem.orders)
    ]
    settled = {o for o in range(n) if settles(SourcingArrays.build(alone[o]))}
    state = NetworkState(problem.locations, problem.state, problem.table, None, settled)
    profiles = [problem.profile_of(o) for o in range(n)]
    network = Exchanger(
        state, problem.orders, profiles, lambda o: SourcingArrays.build(alone[o]), np.ones(n)
    )
    network.load(plans)
    return network, state


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_spread_waves(), st.data())
def test_replace_decides_alike_without_pricing_orders_apart(
    problem: BatchProblem, data: st.DataObject
) -> None:
    """Leaving out the unchanged orders apart from every change gives the same move and network."""
    n = len(problem.orders)
    greedy_plans = dict(enumerate(sequential_greedy(problem).plans))
    state = NetworkState(problem.locations, problem.state, problem.table)
    profiles = [problem.profile_of(o) for o in range(n)]
    backwards = apply(state, problem.orders, profiles, range(n - 1, -1, -1), decide_greedy, "g")
    other = cells_of(problem, backwards)
    touched = data.draw(st.permutations(range(n)))
    moved = data.draw(st.sets(st.sampled_from(range(n)), min_size=1))
    results = []
    for skip in (True, False):
        network, state = _loaded(problem, greedy_plans)
        if not skip:
            network._apart = lambda *_: set()  # type: ignore[method-assign]
        old = network.release(touched)
        new = {o: dict(other[o]) if o in moved else dict(old[o]) for o in touched}
        better = network.replace(old, new)
        taken = {p: units.tolist() for p, units in state.taken.items()}
        rejected = dict(network.rejected)
        results.append((better, network.allocation(), rejected, taken, state.total.tolist()))
    assert results[0] == results[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_spread_waves(), st.data())
def test_replace_keeps_the_old_cells_key_and_decides_as_pricing_them_again(
    problem: BatchProblem, data: st.DataObject
) -> None:
    """Moves priced on the new cells alone decide as when the old ones are priced too.

    Without the ideal-stock term no cost reads the stock left, so the key
    kept for the old cells is the one pricing them again gives.
    """
    n = len(problem.orders)
    greedy_plans = dict(enumerate(sequential_greedy(problem).plans))
    state = NetworkState(problem.locations, problem.state, problem.table)
    profiles = [problem.profile_of(o) for o in range(n)]
    backwards = apply(state, problem.orders, profiles, range(n - 1, -1, -1), decide_greedy, "g")
    moves = data.draw(st.lists(st.permutations(range(n)), min_size=1, max_size=3))
    results, calls = [], []
    for kept in (True, False):
        other = cells_of(problem, backwards)
        network, state = _loaded(problem, greedy_plans)
        priced: list[list[int]] = []
        spy = _spy(network, priced)
        network._key = spy  # type: ignore[method-assign]
        if not kept:
            network._held_key = spy  # type: ignore[method-assign]
        decided = []
        for touched in moves:
            old = network.release(touched)
            new = {o: dict(other[o]) if o % 2 else dict(old[o]) for o in touched}
            if kept:  # the key kept for the old cells is the one pricing them again gives
                held, again = network._held_key(touched, old), Exchanger._key(network, touched, old)
                assert held is not None and again is not None and held[0] == again[0]
                assert held[1] == pytest.approx(again[1], rel=1e-12, abs=1e-9)
            decided.append(network.replace(old, new))
            other = {o: dict(cells) for o, cells in old.items()}  # the next move swaps back
        taken = {p: units.tolist() for p, units in state.taken.items()}
        results.append((decided, network.allocation(), dict(network.rejected), taken))
        calls.append(len(priced))
    assert results[0] == results[1]
    assert calls[0] * 2 == calls[1]  # each move priced its new cells alone


def test_unchanged_orders_apart_from_the_change_are_not_priced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Of three settled orders, the one far from the change keeps its cells unpriced."""
    locations = (
        loc("A", 0, {"p": 2}, shipping_cost_per_km=1.0),
        loc("B", 5, {"p": 2}, shipping_cost_per_km=1.0),
        loc("F", 900, {"p": 2}, shipping_cost_per_km=1.0),
    )
    orders = (order("O0", 0, {"p": 1}), order("O1", 900, {"p": 1}), order("O2", 5, {"p": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    problem = BatchProblem(orders, locations, SourcingProfile(weights, split_limit=1))
    network, _ = _loaded(problem, dict(enumerate(sequential_greedy(problem).plans)))
    assert network.state.settled == {0, 1, 2}
    priced = _priced_orders(monkeypatch)
    old = network.release([0, 1, 2])
    assert old[0] == {(0, 0): 1} and old[1] == {(2, 0): 1} and old[2] == {(1, 0): 1}
    new = {0: {(1, 0): 1}, 1: dict(old[1]), 2: dict(old[2])}  # O0 moves to B, where O2 is
    assert not network.replace(old, new)  # B is 5 km further for O0
    assert priced == [[0, 2]]  # O1, alone at F, is held as it is; the old cells' key is kept
    assert network.allocation() == old

"""Exchanges between orders: a store's last order slot goes to the order it serves most."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sourcing.solver import Capacity, SourcingProblem, SourcingProfile, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.sequence import NetworkState, settles
from tests.solver.builders import loc
from tests.solver.wave.test_served import _max_served, scarce_waves
from tests.solver.wave.test_solve import _brute_force, order


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

"""Large-neighbourhood search: competing orders solved jointly on what the others hold."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.steps as steps_module
from sourcing.solver import Capacity, SourcingProfile, Weights
from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.neighbourhood import Neighbourhoods, cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState, apply
from sourcing.solver.wave.served import plan_key
from sourcing.solver.wave.steps import WaveSolver
from tests.solver.builders import loc
from tests.solver.wave.test_exchange import _slot_wave
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import _brute_force, order, tiny_waves


def _search(
    problem: BatchProblem,
) -> tuple[Neighbourhoods, dict[int, Plan], list[int], dict[int, Plan]]:
    """The search over ``problem`` and the greedy's plans it starts from; its result."""
    n = len(problem.orders)
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    search = Neighbourhoods(problem, solver.profiles, solver.penalty_raise, solver.rank)
    plans, sequence = search.run(greedy, list(range(n)), time.perf_counter() + 30.0)
    return search, plans, sequence, greedy


def _reapplied(
    problem: BatchProblem, plans: dict[int, Plan], sequence: list[int]
) -> tuple[int, float]:
    """(rejected, cost) of the plans applied again in their sequence, each checked there."""
    state = NetworkState(problem.locations, problem.state, problem.table)
    profiles = [problem.profile_of(o) for o in range(len(problem.orders))]
    given_cells = decide_from(cells_of(problem, plans))
    applied = apply(state, problem.orders, profiles, sequence, given_cells, "batch")
    return plan_key(applied.values())


def test_neighbourhood_gives_the_last_slot_to_the_order_it_serves_most() -> None:
    """From the greedy's 3 rejected units to the 2 no plan avoids, in one joint move."""
    problem = _slot_wave()
    search, plans, sequence, greedy = _search(problem)
    assert plan_key(greedy.values())[0] == 3
    assert plan_key(plans.values())[0] == 2
    assert search.moves >= 1
    best, _ = _brute_force(problem)
    assert plan_key(plans.values())[1] <= best + 1e-6 * best
    assert _reapplied(problem, plans, sequence) == plan_key(plans.values())


def _store_slot_wave() -> BatchProblem:
    """S (at 0 km) holds p and q and takes one order today; W (100 km) holds plenty of both.

    O0 (45 km) wants 1 x p, O1 (-10 km) 1 x q: no product in common. Applied
    in order, O0 takes S's one slot (46 against 56 from W) and O1 ships from
    W (111): 157. O0 from W and O1 from S cost 67, the optimum. O2 wants
    2 x r, of which R holds 1 (a unit no plan serves); O3 and O4, far east,
    want x from F. A neighbourhood of orders wanting one product never
    holds O0 and O1 together; one around S, the location the plan
    saturates, does.
    """
    locations = (
        loc("S", 0, {"p": 1, "q": 1}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
        loc("W", 100, {"p": 5, "q": 5}, shipping_cost_per_km=1.0),
        loc("R", 60, {"r": 1}, shipping_cost_per_km=1.0),
        loc("F", 500, {"x": 5}, shipping_cost_per_km=1.0),
    )
    orders = (
        order("O0", 45, {"p": 1}),
        order("O1", -10, {"q": 1}),
        order("O2", 50, {"r": 2}),
        order("O3", 500, {"x": 1}),
        order("O4", 510, {"x": 1}),
    )
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, locations, SourcingProfile(weights, split_limit=1))


def test_neighbourhood_frees_a_store_slot_for_the_order_nearest_it() -> None:
    """From the greedy's plan to the optimum: O0 gives S's last slot up to O1 (157 -> 67)."""
    problem = _store_slot_wave()
    search, plans, sequence, greedy = _search(problem)
    penalty = problem.profile.weights.rejection
    best, fewest = _brute_force(problem)
    assert fewest == 1
    assert plan_key(greedy.values())[1] - penalty > best - penalty + 80  # 90 above it
    assert search.moves >= 1
    assert plan_key(plans.values())[0] == 1
    assert np.isclose(plan_key(plans.values())[1], best, rtol=1e-9)
    assert _reapplied(problem, plans, sequence) == plan_key(plans.values())
    served = {plans[o].order_ref: {f.location_ref for f in plans[o].fulfilments} for o in plans}
    assert served["O0"] == {"W"}
    assert served["O1"] == {"S"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scarce_waves(), tiny_waves()))
def test_neighbourhoods_never_lose_a_unit_and_stay_valid(problem: BatchProblem) -> None:
    """From the greedy's plan: (rejected, cost) never rises, the plan holds when applied again."""
    _, plans, sequence, greedy = _search(problem)
    key = plan_key(plans.values())
    assert key <= plan_key(greedy.values())
    assert sorted(sequence) == list(range(len(problem.orders)))
    reapplied = _reapplied(problem, plans, sequence)
    assert reapplied[0] == key[0]
    assert np.isclose(reapplied[1], key[1], rtol=1e-9, atol=1e-6)
    best, fewest = _brute_force(problem)
    assert key[0] >= fewest
    assert key[1] >= best - 1e-6 * max(1.0, best)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scarce_waves())
def test_large_wave_path_never_rejects_more_than_greedy(problem: BatchProblem) -> None:
    """Waves too large for a MIP over every location (neighbourhoods instead): still no loss."""
    kept = steps_module.ALL_CANDIDATE_CELLS
    steps_module.ALL_CANDIDATE_CELLS = 0
    try:
        wave = solve_batch(problem, time_limit_s=5.0)
    finally:
        steps_module.ALL_CANDIDATE_CELLS = kept
    demanded = sum(o.total_units for o in problem.orders)
    assert wave.rejected_units >= demanded - wave.stats.max_served
    assert wave.rejected_units <= sequential_greedy(problem).rejected_units
    best, _ = _brute_force(problem)
    assert wave.bound <= best + 1e-6 * max(1.0, best)

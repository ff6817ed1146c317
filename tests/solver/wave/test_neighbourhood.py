"""Large-neighbourhood search: competing orders solved jointly on what the others hold."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.data as data_module
import sourcing.solver.wave.neighbourhood as neighbourhood_module
import sourcing.solver.wave.polish as polish_module
import sourcing.solver.wave.steps as steps_module
from sourcing.solver import Capacity, SourcingProfile, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch
from sourcing.solver.wave.choice import KINDS, Chooser
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.mip import WaveMip, solve_wave_mip
from sourcing.solver.wave.model import OrderModel, Wave
from sourcing.solver.wave.neighbourhood import Neighbourhoods, cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState, apply
from sourcing.solver.wave.served import plan_key
from sourcing.solver.wave.shortage import surely_short
from sourcing.solver.wave.steps import WaveSolver
from tests.solver.builders import loc
from tests.solver.wave.test_exchange import _priced_orders, _slot_wave
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


def _fresh_network(problem: BatchProblem, solver: WaveSolver) -> tuple[Exchanger, NetworkState]:
    """An exchanger over ``problem``'s fresh network state, and that state (nothing loaded)."""
    state = NetworkState(problem.locations, problem.state, problem.table)
    network = Exchanger(
        state,
        problem.orders,
        solver.profiles,
        lambda o: SourcingArrays.build(problem.problem_of(o)),
        solver.penalty_raise,
    )
    return network, state


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
    """Waves too large for a MIP over every location (neighbourhoods instead): still no loss.

    Surely short of stock, they skip the candidate models and the prices (``shortage``).
    """
    kept = steps_module.ALL_CANDIDATE_CELLS
    steps_module.ALL_CANDIDATE_CELLS = 0
    try:
        wave = solve_batch(problem, time_limit_s=5.0)
    finally:
        steps_module.ALL_CANDIDATE_CELLS = kept
    if surely_short(problem):
        assert wave.stats.candidates == 0
        assert wave.stats.lagrangian_steps == 0
        assert "fit" not in wave.stats.seconds
    demanded = sum(o.total_units for o in problem.orders)
    assert wave.rejected_units >= demanded - wave.stats.max_served
    assert wave.rejected_units <= sequential_greedy(problem).rejected_units
    best, _ = _brute_force(problem)
    assert wave.bound <= best + 1e-6 * max(1.0, best)


def test_candidates_without_ascent_price_no_subsets_and_keep_the_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A neighbourhood's candidates come from the first line prices: no subset is priced."""
    problem = _store_slot_wave()

    def no_pricing(*_: object, **__: object) -> None:
        raise AssertionError("subsets priced")

    monkeypatch.setattr(data_module, "price_block", no_pricing)
    arrays = [SourcingArrays.build(problem.problem_of(o)) for o in range(len(problem.orders))]
    far = int(np.flatnonzero([location.ref == "W" for location in problem.locations])[0])
    keep = {o: np.array([far], dtype=np.int64) for o in range(2)}
    models = fit(lambda o: arrays[o], range(len(arrays)), {}, keep=keep, candidates=1, ascent=False)
    for o in range(2):  # W is kept although S is cheaper for both
        assert far in models[o].cand_location.tolist()
    for model in models:  # every line any location may give still has a candidate giving it
        assert set(model.entry_line.tolist()) == set(range(len(model.quantity)))


def test_an_unchanged_neighbourhood_is_held_again_without_pricing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Orders the MIP left as they were are not priced twice: no change, no comparison."""
    problem = _store_slot_wave()
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    network, state = _fresh_network(problem, solver)
    network.load(dict(enumerate(sequential_greedy(problem).plans)))
    before = network.allocation()
    taken = {p: units.copy() for p, units in state.taken.items()}
    total = state.total.copy()
    priced = _priced_orders(monkeypatch)
    old = network.release([0, 1, 2])
    assert not network.replace(old, {o: dict(cells) for o, cells in old.items()})
    assert priced == []
    assert network.allocation() == before
    assert all(np.array_equal(state.taken[p], units) for p, units in taken.items())
    assert np.array_equal(state.total, total)


def test_neighbourhood_size_follows_the_faster_gain_and_still_tries_the_other() -> None:
    """Twice the size once it gains more per second; the size itself every EXPLORE-th time."""
    problem = _store_slot_wave()
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    search = Neighbourhoods(problem, solver.profiles, solver.penalty_raise, solver.rank)
    assert search._twice() == 0  # each measured once, the size first
    search._learn(0, 1.0)
    assert search._twice() == 1
    search._learn(1, 5.0)
    chosen = []
    for tried in range(1, 2 * neighbourhood_module.EXPLORE + 1):
        search.tried = tried
        chosen.append(search._twice())
    assert chosen.count(0) == 2
    assert chosen.count(1) == len(chosen) - 2
    for _ in range(20):  # the size gains more now: its recent rate overtakes
        search._learn(0, 50.0)
    search.tried = 1
    assert search._twice() == 0


def test_at_the_floor_the_neighbourhoods_leave_out_around(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No unit left to win: no neighbourhood is seeded by the orders rejecting most."""

    def no_around(*_: object) -> None:
        raise AssertionError("around drawn at the floor")

    monkeypatch.setattr(Chooser, "_around", no_around)
    problem = _store_slot_wave()
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    search = Neighbourhoods(
        problem, solver.profiles, solver.penalty_raise, solver.rank, at_floor=True
    )
    plans, _ = search.run(greedy, list(range(len(problem.orders))), time.perf_counter() + 30.0)
    assert search.tried > len(KINDS)
    best, _ = _brute_force(problem)
    assert np.isclose(plan_key(plans.values())[1], best, rtol=1e-9)


def test_the_neighbourhoods_solve_from_their_plan_without_heuristics_but_the_rejecting_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A neighbourhood's hint is its orders' plans as held, so SCIP's heuristics are off.

    They stay on for the long MIP over every order rejecting units.
    """
    asked: list[bool] = []

    def spy(wave: Wave, *args: Any) -> WaveMip:
        asked.append(bool(args[-1]))
        return solve_wave_mip(wave, *args)

    monkeypatch.setattr(neighbourhood_module, "solve_wave_mip", spy)
    for problem, at_floor in ((_store_slot_wave(), True), (_rejecting_wave(), False)):
        asked.clear()
        _search_from_greedy(problem, at_floor)
        assert len(asked) > 1
        if not at_floor:  # the first MIP is over the orders rejecting units
            assert asked.pop(0)
        assert not any(asked)


def _search_from_greedy(problem: BatchProblem, at_floor: bool) -> None:
    """Run the neighbourhood search on ``problem`` from the sequential greedy's plans."""
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    search = Neighbourhoods(
        problem, solver.profiles, solver.penalty_raise, solver.rank, at_floor=at_floor
    )
    search.run(greedy, list(range(len(problem.orders))), time.perf_counter() + 30.0)


def test_at_the_floor_each_order_of_a_neighbourhood_gets_more_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CANDIDATES_AT_FLOOR per order with only cost to win, CANDIDATES otherwise.

    The MIP over every rejecting order keeps its REJECTING_CANDIDATES.
    """
    asked: list[int] = []
    fitted = fit

    def spy(*args: Any, **kwargs: Any) -> list[OrderModel]:
        asked.append(kwargs["candidates"])
        return fitted(*args, **kwargs)

    monkeypatch.setattr(neighbourhood_module, "fit", spy)
    for problem, at_floor in ((_store_slot_wave(), True), (_rejecting_wave(), False)):
        asked.clear()
        _search_from_greedy(problem, at_floor)
        assert len(asked) > 1
        if at_floor:
            assert set(asked) == {neighbourhood_module.CANDIDATES_AT_FLOOR}
        else:
            assert asked[0] == neighbourhood_module.REJECTING_CANDIDATES
            assert set(asked[1:]) == {neighbourhood_module.CANDIDATES}
    assert neighbourhood_module.CANDIDATES_AT_FLOOR > neighbourhood_module.CANDIDATES


def _deadlines_asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """Record each neighbourhood search's deadline beside the wave's, in call order."""
    asked: list[tuple[float, float]] = []
    search = polish_module.Polishing._neighbourhoods

    def spy(
        self: WaveSolver,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
        deadline: float,
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        asked.append((deadline, self.deadline))
        return search(self, plans, sequence, key, explain, deadline)

    monkeypatch.setattr(polish_module.Polishing, "_neighbourhoods", spy)
    return asked


def test_at_the_floor_the_neighbourhoods_may_use_the_time_to_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A short wave serving the most keeps no time for exchanges after its neighbourhoods."""
    asked = _deadlines_asked(monkeypatch)
    wave = solve_batch(_store_slot_wave(), time_limit_s=2.0)
    assert wave.rejected_units == 1  # the unit of r no location holds
    assert len(asked) == 1
    assert asked[0][0] == asked[0][1]


def test_the_time_kept_for_an_application_follows_one_measured_on_the_wave() -> None:
    """Once a given plan has been applied, the time kept for an application is bounded by
    what that took (with a margin), not by the estimate from the greedy's time alone."""
    problem = _slot_wave()
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    solver.seconds["greedy"] = 1000.0  # as though the greedy's application had taken 1,000 s
    estimate = solver._application_time()
    assert estimate >= 1000.0
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    n = len(problem.orders)
    applied = solver._apply_given(list(range(n)), decide_from(cells_of(problem, greedy)), False)
    assert plan_key(applied.values()) == plan_key(greedy.values())  # the same plan
    assert solver.given_s > 0.0
    assert solver._application_time() < estimate
    assert solver._application_time() <= 2 * solver.given_s + 0.1 + 1e-9


def _rejecting_wave() -> BatchProblem:
    """S (0 km) holds 2 x p and 2 x q and takes one order today; z is held nowhere.

    The older O0 wants p + z, the newer O1 p + 2 x q + z. In order, O0 takes
    S's one slot for its p and O1 gets nothing: 1 + 4 = 5 rejected. O1 at S
    serves 3 units: 2 + 1 = 3 rejected, the optimum, above the 2 the units
    alone force (S's slot, not its stock, binds). Both orders reject units,
    so the neighbourhood of the rejecting orders holds both.
    """
    locations = (
        loc("S", 0, {"p": 2, "q": 2}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
        loc("T", 50, {"y": 1}, shipping_cost_per_km=1.0),
    )
    orders = (order("O0", 5, {"p": 1, "z": 1}), order("O1", 10, {"p": 1, "q": 2, "z": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, locations, SourcingProfile(weights, split_limit=2))


def test_the_rejecting_orders_solved_together_serve_what_no_order_alone_can() -> None:
    """The first move of a search with units left to win: the greedy's 5 rejected units to 3."""
    problem = _rejecting_wave()
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    assert plan_key(greedy.values())[0] == 5
    assert _brute_force(problem)[1] == 3
    search = Neighbourhoods(problem, solver.profiles, solver.penalty_raise, solver.rank)
    network, _ = _fresh_network(problem, solver)
    network.load(greedy)
    search.chooser.moved(network.allocation(), network.cost)
    order = search._rejecting_first(network, [0, 1], time.perf_counter() + 30.0)
    assert search.moves == 1
    assert sum(network.rejected.values()) == 3
    assert network.allocation()[1] == {(0, 0): 1, (0, 1): 2}
    assert sorted(order) == [0, 1]


def _split_slot_wave() -> BatchProblem:
    """S holds p, T holds q, one order a day each; O0 wants p + q + z in one parcel, O1 z.

    z is held nowhere. The served maximum leaves out the split limit, so it
    serves O0's p at S and its q at T: 2 of the 4 units, a floor of 2
    rejected. Any plan ships O0 from one place: 3 rejected at best, above
    the floor, and the greedy's plan fills the slot it uses.
    """
    locations = (
        loc("S", 0, {"p": 1}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
        loc("T", 50, {"q": 1}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
    )
    orders = (order("O0", 5, {"p": 1, "q": 1, "z": 1}), order("O1", 10, {"z": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, locations, SourcingProfile(weights, split_limit=1))


def test_where_capacity_binds_a_short_wave_gives_the_neighbourhoods_the_paths_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Store slots binding under shortage: no augmenting paths, the search may run to the limit."""
    augmented: list[bool] = []

    def no_paths(self: WaveSolver, *args: object) -> object:
        augmented.append(True)
        raise AssertionError("augmenting paths where capacity binds")

    monkeypatch.setattr(polish_module.Polishing, "_augmented", no_paths)
    asked = _deadlines_asked(monkeypatch)
    problem = _split_slot_wave()
    assert _brute_force(problem)[1] == 3
    wave = solve_batch(problem, time_limit_s=2.0)
    assert wave.rejected_units == 3  # above the served maximum's floor of 2: paths could run
    assert augmented == []
    assert len(asked) == 1
    assert asked[0][0] == asked[0][1]


def test_a_model_fitted_over_some_locations_reads_over_the_whole_network() -> None:
    """Over the locations holding the order's products alone, the same model as over all."""
    problem = _store_slot_wave()
    state = NetworkState(problem.locations, problem.state, problem.table)
    o = 2  # O2 wants r, which R (location 2) alone holds; S and W hold p and q
    profile = problem.profile_of(o)
    whole = SourcingArrays.build(state.problem(problem.orders[o], profile))
    at = np.array([1, 2], dtype=np.int64)
    some = SourcingArrays.build(state.problem(problem.orders[o], profile, at))
    [over_all] = fit(lambda _: whole, [o], {}, candidates=5, ascent=False)
    [over_some] = fit(lambda _: some, [o], {}, candidates=5, ascent=False)
    moved = neighbourhood_module._over(over_some, at)
    assert over_some.cand_location.tolist() == [1]  # R, among W and R
    assert moved.cand_location.tolist() == over_all.cand_location.tolist() == [2]
    assert moved.entry_code.tolist() == over_all.entry_code.tolist()
    assert neighbourhood_module._over(over_all, None) is over_all


def test_neighbourhoods_over_each_orders_superset_still_find_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every order's arrays over its superset (tiny here), the store slot still moves."""
    monkeypatch.setattr(neighbourhood_module, "SUPERSET_FROM", 0)
    problem = _store_slot_wave()
    n = len(problem.orders)
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    for o in range(n):  # the wave's arrays of each order say whether it settles
        solver._arrays(o)
    assert solver.settled == set(range(n))
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    search = Neighbourhoods(
        problem, solver.profiles, solver.penalty_raise, solver.rank, settled=solver.settled
    )
    search.superset_size = 1
    plans, sequence = search.run(greedy, list(range(n)), time.perf_counter() + 30.0)
    assert search.superset  # the arrays were over the supersets
    best, _ = _brute_force(problem)
    assert np.isclose(plan_key(plans.values())[1], best, rtol=1e-9)
    assert _reapplied(problem, plans, sequence) == plan_key(plans.values())


def test_the_time_kept_for_the_final_application_follows_the_pace_of_pricing_orders() -> None:
    """Before any order is priced the time given is kept; after, the wave's orders at that pace.

    A sample of the orders priced before the search measures it, so a wave
    whose flow's plan was never applied does not keep the greedy-based estimate.
    """
    problem = _slot_wave()
    n = len(problem.orders)
    solver = WaveSolver(problem, time.perf_counter(), time.perf_counter() + 60.0)
    network, _ = _fresh_network(problem, solver)
    greedy = dict(enumerate(sequential_greedy(problem).plans))
    network.load(greedy)
    search = Neighbourhoods(problem, solver.profiles, solver.penalty_raise, solver.rank)
    assert search._kept(network, 1000.0) == 1000.0  # nothing priced yet
    network.measure(list(range(n)))
    assert network.priced == n
    pace = network.priced_s / n
    assert search._kept(network, 1000.0) == pytest.approx(2.0 * pace * n + 0.1)
    assert search._kept(network, 1e-6) == 1e-6  # never more than the time given
    assert network.allocation() == cells_of(problem, greedy)  # measuring holds them again

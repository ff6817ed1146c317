"""Orders solved one by one at the prices of the wave's own demand keep a store's last
order slot for the order that has nowhere else to go."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import make_network, order_stream
from sourcing.solver import Capacity, SourcingProfile, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.solve import solve_arrays
from sourcing.solver.wave import BatchProblem, solve_batch, steps
from sourcing.solver.wave import finish as finish_module
from sourcing.solver.wave.finish import Finishing
from sourcing.solver.wave.priced_sequence import (
    capacity_binds,
    near,
    priced_sequence,
    units_per_fulfilment,
    wave_prices,
)
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.sequence import NetworkState, apply, greedy
from sourcing.solver.wave.steps import _capacity
from tests.solver.builders import loc
from tests.solver.wave.test_exchange import _slot_wave as _short_slot_wave
from tests.solver.wave.test_solve import order


def _slot_wave() -> BatchProblem:
    """NEAR (at the customers, one order a day) holds p1 and p2; FAR (50 km) holds p1 only.

    O0 comes first and wants p1, O1 wants p2. The greedy gives O0 NEAR's slot,
    the nearest, and O1 has nowhere to go: 1 unit rejected. The optimum sends
    O0 to FAR and O1 to NEAR: nothing rejected.
    """
    locations = (
        loc("NEAR", 0, {"p1": 1, "p2": 1}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
        loc("FAR", 50, {"p1": 1}, shipping_cost_per_km=1.0),
    )
    orders = (order("O0", 0, {"p1": 1}), order("O1", 0, {"p2": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, locations, SourcingProfile(weights, split_limit=1))


def _state(problem: BatchProblem) -> NetworkState:
    assert problem.table is not None
    return NetworkState(problem.locations, None, problem.table)


def test_the_slot_goes_to_the_order_with_nowhere_else_to_go() -> None:
    """The greedy rejects O1's unit; at the wave's prices O0 goes to FAR, and nothing is
    rejected."""
    problem = _slot_wave()
    profiles = [problem.profile] * 2
    greedy_plans = apply(
        _state(problem), problem.orders, profiles, [0, 1], lambda _, a: greedy(a), "greedy"
    )
    assert [p.rejected_units for p in greedy_plans.values()] == [0, 1]
    prices = wave_prices(
        _state(problem),
        problem.orders,
        problem.profile.weights,
        _capacity(problem),
        units_per_fulfilment(list(greedy_plans.values())),
    )
    # NEAR's slot is priced (it is the only way to serve p2), FAR's stock is not scarce.
    assert prices.per_fulfilment.get("NEAR", 0.0) > 50.0
    plans = priced_sequence(_state(problem), problem.orders, profiles, [0, 1], prices, np.inf)
    assert plans is not None
    assert [p.rejected_units for p in plans.values()] == [0, 0]
    assert [f.location_ref for f in plans[0].fulfilments] == ["FAR"]
    assert [f.location_ref for f in plans[1].fulfilments] == ["NEAR"]
    # The plans cost what they cost: the prices steer and are not paid.
    assert plans[0].objective.priced_total == plans[0].objective.total


def test_past_its_deadline_an_order_takes_the_greedys_allocation() -> None:
    """With no time left every order is placed by the greedy: the plan is still whole."""
    problem = _slot_wave()
    profiles = [problem.profile] * 2
    prices = wave_prices(
        _state(problem), problem.orders, problem.profile.weights, _capacity(problem), 1.0
    )
    late = priced_sequence(
        _state(problem), problem.orders, profiles, [0, 1], prices, time.perf_counter() - 1.0
    )
    assert late is not None
    assert sorted(late) == [0, 1]
    assert [f.location_ref for f in late[0].fulfilments] == ["NEAR"]
    assert late[1].rejected_units == 1


def test_an_order_whose_greedy_takes_nothing_priced_is_not_solved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the greedy's allocation takes no priced unit or slot, the order keeps it unsolved;
    an order whose greedy takes a priced slot is still solved exactly."""
    import sourcing.solver.wave.priced_sequence as module

    problem = _slot_wave()
    profiles = [problem.profile] * 2
    solved: list[str] = []
    exact = solve_arrays

    def counting(arrays: SourcingArrays, **kwargs: Any) -> Plan:
        solved.append(arrays.problem.order.ref)
        return exact(arrays, **kwargs)

    monkeypatch.setattr(module, "solve_arrays", counting)
    plans = priced_sequence(
        _state(problem), problem.orders, profiles, [0, 1], ScarcityPrices(), np.inf
    )
    assert plans is not None
    assert solved == []
    assert [f.location_ref for f in plans[0].fulfilments] == ["NEAR"]  # the greedy's
    assert plans[1].rejected_units == 1
    # NEAR's slot priced: O0's greedy takes it, so O0 is solved (and goes to FAR).
    priced = ScarcityPrices(per_fulfilment={"NEAR": 100.0})
    plans = priced_sequence(_state(problem), problem.orders, profiles, [0, 1], priced, np.inf)
    assert plans is not None
    assert solved[0] == "O0"
    assert [f.location_ref for f in plans[0].fulfilments] == ["FAR"]
    assert [p.rejected_units for p in plans.values()] == [0, 0]


def test_capacity_binds_when_a_plan_fills_a_stores_slots() -> None:
    """The greedy fills NEAR's one slot: capacity binds; with two slots, or none, it does not."""
    problem = _slot_wave()
    profiles = [problem.profile] * 2
    table = problem.table
    assert table is not None
    plans = list(
        apply(
            _state(problem), problem.orders, profiles, [0, 1], lambda _, a: greedy(a), "g"
        ).values()
    )
    capacity = _capacity(problem)
    assert capacity_binds(plans, capacity, table, problem.orders)
    roomy = capacity.copy()
    roomy[0, 0] = 2
    assert not capacity_binds(plans, roomy, table, problem.orders)
    assert not capacity_binds(plans, np.full_like(capacity, -1), table, problem.orders)


@pytest.mark.parametrize("short_path", [False, True])
def test_where_the_priced_orders_gave_a_plan_no_repaired_assignment_is_applied(
    monkeypatch: pytest.MonkeyPatch, short_path: bool
) -> None:
    """Short of stock with capacity binding: only the joint MIP's assignment is applied after.

    Too large for the joint MIP over every location, the wave takes the short
    path (no candidate models, no assignments) and tries the priced orders too.
    """
    if short_path:
        monkeypatch.setattr(steps, "ALL_CANDIDATE_CELLS", 0)
    applied: list[bool] = []
    priced: list[bool] = []
    rescue, solve_priced = Finishing._rescue, Finishing._priced

    def spy_rescue(self: Finishing, assignment: Assignment) -> tuple[list[int], set[int]]:
        applied.append(assignment is self.joint)
        return rescue(self, assignment)

    def spy_priced(
        self: Finishing,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        result = solve_priced(self, plans, sequence, key, explain)
        priced.append(bool(result[0]))
        return result

    monkeypatch.setattr(Finishing, "_rescue", spy_rescue)
    monkeypatch.setattr(Finishing, "_priced", spy_priced)
    wave = solve_batch(_short_slot_wave(), gap_target=0.0)
    assert priced == [True]
    assert all(applied)
    assert (wave.stats.candidates == 0) == short_path
    assert wave.rejected_units == 2  # the units no plan serves


def _many_stores() -> BatchProblem:
    """O0 wants 1 p1 and 1 p2; twelve stores 1, 2, ... 12 km away hold one p1 each, and only
    the farthest holds p2 too (two slots a day everywhere)."""
    stores = tuple(
        loc(
            f"S{k}",
            k,
            {"p1": 1, "p2": 1} if k == 12 else {"p1": 1},
            shipping_cost_per_km=1.0,
            capacity=Capacity(total=2),
        )
        for k in range(1, 13)
    )
    orders = (order("O0", 0, {"p1": 1, "p2": 1}),)
    weights = Weights(fixed=10.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    return BatchProblem(orders, stores, SourcingProfile(weights, split_limit=2))


def test_near_keeps_each_lines_cheapest_locations_and_the_ones_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Per line the cheapest locations able to give some of it, and those the allocation uses."""
    import sourcing.solver.wave.priced_sequence as module

    problem = _many_stores()
    arrays = SourcingArrays.build(problem.problem_of(0))
    monkeypatch.setattr(module, "NEAR_PER_LINE", 2)
    nothing = np.zeros_like(arrays.cap)
    # p1: S1 and S2 nearest; p2: S12 alone holds it (a location without the line's stock is
    # never one of its cheapest).
    assert near(arrays, nothing).tolist() == [0, 1, 11]
    used = nothing.copy()
    used[5, 0] = 1  # S6's p1: used, so kept
    assert near(arrays, used).tolist() == [0, 1, 5, 11]


def test_an_order_of_a_large_network_is_solved_over_its_near_locations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a network many times larger than an order's near locations the priced solve sees
    only those, and finds the plan the solve over every location finds."""
    import sourcing.solver.wave.priced_sequence as module

    problem = _many_stores()
    profiles = [problem.profile]
    seen: list[int] = []
    exact = solve_arrays

    def counting(arrays: SourcingArrays, **kwargs: Any) -> Plan:
        seen.append(len(arrays.cap))
        return exact(arrays, **kwargs)

    monkeypatch.setattr(module, "solve_arrays", counting)
    monkeypatch.setattr(module, "NEAR_PER_LINE", 1)
    monkeypatch.setattr(module, "NEAR_FROM", 12)  # a network this large counts as large
    priced = ScarcityPrices(per_fulfilment={"S12": 1.0})  # the greedy takes S12: solved
    plans = priced_sequence(_state(problem), problem.orders, profiles, [0], priced, np.inf)
    assert plans is not None
    assert seen == [2]  # S1 (p1's nearest) and S12 (p2's only, and the greedy's)
    near_plan = plans[0]
    # A network not that much larger: the solve sees every location, and plans alike.
    monkeypatch.setattr(module, "NEAR_SHARE", 0.1)
    plans = priced_sequence(_state(problem), problem.orders, profiles, [0], priced, np.inf)
    assert plans is not None
    assert seen == [2, 12]
    assert plans[0].fulfilments == near_plan.fulfilments
    assert plans[0].objective == near_plan.objective
    assert {f.location_ref for f in near_plan.fulfilments} == {"S1", "S12"}
    # A smaller network than NEAR_FROM: every location too.
    monkeypatch.setattr(module, "NEAR_SHARE", 0.2)
    monkeypatch.setattr(module, "NEAR_FROM", 13)
    plans = priced_sequence(_state(problem), problem.orders, profiles, [0], priced, np.inf)
    assert plans is not None
    assert seen == [2, 12, 12]


def _scarce_slot_wave() -> BatchProblem:
    """The bench's ``scarce_capacity`` wave of 100 orders over 100 locations: short, slots bind.

    Too large for the joint MIP over every location, so it takes the short
    wave's steps, and the greedy fills some store's order slots.
    """
    config = replace(FAMILIES["scarce_capacity"].config(100, 100, 0), days=1)
    return BatchProblem.from_problems(list(order_stream(make_network(config), 100)))


def test_the_wave_prices_its_demand_only_in_the_time_it_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demand LP is bounded by the priced step's share of the time, and skipped without it.

    Untimed, the LP of a 5,000 x 500 scarce wave took 51 s of a 55 s wave.
    """
    calls: list[float] = []

    def spy(*args: Any, **kwargs: Any) -> ScarcityPrices:
        assert kwargs.get("time_limit_s") is not None
        calls.append(kwargs["time_limit_s"])
        return wave_prices(*args, **kwargs)

    monkeypatch.setattr(finish_module, "wave_prices", spy)
    problem = _scarce_slot_wave()
    out_of_time = solve_batch(problem, time_limit_s=0.001)
    assert calls == []
    assert out_of_time.rejected_units <= out_of_time.stats.greedy_rejected_units
    solve_batch(problem, time_limit_s=5.0)
    assert len(calls) == 1
    assert 0.0 < calls[0] < 5.0

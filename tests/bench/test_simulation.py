"""Sequential simulation: each decision consumes stock and daily capacity the later orders see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from sourcing.bench.policies import DEFAULT_POLICIES, Policy, make_policy
from sourcing.bench.simulation import Instance, NetworkState, simulate, waves
from sourcing.solver import Capacity, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import IntArray
from tests.solver.builders import loc, order, problem


def numbered(the_problem: SourcingProblem, n: int) -> SourcingProblem:
    """``the_problem`` with its order renamed O<n>."""
    return replace(the_problem, order=replace(the_problem.order, ref=f"O{n}"))


@pytest.mark.parametrize("policy", DEFAULT_POLICIES)
def test_second_order_cannot_use_stock_the_first_took(policy: str) -> None:
    """The first order reserves the only unit, so the second order's unit is rejected."""
    store = loc("S1", 1.0, {"P1": 1})
    first = numbered(problem(order({"P1": 1}), [store]), 1)
    second = numbered(problem(order({"P1": 1}), [store]), 2)
    run = simulate(make_policy(policy), Instance("one unit", (first, second), (0, 0)))
    assert [(r.shipments, r.rejected_units) for r in run.records] == [(1, 0), (0, 1)]
    assert all(not r.error for r in run.records)


@pytest.mark.parametrize(("days", "rejected"), [((0, 0), [0, 1]), ((0, 1), [0, 0])])
def test_daily_capacity_is_consumed_and_comes_back_the_next_day(
    days: tuple[int, int], rejected: list[int]
) -> None:
    """A store taking one order a day serves the second order only on another day."""
    store = loc("S1", 1.0, {"P1": 5}, capacity=Capacity(total=1))
    orders = tuple(numbered(problem(order({"P1": 1}), [store]), n) for n in (1, 2))
    run = simulate(make_policy("greedy"), Instance("capacity", orders, days))
    assert [r.rejected_units for r in run.records] == rejected
    assert run.capacity_offered == len(set(days))
    assert run.capacity_used == 2 - sum(rejected)


def test_taking_reserves_units_and_leaves_the_locations_alone() -> None:
    """take() adds to the reserved units the next order sees; the locations never change."""
    used, untouched = loc("S1", 1.0, {"P1": 3, "P2": 2}), loc("S2", 2.0, {"P1": 4})
    state = NetworkState([used, untouched])
    the_problem = problem(order({"P1": 2, "P2": 1}), [used, untouched])
    first = state.problem(the_problem.order, the_problem.profile)
    state.take(SourcingArrays.build(first), np.array([[2, 1], [0, 0]], dtype=np.int64))
    after = state.problem(the_problem.order, the_problem.profile)
    assert SourcingArrays.build(after).stock.tolist() == [[1, 1], [4, 0]]
    assert SourcingArrays.build(first).stock.tolist() == [[3, 2], [4, 0]]  # handed out, kept
    assert after.locations is first.locations == (used, untouched)
    assert used.stock["P1"].available == 3


def test_a_wave_shares_one_state_with_every_order_s_products() -> None:
    """The problems of a wave carry one state listing the products of all its orders."""
    store = loc("S1", 1.0, {"P1": 3, "P2": 2, "P3": 1})
    state = NetworkState([store])
    wave = state.wave([problem(order({"P1": 1}), [store]), problem(order({"P2": 1}), [store])])
    shared = wave[0].state
    assert shared is not None and wave[1].state is shared
    assert sorted(shared.stock) == ["P1", "P2"]


class _Overeager(Policy):
    """Takes every unit of every line from the first candidate, valid or not."""

    name = "overeager"

    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        result = []
        for the_problem in problems:
            allocation = np.zeros((len(the_problem.locations), 1), dtype=np.int64)
            allocation[0, 0] = the_problem.order.lines[0].quantity
            result.append(allocation)
        return result


def test_an_invalid_allocation_is_recorded_and_takes_nothing() -> None:
    """A plan beyond the stock is flagged, rejected in full, and leaves the stock for later."""
    store = loc("S1", 1.0, {"P1": 2})
    orders = (
        numbered(problem(order({"P1": 3}), [store]), 1),
        numbered(problem(order({"P1": 2}), [store]), 2),
    )
    run = simulate(_Overeager(), Instance("invalid", orders, (0, 0)))
    first, second = run.records
    assert "beyond its stock" in first.error
    assert first.rejected_units == 3
    assert not second.error
    assert second.rejected_units == 0


def test_waves_never_cross_a_day() -> None:
    """Waves hold at most wave_size consecutive orders, all of one day."""
    the_problem = problem(order({"P1": 1}), [loc("S1", 1.0, {"P1": 9})])
    instance = Instance("days", (the_problem,) * 5, (0, 0, 0, 1, 1))
    assert waves(instance, 2) == [range(0, 2), range(2, 3), range(3, 5)]
    assert waves(instance, None) == [range(0, 3), range(3, 5)]
    assert waves(instance, 1) == [range(i, i + 1) for i in range(5)]


@pytest.mark.parametrize(
    ("days", "match"), [((0,), "one day per order"), ((1, 0), "arrival order")]
)
def test_instance_checks_its_days(days: tuple[int, ...], match: str) -> None:
    """Days must match the orders one to one and never go back."""
    the_problem = problem(order({"P1": 1}), [loc("S1", 1.0, {"P1": 9})])
    with pytest.raises(ValueError, match=match):
        Instance("bad", (the_problem, the_problem), days)

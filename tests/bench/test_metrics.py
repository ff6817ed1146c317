"""Metrics on a tiny instance whose costs are known by hand."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from sourcing.bench.bound import lp_bound
from sourcing.bench.metrics import cost_parts, problems, summarise
from sourcing.bench.policies import make_policy
from sourcing.bench.results import BoundInfo, InstanceKey, OrderRow, Results, RunInfo
from sourcing.bench.simulation import Instance, simulate
from sourcing.solver import Capacity, SourcingProblem
from tests.solver.builders import loc, order, problem

KEY = InstanceKey("hand", 2, 0, 2)


def hand_instance() -> Instance:
    """Two orders over two stores: the first needs both stores, the second finds P1 gone.

    Weights: fixed 1, handling 1, split 10 (shipping and ideal stock off).
    Order 1 (P1 x2, P2 x1): A gives 2 x P1 (fixed 100, handling 2 x 2), B gives
    P2 (fixed 50, handling 1), one split (10): 165. Order 2 (P1 x1): A's two
    units are gone and B has none, so the unit is rejected at 1,000,000.
    """
    a = loc("A", 1.0, {"P1": 2}, fixed_cost=100.0, handling_cost=2.0, capacity=Capacity(total=5))
    b = loc("B", 2.0, {"P2": 1}, fixed_cost=50.0, handling_cost=1.0)

    def make(ref: str, lines: dict[str, int]) -> SourcingProblem:
        the_problem = problem(order(lines), [a, b], fixed=1.0, handling=1.0, split=10.0)
        return replace(the_problem, order=replace(the_problem.order, ref=ref))

    return Instance("hand", (make("O1", {"P1": 2, "P2": 1}), make("O2", {"P1": 1})), (0, 0))


def hand_results(policies: tuple[str, ...] = ("greedy", "mip")) -> Results:
    """Each policy's run over the hand instance, and its bound, as a run's raw results."""
    instance = hand_instance()
    results = Results([], [], [])
    for name in policies:
        run = simulate(make_policy(name), instance)
        results.orders += [OrderRow(KEY, name, record) for record in run.records]
        results.runs.append(
            RunInfo(
                KEY, name, run.capacity_used, run.capacity_offered, run.max_rejection_penalty,
                1.0, 100.0,
            )
        )  # fmt: skip
    bound = lp_bound(instance.problems, instance.days)
    results.bounds.append(
        BoundInfo(
            KEY, bound.value, bound.lp_value, bound.rejected_units, bound.status,
            bound.variables, bound.constraints, bound.build_s, bound.solve_s, 100.0,
        )
    )  # fmt: skip
    return results


@pytest.mark.parametrize("policy", ["greedy", "priority", "fewest_splits", "mip"])
def test_summary_adds_up_the_hand_computed_costs(policy: str) -> None:
    """Every policy has one plan here; cost, parts, splits and rejections match the hand sums."""
    [summary] = summarise(hand_results((policy,)))
    assert summary.cost == pytest.approx(1_000_165.0)
    assert summary.parts == pytest.approx(
        {
            "fixed": 150.0,
            "handling": 5.0,
            "shipping": 0.0,
            "split": 10.0,
            "ideal_stock": 0.0,
            "rejection": 1_000_000.0,
            "other": 0.0,
        }
    )
    assert summary.service_cost == pytest.approx(165.0)
    assert summary.orders == 2
    assert summary.shipments_per_order == pytest.approx(1.0)
    assert summary.split_share == pytest.approx(0.5)
    assert summary.rejected_units == 1
    assert summary.units == 4
    # A alone has a capacity (5 a day); order 1 used it once.
    assert summary.capacity_used == pytest.approx(1 / 5)
    assert summary.invalid == 0


def test_the_bound_is_the_hand_optimum_here() -> None:
    """No fraction helps on this instance, so the LP bound is the optimal cost and the gap is 0."""
    [greedy, mip] = summarise(hand_results())
    assert greedy.bound == pytest.approx(1_000_165.0)
    assert mip.gap == pytest.approx(0.0, abs=1e-9)


def test_grouping_sums_costs_and_bounds() -> None:
    """Summaries over all policies add their orders; a group of one policy keeps its bound."""
    results = hand_results()
    [both] = summarise(results, ("family",))
    assert both.orders == 4
    assert both.cost == pytest.approx(2 * 1_000_165.0)
    assert math.isnan(both.bound)  # a bound is per policy, never summed across policies
    assert [s.policy for s in summarise(results, ("policy",))] == ["greedy", "mip"]
    with pytest.raises(ValueError, match="grouping"):
        summarise(results, ("colour",))


def test_problems_flag_a_cost_below_the_bound_and_invalid_plans() -> None:
    """A run is only clean when every plan is valid and no policy beats the bound."""
    results = hand_results(("greedy",))
    assert problems(results) == []
    results.bounds[0] = replace(results.bounds[0], value=2_000_000.0)
    record = replace(results.orders[0].record, error="S1 gives 1 units of P1 beyond its stock")
    results.orders[0] = replace(results.orders[0], record=record)
    found = problems(results)
    assert any("below the bound" in p for p in found)
    assert any("beyond its stock" in p for p in found)


def test_cost_parts_fold_the_other_terms() -> None:
    """Terms outside the report's parts are summed into 'other'."""
    parts = cost_parts({"fixed": 1.0, "speed": 2.0, "markdown": 3.0, "rejection": 4.0})
    assert parts["other"] == 5.0
    assert parts["fixed"] == 1.0
    assert parts["shipping"] == 0.0


def test_results_round_trip_through_csv(tmp_path: Path) -> None:
    """Writing a run's CSV files and reading them back gives the same figures."""
    results = hand_results()
    results.write(tmp_path)
    again = Results.read(tmp_path)
    assert again.runs == results.runs
    assert again.bounds == results.bounds
    for before, after in zip(summarise(results), summarise(again), strict=True):
        assert replace(after, latency_ms=before.latency_ms) == before
        assert after.latency_ms == pytest.approx(before.latency_ms)

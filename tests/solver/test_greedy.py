"""The reference greedy behaves as rule-based systems do."""

from __future__ import annotations

import math

from sourcing.solver import SolveStatus, solve
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

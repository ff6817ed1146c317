"""Under a time limit the solver returns its best plan, never worse than the greedy's."""

from __future__ import annotations

import numpy as np

from sourcing.solver import (
    GeoPoint,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    SolveStatus,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
    Weights,
    solve,
)


def large_problem(seed: int, n_locations: int = 800) -> SourcingProblem:
    """A seeded 5-line order over many sparse-stock stores."""
    rng = np.random.default_rng(seed)
    locations = tuple(
        Location(
            f"S{i}",
            LocationType.STORE,
            GeoPoint(float(rng.uniform(-25, -19)), float(rng.uniform(-50, -40))),
            {
                f"p{j}": StockPosition(int(rng.integers(0, 4)), ideal_qty=int(rng.integers(0, 3)))
                for j in range(5)
                if rng.random() < 0.3
            },
            fixed_cost=float(rng.uniform(300, 900)),
            handling_cost=float(rng.uniform(20, 100)),
            shipping_cost_per_km=float(rng.uniform(0.5, 1.5)),
        )
        for i in range(n_locations)
    )
    lines = tuple(OrderLine(f"L{k}", f"p{k}", int(rng.integers(1, 4))) for k in range(5))
    order = Order("O1", OrderType.HD, lines, GeoPoint(-22.0, -45.0))
    return SourcingProblem(order, locations, SourcingProfile(Weights(split=100.0)))


def test_tiny_time_limit_returns_a_valid_plan_no_worse_than_greedy() -> None:
    """A 1 ms budget still yields a plan; unless proved optimal it says FEASIBLE with a gap."""
    for seed in range(3):
        problem = large_problem(seed)
        plan = solve(problem, time_limit_s=0.001)
        greedy = solve(problem, policy="greedy")
        assert plan.objective.total <= greedy.objective.total + 1e-6
        if plan.status is SolveStatus.FEASIBLE:
            assert plan.gap > 0.0
        else:
            assert plan.gap == 0.0


def test_enough_time_proves_optimality() -> None:
    """Given time, the same instance is solved to proven optimality and beats the greedy."""
    problem = large_problem(0)
    plan = solve(problem, time_limit_s=60.0)
    greedy = solve(problem, policy="greedy")
    assert plan.status is SolveStatus.OPTIMAL and plan.gap == 0.0
    assert plan.objective.total <= greedy.objective.total + 1e-6
    assert plan.rejected_units <= greedy.rejected_units

"""A wave surely short of stock whose MIP would not see every location takes the short path."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem, sequential_greedy, solve_batch, steps
from sourcing.solver.wave.finish import Finishing
from sourcing.solver.wave.shortage import surely_short
from tests.solver.wave.test_exchange import _slot_wave
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import _brute_force


@pytest.fixture
def not_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every wave counts as too large for the joint MIP over every location."""
    monkeypatch.setattr(steps, "ALL_CANDIDATE_CELLS", 0)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scarce_waves())
def test_a_short_wave_skips_the_candidate_models(
    not_everywhere: None, problem: BatchProblem
) -> None:
    """Surely short: no candidate model, no price step; no more rejected than the greedy."""
    wave = solve_batch(problem, time_limit_s=5.0)
    if surely_short(problem):
        assert wave.stats.candidates == 0
        assert wave.stats.lagrangian_steps == 0
        assert "fit" not in wave.stats.seconds
    demanded = sum(o.total_units for o in problem.orders)
    assert wave.rejected_units >= demanded - wave.stats.max_served
    assert wave.rejected_units <= sequential_greedy(problem).rejected_units
    best, _ = _brute_force(problem)
    assert wave.bound <= best + 1e-6 * max(1.0, best)


def test_where_capacity_binds_the_short_path_solves_the_orders_at_the_waves_prices(
    not_everywhere: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The greedy fills S0's one slot: the priced sequence is tried; 2 units rejected."""
    priced: list[int] = []
    solve_priced = Finishing._priced

    def spy_priced(
        self: Finishing,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        priced.append(key[0])  # the units rejected before it: the greedy's
        return solve_priced(self, plans, sequence, key, explain)

    monkeypatch.setattr(Finishing, "_priced", spy_priced)
    problem = _slot_wave()
    assert surely_short(problem)
    wave = solve_batch(problem)
    assert priced == [sequential_greedy(problem).rejected_units]
    assert wave.stats.candidates == 0
    assert wave.rejected_units == 2  # the units no plan serves

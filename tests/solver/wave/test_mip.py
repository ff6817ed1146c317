"""The wave model as one MIP: the hint SCIP starts from."""

from __future__ import annotations

import numpy as np
import pytest

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import make_network, order_stream
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchProblem, sequential_greedy
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.mip import _hint_take, _hint_values, solve_wave_mip, wave_model
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.polish import assignment_of
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.steps import _capacity


def _greedy_wave(family: str, seed: int, n: int = 40) -> tuple[Wave, IntArray, Assignment]:
    """A bench-like wave of ``n`` orders over each one's 8 cheapest locations and its greedy
    ones, and the greedy's plan as the hint."""
    network = make_network(FAMILIES[family].config(30, n, seed))
    problem = BatchProblem.from_problems(list(order_stream(network, n)))
    arrays = [SourcingArrays.build(problem.problem_of(o)) for o in range(n)]
    hint = assignment_of(problem, dict(enumerate(sequential_greedy(problem).plans)))
    keep = {o: np.unique(hint.location[hint.order == o]) for o in range(n)}
    models = fit(lambda o: arrays[o], range(n), {}, keep=keep, candidates=8, ascent=False)
    return Wave.of(models), _capacity(problem), hint


@pytest.mark.parametrize(("family", "seed"), [("scarce", 0), ("scarce", 1), ("scarce_capacity", 0)])
def test_the_hint_sets_every_variable_to_a_solution_of_the_model(family: str, seed: int) -> None:
    """Not x and y alone: a partial hint SCIP must first complete with a sub-MIP of its own.

    The values meet every row and bound of the model, and hold the hint's units.
    """
    wave, capacity, hint = _greedy_wave(family, seed)
    built = wave_model(wave, capacity, wave.plan_penalty)
    take = _hint_take(wave, hint)
    assert take.sum() == hint.units.sum() > 0
    values = _hint_values(wave, built, take)
    assert len(values) == len(built.cost)
    assert np.all(values >= 0) and np.all(values <= built.upper)
    assert np.allclose(values, np.rint(values))
    row_lower, row_upper = built.rows.bounds()
    activity = built.rows.matrix(len(values)) @ values
    assert np.all(activity >= row_lower - 1e-9) and np.all(activity <= row_upper + 1e-9)
    # The split and ideal-stock terms are there to be set (not a model without them).
    assert len(built.split_orders) and len(values) > built.n_integer


@pytest.mark.parametrize(("family", "seed"), [("scarce", 0), ("scarce", 1), ("scarce_capacity", 0)])
def test_with_no_time_to_search_the_plan_found_is_no_dearer_than_the_hint(
    family: str, seed: int
) -> None:
    """SCIP takes the full hint as its first incumbent before it presolves.

    With x and y hinted alone it found no plan at all in the time.
    """
    wave, capacity, hint = _greedy_wave(family, seed)
    rank = np.arange(wave.n_orders)
    found = solve_wave_mip(wave, capacity, wave.plan_penalty, rank, hint, 1e-3, 0.0)
    assert found.assignment is not None
    assert found.assignment.estimate <= hint_estimate(wave, capacity, hint) + 1e-6


def hint_estimate(wave: Wave, capacity: IntArray, hint: Assignment) -> float:
    """The model's cost of the hint's plan."""
    built = wave_model(wave, capacity, wave.plan_penalty)
    return float(built.cost @ _hint_values(wave, built, _hint_take(wave, hint)))


@pytest.mark.parametrize(("family", "seed"), [("scarce", 0), ("scarce", 1), ("scarce_capacity", 0)])
def test_without_heuristics_the_mip_still_reaches_the_optimum(family: str, seed: int) -> None:
    """SCIP's primal heuristics off (every name of ``HEURISTICS`` one it knows): the same optimum.

    A name SCIP does not know fails the whole solve: no plan at all.
    """
    wave, capacity, hint = _greedy_wave(family, seed, 12)
    rank = np.arange(wave.n_orders)
    found = [
        solve_wave_mip(wave, capacity, wave.plan_penalty, rank, hint, 60.0, 0.0, 1e-6, heuristics)
        for heuristics in (True, False)
    ]
    with_them, without = (f.assignment for f in found)
    assert with_them is not None and without is not None
    assert found[0].bound == pytest.approx(with_them.estimate, rel=1e-9)  # proved optimal
    assert without.estimate == pytest.approx(with_them.estimate, rel=1e-9)
    assert without.estimate <= hint_estimate(wave, capacity, hint) + 1e-6

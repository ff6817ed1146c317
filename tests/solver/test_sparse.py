"""The shared sparse builder, and how a MIP's end is read: only a limit is not an error."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.options import SolveOptions
from sourcing.solver.sparse import (
    SolverError,
    SparseColumns,
    SparseRows,
    best_bound,
    build_model,
    finished,
)


def knapsack() -> tuple[mbh.ModelBuilderHelper, SparseColumns]:
    """min -3a - 2b - 2c  s.t. a + b + c <= 2, a, b, c in {0, 1}: optimum -5."""
    columns, rows = SparseColumns(), SparseRows()
    x = columns.add(np.array([-3.0, -2.0, -2.0]), np.ones(3))
    rows.at_most(np.zeros(3, dtype=np.int64), x, np.array([2.0]), np.array([True]))
    cost, upper = columns.arrays()
    model = build_model(np.zeros(3), upper, cost, rows)
    for j in x:
        model.set_var_integrality(int(j), True)
    return model, columns


def test_rows_keep_only_groups_that_can_bind() -> None:
    """at_most writes one row per kept group, over that group's columns only."""
    rows = SparseRows()
    group = np.array([0, 0, 1, 2, 2])
    cols = np.array([10, 11, 12, 13, 14])
    rows.at_most(group, cols, np.array([1.0, 5.0, 2.0]), np.array([True, False, True]))
    assert rows.count == 2
    dense = rows.matrix(15).toarray()
    assert dense[0, [10, 11]].tolist() == [1.0, 1.0] and dense[0].sum() == 2
    assert dense[1, [13, 14]].tolist() == [1.0, 1.0] and dense[1].sum() == 2
    lower, upper = rows.bounds()
    assert np.isneginf(lower).all()
    assert upper.tolist() == [1.0, 2.0]


def test_a_solved_model_reads_as_finished_with_its_bound() -> None:
    """An optimal end is finished, and the bound equals the optimum."""
    model, _ = knapsack()
    solver = mbh.ModelSolverHelper("scip")
    solver.solve(model)
    assert finished(solver, "test", 10.0)
    assert solver.objective_value() == pytest.approx(-5.0)
    assert best_bound(solver) == pytest.approx(-5.0)


def test_bad_solver_parameters_raise_instead_of_passing_for_a_limit() -> None:
    """An end a valid model never has (here INVALID_SOLVER_PARAMETERS) is a SolverError.

    Before, the MIP treated it like a time limit: the greedy plan came back as
    FEASIBLE with gap 1.0 and nothing was logged.
    """
    model, _ = knapsack()
    solver = mbh.ModelSolverHelper("scip")
    solver.set_solver_specific_parameters("limits/no_such_parameter = 3")
    solver.solve(model)
    with pytest.raises(SolverError, match=r"INVALID_SOLVER_PARAMETERS|MODEL_INVALID|ABNORMAL"):
        finished(solver, "test", 10.0)


def test_an_infeasible_model_raises() -> None:
    """Every model built here can reject units, so INFEASIBLE can only be a bug."""
    columns, rows = SparseColumns(), SparseRows()
    x = columns.add(np.array([1.0]), np.array([1.0]))
    rows.add(np.array([0]), x, np.array([1.0]), np.array([2.0]), np.array([2.0]))
    cost, upper = columns.arrays()
    model = build_model(np.zeros(1), upper, cost, rows)
    solver = mbh.ModelSolverHelper("scip")
    solver.solve(model)
    with pytest.raises(SolverError, match="INFEASIBLE"):
        finished(solver, "test", 10.0)


def test_a_time_limit_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """A solve stopped by its limit is an expected end, and it leaves a log line."""
    rng = np.random.default_rng(1)
    n = 400
    columns, rows = SparseColumns(), SparseRows()
    x = columns.add(-rng.integers(50, 100, n).astype(float), np.ones(n))
    for _ in range(30):
        cols = rng.choice(n, 60, replace=False)
        rows.add(np.zeros(60, dtype=np.int64), x[cols], rng.integers(20, 60, 60).astype(float),
                 np.array([-np.inf]), np.array([300.0]))  # fmt: skip
    cost, upper = columns.arrays()
    model = build_model(np.zeros(n), upper, cost, rows)
    for j in x:
        model.set_var_integrality(int(j), True)
    solver = mbh.ModelSolverHelper("scip")
    solver.set_time_limit_in_seconds(0.001)
    with caplog.at_level(logging.INFO, logger="sourcing.solver.sparse"):
        solver.solve(model)
        if solver.status() is mbh.SolveStatus.OPTIMAL:
            pytest.skip("solved to optimality within 1 ms; no limit to observe")
        finished(solver, "test", 0.001)
    assert "stopped at its limit" in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"policy": "cheapest"}, "policy"),
        ({"backend": "gurobi"}, "backend"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"time_limit_s": float("nan")}, "time_limit_s"),
        ({"time_limit_s": True}, "time_limit_s"),
    ],
)
def test_solve_options_name_the_bad_field(kwargs: dict[str, object], field: str) -> None:
    """Options are checked once where they enter; the error names the field."""
    with pytest.raises(ValueError, match=field):
        SolveOptions.of(**kwargs)  # type: ignore[arg-type]


def test_solve_options_accept_the_strings_callers_send() -> None:
    """The CLI, gRPC and bench pass plain strings; they become the enums."""
    options = SolveOptions.of(policy="greedy", backend="highs", time_limit_s=2)
    assert (options.policy, options.backend, options.time_limit_s) == ("greedy", "highs", 2.0)

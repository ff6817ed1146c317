"""The one sparse model builder: columns, constraint rows, and reading a MIP's end.

The per-order MIP (``mip``), the wave's joint MIP (``wave.mip``) and the
bench's whole-horizon LP bound all build their models the same way: blocks of
variables with costs and bounds, and blocks of rows given as coordinate
triplets with a lower and an upper bound each. This module holds that
builder and the rules for reading how a solve ended, so the three agree.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.types import BoolArray, FloatArray, IntArray

log = logging.getLogger(__name__)

_NO_ROWS: IntArray = np.zeros(0, dtype=np.int64)


class SolverError(RuntimeError):
    """The MIP solver ended in a way a valid model never should: a bug, not a hard instance.

    Every model built here is feasible (every unit can be rejected), so only
    OPTIMAL, FEASIBLE and a limit reached are expected ends.
    """

    def __init__(self, model: str, status: str, detail: str = "") -> None:
        self.model = model
        self.status = status
        suffix = f": {detail}" if detail else ""
        super().__init__(f"The {model} MIP ended with {status}{suffix}.")


class SparseColumns:
    """The model's variables, block by block: costs and upper bounds (lower bounds are 0)."""

    def __init__(self) -> None:
        self.cost: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def add(self, cost: FloatArray, upper: FloatArray) -> IntArray:
        """Add ``len(cost)`` variables; returns their ids."""
        self.cost.append(np.asarray(cost, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        ids = np.arange(self.count, self.count + len(cost), dtype=np.int64)
        self.count += len(cost)
        return ids

    def arrays(self) -> tuple[FloatArray, FloatArray]:
        """Every variable's cost and upper bound."""
        if not self.count:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.cost), np.concatenate(self.upper)


class SparseRows:
    """Constraint rows accumulated as coordinate triplets, each with a lower and upper bound."""

    def __init__(self) -> None:
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def add(
        self, rows: IntArray, cols: IntArray, vals: FloatArray, lower: FloatArray, upper: FloatArray
    ) -> None:
        """Add ``len(lower)`` rows; ``rows`` index them from 0."""
        self.rows.append(np.asarray(rows, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.count += len(lower)

    def at_most(self, group: IntArray, cols: IntArray, limit: FloatArray, keep: BoolArray) -> None:
        """One row per kept group: the sum of its columns is at most ``limit[group]``.

        ``group[i]`` is the group of column ``cols[i]``; groups whose ``keep``
        is false (their limit cannot bind) get no row.
        """
        kept = np.flatnonzero(keep)
        if not len(kept):
            return
        row_of = np.full(len(keep), -1, dtype=np.int64)
        row_of[kept] = np.arange(len(kept))
        mine = row_of[group] >= 0
        self.add(
            row_of[group[mine]],
            cols[mine],
            np.ones(int(mine.sum())),
            np.full(len(kept), -np.inf),
            np.asarray(limit, dtype=float)[kept],
        )

    def matrix(self, n_vars: int) -> sp.csr_matrix:
        """The rows as a CSR matrix over ``n_vars`` columns."""
        if not self.count:
            return sp.csr_matrix((0, n_vars))
        data = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return sp.csr_matrix(data, shape=(self.count, n_vars))

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        """Every row's lower and upper bound."""
        if not self.count:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.lower), np.concatenate(self.upper)


def build_model(
    lower: FloatArray, upper: FloatArray, cost: FloatArray, rows: SparseRows
) -> mbh.ModelBuilderHelper:
    """A model builder holding the variables' bounds and costs and ``rows``."""
    row_lower, row_upper = rows.bounds()
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(  # the stubs mistype the numpy arrays
        lower,  # type: ignore[arg-type]
        upper,  # type: ignore[arg-type]
        cost,  # type: ignore[arg-type]
        row_lower,  # type: ignore[arg-type]
        row_upper,  # type: ignore[arg-type]
        rows.matrix(len(cost)),
    )
    return model


# How a solve of a feasible, bounded model may end. A limit (time, gap) ends
# with FEASIBLE when a solution was found, or NOT_SOLVED when none was.
_EXPECTED = (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE, mbh.SolveStatus.NOT_SOLVED)


def finished(solver: mbh.ModelSolverHelper, model: str, time_limit_s: float) -> bool:
    """Whether the solve left a solution to read; raises on any end a valid model never has.

    A solve stopped by its limits is logged (it is not an error: the caller
    falls back on its own plan and reports the gap); INFEASIBLE, UNBOUNDED,
    MODEL_INVALID, INVALID_SOLVER_PARAMETERS and the like raise
    :class:`SolverError`, because every model built here is feasible and
    bounded, so they can only come from a bug.
    """
    status = solver.status()
    if status not in _EXPECTED:
        raise SolverError(model, status.name, solver.status_string())
    if status is not mbh.SolveStatus.OPTIMAL:
        log.info(
            "%s MIP stopped at its limit (%.3f s) with %s",
            model,
            time_limit_s,
            "a feasible solution" if solver.has_solution() else "no solution",
        )
    return status is not mbh.SolveStatus.NOT_SOLVED and bool(solver.has_solution())


def best_bound(solver: mbh.ModelSolverHelper) -> float:
    """The solver's proved lower bound, or -inf when the solve proved none."""
    try:
        return float(solver.best_objective_bound())
    except Exception:  # no bound was computed (e.g. the solve stopped before one)
        return float("-inf")


__all__ = [
    "SolverError",
    "SparseColumns",
    "SparseRows",
    "best_bound",
    "build_model",
    "finished",
]

"""Brute force of the whole-horizon batch model on tiny instances, for the bound's tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from sourcing.bench.bound import _gather, _model, solve_lp
from sourcing.solver import SourcingProblem


def min_over_plans(
    problems: Sequence[SourcingProblem], days: Sequence[int], *, rejections: bool
) -> float:
    """The least cost (or rejected units) over every choice of the locations each order uses.

    The bound's own model with every y fixed to 0 or 1 in turn (choices that
    break a capacity or split limit are infeasible and skipped): the minimum
    over all choices is the optimum of the model with y binary, which every
    integer plan's cost is at least. Exponential in the pairs: tiny waves only.
    """
    data = _gather(problems, None)
    columns, eq, ub, _ = _model(data, problems, days)
    n = columns.count
    cost, upper = columns.arrays()
    n_x, n_y = len(data.x_cap), len(data.y_order)
    if rejections:
        cost = np.zeros(n)
        cost[n_x + n_y : n_x + n_y + len(data.line_quantity)] = 1.0
    a_eq, b_eq = eq.matrix(n), eq.bounds()[1]
    a_ub, b_ub = ub.matrix(n), ub.bounds()[1]
    best = np.inf
    for used in itertools.product((0.0, 1.0), repeat=n_y):
        bounds = np.column_stack([np.zeros(n), upper])
        bounds[n_x : n_x + n_y, 0] = bounds[n_x : n_x + n_y, 1] = used
        result = solve_lp(cost, (a_eq, b_eq), (a_ub, b_ub), bounds)
        if result.status == 0:
            best = min(best, float(result.fun))
    return best

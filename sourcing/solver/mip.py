"""The per-order mixed-integer program, built from arrays and solved by OR-tools.

The model (indices: l candidate, k line, p product):

    min  sum_lk c_lk x_lk + sum_l f_l y_l + P sum_k r_k
         + w_ideal sum_lp z_lp + w_split e
    s.t. (1) coverage_with_rejection  sum_l x_lk + r_k = q_k              for all k
         (2) stock                    x_lk <= cap_lk y_l                   for all l, k
         (3) stock (shared product)   sum_{k of p} x_lk <= a_lp            for all l, p on 2+ lines
         (4) split_limit              sum_l y_l <= S
         (5) ideal_stock              sum_{k of p} x_lk - z_lp <= s_lp     for all l, p
         (6) split penalty            sum_l y_l - e <= 1
         (7)-(9) rate cards           a band binary per kept rated candidate (``bands``)
         x_lk, r_k integer >= 0; y_l binary; z_lp, e >= 0

cap_lk is zero wherever a rule keeps candidate l or line k out (capacity,
switches, networks, exclusions, VIP rules), so those pairs get no variable
at all. c_lk and f_l carry the weighted per-unit and per-fulfilment terms;
P dominates them (see instance._dominating_rejection_penalty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.bands import add_bands
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.options import Backend
from sourcing.solver.sparse import SparseRows, best_bound, build_model, finished
from sourcing.solver.types import IntArray


@dataclass(frozen=True, slots=True)
class MipResult:
    """What the MIP solver found: an allocation (or none) and the proved bound."""

    allocation: IntArray | None
    optimal: bool
    bound: float


def solve_mip(
    arrays: SourcingArrays,
    *,
    time_limit_s: float,
    hint: IntArray | None = None,
    backend: Backend = Backend.SCIP,
    candidates: IntArray | None = None,
) -> MipResult:
    """Solve the model for ``arrays`` within ``time_limit_s`` seconds.

    ``hint`` (an allocation, e.g. the greedy's) is handed to the solver as a
    starting solution. ``candidates`` restricts the model to those candidate
    indices (the others get no variables).
    """
    n_locations, n_lines = arrays.cap.shape
    pair_l, pair_k = np.nonzero(arrays.cap)  # (l, k) pairs that get an x variable
    if candidates is not None:
        chosen = np.isin(pair_l, candidates)
        pair_l, pair_k = pair_l[chosen], pair_k[chosen]
    n_x = len(pair_l)
    used_locations = np.unique(pair_l)
    y_of = np.full(n_locations, -1, dtype=np.int64)
    y_of[used_locations] = n_x + np.arange(len(used_locations))
    n_y = len(used_locations)
    r0 = n_x + n_y
    n_r = n_lines
    w = arrays.weights

    pair_p = arrays.line_product[pair_k]
    take_max = np.zeros(arrays.stock.shape, dtype=np.int64)
    np.add.at(take_max, (pair_l, pair_p), arrays.cap[pair_l, pair_k])
    take_max = np.minimum(take_max, arrays.stock)
    ideal_l, ideal_p = (
        np.nonzero(take_max > arrays.surplus)
        if w.ideal_stock > 0
        else (np.array([], dtype=np.int64),) * 2
    )
    z0 = r0 + n_r
    n_z = len(ideal_l)
    e_index = z0 + n_z
    has_e = w.split > 0 and n_y > 1
    n_vars = e_index + int(has_e)

    lower = np.zeros(n_vars)
    upper = np.concatenate(
        [
            arrays.cap[pair_l, pair_k],
            np.ones(n_y),
            arrays.quantity,
            np.full(n_z + int(has_e), np.inf),
        ]
    ).astype(float)
    cost = np.concatenate(
        [
            arrays.unit_cost[pair_l, pair_k],
            arrays.fulfilment_cost[used_locations],
            np.full(n_r, arrays.rejection_penalty),
            np.full(n_z, w.ideal_stock),
            np.full(int(has_e), w.split),
        ]
    )

    rows = SparseRows()
    x_ids = np.arange(n_x)
    # Constraint (1): every unit ordered is served or rejected.
    rows.add(
        np.concatenate([pair_k, np.arange(n_r)]),
        np.concatenate([x_ids, r0 + np.arange(n_r)]),
        np.ones(n_x + n_r),
        arrays.quantity.astype(float),
        arrays.quantity.astype(float),
    )
    # Constraint (2): a unit can only come from a location that is used.
    rows.add(
        np.concatenate([x_ids, x_ids]),
        np.concatenate([x_ids, y_of[pair_l]]),
        np.concatenate([np.ones(n_x), -arrays.cap[pair_l, pair_k].astype(float)]),
        np.full(n_x, -np.inf),
        np.zeros(n_x),
    )
    # Constraint (3): lines of the same product share the location's stock.
    _add_grouped(rows, pair_l, pair_p, x_ids, arrays.stock, only_shared=True)
    # Constraint (4): at most split_limit locations fulfil the order.
    if arrays.split_limit < n_y:
        rows.add(
            np.zeros(n_y, dtype=np.int64),
            n_x + np.arange(n_y),
            np.ones(n_y),
            np.array([-np.inf]),
            np.array([float(arrays.split_limit)]),
        )
    # Constraint (5): units beyond the surplus above ideal stock are counted in z.
    if n_z:
        n_products = arrays.stock.shape[1]
        ideal_keys = ideal_l * n_products + ideal_p  # sorted: np.nonzero is row-major
        pair_keys = pair_l * n_products + pair_p
        at = np.minimum(np.searchsorted(ideal_keys, pair_keys), n_z - 1)
        keep = ideal_keys[at] == pair_keys
        rows.add(
            np.concatenate([at[keep], np.arange(n_z)]),
            np.concatenate([x_ids[keep], z0 + np.arange(n_z)]),
            np.concatenate([np.ones(int(keep.sum())), -np.ones(n_z)]),
            np.full(n_z, -np.inf),
            arrays.surplus[ideal_l, ideal_p].astype(float),
        )
    # Constraint (6): e counts the fulfilments beyond the first.
    if has_e:
        rows.add(
            np.zeros(n_y + 1, dtype=np.int64),
            np.concatenate([n_x + np.arange(n_y), [e_index]]),
            np.concatenate([np.ones(n_y), [-1.0]]),
            np.array([-np.inf]),
            np.array([1.0]),
        )

    n_integer = r0 + n_r
    if arrays.rates is not None:
        # Constraints (7)-(9): rate-card prices by the parcel's weight band (see ``rates``).
        bands = add_bands(arrays.rates, arrays.cap, pair_l, pair_k, y_of, n_vars, rows, cost)
        lower = np.concatenate([lower, np.zeros(len(bands.cost))])
        upper = np.concatenate([upper, bands.upper])
        cost = np.concatenate([cost, bands.cost])
        band_integer = n_vars + np.flatnonzero(bands.integer)
    else:
        band_integer = np.zeros(0, dtype=np.int64)
    model = build_model(lower, upper, cost, rows)
    for j in [*range(n_integer), *band_integer.tolist()]:
        model.set_var_integrality(j, True)
    if hint is not None:
        ideal = (ideal_l, ideal_p) if n_z else None
        _add_hint(model, hint, (pair_l, pair_k), used_locations, r0, arrays, ideal, has_e)

    solver = mbh.ModelSolverHelper(backend)
    solver.enable_output(False)
    solver.set_time_limit_in_seconds(max(time_limit_s, 0.001))
    if backend == "scip":
        solver.set_solver_specific_parameters(
            "limits/gap = 0\nlimits/absgap = 1e-6\nrandomization/randomseedshift = 0"
        )
    elif backend == "highs":
        solver.set_solver_specific_parameters(
            "mip_rel_gap=0\nmip_abs_gap=1e-6\noutput_flag=false\nthreads=1"
        )
    else:
        solver.set_solver_specific_parameters(
            "num_workers: 1, relative_gap_limit: 0, absolute_gap_limit: 1e-6"
        )
    solver.solve(model)
    if not finished(solver, "single-order", time_limit_s):
        return MipResult(None, False, best_bound(solver))
    status = solver.status()
    values = np.asarray(solver.variable_values())
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    allocation[pair_l, pair_k] = np.rint(values[:n_x]).astype(np.int64)
    return MipResult(allocation, status == mbh.SolveStatus.OPTIMAL, best_bound(solver))


def _add_grouped(
    rows: SparseRows,
    pair_l: IntArray,
    pair_p: IntArray,
    x_ids: IntArray,
    stock: IntArray,
    *,
    only_shared: bool,
) -> None:
    """Add one row per (location, product) summing its x variables, bounded by ``stock``."""
    keys = pair_l * stock.shape[1] + pair_p
    unique, row_of, counts = np.unique(keys, return_inverse=True, return_counts=True)
    if only_shared:
        shared = counts[row_of] > 1
        if not shared.any():
            return
        unique, row_of = np.unique(keys[shared], return_inverse=True)
        x_ids = x_ids[shared]
    rows.add(
        row_of,
        x_ids,
        np.ones(len(x_ids)),
        np.full(len(unique), -np.inf),
        stock.ravel()[unique].astype(float),
    )


def _add_hint(
    model: mbh.ModelBuilderHelper,
    hint: IntArray,
    pairs: tuple[IntArray, IntArray],
    used_locations: IntArray,
    r0: int,
    arrays: SourcingArrays,
    ideal: tuple[IntArray, IntArray] | None,
    has_e: bool,
) -> None:
    """Give the solver a starting solution: x, y and r, then z and e after them.

    Every variable but the rate cards' bands: SCIP completes a partial hint
    with a sub-MIP of its own (``completesol``) before it starts, while a
    full one it checks and takes as its first incumbent.
    """
    pair_l, pair_k = pairs
    x = hint[pair_l, pair_k]
    for j, value in enumerate(x):
        model.add_hint(j, float(value))
    used = hint.sum(axis=1) > 0
    for i, location in enumerate(used_locations):
        model.add_hint(len(x) + i, float(used[location]))
    rejected = arrays.quantity - hint.sum(axis=0)
    for k, value in enumerate(rejected):
        model.add_hint(r0 + k, float(value))
    z0 = r0 + len(rejected)
    n_z = 0
    if ideal is not None:
        ideal_l, ideal_p = ideal
        taken = np.zeros(arrays.stock.shape, dtype=np.int64)
        np.add.at(taken, (pair_l, arrays.line_product[pair_k]), x)
        beyond = np.maximum(taken[ideal_l, ideal_p] - arrays.surplus[ideal_l, ideal_p], 0)
        for k, value in enumerate(beyond):
            model.add_hint(z0 + k, float(value))
        n_z = len(beyond)
    if has_e:
        model.add_hint(z0 + n_z, float(max(int(used[used_locations].sum()) - 1, 0)))

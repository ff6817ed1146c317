"""The rate cards in the per-order MIP: constraints (7)-(9) of ``mip``.

Per kept rated candidate r with its fulfilment binary y_r, band binaries
u_rb price the parcel exactly (see ``rates`` for the step functions):

    (7)  sum_b u_rb = y_r                       one band when the fulfilment exists
    (8)  sum_k w_k x_rk >= sum_b s_b u_rb       the weight is at least the band's start
    (9)  sum_k w_k x_rk <= sum_b e_b u_rb       and at most its end (next start - 1)
    cost sum_b p_b u_rb
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.rates import RateSteps
from sourcing.solver.sparse import SparseRows
from sourcing.solver.types import BoolArray, FloatArray, IntArray

# The band model of the MIP: (8)-(9) on the parcel's weight, or per band its
# own weight variable (the convex envelope of each step in the relaxation).
# Measured on the promise benchmark's orders, the envelope model's bound was
# no better under SCIP's presolve and it proved optimal plans slower (7.3 s
# against 3.3 s, 6.3 against 4.2 on two orders): kept as an option, off.
DISAGGREGATED = False


@dataclass(frozen=True, slots=True)
class BandColumns:
    """The columns ``add_bands`` appends: cost, upper bound, integrality."""

    cost: FloatArray
    upper: FloatArray
    integer: BoolArray


def add_bands(
    steps: RateSteps,
    cap: IntArray,
    pair_l: IntArray,
    pair_k: IntArray,
    y_of: IntArray,
    first: int,
    rows: SparseRows,
    cost: FloatArray,
) -> BandColumns:
    """Add constraints (7)-(9) for the rated candidates that have a y; returns the new columns.

    The band variables are numbered from ``first``; a band whose start is
    above the heaviest parcel the candidate could send gets no variable.
    ``cost`` (x then y, by column id) loses the under-line the arrays carry
    for the reduction, so the bands price the parcel exactly. With
    ``DISAGGREGATED`` the weight goes to the chosen band's own continuous
    variable v_rb in [s_b u_rb, e_b u_rb] (sum_b v_rb = the parcel's weight)
    instead of (8)-(9): the relaxation is then the convex envelope of the step.
    """
    costs: list[float] = []
    uppers: list[float] = []
    integer: list[bool] = []
    x_ids = np.arange(len(pair_l))
    for r, location in enumerate(steps.location):
        if y_of[location] < 0:
            continue
        mine = pair_l == location
        cost[x_ids[mine]] -= steps.beta[r] * steps.line_weight[pair_k[mine]]
        cost[y_of[location]] -= steps.alpha[r]
        w = steps.line_weight[pair_k[mine]].astype(float)
        heaviest = float(w @ cap[location, pair_k[mine]])
        starts = steps.starts[r].astype(float)
        kept = int(np.searchsorted(starts, heaviest, side="right"))
        ends = np.append(starts[1:kept] - 1.0, heaviest)
        u = first + len(costs) + np.arange(kept)
        costs.extend(steps.prices[r][:kept])
        uppers.extend([1.0] * kept)
        integer.extend([True] * kept)
        n = int(mine.sum())
        # Constraint (7): one band exactly when the fulfilment exists.
        rows.add(
            np.zeros(kept + 1, dtype=np.int64),
            np.append(u, y_of[location]),
            np.append(np.ones(kept), -1.0),
            np.zeros(1),
            np.zeros(1),
        )
        # A cut, not needed for integer points: the band's price is at least the
        # under-line, so the relaxation's bound is at least the reduction's.
        rows.add(
            np.zeros(n + kept + 1, dtype=np.int64),
            np.concatenate([x_ids[mine], u, [y_of[location]]]),
            np.concatenate([-steps.beta[r] * w, steps.prices[r][:kept], [-steps.alpha[r]]]),
            np.zeros(1),
            np.array([np.inf]),
        )
        if DISAGGREGATED:
            v = first + len(costs) + np.arange(kept)
            costs.extend([0.0] * kept)
            uppers.extend(ends.tolist())
            integer.extend([False] * kept)
            _add_disaggregated(rows, x_ids[mine], w, u, v, starts[:kept], ends)
            continue
        # Constraints (8) and (9): the parcel's weight lies inside the chosen band.
        for bound, low, high in ((starts[:kept], 0.0, np.inf), (ends, -np.inf, 0.0)):
            rows.add(
                np.zeros(n + kept, dtype=np.int64),
                np.concatenate([x_ids[mine], u]),
                np.concatenate([w, -bound]),
                np.array([low]),
                np.array([high]),
            )
    return BandColumns(
        np.array(costs, dtype=float), np.array(uppers, dtype=float), np.array(integer, dtype=bool)
    )


def _add_disaggregated(
    rows: SparseRows,
    x: IntArray,
    w: FloatArray,
    u: IntArray,
    v: IntArray,
    starts: FloatArray,
    ends: FloatArray,
) -> None:
    """sum_b v_b = sum_k w_k x_k, and s_b u_b <= v_b <= e_b u_b for every band b."""
    kept = len(u)
    rows.add(
        np.zeros(len(x) + kept, dtype=np.int64),
        np.concatenate([x, v]),
        np.concatenate([-w, np.ones(kept)]),
        np.zeros(1),
        np.zeros(1),
    )
    pairs = np.repeat(np.arange(kept), 2)
    columns = np.column_stack([v, u]).ravel()
    for bound, low, high in ((starts, 0.0, np.inf), (ends, -np.inf, 0.0)):
        rows.add(
            pairs,
            columns,
            np.column_stack([np.ones(kept), -bound]).ravel(),
            np.full(kept, low),
            np.full(kept, high),
        )

"""One order decided jointly with the demand expected after it (re-solving, Acimovic & Graves).

Linear scarce-stock prices (``sourcing.solver.scarcity``) steer a per-order
decision by the duals of an expected-demand LP. Those duals are the LP's
marginal values, and in a transportation LP many positions tie at them: an
order then picks among tied positions by its own costs, which the LP never
promised, and a unit taken moves the value of the rest by more than its dual
once a position's stock runs out. Re-solving avoids both: the order's own
(integer) choices and a continuous allocation of the demand expected after
it share one model over the stock left, and only the order's part is kept:

    min  sum_lk c_lk x_lk + sum_l (f_l + split) y_l + Q sum_k r_k
         + 1/S sum_s ( sum_a c_a z_sa + P sum_d u_sd )
    s.t. sum_l x_lk + r_k = q_k                                    for all lines k
         x_lk <= cap_lk y_l                                        (order's own limits)
         sum_{k of p} x_lk <= stock_lp                             (order's own stock)
         sum_{k of p} x_lk + sum_{a at (l, p)} z_sa <= s_lp        for every scenario s
         sum_{a into d} z_sa + u_sd = d_sd                         for every scenario s
         sum_l y_l <= split limit;  x integer, y binary, r, z, u >= 0

over the order's products only (without capacity rows the rest of the LP
does not depend on the order). Scenarios are demand forecasts (e.g.
histories drawn with replacement); arcs as in ``scarcity_prices``, from the
``arcs_per_demand`` cheapest holders of a product to each region. ``Q`` is
above ``P`` plus the order's dearest plan, so the order never rejects a unit
it could serve to keep it for later orders. Nothing here touches a database
or the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.scarcity import (
    DEFAULT_ARCS_PER_DEMAND,
    ExpectedDemand,
    Supply,
    arcs_of,
)
from sourcing.solver.types import FloatArray, IntArray

# The MIP's own limit per order; past it the best plan found is kept.
DEFAULT_TIME_LIMIT_S = 5.0


@dataclass(frozen=True, slots=True)
class _Rows:
    """Sparse rows being gathered: entries (row, column, value) and each row's bounds."""

    rows: list[IntArray]
    cols: list[IntArray]
    vals: list[FloatArray]
    lower: list[FloatArray]
    upper: list[FloatArray]

    @classmethod
    def empty(cls) -> _Rows:
        """No rows yet."""
        return cls([], [], [], [], [])

    @property
    def count(self) -> int:
        """Rows held."""
        return int(sum(len(b) for b in self.lower))

    def add(
        self, row: ArrayLike, col: ArrayLike, val: ArrayLike, lower: ArrayLike, upper: ArrayLike
    ) -> None:
        """Rows numbered from 0 within the block; offset by the rows already held."""
        self.rows.append(np.asarray(row, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.asarray(val, dtype=float))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))


def joint_allocation(
    arrays: SourcingArrays,
    supply: Supply,
    scenarios: Sequence[ExpectedDemand],
    rejection_penalty: float,
    *,
    arcs_per_demand: int = DEFAULT_ARCS_PER_DEMAND,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> IntArray | None:
    """The order's (L, K) allocation from the joint model, or None when the MIP found no plan.

    ``supply`` is the network's stock left over ``arrays.products`` (its
    locations in the order's candidate order); ``scenarios`` the demand
    expected after the order; ``rejection_penalty`` what a unit of that
    demand left unserved costs (``P``).
    """
    if supply.products != arrays.products:
        raise ValueError("Expected supply.products to be the order's products.")
    if len(supply.location_refs) != arrays.cap.shape[0]:
        raise ValueError("Expected supply.location_refs to be the order's candidates.")
    n_loc, n_lines = arrays.cap.shape
    ent_l, ent_k = np.nonzero(arrays.cap > 0)
    used = np.unique(ent_l)
    n_x, n_y = len(ent_l), len(used)
    y_of = np.full(n_loc, -1, dtype=np.int64)
    y_of[used] = np.arange(n_y)
    x0, y0, r0 = 0, n_x, n_x + n_y
    n_order = r0 + n_lines
    order_penalty = arrays.rejection_penalty + rejection_penalty + 1.0
    cost = [
        arrays.unit_cost[ent_l, ent_k],
        arrays.fulfilment_cost[used] + arrays.weights.split,
        np.full(n_lines, order_penalty),
    ]
    rows = _Rows.empty()
    # Lines: served plus rejected is what was ordered.
    rows.add(
        np.concatenate([ent_k, np.arange(n_lines)]),
        np.concatenate([x0 + np.arange(n_x), r0 + np.arange(n_lines)]),
        np.ones(n_x + n_lines),
        arrays.quantity,
        arrays.quantity,
    )
    # Links: x_lk <= cap_lk y_l.
    rows.add(
        np.concatenate([np.arange(n_x)] * 2),
        np.concatenate([x0 + np.arange(n_x), y0 + y_of[ent_l]]),
        np.concatenate([np.ones(n_x), -arrays.cap[ent_l, ent_k].astype(float)]),
        np.full(n_x, -np.inf),
        np.zeros(n_x),
    )
    # The order's own stock per (location, product), and the split limit.
    ent_p = arrays.line_product[ent_k]
    n_products = len(arrays.products)
    key = ent_l * n_products + ent_p
    keys, key_row = np.unique(key, return_inverse=True)
    rows.add(
        key_row,
        x0 + np.arange(n_x),
        np.ones(n_x),
        np.full(len(keys), -np.inf),
        arrays.stock.ravel()[keys].astype(float),
    )
    rows.add(
        np.zeros(n_y, dtype=np.int64),
        y0 + np.arange(n_y),
        np.ones(n_y),
        [-np.inf],
        [float(min(arrays.split_limit, max(n_y, 1)))],
    )
    n_vars = n_order
    weight = 1.0 / max(len(scenarios), 1)
    for demand in scenarios:
        n_vars = _add_scenario(
            rows, cost, supply, demand, rejection_penalty, weight, arcs_per_demand, n_vars, key
        )
    c = np.concatenate(cost)
    integrality = np.zeros(n_vars)
    integrality[:r0] = 1
    upper = np.full(n_vars, np.inf)
    upper[x0:y0] = arrays.cap[ent_l, ent_k]
    upper[y0:r0] = 1
    matrix = coo_matrix(
        (np.concatenate(rows.vals), (np.concatenate(rows.rows), np.concatenate(rows.cols))),
        shape=(rows.count, n_vars),
    ).tocsr()
    result = milp(
        c,
        constraints=LinearConstraint(
            matrix, np.concatenate(rows.lower), np.concatenate(rows.upper)
        ),
        integrality=integrality,
        bounds=Bounds(np.zeros(n_vars), upper),
        options={"time_limit": time_limit_s},
    )
    if result.x is None:
        return None
    allocation = np.zeros((n_loc, n_lines), dtype=np.int64)
    allocation[ent_l, ent_k] = np.rint(result.x[x0:y0]).astype(np.int64)
    return allocation


def _add_scenario(
    rows: _Rows,
    cost: list[FloatArray],
    supply: Supply,
    demand: ExpectedDemand,
    rejection_penalty: float,
    weight: float,
    arcs_per_demand: int,
    first: int,
    order_keys: IntArray,
) -> int:
    """One scenario's arcs and unserved demand, its stock rows shared with the order's units."""
    arcs = arcs_of(supply, demand, arcs_per_demand)
    if arcs is None:
        return first
    loc, prod, dem, arc_cost, _ = arcs
    dem_rows, dem_row = np.unique(dem, return_inverse=True)
    n_z, n_u = len(loc), len(dem_rows)
    units = demand.units[demand.units > 0][dem_rows]
    z0, u0 = first, first + n_z
    cost.extend([weight * arc_cost, np.full(n_u, weight * rejection_penalty)])
    rows.add(
        np.concatenate([dem_row, np.arange(n_u)]),
        np.concatenate([z0 + np.arange(n_z), u0 + np.arange(n_u)]),
        np.ones(n_z + n_u),
        units,
        units,
    )
    # Stock per position: the order's units there (the first block's columns) and the arcs'.
    n_products = len(supply.products)
    arc_key = loc * n_products + prod
    keys, key_row = np.unique(np.concatenate([order_keys, arc_key]), return_inverse=True)
    n_order = len(order_keys)
    rows.add(
        key_row,
        np.concatenate([np.arange(n_order), z0 + np.arange(n_z)]),
        np.ones(n_order + n_z),
        np.full(len(keys), -np.inf),
        supply.stock.ravel()[keys].astype(float),
    )
    return u0 + n_u

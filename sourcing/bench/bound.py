"""A lower bound on every policy's total cost: the LP relaxation of the whole-horizon batch model.

Every order of the run is known in advance and all are sourced together
from the network as it is before the first order (indices: o order, l
location, k line of o, p product, d day):

    min  sum_olk c_olk x_olk + sum_ol f_ol y_ol + sum_ok P r_ok
         + w_ideal sum_lp z_lp + sum_o w_split e_o
    s.t. (1) coverage_with_rejection  sum_l x_olk + r_ok = q_ok                 all o, k
         (2) stock (per order)        x_olk <= cap_olk y_ol                     all o, l, k
         (3) shared stock             sum_o sum_{k of p} x_olk <= a_lp          all l, p
         (4) shared daily capacity    sum_{o on day d} y_ol <= cap_l            all l, d
         (5) split_limit              sum_l y_ol <= S_o                         all o
         (6) ideal_stock              sum_o sum_{k of p} x_olk - z_lp <= s_lp   all l, p
         (7) split penalty            sum_l y_ol - e_o <= 1                     all o
         0 <= x_olk <= cap_olk, 0 <= y_ol <= 1, 0 <= r_ok <= q_ok, z, e >= 0

cap, c and f are each order's own ``SourcingArrays`` on the initial network,
so every rule of the per-order model applies; only (l, k) with positive cap
get a variable, which excludes nothing a policy could use (stock and
capacity only shrink as orders take them). P is the profile's rejection
weight, which every order's dominating penalty is at least.

Why it bounds every sequential policy: a policy's plans, order by order, are
an integer solution of this model (each took only stock and capacity left by
the earlier ones), and its cost, priced order by order, is at least this
model's objective on them: the units each order takes below ideal stock add
up to (6); a per-unit cost that depends on the state (overstock) only grows
as stock runs down; each order's rejection penalty is at least P.

The value reported is not HiGHS's objective but the Lagrangian bound of the
LP's duals (rows relaxed, variable bounds kept), which is a lower bound
whatever the solver's tolerances.

With a MIP budget, the LP gets one more row, the units no integer plan
avoids rejecting::

         (8) rejection floor          sum_ok r_ok >= R

R is the proved dual bound (never the incumbent) of min sum_ok r_ok over
(1)-(5) with y binary, solved by SCIP within the budget, rounded up to a
whole unit (a plan's rejections are whole units) after allowing 1e-6 for
the solver's tolerances. Every integer solution of the model satisfies (8),
so the bound stays valid; (8) is relaxed with its dual like the others.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.optimize import OptimizeResult, linprog

from sourcing.solver import OrderType, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.sparse import SparseColumns, SparseRows, best_bound, build_model, finished
from sourcing.solver.types import BoolArray, FloatArray, IntArray

Progress = Callable[[int], None]
_NO_INTS: IntArray = np.zeros(0, dtype=np.int64)
# Allowed for the MIP solver's tolerances before its dual bound is rounded up to a whole unit.
FLOOR_TOLERANCE = 1e-6
# SoPlex's primal simplex reached the root LP of the 300-order scarce_capacity-300 rejection
# MIP in 195 s; its default (dual) had not after 240 s (load about 2 on 2 cores).
_SCIP_PARAMETERS = "lp/initalgorithm = p\nlp/resolvealgorithm = p"


@dataclass(frozen=True, slots=True)
class BoundResult:
    """The bound and how it was obtained.

    ``value`` is the proved lower bound (``-inf`` when the LP was not solved);
    ``lp_value`` the LP optimum the solver reports; ``rejected_units`` the
    units its (fractional) solution rejects; ``rejected_floor`` the units
    every integer plan rejects (row (8); 0, which every plan meets, when the
    MIP was not run or proved nothing) and ``floor_s`` the MIP's time.
    """

    value: float
    lp_value: float
    rejected_units: float
    status: str
    variables: int
    constraints: int
    build_s: float
    solve_s: float
    rejected_floor: float = 0.0
    floor_s: float = 0.0


@dataclass
class _Orders:
    """Per-order blocks gathered from each order's arrays, concatenated over orders."""

    x_order: IntArray  # per x: order
    x_location: IntArray  # per x: global location
    x_key: IntArray  # per x: global (location, product) key
    x_line: IntArray  # per x: global line
    x_cap: IntArray
    x_cost: FloatArray
    x_stock: IntArray  # per x: the location's stock of the product
    x_surplus: IntArray  # per x: its units above ideal stock
    y_order: IntArray
    y_location: IntArray
    y_cost: FloatArray
    x_y: IntArray  # per x: index of its y
    line_quantity: IntArray
    line_penalty: FloatArray
    split_limit: IntArray  # per order
    split_weight: FloatArray  # per order
    order_is_cc: BoolArray  # per order
    capacity: IntArray  # per global location: (total, hd, cc) orders a day, -1 for no limit
    ideal_weight: float


def lp_bound(
    problems: Sequence[SourcingProblem],
    days: Sequence[int],
    *,
    time_limit_s: float | None = None,
    mip_time_limit_s: float = 0.0,
    progress: Progress | None = None,
) -> BoundResult:
    """The LP bound of sourcing ``problems`` together; ``days[o]`` is order o's day.

    With ``mip_time_limit_s`` > 0 the LP gets row (8), the rejection floor a
    MIP proves within that many seconds.
    """
    started = time.perf_counter()
    gathered = _gather(problems, progress)
    columns, eq, ub, core_rows = _model(gathered, problems, days)
    n = columns.count
    cost, upper = columns.arrays()
    first_r = len(gathered.x_cap) + len(gathered.y_order)  # r follows x and y
    r = first_r + np.arange(len(gathered.line_quantity))
    floor, floor_s = 0.0, 0.0
    if mip_time_limit_s > 0:
        floor_started = time.perf_counter()
        y = len(gathered.x_cap) + np.arange(len(gathered.y_order))
        floor = rejection_floor(eq, ub, core_rows, upper, y, r, mip_time_limit_s)
        floor_s = time.perf_counter() - floor_started
        if floor > 0:
            # Constraint (8): -sum r <= -R.
            ub.add(
                np.zeros(len(r), dtype=np.int64),
                r,
                -np.ones(len(r)),
                np.array([-np.inf]),
                np.array([-floor]),
            )
    a_eq, b_eq = eq.matrix(n), eq.bounds()[1]
    a_ub, b_ub = ub.matrix(n), ub.bounds()[1]
    built = time.perf_counter()
    options: dict[str, object] = {"presolve": True}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    bounds = np.column_stack([np.zeros(n), upper])
    result = solve_lp(cost, (a_eq, b_eq), (a_ub, b_ub), bounds, options)
    solved = time.perf_counter()
    value, lp_value, rejected, status = -np.inf, np.nan, np.nan, str(result.message)
    # Status 0 is optimal; anything else (time limit, numerical trouble) proves nothing.
    if result.status == 0:
        lp_value = float(result.fun)
        rejected = float(result.x[r].sum())
        pi_ub = np.minimum(result.ineqlin.marginals, 0.0) if ub.count else np.zeros(0)
        value = _lagrangian_bound(
            cost, upper, a_eq, b_eq, np.asarray(result.eqlin.marginals), a_ub, b_ub, pi_ub
        )
        status = "optimal"
    return BoundResult(
        value,
        lp_value,
        rejected,
        status,
        n,
        eq.count + ub.count,
        built - started - floor_s,
        solved - built,
        floor,
        floor_s,
    )


def rejection_floor(
    eq: SparseRows,
    ub: SparseRows,
    core_rows: int,
    upper: FloatArray,
    y: IntArray,
    r: IntArray,
    time_limit_s: float,
) -> float:
    """The units every integer plan rejects: SCIP's proved bound on min sum r, rounded up.

    The model is (1)-(5), ``eq``'s rows and ``ub``'s first ``core_rows``, over
    the columns up to the last of ``r`` (x, then ``y``, then ``r``), with
    ``y`` binary. Only the solver's dual bound counts: its incumbent is a
    plan, not a bound. Returns 0 when the solve proved nothing.
    """
    if not len(r):
        return 0.0
    n = int(r[-1]) + 1
    matrix = sp.vstack([eq.matrix(len(upper)), ub.matrix(len(upper))[:core_rows]]).tocsc()
    coo = matrix[:, :n].tocoo()
    rows = SparseRows()
    rows.add(
        coo.row,
        coo.col,
        coo.data,
        np.concatenate([eq.bounds()[0], ub.bounds()[0][:core_rows]]),
        np.concatenate([eq.bounds()[1], ub.bounds()[1][:core_rows]]),
    )
    objective = np.zeros(n)
    objective[r] = 1.0
    model = build_model(np.zeros(n), upper[:n], objective, rows)
    for j in y.tolist():
        model.set_var_integrality(j, True)
    solver = mbh.ModelSolverHelper("scip")
    solver.enable_output(False)
    solver.set_solver_specific_parameters(_SCIP_PARAMETERS)
    solver.set_time_limit_in_seconds(time_limit_s)
    solver.solve(model)
    finished(solver, "rejection floor", time_limit_s)  # raises on an end a valid model never has
    proved = best_bound(solver)
    return float(max(0, math.ceil(proved - FLOOR_TOLERANCE))) if math.isfinite(proved) else 0.0


def solve_lp(
    cost: FloatArray,
    equal: tuple[sp.csr_matrix, FloatArray],
    at_most: tuple[sp.csr_matrix, FloatArray],
    bounds: FloatArray,
    options: dict[str, object] | None = None,
) -> OptimizeResult:
    """HiGHS on min cost v, A_eq v = b_eq, A_ub v <= b_ub (none when it has no rows), bounds."""
    a_ub, b_ub = at_most
    return linprog(
        cost,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=equal[0],
        b_eq=equal[1],
        bounds=bounds,
        method="highs",
        options=options,
    )


def _lagrangian_bound(
    cost: FloatArray,
    upper: FloatArray,
    a_eq: sp.csr_matrix,
    b_eq: FloatArray,
    pi_eq: FloatArray,
    a_ub: sp.csr_matrix,
    b_ub: FloatArray,
    pi_ub: FloatArray,
) -> float:
    """min over 0 <= v <= upper of c v - pi (A v - b): a lower bound for any pi_ub <= 0."""
    reduced = cost - a_eq.T @ pi_eq - (a_ub.T @ pi_ub if len(pi_ub) else 0.0)
    return float(b_eq @ pi_eq + b_ub @ pi_ub + (np.minimum(reduced, 0.0) * upper).sum())


def _gather(problems: Sequence[SourcingProblem], progress: Progress | None) -> _Orders:
    """Build every order's arrays and gather the variables' data over all orders."""
    location_ids: dict[str, int] = {}
    capacity: list[list[int]] = []
    product_ids: dict[str, int] = {}
    ints: dict[str, list[IntArray]] = defaultdict(list)
    floats: dict[str, list[FloatArray]] = defaultdict(list)
    split_limit: list[int] = []
    split_weight: list[float] = []
    ideal_weight = np.inf
    lines = y_count = 0
    for o, problem in enumerate(problems):
        arrays = SourcingArrays.build(problem)
        for location in problem.locations:
            if location.ref not in location_ids:
                location_ids[location.ref] = len(location_ids)
                c = location.capacity
                capacity.append([-1 if v is None else v for v in (c.total, c.hd, c.cc)])
        glob = np.array([location_ids[loc.ref] for loc in problem.locations], dtype=np.int64)
        gprod = np.array(
            [product_ids.setdefault(p, len(product_ids)) for p in arrays.products], dtype=np.int64
        )
        pair_l, pair_k = np.nonzero(arrays.cap)
        pair_p = arrays.line_product[pair_k]
        used = np.unique(pair_l)
        ints["x_order"].append(np.full(len(pair_l), o, dtype=np.int64))
        ints["x_location"].append(glob[pair_l])
        ints["x_product"].append(gprod[pair_p])
        ints["x_line"].append(lines + pair_k)
        ints["x_cap"].append(arrays.cap[pair_l, pair_k])
        floats["x_cost"].append(arrays.unit_cost[pair_l, pair_k])
        ints["x_stock"].append(arrays.stock[pair_l, pair_p])
        ints["x_surplus"].append(arrays.surplus[pair_l, pair_p])
        ints["y_order"].append(np.full(len(used), o, dtype=np.int64))
        ints["y_location"].append(glob[used])
        floats["y_cost"].append(arrays.fulfilment_cost[used])
        ints["x_y"].append(y_count + np.searchsorted(used, pair_l))
        ints["line_quantity"].append(arrays.quantity)
        floats["line_penalty"].append(np.full(len(arrays.quantity), arrays.weights.rejection))
        split_limit.append(arrays.split_limit)
        split_weight.append(arrays.weights.split)
        ideal_weight = min(ideal_weight, arrays.weights.ideal_stock)
        lines += len(arrays.quantity)
        y_count += len(used)
        if progress is not None:
            progress(1)

    def i(name: str) -> IntArray:
        return np.concatenate(ints[name]).astype(np.int64) if ints[name] else _NO_INTS

    def f(name: str) -> FloatArray:
        return np.concatenate(floats[name]).astype(float) if floats[name] else np.zeros(0)

    return _Orders(
        x_order=i("x_order"),
        x_location=i("x_location"),
        x_key=i("x_location") * max(1, len(product_ids)) + i("x_product"),
        x_line=i("x_line"),
        x_cap=i("x_cap"),
        x_cost=f("x_cost"),
        x_stock=i("x_stock"),
        x_surplus=i("x_surplus"),
        y_order=i("y_order"),
        y_location=i("y_location"),
        y_cost=f("y_cost"),
        x_y=i("x_y"),
        line_quantity=i("line_quantity"),
        line_penalty=f("line_penalty"),
        split_limit=np.array(split_limit, dtype=np.int64),
        split_weight=np.array(split_weight, dtype=float),
        order_is_cc=np.array([p.order.type is OrderType.CC for p in problems], dtype=bool),
        capacity=np.array(capacity, dtype=np.int64).reshape(-1, 3),
        ideal_weight=0.0 if ideal_weight == np.inf else float(ideal_weight),
    )


def _model(
    data: _Orders, problems: Sequence[SourcingProblem], days: Sequence[int]
) -> tuple[SparseColumns, SparseRows, SparseRows, int]:
    """The variables, the equality and inequality rows, and how many of the latter are (2)-(5).

    Rows (1)-(5) only hold x, y and r, the first columns: the rejection
    floor's MIP is their top-left corner.
    """
    columns, eq, ub = SparseColumns(), SparseRows(), SparseRows()
    n_x, n_y, n_lines = len(data.x_cap), len(data.y_order), len(data.line_quantity)
    x = columns.add(data.x_cost, data.x_cap.astype(float))
    y = columns.add(data.y_cost, np.ones(n_y))
    r = columns.add(data.line_penalty, data.line_quantity.astype(float))
    ys_per_order = np.bincount(data.y_order, minlength=len(problems))

    # Constraint (1): every unit ordered is served or rejected.
    eq.add(
        np.concatenate([data.x_line, np.arange(n_lines)]),
        np.concatenate([x, r]),
        np.ones(n_x + n_lines),
        data.line_quantity.astype(float),
        data.line_quantity.astype(float),
    )
    # Constraint (2): a unit can only come from a location the order uses.
    ub.add(
        np.concatenate([np.arange(n_x), np.arange(n_x)]),
        np.concatenate([x, y[data.x_y]]),
        np.concatenate([np.ones(n_x), -data.x_cap.astype(float)]),
        np.full(n_x, -np.inf),
        np.zeros(n_x),
    )
    keys, key_of_x = np.unique(data.x_key, return_inverse=True)
    potential = np.bincount(key_of_x, weights=data.x_cap, minlength=len(keys))
    stock = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(stock, key_of_x, data.x_stock)
    surplus = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(surplus, key_of_x, data.x_surplus)
    # Constraint (3): the orders share each location's stock of a product.
    ub.at_most(key_of_x, x, stock.astype(float), potential > stock)
    _add_capacity(ub, data, y, days)
    # Constraint (5): each order's split limit.
    tight = np.flatnonzero(data.split_limit < ys_per_order)
    in_tight = np.isin(data.y_order, tight)
    ub.add(
        np.searchsorted(tight, data.y_order[in_tight]),
        y[in_tight],
        np.ones(int(in_tight.sum())),
        np.full(len(tight), -np.inf),
        data.split_limit[tight].astype(float),
    )
    core_rows = ub.count
    # Constraint (6): units beyond the surplus over ideal stock are counted in z.
    if data.ideal_weight > 0:
        short = np.flatnonzero(potential > surplus)
        z = columns.add(
            np.full(len(short), data.ideal_weight),
            (potential[short] - surplus[short]).astype(float),
        )
        row_of_key = np.full(len(keys), -1, dtype=np.int64)
        row_of_key[short] = np.arange(len(short))
        in_row = row_of_key[key_of_x] >= 0
        ub.add(
            np.concatenate([row_of_key[key_of_x][in_row], np.arange(len(short))]),
            np.concatenate([x[in_row], z]),
            np.concatenate([np.ones(int(in_row.sum())), -np.ones(len(short))]),
            np.full(len(short), -np.inf),
            surplus[short].astype(float),
        )
    # Constraint (7): e_o counts the order's shipments beyond the first.
    split = np.flatnonzero((data.split_weight > 0) & (ys_per_order > 1))
    if len(split):
        e = columns.add(data.split_weight[split], (ys_per_order[split] - 1).astype(float))
        in_split = np.isin(data.y_order, split)
        ub.add(
            np.concatenate([np.searchsorted(split, data.y_order[in_split]), np.arange(len(split))]),
            np.concatenate([y[in_split], e]),
            np.concatenate([np.ones(int(in_split.sum())), -np.ones(len(split))]),
            np.full(len(split), -np.inf),
            np.ones(len(split)),
        )
    return columns, eq, ub, core_rows


def _add_capacity(ub: SparseRows, data: _Orders, y: IntArray, days: Sequence[int]) -> None:
    """Constraint (4): the orders of a day share each location's capacity, in total and by type."""
    order_day = np.asarray(days, dtype=np.int64)[data.y_order]
    order_is_cc = data.order_is_cc[data.y_order]
    # Column 0 limits every order; column 1 HD orders only, column 2 CC orders only.
    for column, applies in ((0, None), (1, False), (2, True)):
        limit = data.capacity[data.y_location, column]
        mask = limit >= 0
        if applies is not None:
            mask &= order_is_cc == applies
        if not mask.any():
            continue
        group = np.stack([data.y_location[mask], order_day[mask]], axis=1)
        groups, group_of_y, counts = np.unique(
            group, axis=0, return_inverse=True, return_counts=True
        )
        group_of_y = group_of_y.ravel()
        group_limit = np.zeros(len(groups), dtype=np.int64)
        group_limit[group_of_y] = limit[mask]
        ub.at_most(group_of_y, y[mask], group_limit.astype(float), counts > group_limit)

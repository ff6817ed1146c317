"""The wave model over the orders' candidates as one MIP, for waves small enough to solve whole.

Indices: o order, i candidate (an order's location), e entry (a candidate's
line), j line, key a position (location, product), l location::

    min  sum_e c_e x_e + sum_i f_i y_i + sum_j P_o r_j + sum_key w z_key + sum_o w_split s_o
    s.t. (1) coverage        sum_{e of j} x_e + r_j = q_j                  all j
         (2) stock           x_e <= cap_e y_{i(e)}                         all e
         (3) shared stock    sum_{e at key} x_e <= stock_key               all key
         (4) own stock       sum_{e of o at key} x_e <= own level          o with 2+ lines at key
         (5) capacity        sum_{i at l, of the row's type} y_i <= cap_l  all l, rows
         (6) split limit     sum_{i of o} y_i <= S_o                       all o
         (7) ideal stock     sum_{e at key} x_e - z_key <= surplus_key     all key
         (8) split penalty   sum_{i of o} y_i - s_o <= 1                   all o
         x, r integer >= 0; y binary; z, s >= 0

The Lagrangian (``wave.prices``) relaxes (3), (5) and (7); here they are
kept, so the solver's plan needs no repair. Its bound is over the
candidates only: it bounds the wave only when every order's candidates are
all the locations its rules allow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.sparse import SparseRows, best_bound, build_model, finished
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.prices import capacity_columns
from sourcing.solver.wave.repair import Assignment, estimate

# Waves with more entries than this are not handed to the MIP.
MAX_ENTRIES = 20_000
# SCIP's primal heuristics, all of them, turned off for a solve whose hint is a whole plan
# that holds (``heuristics=False``): it starts from that incumbent, and the heuristics
# (mostly the rounding ones run on every LP) were about a third of its time. 150 captured
# neighbourhood MIPs of each scarce bench wave at 100 / 300 / 1,000 locations: 2.9-3.7 /
# 3.5-3.9 / 3.4 s against 4.9-5.3 / 5.3-5.5 / 4.6-4.7 s, the same optima.
HEURISTICS = (
    *("actconsdiving", "adaptivediving", "coefdiving", "conflictdiving", "distributiondiving"),
    *("farkasdiving", "fracdiving", "guideddiving", "indicatordiving", "intdiving"),
    *("linesearchdiving", "nlpdiving", "objpscostdiving", "pscostdiving", "rootsoldiving"),
    *("veclendiving", "alns", "completesol", "crossover", "dins", "dps", "feaspump", "gins"),
    *("localbranching", "lpface", "mutation", "ofins", "padm", "proximity", "rens", "rins"),
    *("scheduler", "trustregion", "undercover", "bound", "clique", "dualval", "fixandinfer"),
    *(
        "indicator",
        "intshifting",
        "locks",
        "mpec",
        "multistart",
        "octane",
        "oneopt",
        "randrounding",
    ),
    *("reoptsols", "repair", "rounding", "shifting", "shiftandpropagate", "simplerounding"),
    *("subnlp", "trivial", "trivialnegation", "trysol", "twoopt", "vbounds", "zeroobj"),
    "zirounding",
)


@dataclass(frozen=True, slots=True)
class WaveMip:
    """The MIP's plan (None when it found none) and its proved bound over the candidates."""

    assignment: Assignment | None
    bound: float


@dataclass(frozen=True, slots=True)
class WaveModel:
    """The model written out as sparse rows, and where the rows the Lagrangian prices are.

    Variables: x (entries), y (candidates) and r (lines) first, integer,
    then z and s. ``stock_rows`` and ``surplus_rows`` hold the first row of
    constraints (3) and (7) and the position of each; ``capacity_rows``
    the first row of each block of (5) and the capacity row (location * 3
    + type, as ``Multipliers.capacity`` flattened) of each.
    """

    cost: FloatArray
    upper: FloatArray
    rows: SparseRows
    n_integer: int
    stock_rows: tuple[int, IntArray]
    capacity_rows: tuple[tuple[int, IntArray], ...]
    surplus_rows: tuple[int, IntArray]
    split_orders: IntArray  # the orders with an s variable, in the variables' order


def solve_wave_mip(
    wave: Wave,
    capacity: IntArray,
    penalty: FloatArray,
    rank: IntArray,
    hint: Assignment,
    time_limit_s: float,
    gap_target: float,
    abs_gap: float = 0.0,
    heuristics: bool = True,
) -> WaveMip:
    """The best plan the MIP finds over the candidates within the time.

    It stops earlier once its gap is at most ``gap_target`` (relative) or
    ``abs_gap`` (absolute: under shortage the caller measures the gap above
    the rejection floor, which a relative gap on the whole cost would hide).
    Without ``heuristics`` SCIP's primal heuristics are off (``HEURISTICS``):
    for a caller whose ``hint`` is a plan that holds on the wave's network.
    """
    n_e, n_o = len(wave.entry_cand), wave.n_orders
    built = wave_model(wave, capacity, penalty)
    model = build_model(np.zeros(len(built.cost)), built.upper, built.cost, built.rows)
    for j in range(built.n_integer):
        model.set_var_integrality(j, True)
    for j, value in enumerate(_hint_values(wave, built, _hint_take(wave, hint))):
        model.add_hint(j, float(value))
    solver = mbh.ModelSolverHelper("scip")
    solver.enable_output(False)
    solver.set_time_limit_in_seconds(max(time_limit_s, 0.001))
    settings = [f"limits/gap = {gap_target}", f"limits/absgap = {abs_gap}"]
    settings.append("randomization/randomseedshift = 0")
    if not heuristics:
        settings.extend(f"heuristics/{name}/freq = -1" for name in HEURISTICS)
    solver.set_solver_specific_parameters("\n".join(settings))
    solver.solve(model)
    bound = best_bound(solver)
    if not finished(solver, "wave", time_limit_s):
        return WaveMip(None, bound)
    values = np.rint(np.asarray(solver.variable_values())[:n_e]).astype(np.int64)
    given = np.flatnonzero(values)
    owner = wave.entry_order[given]
    no_fallback = np.zeros(n_o, dtype=bool)
    assignment = Assignment(
        order=owner,
        location=wave.cand_location[wave.entry_cand[given]],
        line=wave.entry_line[given] - wave.line_start[owner],
        units=values[given],
        sequence=np.argsort(rank, kind="stable"),
        fallback=no_fallback,
        rescue=no_fallback,
        estimate=estimate(wave, values, no_fallback),
    )
    return WaveMip(assignment, bound)


def wave_model(wave: Wave, capacity: IntArray, penalty: FloatArray) -> WaveModel:
    """The model of the module over the wave's candidates; ``penalty`` per rejected unit."""
    n_e, n_i, n_j = len(wave.entry_cand), len(wave.cand_order), len(wave.quantity)
    entry_order = wave.entry_order
    line_order = np.repeat(np.arange(wave.n_orders), np.diff(wave.line_start))
    x, y, r = np.arange(n_e), n_e + np.arange(n_i), n_e + n_i + np.arange(n_j)
    rows = SparseRows()
    # Constraint (1): every unit ordered is served or rejected.
    rows.add(
        np.concatenate([wave.entry_line, np.arange(n_j)]),
        np.concatenate([x, r]),
        np.ones(n_e + n_j),
        wave.quantity.astype(float),
        wave.quantity.astype(float),
    )
    # Constraint (2): a unit can only come from a candidate that is used.
    rows.add(
        np.concatenate([np.arange(n_e)] * 2),
        np.concatenate([x, y[wave.entry_cand]]),
        np.concatenate([np.ones(n_e), -wave.entry_cap.astype(float)]),
        np.full(n_e, -np.inf),
        np.zeros(n_e),
    )
    key = wave.entry_key
    potential = np.bincount(key, wave.entry_cap, minlength=len(wave.key_stock))
    # Constraint (3): the orders share each position's stock.
    stock_keep = potential > wave.key_stock
    stock_rows = (rows.count, np.flatnonzero(stock_keep))
    rows.at_most(key, x, wave.key_stock.astype(float), stock_keep)
    # Constraint (4): two lines of one order at one position share the order's level.
    pair = entry_order * len(wave.key_stock) + key
    pairs, pair_of, counts = np.unique(pair, return_inverse=True, return_counts=True)
    own = np.zeros(len(pairs))
    own[pair_of] = wave.entry_stock
    rows.at_most(pair_of.reshape(-1), x, own, counts > 1)
    # Constraint (5): each location's capacity, in total and per order type.
    columns = capacity_columns(wave)
    flat = capacity.ravel().astype(float)
    demand = np.bincount(columns.ravel(), minlength=len(flat))
    capacity_keep = (flat >= 0) & (demand > flat)
    capacity_rows = []
    for c in range(columns.shape[1]):
        capacity_rows.append((rows.count, np.flatnonzero(capacity_keep)))
        rows.at_most(columns[:, c], y, flat, capacity_keep)
    # Constraint (6): each order's split limit.
    n_cands = np.diff(wave.cand_start)
    rows.at_most(wave.cand_order, y, wave.split_limit.astype(float), n_cands > wave.split_limit)
    costs = [wave.entry_unit, wave.cand_fixed, penalty[line_order]]
    uppers = [wave.entry_cap.astype(float), np.ones(n_i), wave.quantity.astype(float)]
    # The least ideal-stock weight of a position's orders, so the model's cost
    # never exceeds what the orders' own objectives charge.
    weight = np.full(len(wave.key_stock), np.inf)
    np.minimum.at(weight, key, wave.ideal_weight[entry_order])
    weight[~np.isfinite(weight)] = 0.0
    short = np.flatnonzero((potential > wave.key_surplus) & (weight > 0))
    surplus_rows = (rows.count, short)
    z = n_e + n_i + n_j + np.arange(len(short))
    if len(short):
        # Constraint (7): units beyond the surplus above ideal stock are counted in z.
        row_of = np.full(len(wave.key_stock), -1, dtype=np.int64)
        row_of[short] = np.arange(len(short))
        mine = row_of[key] >= 0
        rows.add(
            np.concatenate([row_of[key[mine]], np.arange(len(short))]),
            np.concatenate([x[mine], z]),
            np.concatenate([np.ones(int(mine.sum())), -np.ones(len(short))]),
            np.full(len(short), -np.inf),
            wave.key_surplus[short].astype(float),
        )
        costs.append(weight[short])
        uppers.append(np.full(len(short), np.inf))
    split = np.flatnonzero((wave.split_weight > 0) & (n_cands > 1))
    s = n_e + n_i + n_j + len(short) + np.arange(len(split))
    if len(split):
        # Constraint (8): s counts an order's fulfilments beyond the first.
        mine = np.isin(wave.cand_order, split)
        row = np.searchsorted(split, wave.cand_order[mine])
        rows.add(
            np.concatenate([row, np.arange(len(split))]),
            np.concatenate([y[mine], s]),
            np.concatenate([np.ones(int(mine.sum())), -np.ones(len(split))]),
            np.full(len(split), -np.inf),
            np.ones(len(split)),
        )
        costs.append(wave.split_weight[split])
        uppers.append(np.full(len(split), np.inf))
    return WaveModel(
        np.concatenate(costs),
        np.concatenate(uppers),
        rows,
        n_e + n_i + n_j,
        stock_rows,
        tuple(capacity_rows),
        surplus_rows,
        split,
    )


def _hint_values(wave: Wave, built: WaveModel, take: IntArray) -> FloatArray:
    """Every variable's value in the plan taking ``take`` units per entry.

    All of them, not x and y alone: SCIP completes a partial hint with a
    sub-MIP of its own (``completesol``) before it starts, and ignores it when
    more than 85% of the variables are unknown; a full one it checks and
    takes as its first incumbent (neighbourhood MIPs on the scarce bench wave
    at 300 locations: 63 ms against 73 ms, the same optima).
    """
    n_i, n_j = len(wave.cand_order), len(wave.quantity)
    used = (np.bincount(wave.entry_cand, take, minlength=n_i) > 0).astype(np.int64)
    rejected = wave.quantity - np.bincount(wave.entry_line, take, minlength=n_j)
    short = built.surplus_rows[1]
    held = np.bincount(wave.entry_key, take, minlength=len(wave.key_stock))
    beyond = np.maximum(held[short] - wave.key_surplus[short], 0)
    fulfilments = np.bincount(wave.cand_order, used, minlength=wave.n_orders)
    extra = np.maximum(fulfilments[built.split_orders] - 1, 0)
    values = np.concatenate([take, used, rejected, beyond, extra]).astype(float)
    assert len(values) == len(built.cost)
    return values


def _hint_take(wave: Wave, hint: Assignment) -> IntArray:
    """The hint's units per entry of the wave (zero where the wave has no such entry)."""
    entry_order = wave.entry_order
    local_line = wave.entry_line - wave.line_start[entry_order]
    codes = (entry_order * (1 << 20) + wave.cand_location[wave.entry_cand]) * (1 << 12) + local_line
    wanted = (hint.order * (1 << 20) + hint.location) * (1 << 12) + hint.line
    order = np.argsort(codes)
    at = np.minimum(np.searchsorted(codes[order], wanted), max(len(codes) - 1, 0))
    take = np.zeros(len(codes), dtype=np.int64)
    if len(codes):
        found = codes[order][at] == wanted
        take[order[at[found]]] = hint.units[found]
    return take

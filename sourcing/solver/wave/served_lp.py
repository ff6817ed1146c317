"""The most units a wave serves, with stores' capacity in orders kept as orders.

``served``'s max flow turns a location's capacity in orders into one in
units and leaves split limits out. Where stores take a few dozen orders a
day and thousands of orders compete for them, that relaxation may be far
too loose. This module writes the problem with both kept, on the flow's
graph (``capped.Transport``)::

    max   sum_a x_a + sum_k z_k
    s.t.  sum_{a of line k} x_a + z_k <= q_k        (each line's units)
          sum_{a at position p} x_a  <= stock_p       (each position's stock)
          x_a <= cap_a * y_(o, l)                     (a unit at l opens the pair)
          sum_o y_(o, l) <= C_l   (total, HD, CC)     (capacity in orders)
          sum_l y_(o, l) <= S_o                       (split limit)
          0 <= x_a <= cap_a, 0 <= z_k <= q_k (only where the line spills), y in {0, 1}

``z_k`` is the unlimited arc to the sink a line gets where ``served`` kept
only its cheapest arcs: a relaxation of the arcs it replaces. A pair gets
a ``y`` only where something limits it (a location with a capacity for the
order's type, or an order whose split limit is below its locations);
elsewhere ``x`` alone.

Every wave plan is a solution (``y`` the pairs it uses), so the LP's
optimum with ``y`` in [0, 1] (``lp_max_served``) bounds what any plan
serves, and so does the MIP's proved bound (``mip_max_served``, for
benchmarks). Since every LP solution with ``y`` in [0, 1] is a flow of
``served`` (the units through l are at most its C largest takes), the LP
is never looser than the flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.sparse import SparseRows, best_bound, build_model
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.capped import Transport


@dataclass(frozen=True, slots=True)
class ServedProgram:
    """The program of the module: ``max c @ v`` within ``rows`` and ``0 <= v <= upper``.

    Variables are the arcs' ``x``, the spilling lines' ``z``, then the
    pairs' ``y`` (``is_y`` marks those; ``y_pair`` is each one's pair,
    order * L + location).
    """

    c: FloatArray
    rows: SparseRows
    upper: FloatArray
    is_y: np.ndarray
    y_pair: IntArray


def served_program(
    graph: Transport,
    capacity: IntArray,
    spill: IntArray | None = None,
    arc_stock: IntArray | None = None,
) -> ServedProgram:
    """The program on ``graph``; ``capacity`` (L, 3) orders per location: total, HD, CC (-1 none).

    ``spill`` lists the lines with an unlimited arc to the sink;
    ``arc_stock`` is, per arc, the stock its order may take of the
    position (a VIP reserve makes it order-dependent): at each level, the
    arcs at that level or below take at most it. By default the
    position's ``graph.stock`` bounds all its arcs.
    """
    n_arcs = len(graph.arc_line)
    spill = np.zeros(0, dtype=np.int64) if spill is None else spill
    order = graph.line_order[graph.arc_line]
    n_loc = graph.n_locations
    cc = graph.is_cc[order].astype(bool)
    limited_at = (capacity[graph.arc_location, 0] >= 0) | (
        capacity[graph.arc_location, np.where(cc, 2, 1)] >= 0
    )
    pair = order * n_loc + graph.arc_location
    pairs, arc_pair = np.unique(pair, return_inverse=True)
    pair_order, pair_location = pairs // n_loc, pairs % n_loc
    per_order = np.bincount(pair_order, minlength=len(graph.split_limit))
    split_binds = graph.split_limit[pair_order] < per_order[pair_order]
    has_y = split_binds | np.isin(pairs, pair[limited_at])
    y_of_pair = np.full(len(pairs), -1, dtype=np.int64)
    y_of_pair[has_y] = np.arange(int(has_y.sum()))
    n_y = int(has_y.sum())
    first_z, first_y = n_arcs, n_arcs + len(spill)
    rows = SparseRows()

    def add(row: IntArray, col: IntArray, val: FloatArray, upper: FloatArray) -> None:
        rows.add(row, col, val, np.full(len(upper), -np.inf), upper)

    arcs = np.arange(n_arcs)
    # Each line's units.
    add(
        np.r_[graph.arc_line, spill],
        np.r_[arcs, first_z + np.arange(len(spill))],
        np.ones(n_arcs + len(spill)),
        graph.quantity.astype(float),
    )
    # Each position's stock, nested by level.
    level = graph.stock[graph.arc_position] if arc_stock is None else arc_stock
    rows_of, limits = _stock_rows(graph.arc_position, level)
    add(rows_of[1], rows_of[0], np.ones(len(rows_of[0])), limits)
    # A unit at l opens the pair.
    linked = np.flatnonzero(y_of_pair[arc_pair] >= 0)
    n_linked = len(linked)
    add(
        np.r_[np.arange(n_linked), np.arange(n_linked)],
        np.r_[linked, first_y + y_of_pair[arc_pair[linked]]],
        np.r_[np.ones(n_linked), -graph.arc_cap[linked].astype(float)],
        np.zeros(n_linked),
    )
    y_pairs = np.flatnonzero(has_y)
    y_loc, y_cc = pair_location[y_pairs], graph.is_cc[pair_order[y_pairs]].astype(bool)
    # Capacity in orders: total, then per type.
    for column, members in ((0, np.ones(n_y, bool)), (1, ~y_cc), (2, y_cc)):
        limit = capacity[:, column]
        use = members & (limit[y_loc] >= 0)
        bound_loc, row = np.unique(y_loc[use], return_inverse=True)
        add(row, first_y + np.flatnonzero(use), np.ones(int(use.sum())), limit[bound_loc])
    # Split limits, where they bind.
    split = np.flatnonzero(split_binds[y_pairs])
    bound_order, row = np.unique(pair_order[y_pairs[split]], return_inverse=True)
    add(row, first_y + split, np.ones(len(split)), graph.split_limit[bound_order])
    c = np.r_[np.ones(first_y), np.zeros(n_y)]
    upper = np.r_[graph.arc_cap.astype(float), graph.quantity[spill].astype(float), np.ones(n_y)]
    is_y = np.r_[np.zeros(first_y, bool), np.ones(n_y, bool)]
    return ServedProgram(c, rows, upper, is_y, pairs[has_y])


def _stock_rows(
    position: IntArray, level: IntArray
) -> tuple[tuple[IntArray, IntArray], FloatArray]:
    """Rows (arc, row) and limits: at each position and stock level, the arcs at or below it."""
    code = position.astype(np.int64) * 2**32 + level.astype(np.int64)
    keys = np.unique(code)
    own = np.searchsorted(keys, code)
    # An arc joins every row of its position whose level is at least its own.
    end = np.searchsorted(keys, (position.astype(np.int64) + 1) * 2**32)
    counts = end - own
    arc = np.repeat(np.arange(len(position)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    row = np.repeat(own, counts) + offset
    return (arc, row), (keys % 2**32).astype(float)


def lp_max_served(program: ServedProgram, time_limit_s: float) -> float:
    """The LP's optimum with ``y`` in [0, 1]: an upper bound on units served; inf if unsolved.

    GLOP (HiGHS's dual simplex took 53 s where GLOP takes 2.3 s on the
    500 x 50 scarce wave; HiGHS's interior point over 600 s on the
    2,000 x 200 one, GLOP 400 s).
    """
    if not len(program.c):
        return 0.0
    solver = _solve(program, "glop", time_limit_s, integral=False)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return math.inf
    return -float(solver.objective_value())


def mip_max_served(program: ServedProgram, time_limit_s: float) -> tuple[float, float]:
    """The MIP's best plan's units (0 when none) and its proved upper bound (SCIP, time-limited)."""
    if not len(program.c):
        return 0.0, 0.0
    solver = _solve(program, "scip", time_limit_s, integral=True)
    best = -float(solver.objective_value()) if solver.has_solution() else 0.0
    return best, -best_bound(solver)


def _solve(
    program: ServedProgram, name: str, time_limit_s: float, *, integral: bool
) -> mbh.ModelSolverHelper:
    """The program solved by ``name`` (minimising ``-c``): ``y`` integral or in [0, 1]."""
    model = build_model(np.zeros(len(program.c)), program.upper, -program.c, program.rows)
    if integral:
        for j in np.flatnonzero(program.is_y).tolist():
            model.set_var_integrality(j, True)
    solver = mbh.ModelSolverHelper(name)
    solver.enable_output(False)
    solver.set_time_limit_in_seconds(max(time_limit_s, 0.001))
    solver.solve(model)
    return solver

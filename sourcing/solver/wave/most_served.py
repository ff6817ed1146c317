"""A plan serving the most units: ``served_lp``'s program solved as a MIP over a wave's cheap arcs.

Measured with ``benchmarks/served_optimum.py`` (issue 12): on ``batch_scale``'s
scarce wave at 500 x 50 with its full size's thin stock (500 products,
about 0.4 units per store and product), the flow's maximum is 3,656 units,
the most any plan serves 3,654 (SCIP proves it in 24 s), and the wave's
plan serves 3,630: the gap above the rejection floor is the plan's, not
the bound's. Neither augmenting paths nor neighbourhoods priced by cost
find those units: they need many orders to change stores at once, so
that stores' few order slots go to the orders that take the most there.

``most_served`` writes the whole wave's most-units program (binary order
slots, split limits, stock, units per arc; ``served_lp``) over each line's
cheapest arcs and the ones the seed plan uses, the seed as SCIP's hint,
each unit worth 1 less a share of its arc's cost too small to give up a
unit for, and reads off the best plan found within the time limit as
(location, line) -> units per order, which apply in sequence as they are.

On ``batch_scale``'s thin 500 x 50 wave at 20 s it served the optimum
(1,370 units rejected against main's 1,402), and ``batch_scale``'s own
waves are too large for it. Taking half the time left before the
neighbourhoods it rejected more units on the bench's ``scarce_capacity``
waves (1,772 / 1,378 against 1,748 / 1,357 at 100 / 300 locations), but
those runs hinted only the plan's nonzero variables, and SCIP ignores a
hint leaving more than 85% of the variables unknown: they started from
nothing. Hinted in full, over fewer arcs per line (SCIP's root LP is most
of its time: 6 arcs 1.6 s, 12 arcs 13 s on the 300-location wave), it is
a step of the short wave where the priced plan stands (``shortage``);
``sub_served`` runs it on groups of a large wave's orders and
``benchmarks/served_optimum.py`` on the wave's plan.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.sparse import build_model
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.capped import Cells, Transport
from sourcing.solver.wave.served_lp import served_program

# Arcs per line the program keeps (its cheapest), beside those the seed uses.
ARCS_PER_LINE = 12
# A program of more variables than this is not tried (SCIP's root LP alone takes minutes).
MOST_VARIABLES = 60_000
# The cost of all units served together moves the objective by less than this: never a unit.
COST_SHARE = 0.1


def most_served(
    graph: Transport,
    capacity: IntArray,
    seed: Cells,
    time_limit_s: float,
    arc_stock: IntArray | None = None,
    arcs_per_line: int = ARCS_PER_LINE,
) -> Cells | None:
    """The best plan SCIP finds within ``time_limit_s``, or None (too large, or none found).

    ``seed`` (order -> (location, line index) -> units) is a plan within
    every limit; its arcs are kept, with each line's ``arcs_per_line``
    cheapest, and it is the hint (SCIP starts from it: the plan found serves
    at least its units). ``arc_stock`` is ``served_program``'s (each arc's
    order's own stock level).
    """
    kept = _kept_arcs(graph, seed, arcs_per_line)
    if not len(kept):
        return None
    sub = arcs_of(graph, kept)
    program = served_program(sub, capacity, None, None if arc_stock is None else arc_stock[kept])
    if len(program.c) > MOST_VARIABLES:
        return None
    n_arcs = len(kept)
    cost = np.maximum(sub.arc_cost, 0.0)
    total = float(cost.max(initial=0.0)) * float(sub.quantity.sum())
    worth = program.c.copy()
    if total > 0:
        worth[:n_arcs] -= COST_SHARE * cost / total
    model = build_model(np.zeros(len(worth)), program.upper, -worth, program.rows)
    for j in np.flatnonzero(program.is_y).tolist():
        model.set_var_integrality(j, True)
    # Every variable's value, zeros too: SCIP ignores a hint leaving more than 85% of the
    # variables unknown (on the scarce_capacity bench wave at 300 locations 93% are 0).
    for j, value in enumerate(_hint(sub, seed, program.y_pair).tolist()):
        model.add_hint(j, value)
    solver = mbh.ModelSolverHelper("scip")
    solver.enable_output(False)
    solver.set_time_limit_in_seconds(max(time_limit_s, 0.001))
    solver.set_solver_specific_parameters("limits/gap = 0\nlimits/absgap = 0.5")
    solver.solve(model)
    if not solver.has_solution():
        return None
    # Rounded down, the units stay within every row (all but the pairs' are sums at most a limit).
    units = np.floor(np.asarray(solver.variable_values())[:n_arcs] + 1e-6).astype(np.int64)
    cells: Cells = {o: {} for o in seed}
    for a in np.flatnonzero(units > 0).tolist():
        line = int(sub.arc_line[a])
        o = int(sub.line_order[line])
        cells.setdefault(o, {})[(int(sub.arc_location[a]), int(sub.line_index[line]))] = int(
            units[a]
        )
    return cells


def arcs_of(graph: Transport, kept: IntArray) -> Transport:
    """``graph`` with only the arcs ``kept`` (lines, orders and positions as they are)."""
    return replace(
        graph,
        arc_line=graph.arc_line[kept],
        arc_position=graph.arc_position[kept],
        arc_location=graph.arc_location[kept],
        arc_cap=graph.arc_cap[kept],
        arc_cost=graph.arc_cost[kept],
    )


def _kept_arcs(graph: Transport, seed: Cells, arcs_per_line: int) -> IntArray:
    """Each line's ``arcs_per_line`` cheapest arcs and every arc the seed uses, in arc order.

    Empty past ``MOST_VARIABLES`` cheapest arcs: the seed is not even read then.
    """
    per_line = np.bincount(graph.arc_line, minlength=len(graph.quantity))
    if int(np.minimum(per_line, arcs_per_line).sum()) > MOST_VARIABLES:
        return np.zeros(0, dtype=np.int64)
    ranked = np.lexsort((graph.arc_cost, graph.arc_line))
    line = graph.arc_line[ranked]
    first = np.r_[True, line[1:] != line[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(line)), 0))
    keep = np.zeros(len(ranked), dtype=bool)
    keep[ranked[np.arange(len(line)) - start < arcs_per_line]] = True
    used = seed_units(graph, seed) > 0
    result: IntArray = np.flatnonzero(keep | used)
    return result


def seed_units(graph: Transport, seed: Cells) -> IntArray:
    """Per arc, the units the seed gives along it."""
    n_loc = graph.n_locations
    code = (graph.line_order[graph.arc_line] * n_loc + graph.arc_location) * 1024 + (
        graph.line_index[graph.arc_line]
    )
    rows = [
        ((o * n_loc + loc) * 1024 + k, units)
        for o, cells in seed.items()
        for (loc, k), units in cells.items()
    ]
    wanted = np.array(rows, dtype=np.int64).reshape(-1, 2)
    wanted = wanted[np.argsort(wanted[:, 0], kind="stable")]
    at = np.minimum(np.searchsorted(wanted[:, 0], code), max(len(wanted) - 1, 0))
    found = (
        (at < len(wanted)) & (wanted[at, 0] == code) if len(wanted) else np.zeros(len(code), bool)
    )
    result: IntArray = np.where(found, wanted[at, 1] if len(wanted) else 0, 0)
    return result


def _hint(sub: Transport, seed: Cells, y_pair: IntArray) -> FloatArray:
    """The seed as values of the program's variables: units per arc, then the pairs it opens."""
    n_loc = sub.n_locations
    opened = {o * n_loc + loc for o, cells in seed.items() for (loc, _), q in cells.items() if q}
    y = np.array([float(int(p) in opened) for p in y_pair])
    result: FloatArray = np.r_[seed_units(sub, seed).astype(float), y]
    return result

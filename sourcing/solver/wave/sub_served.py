"""The most units a part of a wave serves, the rest of the plan held: ``most_served`` on sub-waves.

``most_served`` finds the thin 500 x 50 wave's optimum from its plan in
seconds but ``batch_scale``'s 2,000 x 200 wave is too large for it. Here
a group is the orders whose lines the plan leaves short (``REJECTING`` of
them) and the orders holding units at the positions those lines could
take from (at most ``GROUP`` orders in all); every other order's cells
are held: their units leave the positions' stock and their (order,
location) pairs the locations' order slots. ``most_served`` re-plans the
group on what is left, hinted with its cells, and its plan replaces the
group's when it serves more units; the next group starts where this one
stopped, while the time lasts.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from sourcing.solver.types import IntArray
from sourcing.solver.wave.capped import Cells, Transport, cells_units
from sourcing.solver.wave.most_served import arcs_of, most_served, seed_units

# Orders short of units in a group, and orders in a group in all.
REJECTING = 40
GROUP = 160
# SCIP's time for one group, seconds.
GROUP_SECONDS = 3.0


def sub_served(
    graph: Transport, capacity: IntArray, seed: Cells, time_limit_s: float
) -> tuple[Cells, int]:
    """The seed with groups re-planned for more units within ``time_limit_s``; the units gained.

    ``seed`` (order -> (location, line index) -> units) is a plan within
    every limit. Each group's new cells stay within the stock and order
    slots the held orders leave, so the whole stays within every limit of
    ``graph`` (position stock, capacity in orders, split limits, arc caps).
    """
    deadline = time.perf_counter() + time_limit_s
    cells: Cells = {o: dict(c) for o, c in seed.items()}
    units = seed_units(graph, cells)
    short = _short_orders(graph, units)
    gained, start = 0, 0
    while start < len(short) and time.perf_counter() < deadline - 0.5:
        rejecting = short[start : start + REJECTING]
        start += REJECTING
        group = _group(graph, units, rejecting)
        sub, sub_capacity = _held_out(graph, capacity, units, group)
        sub_seed = {o: cells.get(o, {}) for o in group.tolist()}
        before = cells_units(sub_seed)
        left = min(GROUP_SECONDS, deadline - time.perf_counter())
        found = most_served(sub, sub_capacity, sub_seed, left)
        if found is None:
            continue
        after = cells_units(found)
        if after <= before:
            continue
        cells.update(found)
        gained += after - before
        units = seed_units(graph, cells)
    return cells, gained


def _short_orders(graph: Transport, units: IntArray) -> IntArray:
    """The orders some of whose units the plan leaves unserved, most unserved first."""
    served = np.bincount(graph.arc_line, weights=units, minlength=len(graph.quantity))
    missing = np.bincount(graph.line_order, weights=graph.quantity - served)
    short: IntArray = np.flatnonzero(missing > 0.5)
    result: IntArray = short[np.argsort(-missing[short], kind="stable")]
    return result


def _group(graph: Transport, units: IntArray, rejecting: IntArray) -> IntArray:
    """``rejecting`` and the orders holding the most units at the positions their lines reach."""
    arc_order = graph.line_order[graph.arc_line]
    wanted = np.unique(graph.arc_position[np.isin(arc_order, rejecting)])
    holding = (units > 0) & np.isin(graph.arc_position, wanted) & ~np.isin(arc_order, rejecting)
    held = np.bincount(arc_order[holding], weights=units[holding], minlength=len(graph.split_limit))
    others = np.flatnonzero(held > 0)
    others = others[np.argsort(-held[others], kind="stable")][: max(GROUP - len(rejecting), 0)]
    result: IntArray = np.union1d(rejecting, others)
    return result


def _held_out(
    graph: Transport, capacity: IntArray, units: IntArray, group: IntArray
) -> tuple[Transport, IntArray]:
    """The group's arcs, with the stock and order slots the other orders' units leave."""
    arc_order = graph.line_order[graph.arc_line]
    mine = np.isin(arc_order, group)
    held = units * ~mine
    stock = np.maximum(
        graph.stock - np.bincount(graph.arc_position, held, minlength=len(graph.stock)), 0
    )
    n_loc = graph.n_locations
    pairs = np.unique((arc_order * n_loc + graph.arc_location)[held > 0])
    loc, cc = pairs % n_loc, graph.is_cc[pairs // n_loc].astype(bool)
    taken = np.stack(
        [
            np.bincount(loc, minlength=n_loc),
            np.bincount(loc[~cc], minlength=n_loc),
            np.bincount(loc[cc], minlength=n_loc),
        ],
        axis=1,
    )
    left = np.where(capacity >= 0, np.maximum(capacity - taken, 0), capacity)
    kept = np.flatnonzero(mine)
    sub = replace(arcs_of(graph, kept), stock=stock.astype(graph.stock.dtype))
    return sub, left.astype(capacity.dtype)

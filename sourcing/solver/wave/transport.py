"""The transport bound's min-cost flow, on a graph small enough to solve in seconds.

``served`` bounds every wave plan's cost by a min-cost flow on units (see
there). On a wave of 10,000 orders over 1,000 locations its graph has 200
arcs a line, 10 million in all, and the flow takes half a minute. This
module solves a relaxation of it that is as valid and a quarter the size:

* each line keeps its ``BOUND_ARCS_PER_LINE`` cheapest arcs; one more arc,
  unlimited by stock, takes its units at the cost of the cheapest arc left
  out (no dearer than any of them, and no stock limit), as ``served``'s
  overflow arc already does beyond its 200;
* every unit served passes a gate of capacity ``max_served``: the max
  flow on the full graph proved no plan serves more, so every plan is
  still a flow here, and the units beyond are rejected at their penalty.

So the flow's cost stays at most every plan's cost.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from sourcing.solver.types import FloatArray, IntArray

# Arcs a line keeps in the bound's flow (the cheapest).
BOUND_ARCS_PER_LINE = 50
# Costs are floored to integers at this scale (``served``'s).
COST_SCALE = 100.0
UNLIMITED = 2**30


def transport_bound(
    arcs: tuple[IntArray, IntArray, IntArray, FloatArray],
    overflow_cost: FloatArray,
    quantity: IntArray,
    penalty: FloatArray,
    stock: IntArray,
    location_of: IntArray,
    through: IntArray,
    max_served: int,
) -> float:
    """The min-cost flow's cost on the reduced graph (see the module).

    ``arcs`` are (line, position, cap, cost per unit) of every line ->
    position arc; ``overflow_cost`` each line's arc beyond them (inf: none);
    ``location_of`` each position's location; ``through`` the units each
    location lets through; ``max_served`` the most units any plan serves.
    """
    demanded = int(quantity.sum())
    if not demanded:
        return 0.0
    line, position, cap, cost = arcs
    order = np.lexsort((cost, line))
    grouped = line[order]
    first = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    keep = order[rank < BOUND_ARCS_PER_LINE]
    left_out = order[rank == BOUND_ARCS_PER_LINE]  # each line's cheapest arc left out
    overflow = overflow_cost.copy()
    overflow[line[left_out]] = np.minimum(overflow[line[left_out]], cost[left_out])
    spill = np.flatnonzero(np.isfinite(overflow))
    n_lines, n_pos, n_loc = len(quantity), len(stock), len(through)
    source, sink, gate = 0, 1, 2
    line_node = 3 + np.arange(n_lines)
    first_pos = 3 + n_lines
    first_loc = first_pos + n_pos
    tails = [
        np.full(n_lines, source),
        line_node[line[keep]],
        first_pos + np.arange(n_pos),
        first_loc + np.arange(n_loc),
        line_node[spill],
        np.array([gate]),
        line_node,
    ]
    heads = [
        line_node,
        first_pos + position[keep],
        first_loc + location_of,
        np.full(n_loc, gate),
        np.full(len(spill), gate),
        np.array([sink]),
        np.full(n_lines, sink),
    ]
    caps = [quantity, cap[keep], stock, through, quantity[spill], np.array([max_served]), quantity]
    costs = [np.zeros(n_lines), cost[keep], np.zeros(n_pos), np.zeros(n_loc)]
    costs += [overflow[spill], np.zeros(1), penalty]
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails),
        np.concatenate(heads),
        np.minimum(np.concatenate(caps), UNLIMITED).astype(np.int64),
        np.floor(np.concatenate(costs) * COST_SCALE).astype(np.int64),
    )
    supplies = np.zeros(first_loc + n_loc, dtype=np.int64)
    supplies[source], supplies[sink] = demanded, -demanded
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if flow.solve() != flow.OPTIMAL:
        return 0.0
    return float(flow.optimal_cost()) / COST_SCALE

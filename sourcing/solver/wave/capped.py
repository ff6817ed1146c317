"""The transport flow's units brought within stores' capacity in orders and split limits.

The flow of ``served`` relaxes a location's capacity in orders into one in
units and leaves split limits out, so on a large wave (10,000 orders over
stores taking 22-52 orders a day) thousands of orders' flow allocations
break when applied: their order slot at a store was given to more orders
than the store takes. Applied order by order, such a plan rejects more
units than the greedy (issue 12).

Where the flow's units run into those limits is the stores' order slots:
serving a unit from one more store takes a slot another order may need.
``seeded`` starts from a plan within every limit (the sequential greedy's)
and lets a min-cost flow on units (``served``'s graph: each unit along an
arc within its cap to a position within its stock, or rejected at its
order's priority-raised penalty) use the (order, location) pairs that plan
opens, and open new ones only where a store has slots that plan leaves
free and the order has locations its split limit leaves free.
``within_capacity`` then brings the flow within the limits, in rounds:

1. every order keeps at most its split limit of locations, and every
   location at most its capacity of orders, in total and per type: the
   seed's pairs first (they fit together), then the pairs taking the most
   units, then by priority;
2. the pairs dropped and the new pairs a full store or a full split would
   open are closed, and the flow is solved again.

After the last round (``ROUNDS``) the flow is solved once more on the
pairs kept (they fit together), so the seed's plan stays a feasible flow
throughout and the result serves at least its units. Last, ``_fill``
gives the lines still short what stock is left where a slot and the split
limit let them take it (the last solve could open no pair). The allocations take no more stock than
there is, no location serves more orders than its capacity and no order
uses more locations than its split limit, so applied in any sequence each
is what the flow gave it (``sequence.apply``'s fast path).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from sourcing.solver.types import FloatArray, IntArray

# Rounds of closing the pairs that break a limit and solving the flow again, before the
# last solve on the pairs kept and the fill. Full-size ``batch_scale --variant scarce``:
# 0 rounds serve 87,023 units in 11 s of CPU, 1 round 87,024 in 15 s, 2 rounds 87,024 in 18 s.
ROUNDS = 0
# New (order, location) pairs a line may open: its cheapest arcs beside the seed's pairs.
NEW_ARCS = 20
COST_SCALE = 100.0
# A graph of at most this many arcs also has its flow tried unseeded (``transport_plans``).
UNSEEDED_ARCS = 200_000


@dataclass(frozen=True, slots=True)
class Transport:
    """The flow's graph, what ``within_capacity`` needs of it.

    Arcs are (line, position) pairs: ``arc_line``, ``arc_position``,
    ``arc_location``, ``arc_cap`` (what the order's rules let the location
    give of the line) and ``arc_cost`` (per unit). Lines carry their
    ``quantity``, rejection ``penalty`` (priority raised), ``order`` and
    index in the order (``line_index``); orders their ``split_limit`` and
    whether they are click-and-collect (``is_cc``) and their place in
    priority (``rank``, 0 first); positions their ``stock``.
    """

    arc_line: IntArray
    arc_position: IntArray
    arc_location: IntArray
    arc_cap: IntArray
    arc_cost: FloatArray
    quantity: IntArray
    penalty: FloatArray
    line_order: IntArray
    line_index: IntArray
    split_limit: IntArray
    is_cc: IntArray
    stock: IntArray
    n_locations: int
    rank: IntArray


Cells = dict[int, dict[tuple[int, int], int]]


def cells_units(cells: Cells) -> int:
    """The units a plan's cells serve, over every order."""
    return sum(sum(c.values()) for c in cells.values())


def seeded(graph: Transport, seed: Cells, capacity: IntArray) -> Cells:
    """A plan serving at least the units ``seed`` serves, through the pairs it opens and more.

    ``seed`` (order -> (location, line) -> units) is a plan within every
    limit, the sequential greedy's: the flow may use every (order,
    location) pair it uses, and open new ones where a location has order
    slots the seed leaves free and the order locations its split limit
    leaves free (at most ``NEW_ARCS`` per line, the cheapest). The seed's
    pairs are kept first, so the seed stays a feasible flow in every round
    and the plan serves at least as many units as the seed.
    """
    n_loc = graph.n_locations
    rows = [(o, loc) for o, cells in seed.items() for (loc, _), q in cells.items() if q > 0]
    pairs = np.array(sorted({o * n_loc + loc for o, loc in rows}), dtype=np.int64)
    allowed = _room(graph, pairs, capacity)
    new = np.flatnonzero(allowed & ~np.isin(_pairs(graph, np.arange(len(allowed))), pairs))
    cheapest = np.lexsort((graph.arc_cost[new], graph.arc_line[new]))
    allowed[new[cheapest[_rank_within(graph.arc_line[new[cheapest]]) >= NEW_ARCS]]] = False
    return within_capacity(graph, allowed, capacity, pairs)


def transport_plans(graph: Transport, seed: Cells, capacity: IntArray) -> list[Cells]:
    """The flow's plans to try: seeded with ``seed``, and on a small graph unseeded too.

    Unseeded (every arc open, no pair kept first) the flow follows the
    costs alone; it may serve fewer units than the seed but cost less.
    """
    plans = [seeded(graph, seed, capacity)]
    if len(graph.arc_line) <= UNSEEDED_ARCS:
        plans.append(within_capacity(graph, np.ones(len(graph.arc_line), dtype=bool), capacity))
    return plans


def within_capacity(
    graph: Transport,
    allowed: np.ndarray,
    capacity: IntArray,
    protected: IntArray | None = None,
) -> Cells:
    """Each order's (location, line) -> units: a min-cost flow on ``allowed`` arcs, within limits.

    ``capacity`` is (L, 3) orders per location: total, HD, CC (-1 none);
    ``protected`` (sorted pair ids, order * L + location) are kept before
    any other pair.
    """
    protected = np.zeros(0, dtype=np.int64) if protected is None else protected
    allowed = allowed.copy()
    flow = _solve(graph, allowed)
    for _ in range(ROUNDS):
        dropped, blocked, _kept = _breaking(graph, flow, capacity, protected)
        if not dropped.any():
            return _cells(graph, _fill(graph, flow, capacity))
        allowed &= ~(dropped | blocked)
        flow = _solve(graph, allowed)
    # The last flow on the pairs that hold together: they all fit at once, and no other opens.
    dropped, _, kept = _breaking(graph, flow, capacity, protected)
    if dropped.any():
        arcs = np.flatnonzero(allowed)
        allowed[arcs] = np.isin(_pairs(graph, arcs), kept)
        flow = _solve(graph, allowed)
    return _cells(graph, _fill(graph, flow, capacity))


def _fill(graph: Transport, flow: IntArray, capacity: IntArray) -> IntArray:
    """The flow with more units for its short lines, where they fit, by priority.

    Line after line (its order's priority first), the units it misses are
    taken along its arcs with stock left, the locations its order uses
    first, then the cheapest, opening a new (order, location) pair only
    where the location has an order slot left (in total and for the type)
    and the order a location left in its split limit.
    """
    flow = flow.copy()
    n_loc, n_orders = graph.n_locations, len(graph.split_limit)
    served = np.bincount(graph.arc_line, flow, minlength=len(graph.quantity))
    short = np.flatnonzero(graph.quantity > served)
    if not len(short):
        return flow
    used = np.flatnonzero(flow > 0)
    uses = np.zeros((n_orders, n_loc), dtype=bool)
    uses[graph.line_order[graph.arc_line[used]], graph.arc_location[used]] = True
    order_of, location_of = np.nonzero(uses)
    slots = np.zeros((n_loc, 3), dtype=np.int64)
    slots[:, 0] = np.bincount(location_of, minlength=n_loc)
    for kind in (1, 2):
        mine = graph.is_cc[order_of] == kind - 1
        slots[:, kind] = np.bincount(location_of[mine], minlength=n_loc)
    # Per location and type (1 HD, 2 CC): whether a new order still fits.
    fits = np.ones((n_loc, 3), dtype=bool)
    for kind in (1, 2):
        fits[:, kind] = _slot_left(capacity, slots, kind)
    split = uses.sum(axis=1)
    left = graph.stock - np.bincount(graph.arc_position, flow, minlength=len(graph.stock))
    short = short[np.argsort(graph.rank[graph.line_order[short]], kind="stable")]
    by_line = np.argsort(graph.arc_line, kind="stable")
    bounds = np.searchsorted(graph.arc_line[by_line], np.arange(len(graph.quantity) + 1))
    for line in short.tolist():
        arcs = by_line[bounds[line] : bounds[line + 1]]
        o = int(graph.line_order[line])
        kind = 1 + int(graph.is_cc[o])
        locations = graph.arc_location[arcs]
        mine = uses[o, locations]
        open_ = mine | (fits[locations, kind] & (split[o] < graph.split_limit[o]))
        ok = open_ & (left[graph.arc_position[arcs]] > 0) & (flow[arcs] < graph.arc_cap[arcs])
        arcs, mine = arcs[ok], mine[ok]
        missing = int(graph.quantity[line] - served[line])
        for a in arcs[np.lexsort((graph.arc_cost[arcs], ~mine))].tolist():
            location, position = int(graph.arc_location[a]), int(graph.arc_position[a])
            new = not uses[o, location]
            if new and (split[o] >= graph.split_limit[o] or not fits[location, kind]):
                continue
            take = min(missing, int(left[position]), int(graph.arc_cap[a] - flow[a]))
            if take <= 0:
                continue
            if new:
                uses[o, location] = True
                slots[location, [0, kind]] += 1
                split[o] += 1
                fits[location, 1:] = [
                    _slot_left(capacity[location], slots[location], c) for c in (1, 2)
                ]
            flow[a] += take
            left[position] -= take
            missing -= take
            if not missing:
                break
    return flow


def _slot_left(capacity: IntArray, slots: IntArray, kind: int) -> np.ndarray:
    """Whether a location (rows, or one) takes one order more of ``kind``, and in total."""
    total, typed = capacity[..., 0], capacity[..., kind]
    result: np.ndarray = ((total < 0) | (slots[..., 0] < total)) & (
        (typed < 0) | (slots[..., kind] < typed)
    )
    return result


def _pairs(graph: Transport, arcs: IntArray) -> IntArray:
    """Each arc's (order, location) pair as one integer."""
    result: IntArray = graph.line_order[graph.arc_line[arcs]] * graph.n_locations
    return result + graph.arc_location[arcs]


def _breaking(
    graph: Transport, flow: IntArray, capacity: IntArray, protected: IntArray
) -> tuple[np.ndarray, np.ndarray, IntArray]:
    """Arcs whose (order, location) pair breaks a limit, arcs no new pair may open, pairs kept.

    A pair is kept when it is among its order's ``split_limit`` largest and
    its location's capacity in orders (per type, then in total) takes it,
    ``protected`` pairs first (carrying flow or not: they fit together), then
    larger pairs and higher priorities. The pairs kept (sorted) fit together.
    """
    n_arcs, n_loc, rank = len(flow), graph.n_locations, graph.rank
    used = np.flatnonzero(flow > 0)
    pair_of_arc = _pairs(graph, used)
    pairs = np.union1d(pair_of_arc, protected)
    inverse = np.searchsorted(pairs, pair_of_arc)
    units = np.bincount(inverse, flow[used], minlength=len(pairs)).astype(np.int64)
    order, location = pairs // n_loc, pairs % n_loc
    loose = ~np.isin(pairs, protected)
    # Split limit: an order's pairs by units, largest first.
    by_order = np.lexsort((rank[order], -units, loose, order))
    keep = np.zeros(len(pairs), dtype=bool)
    keep[by_order] = _rank_within(order[by_order]) < graph.split_limit[order[by_order]]
    # Capacity: a location's kept pairs by units, then priority; per type first, then total.
    kind = 1 + graph.is_cc[order]
    by_type = np.lexsort((rank[order], -units, loose, ~keep, kind, location))
    limit = capacity[location[by_type], kind[by_type]]
    rank_type = _rank_within(location[by_type] * 3 + kind[by_type])
    fits = keep.copy()
    fits[by_type] &= (limit < 0) | (rank_type < limit)
    by_total = np.lexsort((rank[order], -units, loose, ~fits, location))
    limit = capacity[location[by_total], 0]
    fits[by_total] &= (limit < 0) | (_rank_within(location[by_total]) < limit)
    dropped = np.zeros(n_arcs, dtype=bool)
    dropped[used[~fits[inverse]]] = True
    # No new pair where the location's slots are all kept or the order's split is full.
    blocked = ~_room(graph, pairs[fits], capacity)
    return dropped, blocked, pairs[fits]


def _room(graph: Transport, pairs: IntArray, capacity: IntArray) -> np.ndarray:
    """Arcs that may carry flow beside ``pairs`` (sorted pair ids) open.

    An arc of an open pair may; another opens a pair, which needs an order
    slot left at its location (in total and for the order's type) and a
    location left in its order's split limit.
    """
    n_loc = graph.n_locations
    order, location = pairs // n_loc, pairs % n_loc
    slots = np.zeros((n_loc, 3), dtype=np.int64)
    slots[:, 0] = np.bincount(location, minlength=n_loc)
    for kind in (1, 2):
        slots[:, kind] = np.bincount(location[graph.is_cc[order] == kind - 1], minlength=n_loc)
    full = (capacity >= 0) & (slots >= capacity)
    split = np.bincount(order, minlength=len(graph.split_limit))
    arc_order = graph.line_order[graph.arc_line]
    free: np.ndarray = (
        ~full[graph.arc_location, 0] & ~full[graph.arc_location, 1 + graph.is_cc[arc_order]]
    )
    free &= split[arc_order] < graph.split_limit[arc_order]
    closed = np.flatnonzero(~free)
    free[closed] = np.isin(_pairs(graph, closed), pairs)
    return free


def _rank_within(groups: IntArray) -> IntArray:
    """Each element's place within its run of equal ``groups`` (sorted), 0 first."""
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    starts = np.repeat(first, np.diff(np.r_[first, len(groups)]))
    result: IntArray = np.arange(len(groups)) - starts
    return result


def _solve(graph: Transport, allowed: np.ndarray) -> IntArray:
    """The min-cost flow on the allowed arcs: every unit served along one or rejected.

    Each unit goes along an allowed arc (within its cap) to a position
    (within its stock), or is rejected at its line's penalty.
    """
    flow = np.zeros(len(allowed), dtype=np.int64)
    arcs = np.flatnonzero(allowed & (graph.arc_cap > 0))
    if not len(arcs):
        return flow
    n_lines = len(graph.quantity)
    positions, position_node = np.unique(graph.arc_position[arcs], return_inverse=True)
    n_pos = len(positions)
    source, sink = 0, 1
    line_nodes = 2 + np.arange(n_lines)
    tails = np.concatenate(
        [
            np.full(n_lines, source),
            2 + graph.arc_line[arcs],
            2 + n_lines + np.arange(n_pos),
            line_nodes,
        ]
    )
    heads = np.concatenate(
        [
            line_nodes,
            2 + n_lines + position_node.reshape(-1),
            np.full(n_pos, sink),
            np.full(n_lines, sink),
        ]
    )
    caps = np.concatenate(
        [graph.quantity, graph.arc_cap[arcs], graph.stock[positions], graph.quantity]
    )
    costs = np.concatenate(
        [np.zeros(n_lines), graph.arc_cost[arcs], np.zeros(n_pos), graph.penalty]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails, heads, caps, np.floor(costs * COST_SCALE).astype(np.int64)
    )
    supplies = np.zeros(2 + n_lines + n_pos, dtype=np.int64)
    demand = int(graph.quantity.sum())
    supplies[source], supplies[sink] = demand, -demand
    solver.set_nodes_supplies(np.arange(len(supplies)), supplies)
    if solver.solve() != solver.OPTIMAL:
        return flow
    flow[arcs] = np.asarray(solver.flows(np.arange(n_lines, n_lines + len(arcs))), dtype=np.int64)
    return flow


def _cells(graph: Transport, flow: IntArray) -> Cells:
    """The flow as each order's (location, line of the order) -> units."""
    cells: Cells = {}
    used = np.flatnonzero(flow > 0)
    lines = graph.arc_line[used]
    columns = (graph.line_order[lines], graph.arc_location[used], graph.line_index[lines])
    rows = zip(*(c.tolist() for c in columns), flow[used].tolist(), strict=True)
    for o, location, k, units in rows:
        mine = cells.setdefault(o, {})
        mine[(location, k)] = mine.get((location, k), 0) + units
    return cells

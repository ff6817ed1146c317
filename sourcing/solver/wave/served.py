"""The most units a wave can serve, and the rejection cost no wave plan avoids.

Under shortage the rejection penalty dwarfs every other cost, so a bound
that does not know which units no plan can serve says nothing (issue 12).
This module computes, before anything is optimised:

* ``max_served``: an UPPER bound on the units any wave plan serves, as a
  maximum flow on units::

      source -> line (o, k)        capacity: units ordered
      line -> position (l, p)      capacity: cap[l, k], what the order's
                                   rules let location l give of the line
      position -> location l       capacity: the position's stock
      location l -> sink           capacity: units the location's order
                                   capacity lets through (below)

  Every wave plan is such a flow (its units per line, position and
  location respect each arc), so no plan serves more. The split limit is
  left out and a location's capacity in orders becomes one in units (at
  most C orders use it, each taking at most what its rules let it take
  there: the C largest such takes), per type as well as in total; both
  only widen the arcs, so the flow stays an upper bound.

* ``floor``: a lower bound on the rejection cost of every wave plan. The
  graph falls apart into connected components (lines, positions and
  locations linked by arcs); a plan's units served in component c are a
  flow there, so at most the max flow's ``M_c``, and it rejects at least
  ``R_c = D_c - M_c`` of the ``D_c`` units ordered in c. Each rejected unit
  costs at least its order's least per-unit penalty in any state (the
  weight ``rejection``: the objective's dominating penalty only raises it),
  so the rejected units of c cost at least the sum of the ``R_c`` smallest
  per-unit penalties among the units of c. Summed over components, and as
  every other term of the objective is >= 0, no plan costs less than the
  floor. Taking the smallest penalties of the competing units, not the
  penalty of the units the flow left out, is what keeps it valid: which
  units a plan leaves out is the plan's choice.

* ``transport_bound``: a lower bound on every wave plan's cost that knows
  which units compete for scarce stock: the min-cost flow on the same
  graph, each unit of line k taken at l costing its unit cost plus the
  order's fulfilment cost at l shared over the most units it could take
  there (a plan taking t <= u units at l pays the fulfilment once, which
  is at least t / u of it), each unit rejected its order's least penalty.
  Split, ideal-stock and the rest of the fulfilment costs are >= 0 and
  left out, so every plan's cost is at least the flow's. It is solved on
  fewer arcs a line behind a gate of the served maximum (``transport``),
  in a thread, while the wave goes on (``transport_bound`` waits for it).

The graph itself (``graph``) is kept for plans within stores' capacity in
orders (``capped``).

A line keeps its ``ARCS_PER_LINE`` cheapest arcs; when it has more, one
arc more goes straight to the sink, unlimited, at the cost of the cheapest
arc left out: a relaxation of the arcs it replaces (no stock limit, no
dearer than any of them), so both bounds stay valid and the graph small.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, maximum_flow

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import OrderType
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.capped import Transport
from sourcing.solver.wave.transport import transport_bound

# An arc no constraint limits (int32, as scipy's max flow wants).
UNLIMITED = 2**30
# Arcs kept per line (the cheapest), and the scale costs are floored to integers at.
ARCS_PER_LINE = 200
COST_SCALE = 100.0
# ``_top_sum`` counts takes per (location, size) while the table has at most this many cells.
COUNTED_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class Served:
    """What the wave can serve at most, and the rejection cost it cannot avoid.

    ``line_served`` is, per line in collection order, what the max flow
    serves of it (one plan of the relaxation, not a wave plan).
    """

    demanded: int
    max_served: int
    floor: float
    line_served: IntArray
    # The min-cost flow's cost (``transport_bound``), solved beside what follows.
    transport: Future[float] | None = None
    # The flow's graph, for plans within stores' capacity in orders (``capped``).
    graph: Transport | None = None

    @property
    def transport_bound(self) -> float:
        """The min-cost flow's cost (see the module), once solved."""
        return self.transport.result() if self.transport is not None else 0.0

    @property
    def unservable(self) -> int:
        """Units no wave plan serves."""
        return self.demanded - self.max_served


@dataclass
class ServedCollector:
    """Gathers each order's arcs from its arrays, as the wave builds them.

    ``add`` is called once per order with its arrays over the whole network
    in the wave's starting state; ``served`` then solves the flow.
    """

    n_locations: int
    products: dict[str, int] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    quantity: list[IntArray] = field(default_factory=list)
    penalty: list[FloatArray] = field(default_factory=list)
    arc_line: list[IntArray] = field(default_factory=list)
    arc_code: list[IntArray] = field(default_factory=list)
    arc_cap: list[IntArray] = field(default_factory=list)
    arc_stock: list[IntArray] = field(default_factory=list)
    arc_cost: list[FloatArray] = field(default_factory=list)
    overflow_cost: list[FloatArray] = field(default_factory=list)  # inf: no overflow arc
    take_location: list[IntArray] = field(default_factory=list)
    take_units: list[IntArray] = field(default_factory=list)
    take_cc: list[bool] = field(default_factory=list)
    split_limit: list[int] = field(default_factory=list)
    order_ids: list[int] = field(default_factory=list)
    line_order: list[IntArray] = field(default_factory=list)
    line_raise: list[FloatArray] = field(default_factory=list)
    lines: int = 0

    def add(self, order: int, arrays: SourcingArrays, priority_raise: float = 1.0) -> None:
        """Record order ``order``'s lines and arcs (the first time it is seen only).

        ``priority_raise`` multiplies its rejection penalty in the transport
        plan (not in the bound), so the plan gives the last units by priority.
        """
        if order in self.seen:
            return
        self.seen.add(order)
        self.order_ids.append(order)
        ids = np.array(
            [self.products.setdefault(p, len(self.products)) for p in arrays.products],
            dtype=np.int64,
        )
        k_lines = len(arrays.quantity)
        self.quantity.append(arrays.quantity.astype(np.int64))
        self.penalty.append(np.full(k_lines, float(arrays.weights.rejection)))
        at_location, at_line, cost, overflow = _cheapest_arcs(arrays)
        self.arc_cost.append(cost)
        self.overflow_cost.append(overflow)
        self.arc_line.append(at_line.astype(np.int64) + self.lines)
        self.arc_code.append(
            (at_location.astype(np.int64) << 32) | ids[arrays.line_product[at_line]]
        )
        self.arc_cap.append(arrays.cap[at_location, at_line].astype(np.int64))
        self.arc_stock.append(
            arrays.stock[at_location, arrays.line_product[at_line]].astype(np.int64)
        )
        per_location = arrays.cap.sum(axis=1)
        used = np.flatnonzero(per_location)
        self.take_location.append(used.astype(np.int64))
        self.take_units.append(per_location[used].astype(np.int64))
        self.take_cc.append(arrays.problem.order.type is OrderType.CC)
        self.split_limit.append(int(arrays.split_limit))
        self.line_order.append(np.full(k_lines, order, dtype=np.int64))
        self.line_raise.append(np.full(k_lines, priority_raise))
        self.lines += k_lines

    def served(self, capacity: IntArray) -> Served:
        """Solve the flow; ``capacity`` (L, 3) is orders per location: total, HD, CC (-1 none)."""
        quantity = _cat(self.quantity, np.int64)
        penalty = _cat(self.penalty, float)
        line = _cat(self.arc_line, np.int64)
        codes, position = np.unique(_cat(self.arc_code, np.int64), return_inverse=True)
        position = position.reshape(-1)
        stock = np.zeros(len(codes), dtype=np.int64)
        np.maximum.at(stock, position, _cat(self.arc_stock, np.int64))
        location_of = codes >> 32
        through = self._through(capacity)
        n_lines, n_pos = len(quantity), len(codes)
        demanded = int(quantity.sum())
        first_pos, first_loc = 2 + n_lines, 2 + n_lines + n_pos
        n_nodes = first_loc + self.n_locations
        tails = [np.zeros(n_lines, np.int64), 2 + line, first_pos + np.arange(n_pos)]
        heads = [2 + np.arange(n_lines), first_pos + position, first_loc + location_of]
        caps = [quantity, _cat(self.arc_cap, np.int64), stock]
        tails.append(first_loc + np.arange(self.n_locations))
        heads.append(np.ones(self.n_locations, np.int64))
        caps.append(through)
        overflow_cost = _cat(self.overflow_cost, float)
        spill = np.flatnonzero(np.isfinite(overflow_cost))
        tails.append(2 + spill)
        heads.append(np.ones(len(spill), np.int64))
        caps.append(quantity[spill])
        graph = coo_matrix(
            (
                np.minimum(np.concatenate(caps), UNLIMITED).astype(np.int32),
                (np.concatenate(tails), np.concatenate(heads)),
            ),
            shape=(n_nodes, n_nodes),
        ).tocsr()
        flow = maximum_flow(graph, 0, 1, method="dinic").flow.tocsr()
        line_served = np.asarray(flow[0, 2 : 2 + n_lines].toarray()).ravel().astype(np.int64)
        component = _components(n_nodes, tails[1:3], heads[1:3])[2 : 2 + n_lines]
        floor = rejection_floor(quantity, line_served, penalty, component)
        arc_cost = _cat(self.arc_cost, float)
        arc_cap = _cat(self.arc_cap, np.int64)
        # The min-cost flow releases the interpreter: it runs while the greedy is applied.
        pool = ThreadPoolExecutor(max_workers=1)
        transport = pool.submit(
            transport_bound,
            (line, position, arc_cap, arc_cost),
            overflow_cost,
            quantity,
            penalty,
            stock,
            location_of,
            through,
            int(line_served.sum()),
        )
        pool.shutdown(wait=False)
        # Who gets the last units follows priorities: the plans' flows price them in.
        raised = penalty * _cat(self.line_raise, float)
        graph = Transport(
            arc_line=line,
            arc_position=position.astype(np.int64),
            arc_location=location_of[position],
            arc_cap=arc_cap,
            arc_cost=arc_cost,
            quantity=quantity,
            penalty=raised,
            line_order=_cat(self.line_order, np.int64),
            line_index=self._line_index(),
            split_limit=self._per_order(self.split_limit),
            is_cc=self._per_order([int(cc) for cc in self.take_cc]),
            stock=stock,
            n_locations=self.n_locations,
            rank=self._rank(),
        )
        return Served(demanded, int(line_served.sum()), floor, line_served, transport, graph)

    def _line_index(self) -> IntArray:
        """Each line's index within its order."""
        line_order = _cat(self.line_order, np.int64)
        first = np.zeros(len(line_order), dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, line_order[1:] != line_order[:-1]])
        first[starts] = starts
        result: IntArray = np.arange(len(line_order)) - np.maximum.accumulate(first)
        return result

    def _per_order(self, values: list[int]) -> IntArray:
        """``values``, one per order added, indexed by the order's index in the wave."""
        result = np.zeros(max(self.order_ids, default=-1) + 1, dtype=np.int64)
        result[self.order_ids] = values
        return result

    def _rank(self) -> IntArray:
        """Each order's place in priority (0 first): by raised penalty, then wave order."""
        raised = np.ones(max(self.order_ids, default=-1) + 1)
        raised[self.order_ids] = [float(r[0]) if len(r) else 1.0 for r in self.line_raise]
        rank = np.empty(len(raised), dtype=np.int64)
        rank[np.lexsort((np.arange(len(raised)), -raised))] = np.arange(len(raised))
        return rank

    def _through(self, capacity: IntArray) -> IntArray:
        """Per location, the units its capacity in orders lets through at most."""
        location = _cat(self.take_location, np.int64)
        units = _cat(self.take_units, np.int64)
        counts = np.array([len(t) for t in self.take_location], dtype=np.int64)
        is_cc = np.repeat(np.array(self.take_cc, dtype=bool), counts)
        total = _top_sum(location, units, capacity[:, 0], self.n_locations)
        hd = _top_sum(location[~is_cc], units[~is_cc], capacity[:, 1], self.n_locations)
        cc = _top_sum(location[is_cc], units[is_cc], capacity[:, 2], self.n_locations)
        result: IntArray = np.minimum(total, hd + cc)
        return result


def _cheapest_arcs(arrays: SourcingArrays) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """The order's arcs (location, line, cost per unit) kept, and each line's overflow cost.

    A unit's cost is its unit cost plus the fulfilment cost shared over the
    most units the order could take at the location (see the module).
    """
    cap = arrays.cap
    most = np.minimum(cap.sum(axis=1), int(arrays.quantity.sum()))
    share = arrays.fulfilment_cost / np.maximum(most, 1)
    cost = np.where(cap > 0, arrays.unit_cost + share[:, None], np.inf)
    n_lines = cap.shape[1]
    overflow = np.full(n_lines, np.inf)
    if cap.shape[0] > ARCS_PER_LINE:
        ranked = np.argsort(cost, axis=0, kind="stable")
        dropped = ranked[ARCS_PER_LINE]
        overflow = cost[dropped, np.arange(n_lines)]
        keep = np.zeros(cap.shape, dtype=bool)
        np.put_along_axis(keep, ranked[:ARCS_PER_LINE], True, axis=0)
        cost = np.where(keep, cost, np.inf)
    at_location, at_line = np.nonzero(np.isfinite(cost))
    return at_location, at_line, cost[at_location, at_line], overflow


def rejection_floor(
    quantity: IntArray, served: IntArray, penalty: FloatArray, component: IntArray
) -> float:
    """Per component, the sum of the ``R_c`` smallest per-unit penalties of its units.

    ``R_c`` is what the lines of component c order less what the max flow
    serves of them (see the module's docstring for why this bounds every
    plan's rejection cost).
    """
    if not len(quantity):
        return 0.0
    short = np.bincount(component, quantity - served)
    order = np.lexsort((penalty, component))
    comp, q, pen = component[order], quantity[order], penalty[order]
    before = np.cumsum(q) - q  # units of earlier (cheaper) lines, over all components
    start = np.zeros(len(short), dtype=np.int64)
    first = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    start[comp[first]] = before[first]
    taken = np.clip(short[comp] - (before - start[comp]), 0, q)
    return float((taken * pen).sum())


def _top_sum(location: IntArray, units: IntArray, capacity: IntArray, n: int) -> IntArray:
    """Per location, the sum of the ``capacity[l]`` largest ``units`` there (all if -1).

    Takes are counted per (location, size), largest sizes kept up to the
    capacity: at full size (about 10M takes) sorting them took 2-7 s, counting
    0.1 s. Takes too large for ``COUNTED_CELLS`` counts are sorted instead.
    """
    result = np.zeros(n, dtype=np.int64)
    if not len(location):
        return result
    sizes = int(units.max()) + 1
    if n * sizes > COUNTED_CELLS:
        return _top_sum_sorted(location, units, capacity, n)
    # counts[l, j]: takes of size sizes - 1 - j at l, largest first.
    counts = np.bincount(location * sizes + units, minlength=n * sizes).reshape(n, sizes)[:, ::-1]
    before = np.cumsum(counts, axis=1) - counts
    limit = np.where(capacity < 0, len(units), capacity)[:, None]
    taken = np.clip(limit - before, 0, counts)
    result[:] = taken @ np.arange(sizes - 1, -1, -1, dtype=np.int64)
    return result


def _top_sum_sorted(location: IntArray, units: IntArray, capacity: IntArray, n: int) -> IntArray:
    """``_top_sum`` by sorting the takes, for takes too large to count."""
    result = np.zeros(n, dtype=np.int64)
    order = np.lexsort((-units, location))
    loc, u = location[order], units[order]
    first = np.flatnonzero(np.r_[True, loc[1:] != loc[:-1]])
    rank = np.arange(len(loc)) - np.repeat(first, np.diff(np.r_[first, len(loc)]))
    limit = capacity[loc]
    keep = (limit < 0) | (rank < limit)
    np.add.at(result, loc[keep], u[keep])
    return result


def _components(n_nodes: int, tails: list[IntArray], heads: list[IntArray]) -> IntArray:
    """Each node's connected component over the arcs given (direction ignored)."""
    t, h = np.concatenate(tails), np.concatenate(heads)
    graph = coo_matrix((np.ones(len(t), dtype=np.int8), (t, h)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    result: IntArray = labels.astype(np.int64)
    return result


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def plan_key(plans: Iterable[Plan]) -> tuple[int, float]:
    """Plans compared first by units rejected, then by what the wave minimises.

    That is ``priced_total``: the cost plus the scarce-stock prices' steering
    (the cost alone when no prices steer). The wave never loses a unit.
    """
    rejected, total = 0, 0.0
    for plan in plans:
        rejected += plan.rejected_units
        total += plan.objective.priced_total
    return rejected, total


def real_and_priced(plans: Iterable[Plan]) -> tuple[float, float | None]:
    """The plans' summed real cost, and their summed priced objective when anything steered."""
    real, priced, steered = 0.0, 0.0, False
    for plan in plans:
        real += plan.objective.total
        priced += plan.objective.priced_total
        steered = steered or bool(plan.objective.steering)
    return real, priced if steered else None

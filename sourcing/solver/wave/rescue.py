"""Serve units a wave's plan rejects by moving another order's units: augmenting paths.

When the plan is applied order by order, an order may find the stock it
needed taken by an order before it that could have taken the same product
elsewhere. The max flow of ``served`` says how many units a plan can
serve at most; while the plan rejects more than that, some rejected unit
has an augmenting path. This step looks for the short ones:

* direct: the rejected unit's order can take it at a location it may use
  (one it uses, or a new one within its split limit and the location's
  capacity) where stock is still free;
* one move: another order A holds the product at such a location l and can
  take the same units at a location l2 where stock is free (one A uses, or
  a new one within A's split limit and l2's capacity); A moves them to l2
  and the rejected order takes them at l.

The result is a set of allocations the caller applies again in the same
sequence (``sequence.apply`` checks each against the network as the
orders before left it and solves an order exactly where its allocation no
longer fits), and keeps only when it rejects fewer units, at the same or
lower cost per unit served (plans compare by rejected units first).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import Location, Order, OrderType
from sourcing.solver.types import IntArray
from sourcing.solver.wave.sequence import Cell, Given

# Locations tried per rejected line, cheapest first.
TRIED_LOCATIONS = 40


@dataclass
class _Network:
    """Stock taken, orders opened per location, and each order's allocation, as moves go."""

    capacity: IntArray  # (L, 3): total, HD, CC; -1 unlimited
    taken: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    holders: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    allocation: dict[int, dict[Cell, int]] = field(default_factory=dict)
    opened: dict[int, IntArray] = field(default_factory=dict)  # per location: total, HD, CC

    def uses(self, o: int) -> set[int]:
        return {loc for (loc, _), q in self.allocation[o].items() if q > 0}

    def may_open(self, o: int, location: int, split_limit: int, is_cc: bool) -> bool:
        """Whether order o may use ``location`` (already does, or a new one that fits)."""
        used = self.uses(o)
        if location in used:
            return True
        if len(used) >= split_limit:
            return False
        cap, opened = self.capacity[location], self.opened.get(location, np.zeros(3, np.int64))
        kind = 2 if is_cc else 1
        return all(cap[c] < 0 or opened[c] < cap[c] for c in (0, kind))

    def move(self, o: int, location: int, line: int, product: str, units: int, is_cc: bool) -> None:
        """Add ``units`` (negative: remove) of order o's line at ``location``."""
        cells = self.allocation[o]
        before = location in self.uses(o)
        cells[(location, line)] = cells.get((location, line), 0) + units
        self.taken[(location, product)] += units
        after = location in self.uses(o)
        holding = any(q > 0 for (loc, k), q in cells.items() if loc == location)
        if holding:
            self.holders[(location, product)].add(o)
        elif o in self.holders[(location, product)]:
            self.holders[(location, product)].discard(o)
        if before != after:
            opened = self.opened.setdefault(location, np.zeros(3, np.int64))
            step = 1 if after else -1
            opened[0] += step
            opened[2 if is_cc else 1] += step


def augment(
    orders: Sequence[Order],
    locations: Sequence[Location],
    plans: Mapping[int, Plan],
    arrays_of: Callable[[int], SourcingArrays],
    capacity: IntArray,
    deadline: float,
) -> tuple[dict[int, dict[Cell, int]], int]:
    """Allocations serving some rejected units by direct takes and one-move paths.

    ``arrays_of(o)`` are order o's arrays in the wave's starting state
    (their caps say where the rules let it take a line). Returns every
    order's allocation, as (location, line) -> units, and the units
    rescued.
    """
    index = {loc.ref: i for i, loc in enumerate(locations)}
    net = _Network(capacity)
    for o, plan in plans.items():
        lines = {line.ref: k for k, line in enumerate(orders[o].lines)}
        net.allocation[o] = {}
        for part in plan.fulfilments:
            for line in part.lines:
                loc = index[part.location_ref]
                net.move(
                    o, loc, lines[line.line_ref], line.product_ref, line.quantity, _cc(orders[o])
                )
    built: dict[int, SourcingArrays] = {}

    def arrays(o: int) -> SourcingArrays:
        if o not in built:
            built[o] = arrays_of(o)
        return built[o]

    rescued = 0
    for o, plan in plans.items():
        if plan.rejected is None:
            continue
        lines = {line.ref: k for k, line in enumerate(orders[o].lines)}
        for line in plan.rejected.lines:
            if time.perf_counter() >= deadline:
                return net.allocation, rescued
            missing = line.quantity
            k = lines[line.line_ref]
            missing -= _serve(net, orders, arrays, o, k, line.product_ref, missing)
            rescued += line.quantity - missing
    return net.allocation, rescued


def _serve(
    net: _Network,
    orders: Sequence[Order],
    arrays: Callable[[int], SourcingArrays],
    o: int,
    k: int,
    product: str,
    missing: int,
) -> int:
    """Units of order o's line k served at locations it may use, directly or by one move."""
    mine = arrays(o)
    p = int(mine.line_product[k])
    able = np.flatnonzero(mine.cap[:, k] > 0)
    able = able[np.argsort(mine.unit_cost[able, k] + mine.fulfilment_cost[able])][:TRIED_LOCATIONS]
    served, cc = 0, _cc(orders[o])
    for loc in able.tolist():
        if served >= missing:
            break
        if not net.may_open(o, loc, mine.split_limit, cc):
            continue
        free = int(mine.stock[loc, p]) - net.taken[(loc, product)]
        take = min(free, missing - served)
        if take <= 0:
            take = _free_by_moving(net, orders, arrays, o, loc, product, missing - served)
        if take > 0:
            net.move(o, loc, k, product, take, cc)
            served += take
    return served


def _free_by_moving(
    net: _Network,
    orders: Sequence[Order],
    arrays: Callable[[int], SourcingArrays],
    o: int,
    loc: int,
    product: str,
    wanted: int,
) -> int:
    """Units of ``product`` at ``loc`` freed by moving other orders' units elsewhere."""
    freed = 0
    for donor in sorted(net.holders[(loc, product)] - {o}):
        theirs = arrays(donor)
        cc = _cc(orders[donor])
        for (at, line), units in list(net.allocation[donor].items()):
            if at != loc or units <= 0 or orders[donor].lines[line].product_ref != product:
                continue
            p = int(theirs.line_product[line])
            others = np.flatnonzero(theirs.cap[:, line] > 0)
            for other in others[others != loc].tolist():
                if freed >= wanted:
                    return freed
                if not net.may_open(donor, other, theirs.split_limit, cc):
                    continue
                free = int(theirs.stock[other, p]) - net.taken[(other, product)]
                shift = min(free, units, wanted - freed)
                if shift > 0:
                    net.move(donor, other, line, product, shift, cc)
                    net.move(donor, loc, line, product, -shift, cc)
                    units -= shift
                    freed += shift
    return freed


def _cc(order: Order) -> bool:
    return order.type is OrderType.CC


def decide_from(allocation: Mapping[int, Mapping[Cell, int]]) -> Given:
    """The allocations as a ``Decide`` over each order's arrays (same locations and lines)."""
    return Given(allocation)

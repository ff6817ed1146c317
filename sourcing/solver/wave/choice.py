"""Which orders a neighbourhood of the wave's plan takes out: the ones competing for the same stock.

A neighbourhood (``neighbourhood``) re-solves a few orders jointly on what
every other order holds; it can only improve the plan where the orders it
takes compete. Under shortage they compete for the scarce positions: a
product ordered beyond what the network holds, or a location whose stock or
capacity the plan uses up. Taking out one order and those wanting its
products (the first rule, ``around``) keeps finding the same few orders;
the kinds here take turns, each on its own cursor:

* ``product``: every order wanting one product, the scarcest first (units
  ordered over units in stock), those rejecting units of it first, then
  drawn at random; topped up with orders related to them;
* ``location``: the orders using a location the plan saturates (no order
  slot left, or a product's stock used up), and the orders wanting what it
  holds nearest to it;
* ``related``: an order drawn at random and the orders most related to it
  (shared products, then near delivery points: Shaw's removal), with a
  little noise so a seed drawn twice gives another neighbourhood;
* ``around``: the order rejecting most units, else the dearest, not tried
  since the plan last moved, and the orders wanting most of its products.

The draws come from a generator seeded once: a wave gives the same plan for
the same steps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from sourcing.solver.problem import Order
from sourcing.solver.types import FloatArray
from sourcing.solver.wave.problem import BatchProblem
from sourcing.solver.wave.sequence import Cell, NetworkState

# The turns of the kinds: the first rule moves least often (on the quick scarce
# ``batch_scale`` wave 2 of 35 tries, against 4 of 5 for the others), so it comes last.
KINDS = ("product", "location", "related", "product", "location", "related", "around")
# With no unit left to win, ``around``'s seeds (the orders rejecting most) are the orders
# whose units no plan serves: on the scarce bench waves it moved 5-9 times in 11-13 tries
# for a tenth of the others' gain per second.
KINDS_AT_FLOOR = tuple(kind for kind in KINDS if kind != "around")
# Noise on relatedness, so a seed drawn twice gives another neighbourhood.
NOISE = 0.3
# Relatedness: the share of a seed's products an order wants, against its distance in
# units of the wave's typical distance between delivery points.
DISTANCE_WEIGHT = 0.5


class Chooser:
    """The neighbourhoods of a wave's plan, one kind after another."""

    def __init__(self, problem: BatchProblem, seed: int = 0, kinds: Sequence[str] = KINDS) -> None:
        self.problem, self.kinds = problem, tuple(kinds)
        orders = problem.orders
        self.rng = np.random.default_rng(seed)
        self.products = [frozenset(line.product_ref for line in o.lines) for o in orders]
        self.wanting: dict[str, list[int]] = defaultdict(list)
        ordered: dict[str, int] = defaultdict(int)
        for o, order in enumerate(orders):
            for line in order.lines:
                ordered[line.product_ref] += line.quantity
            for product in self.products[o]:
                self.wanting[product].append(o)
        state = NetworkState(problem.locations, problem.state, problem.table)
        self.available = {p: _available(state, p) for p in ordered}
        pressure = {p: ordered[p] / max(sum(self.available[p].values()), 1) for p in ordered}
        # Products several orders want, the scarcest first.
        shared = [p for p in ordered if len(self.wanting[p]) > 1]
        self.scarce = sorted(shared, key=lambda p: (-pressure[p], p))
        self.points = _points(orders)
        self.site = _points_of(problem)
        self.index = {location.ref: i for i, location in enumerate(problem.locations)}
        spread = np.ptp(self.points, axis=0) if len(orders) else np.zeros(2)
        self.scale = max(float(np.hypot(*spread)) / max(math.sqrt(len(orders)), 1.0), 1e-9)
        self.capacity = state.total.copy()
        self.cursor = dict.fromkeys(KINDS, 0)
        self.turn = 0
        self.tried: set[int] = set()  # seeds of ``around`` since the plan last moved
        self.saturated: list[int] = []
        self.users: dict[int, list[int]] = {}
        self.cells: Mapping[int, Mapping[Cell, int]] = {}
        self.cost: Mapping[int, float] = {}

    def moved(self, cells: Mapping[int, Mapping[Cell, int]], cost: Mapping[int, float]) -> None:
        """The plan changed: the saturated locations again, every seed worth a look again.

        ``cells`` are every order's units by (location, line), ``cost`` each
        order's priced cost.
        """
        self.tried.clear()
        self.cells, self.cost = cells, cost
        users: dict[int, set[int]] = defaultdict(set)
        taken: dict[tuple[int, str], int] = defaultdict(int)
        orders = self.problem.orders
        for o, mine in cells.items():
            for (loc, line), units in mine.items():
                users[loc].add(o)
                taken[(loc, orders[o].lines[line].product_ref)] += units
        full = {
            loc
            for loc, using in users.items()
            if 0 <= self.capacity[loc] <= len(using)  # -1: unlimited
        }
        for (loc, product), units in taken.items():
            if units >= self.available[product].get(loc, 0):
                full.add(loc)
        self.users = {loc: sorted(using) for loc, using in users.items()}
        self.saturated = sorted(full)

    def next(self, size: int) -> list[int] | None:
        """The next neighbourhood of at most ``size`` orders; None when no kind has one left."""
        for _ in range(len(self.kinds)):
            kind = self.kinds[self.turn % len(self.kinds)]
            self.turn += 1
            chosen = self._of(kind, size)
            if chosen:
                return chosen
        return None

    def _of(self, kind: str, size: int) -> list[int] | None:
        at = self.cursor[kind]
        self.cursor[kind] += 1
        if kind == "product" and self.scarce:
            return self._product(self.scarce[at % len(self.scarce)], size)
        if kind == "location" and self.saturated:
            loc = self.saturated[int(self.rng.integers(len(self.saturated)))]
            return self._location(loc, size)
        if kind == "related" and self.cells:
            members = sorted(self.cells)
            return self._fill([members[int(self.rng.integers(len(members)))]], size)
        if kind == "around":
            return self._around(size)
        return None

    def _product(self, product: str, size: int) -> list[int]:
        """The orders wanting ``product``: those rejecting units of it, then at random."""
        wanting = [o for o in self.wanting[product] if o in self.cells]
        short = [o for o in wanting if self._rejected(o, product) > 0]
        rest = [o for o in wanting if o not in set(short)]
        self.rng.shuffle(rest)
        return self._fill([*short, *rest][:size], size)

    def _location(self, loc: int, size: int) -> list[int]:
        """The orders using ``loc`` and those wanting what it holds, nearest first."""
        using = list(self.users.get(loc, ()))
        held = [p for p in self.scarce if loc in self.available[p]]
        wanting = {o for p in held for o in self.wanting[p] if o in self.cells} - set(using)
        near = sorted(wanting, key=lambda o: (self._distance(o, self.site[loc]), o))
        self.rng.shuffle(using)
        return self._fill([*using, *near][:size], size)

    def _around(self, size: int) -> list[int] | None:
        left = [o for o in self.cells if o not in self.tried]
        if not left:
            return None
        seed = max(left, key=lambda o: (self._rejected(o), self.cost.get(o, 0.0)))
        self.tried.add(seed)
        mine = self.products[seed]
        rows = [(len(mine & self.products[o]), self._rejected(o), -o) for o in self.cells]
        shared = sorted((row for row in rows if row[2] != -seed), reverse=True)
        return [seed, *(-o for n, _, o in shared[: size - 1] if n > 0)]

    def _rejected(self, o: int, product: str | None = None) -> int:
        """Units order o's plan leaves unserved (of ``product`` alone, if given)."""
        lines = self.problem.orders[o].lines
        wanted = [k for k, line in enumerate(lines) if product in (None, line.product_ref)]
        served = sum(q for (_, k), q in self.cells[o].items() if k in wanted)
        return sum(lines[k].quantity for k in wanted) - served

    def _fill(self, chosen: list[int], size: int) -> list[int]:
        """``chosen`` topped up to ``size`` with the orders most related to its first."""
        if len(chosen) >= size or not chosen:
            return chosen
        seed = chosen[0]
        inside = set(chosen)
        others = np.array([o for o in self.cells if o not in inside], dtype=np.int64)
        if not len(others):
            return chosen
        mine = self.products[seed]
        shared = np.array([len(mine & self.products[o]) for o in others.tolist()], dtype=float)
        distance = np.hypot(*(self.points[others] - self.points[seed]).T) / self.scale
        score = shared / max(len(mine), 1) - DISTANCE_WEIGHT * np.minimum(distance, 2.0)
        score += NOISE * self.rng.random(len(others))
        best = others[np.argsort(-score, kind="stable")][: size - len(chosen)]
        return [*chosen, *best.tolist()]

    def _distance(self, o: int, point: FloatArray) -> float:
        return float(np.hypot(*(self.points[o] - point)))


def _available(state: NetworkState, product: str) -> dict[int, int]:
    """Units of ``product`` the locations holding some can give at the start, by location."""
    column = state.base.stock.get(product)
    if column is None:
        return {}
    free = column.on_hand - column.reserved - column.buffer_qty
    where = np.flatnonzero(free > 0)
    return dict(zip(column.index[where].tolist(), free[where].tolist(), strict=True))


def _points(orders: Sequence[Order]) -> FloatArray:
    """Delivery points on a plane (longitude scaled by the latitude's cosine), degrees."""
    lat = np.array([o.delivery_point.latitude for o in orders], dtype=float)
    lon = np.array([o.delivery_point.longitude for o in orders], dtype=float)
    return np.stack([lat, lon * np.cos(np.radians(lat))], axis=1).reshape(-1, 2)


def _points_of(problem: BatchProblem) -> FloatArray:
    lat = np.array([loc.point.latitude for loc in problem.locations], dtype=float)
    lon = np.array([loc.point.longitude for loc in problem.locations], dtype=float)
    return np.stack([lat, lon * np.cos(np.radians(lat))], axis=1).reshape(-1, 2)

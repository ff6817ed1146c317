"""The reduction's Lagrangian prices, for one order or for many sharing their pairs.

``Lagrangian`` is the subgradient ascent ``reduction`` bounds each candidate
with (see there). The fulfilment options solve one CC order per collection
store: the same cart and candidates, only the distance-priced terms
differ, so the (location, line) pairs, their capacities and the quantities
are the same. ``ascend_together`` takes the steps of all of them at once,
one numpy pass per step over a (stores, pairs) array instead of one per
store; every row's arithmetic is the one-store ``ascend``'s, element for
element and sum for sum, so each ends with the very prices, bound and
step it would have reached alone (tests compare them bit for bit).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import BoolArray, FloatArray, IntArray

STEP_DECAY = 0.93


class Lagrangian:
    """Subgradient ascent on the prices of the order's lines, over the (l, k) pairs that exist."""

    def __init__(self, arrays: SourcingArrays, like: Lagrangian | None = None) -> None:
        """``like``: a Lagrangian of arrays sharing these arrays' very ``cap`` and
        ``quantity`` objects (``variants.with_destination``), whose pairs are then reused;
        or of arrays holding these arrays' pairs and more, with the same capacities and
        quantities (``deliver_by.delivered_by``: candidates left out), whose pairs are
        then reused with an infinite cost on those these arrays lack (``_held_pairs``)."""
        self._of = (arrays.cap, arrays.quantity)  # what the pairs were taken from
        self.pair_l: IntArray
        self.pair_k: IntArray
        self.cap: FloatArray
        self.q: FloatArray
        self._groups: tuple[IntArray, IntArray, IntArray]  # ``_line_groups`` of the pairs
        lacked = None  # ``like``'s pairs these arrays lack, when reused from it
        if like is not None and like._of[0] is arrays.cap and like._of[1] is arrays.quantity:
            self.pair_l, self.pair_k, self.cap, self.q = like.pair_l, like.pair_k, like.cap, like.q
            self._groups = like._groups
        elif like is not None and (mine := _held_pairs(like, arrays)) is not None:
            lacked = ~mine
            self.pair_l, self.pair_k, self.cap, self.q = like.pair_l, like.pair_k, like.cap, like.q
            self._groups = like._groups
        else:
            self.pair_l, self.pair_k = np.nonzero(arrays.cap)
            self.cap = arrays.cap[self.pair_l, self.pair_k].astype(float)
            self.q = arrays.quantity.astype(float)
            self._groups = _line_groups(self.pair_k, len(self.q))
        self.cost = arrays.unit_cost[self.pair_l, self.pair_k]
        if lacked is not None and lacked.any():
            # A pair these arrays lack is never below its line's price: it adds exact
            # zeros to every sum (in the same order), as if it were not there.
            self.cost = np.where(lacked, np.inf, self.cost)
        self.fixed = arrays.fulfilment_cost
        self.penalty = arrays.rejection_penalty
        # Each line's cheapest pair (a minimum is exact in any order: one pass per group).
        order, starts, held = self._groups
        cheapest = np.full(len(self.q), np.inf)
        if len(held):
            cheapest[held] = np.minimum.reduceat(self.cost.take(order), starts)
        self.prices = np.where(np.isfinite(cheapest), cheapest, self.penalty)
        self.best = -np.inf
        self.best_g = self.fixed
        self.step = 1.0  # Polyak's factor, shrinking every step

    def ascend(self, upper_bound: float, steps: int) -> None:
        """Take up to ``steps`` Polyak steps towards ``upper_bound``.

        Only the pairs below their line's price save anything or can be
        opened; the others would add exact zeros to the sums, so each step
        sums over those pairs alone (the same sums, in the same order).
        """
        n_lines, n_locations = len(self.q), len(self.fixed)
        for _ in range(steps):
            prices = self.prices
            pair_prices = prices.take(self.pair_k)  # spread once: g and the subgradient use it
            cheap = np.flatnonzero(self.cost < pair_prices)
            at, cap = self.pair_l.take(cheap), self.cap.take(cheap)
            # Below the price, so each difference is negative already (no min with 0 needed).
            saving = (self.cost.take(cheap) - pair_prices.take(cheap)) * cap
            g = self.fixed + np.bincount(at, saving, minlength=n_locations)
            bound = float(
                prices @ self.q
                + np.minimum(0.0, self.penalty - prices) @ self.q
                + np.minimum(g, 0.0).sum()
            )
            if bound > self.best:
                self.best, self.best_g = bound, g
            if upper_bound - bound <= 1e-9 * max(1.0, abs(upper_bound)):
                return
            opened = g.take(at) < 0
            served = np.bincount(self.pair_k.take(cheap), opened * cap, minlength=n_lines)
            direction = self.q - served - self.q * (self.penalty < prices)
            norm = float(direction @ direction)
            if norm == 0.0:
                return
            self.prices = prices + self.step * (upper_bound - bound) / norm * direction
            self.step *= STEP_DECAY


def ascend_together(many: Sequence[Lagrangian], upper_bounds: Sequence[float], steps: int) -> None:
    """``many[i].ascend(upper_bounds[i], steps)`` for every i, with the steps taken together.

    The Lagrangians must share their pairs, capacities and quantities (one
    cart's orders sent to different places); else ``ValueError``.
    """
    if not many:
        return
    first = many[0]
    if not all(same_pairs(first, other) for other in many[1:]):
        raise ValueError("Expected Lagrangians over the same (location, line) pairs.")
    active = list(range(len(many)))
    rows = _Rows(many, active, upper_bounds)
    for _ in range(steps):
        prices = rows.prices
        pair_prices = prices.take(first.pair_k, axis=1)  # ``take``: the same gather, faster
        # Only pairs below their line's price save anything or can be opened: the
        # others add exact zeros to the sums, so they are left out of them.
        cheap = rows.pairs_below(pair_prices)
        cap, bins = rows.cap.take(cheap), rows.location_bin(cheap)
        saving = rows.cost.take(cheap) - pair_prices.take(cheap)  # negative: below the price
        saving *= cap
        g = rows.fixed + rows.sum_by_location(bins, saving)
        floor = np.minimum(g, 0.0).sum(axis=1)
        below = np.minimum(0.0, rows.penalty_column - prices)
        opened = g.take(bins) < 0
        served = rows.sum_by_line(cheap, opened * cap)
        direction = first.q - served - first.q * (rows.penalty_column < prices)
        # Each row's dot products, as ``@`` takes them of the row alone (the same dot), and
        # each row's scalar arithmetic of ``ascend`` elementwise (the same float operations).
        bounds = np.vecdot(prices, first.q) + np.vecdot(below, first.q) + floor
        norms = np.vecdot(direction, direction)
        rows.keep_best(bounds, g)
        aim = rows.upper - bounds
        stopped = (aim <= rows.close) | (norms == 0.0)
        if not stopped.any():  # every row moves: no masks (the same elementwise arithmetic)
            rows.prices = prices + (rows.step * aim / norms)[:, None] * direction
            rows.step *= STEP_DECAY
            continue
        moving = ~stopped
        factors = np.zeros((len(active), 1))
        factors[moving, 0] = rows.step[moving] * aim[moving] / norms[moving]
        rows.step[moving] *= STEP_DECAY
        rows.prices = prices + factors * direction
        # A stopped row returns before moving its prices.
        rows.prices[stopped] = prices[stopped]
        rows.put_back(many, active, stopped)
        active = [i for r, i in enumerate(active) if moving[r]]
        if not active:
            return
        rows = rows.kept(moving)
    rows.put_back(many, active, np.ones(len(active), dtype=bool))


def _line_groups(pair_k: IntArray, lines: int) -> tuple[IntArray, IntArray, IntArray]:
    """The pairs ordered by line (in pair order within one), where each line that has
    pairs starts in that order, and those lines: for a minimum per line by ``reduceat``."""
    order = np.argsort(pair_k, kind="stable")
    counts = np.bincount(pair_k, minlength=lines)
    held = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[held]
    return order, starts, held


def _held_pairs(like: Lagrangian, arrays: SourcingArrays) -> BoolArray | None:
    """Which of ``like``'s pairs ``arrays`` hold, when they hold no other pair, each with
    ``like``'s capacity, and ``like``'s quantities; else None."""
    if not np.array_equal(arrays.quantity, like.q):
        return None
    cap = arrays.cap[like.pair_l, like.pair_k]
    held: BoolArray = cap > 0
    if int(held.sum()) != int(np.count_nonzero(arrays.cap)):
        return None  # a pair outside ``like``'s
    if not np.array_equal(cap[held], like.cap[held]):
        return None
    return held


def same_pairs(one: Lagrangian, other: Lagrangian) -> bool:
    """Whether two Lagrangians have the same pairs, capacities and quantities."""
    mine, theirs = (
        (one.pair_l, one.pair_k, one.cap, one.q),
        (other.pair_l, other.pair_k, other.cap, other.q),
    )
    if all(a is b for a, b in zip(mine, theirs, strict=True)):
        return True  # the very same arrays (``like``); equal ones are compared below
    return (
        np.array_equal(other.pair_l, one.pair_l)
        and np.array_equal(other.pair_k, one.pair_k)
        and np.array_equal(other.cap, one.cap)
        and np.array_equal(other.q, one.q)
    )


class _Rows:
    """The still-ascending Lagrangians' arrays, one row each."""

    def __init__(
        self, many: Sequence[Lagrangian], active: list[int], upper_bounds: Sequence[float]
    ) -> None:
        first = many[0]
        n, pairs = len(active), len(first.pair_l)
        self.prices = np.array([many[i].prices for i in active]).reshape(n, -1)
        self.upper = np.array([upper_bounds[i] for i in active], dtype=float)
        self.best = np.array([many[i].best for i in active], dtype=float)
        self.step = np.array([many[i].step for i in active], dtype=float)
        self.best_g: list[FloatArray | None] = [None] * n  # each row's best g, once it improves
        self.cost = np.array([many[i].cost for i in active]).reshape(n, pairs)
        self.fixed = np.array([many[i].fixed for i in active]).reshape(n, -1)
        self.penalty = np.array([many[i].penalty for i in active], dtype=float)
        self.penalty_column = self.penalty[:, None]
        # How close to its upper bound a row's bound must come to stop (``ascend``'s test).
        self.close = 1e-9 * np.maximum(1.0, np.abs(self.upper))
        self.cap = np.tile(first.cap, n)  # flat, (row, pair) order: taken as it is each step
        locations, lines = self.fixed.shape[1], len(first.q)
        offsets = np.arange(n)[:, None]
        self._by_location = (first.pair_l[None, :] + offsets * locations).ravel()
        self._by_line = (first.pair_k[None, :] + offsets * lines).ravel()
        self._shape_l, self._shape_k = (n, locations), (n, lines)

    def kept(self, moving: BoolArray) -> _Rows:
        """These rows where ``moving``: the same arrays sliced (the flat pair arrays of
        fewer rows are a prefix of these, as rows are laid end to end)."""
        rows = copy(self)
        n = int(moving.sum())
        pairs = self.cost.shape[1]
        rows.prices, rows.upper = self.prices[moving], self.upper[moving]
        rows.close = self.close[moving]
        rows.best, rows.step = self.best[moving], self.step[moving]
        rows.best_g = [g for g, keep in zip(self.best_g, moving.tolist(), strict=True) if keep]
        rows.cost, rows.fixed, rows.penalty = (
            self.cost[moving],
            self.fixed[moving],
            self.penalty[moving],
        )
        rows.penalty_column = rows.penalty[:, None]
        rows.cap = self.cap[: n * pairs]
        rows._by_location, rows._by_line = (
            self._by_location[: n * pairs],
            self._by_line[: n * pairs],
        )
        rows._shape_l, rows._shape_k = (n, self._shape_l[1]), (n, self._shape_k[1])
        return rows

    def keep_best(self, bounds: FloatArray, g: FloatArray) -> None:
        """Each row's best bound and its g (a view of ``g``: steps make new ones), where
        ``bounds`` beats it."""
        better = bounds > self.best
        if not better.any():
            return
        self.best = np.where(better, bounds, self.best)
        for r in np.flatnonzero(better).tolist():
            self.best_g[r] = g[r]

    def put_back(self, many: Sequence[Lagrangian], active: list[int], which: BoolArray) -> None:
        """The prices, best bound (and g, when it improved) and step of the rows ``which``
        into their Lagrangians, as the lone ascent leaves them."""
        for r in np.flatnonzero(which).tolist():
            one = many[active[r]]
            one.prices = self.prices[r].copy()
            one.best, one.step = float(self.best[r]), float(self.step[r])
            best_g = self.best_g[r]
            if best_g is not None:
                one.best_g = best_g.copy()

    def pairs_below(self, pair_prices: FloatArray) -> IntArray:
        """Flat indices of the (row, pair)s whose unit cost is below the line's price, in
        row then pair order (the order the sums take them in)."""
        return np.flatnonzero(self.cost < pair_prices)

    def location_bin(self, flat: IntArray) -> IntArray:
        """The flat (row, location) of each flat (row, pair)."""
        return self._by_location.take(flat)

    def sum_by_location(self, bins: IntArray, values: FloatArray) -> FloatArray:
        """Each row's values summed per location (``bins``: ``location_bin`` of the flat
        (row, pair)s), in pair order (as ``np.bincount`` alone)."""
        size = self._shape_l[0] * self._shape_l[1]
        weighted = np.bincount(bins, values, minlength=size)
        summed = np.asarray(weighted, dtype=np.float64)  # float already: weights are
        return summed.reshape(self._shape_l)

    def sum_by_line(self, flat: IntArray, values: FloatArray) -> FloatArray:
        """Each row's values summed per line, in pair order."""
        size = self._shape_k[0] * self._shape_k[1]
        summed = np.asarray(np.bincount(self._by_line[flat], values, minlength=size), float)
        return summed.reshape(self._shape_k)


__all__ = ["STEP_DECAY", "Lagrangian", "ascend_together", "same_pairs"]

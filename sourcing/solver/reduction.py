"""Exact per-order solving on a few candidates, with a proof that the rest cannot help.

Every plan over a handful of candidates can be priced at once
(``subset_pricing``: the order's model decomposes once the set of
locations used is fixed).

Which candidates? Relax the coverage constraints with prices lambda_k per
unit of line k (Lagrangian relaxation). For any lambda,

    L(lambda) = sum_k lambda_k q_k + sum_k min(0, P - lambda_k) q_k + sum_l min(0, g_l)
    g_l       = f_l + sum_k min(0, c_lk - lambda_k) cap_lk

is a lower bound on every plan's cost (split limit, shared stock and the
ideal-stock penalty only make plans dearer), and any plan that uses
location d costs at least L(lambda) + max(0, g_d). Subgradient ascent finds
good prices in a few dozen numpy steps; the locations with the lowest g_l
give a plan (upper bound U) by enumeration; every location whose bound is
not below U is provably useless and dropped. What is left is solved exactly:
by enumeration when small, else by the MIP on the reduced candidate set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.lagrangian import Lagrangian
from sourcing.solver.objective import evaluate
from sourcing.solver.subset_pricing import enumerate_plans, enumerate_small_plans
from sourcing.solver.sums import column_sums, row_sums
from sourcing.solver.types import BoolArray, FloatArray, IntArray

# Largest candidate set priced by enumeration (2**12 subsets), and the most
# subsets priced when plans are known to use few locations.
MAX_ENUMERATED = 12
MAX_SUBSETS = 6000
# Best-priced survivors whose pairs are priced when the bound leaves many.
PAIR_POOL = 40
# Subgradient steps spent on the prices: before the first enumeration, and after.
LAGRANGIAN_STEPS = 40
# Further steps once enumeration found a better plan to aim at.
REFINE_STEPS = 15
# The relative margin a price floor must clear above the room before it drops a plan:
# far above the rounding of its sums, far below any cost difference.
FLOOR_ROUNDING = 1e-7


@dataclass(frozen=True, slots=True)
class Reduction:
    """The outcome of the bound: candidates that may still help, and the proof's numbers."""

    keep: IntArray  # candidate indices that may appear in an optimal plan
    lower_bound: float  # L(lambda): no plan costs less
    incumbent: IntArray  # the best allocation found on the way, (L, K)
    incumbent_cost: float
    # The candidates and the most locations of the enumeration that found the
    # incumbent (None when it is the caller's): it was the cheapest of those plans.
    searched: tuple[IntArray, int] | None = None
    # Each candidate's term in ``lower_bound`` (the prices' ``best_g``), None without prices.
    g: FloatArray | None = None

    def plans_below(
        self, keep: IntArray, most: int, upper_bound: float, split: float
    ) -> IntArray | None:
        """The subsets of at most ``most`` of ``keep`` whose bound at the prices of
        ``lower_bound`` stays below ``upper_bound``, as ``subset_members``' rows (padded
        with ``len(keep)``) in its order; None when there are more than ``MAX_SUBSETS`` (or
        no prices).

        At those prices a plan over locations T costs at least the lines' terms
        (``lower_bound`` without its negative g) plus the g of T's members and its
        split penalties (``split`` each after the first; ``_survivors`` bounds each
        candidate alone the same way), so no other plan of ``keep`` of at most ``most``
        locations can cost less than ``upper_bound``.
        """
        floor = self.price_floor(keep)
        if floor is None or split < 0:
            return None
        lines, g_kept = floor
        room = upper_bound - 1e-9 * max(1.0, abs(upper_bound)) - lines
        order = np.argsort(g_kept, kind="stable")
        g = g_kept[order].tolist()
        found: list[tuple[int, ...]] = []
        # Depth first, cheapest g first: past a candidate whose g is not negative that
        # already reaches the room, every later one (with a g as large) does too.
        stack: list[tuple[tuple[int, ...], float, int]] = [((), 0.0, 0)]
        visits = 0
        while stack:
            members, spent, start = stack.pop()
            visits += 1
            if visits > 4 * MAX_SUBSETS:  # many negative g: the MIP does better
                return None
            if spent < room:
                found.append(members)
                if len(found) > MAX_SUBSETS:
                    return None
            if len(members) == most:
                continue
            penalty = split if members else 0.0
            for j in range(start, len(g)):
                more = spent + g[j] + penalty
                if more >= room and g[j] >= 0:
                    break
                stack.append(((*members, j), more, j + 1))
        return _as_rows(found, order, len(keep), max(most, 1))

    def price_floor(self, keep: IntArray) -> tuple[float, FloatArray] | None:
        """The lines' terms of ``lower_bound`` (without its negative g) and the g of each of
        ``keep``; None without prices.

        At those prices a plan over locations T (each one used) costs at least the
        lines' terms plus the g of T's members plus ``split`` per member after the
        first: the Lagrangian relaxation of the plan restricted to T.
        """
        if self.g is None:
            return None
        return self.lower_bound - float(np.minimum(self.g, 0.0).sum()), self.g[keep]

    def searched_all(self, keep: IntArray, most: int) -> bool:
        """Whether the incumbent is the enumeration's best over every plan of at most
        ``most`` of ``keep`` (they were all among the plans it priced)."""
        if self.searched is None:
            return False
        candidates, max_size = self.searched
        # Both hold distinct indices: a Python set answers for a few faster than ``np.isin``.
        return (
            most <= max_size
            and len(keep) <= len(candidates)
            and set(keep.tolist()) <= set(candidates.tolist())
        )


def may_reach(floor: FloatArray, room: float) -> BoolArray:
    """Where a floor (computed in floating point) may still be below ``room``: below it or
    within rounding of it (1e-7 relative), so that no plan a floor drops was reachable."""
    return floor < room + FLOOR_ROUNDING * max(1.0, abs(room))


def within_runs(count: IntArray) -> IntArray:
    """Each element's place within its run, for runs of ``count`` elements laid end to end
    (``[2, 0, 3]`` gives ``[0, 1, 0, 1, 2]``): how ragged lists are indexed without a loop."""
    result: IntArray = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return result


def _as_rows(found: list[tuple[int, ...]], order: IntArray, n: int, width: int) -> IntArray:
    """The subsets ``found`` (positions in ``order``) as ``subset_members``' rows over
    ``order``'s candidates: members ascending, padded with ``n``, smaller subsets first,
    then as ``itertools.combinations`` (rows of one size compare column by column)."""
    sizes = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    flat = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=int(sizes.sum()))
    table = np.full((len(found), width), n, dtype=np.int64)
    table[np.repeat(np.arange(len(found)), sizes), within_runs(sizes)] = order[flat]
    table.sort(axis=1)  # the padding, above every member, stays last
    return table[np.lexsort((*table.T[::-1], sizes))]


def most_locations_worth_using(
    arrays: SourcingArrays, candidates: IntArray, upper_bound: float
) -> int:
    """The most locations an optimal plan over ``candidates`` can use.

    A plan with m locations pays at least the m smallest per-fulfilment
    costs, m - 1 split penalties, and for every unit at least the cheapest
    unit cost (or the rejection penalty) any candidate offers. The first m
    for which that already reaches ``upper_bound`` cannot be optimal, and
    neither can any larger m.
    """
    if len(candidates) == 0:
        return 0
    cap = arrays.cap[candidates]
    cheapest = np.where(cap > 0, arrays.unit_cost[candidates], np.inf).min(axis=0)
    units = float((arrays.quantity * np.minimum(cheapest, arrays.rejection_penalty)).sum())
    fixed = np.sort(arrays.fulfilment_cost[candidates])
    for m in range(1, len(candidates) + 1):
        floor = units + float(fixed[:m].sum()) + arrays.weights.split * (m - 1)
        if floor >= upper_bound + 1e-9 * max(1.0, abs(upper_bound)):
            return m - 1
    return len(candidates)


def subsets_to_price(n: int, max_size: int) -> int:
    """How many subsets of at most ``max_size`` of ``n`` candidates there are."""
    return sum(math.comb(n, size) for size in range(max_size + 1))


@dataclass(frozen=True, slots=True)
class Room:
    """Of an order's capacities alone: the candidates with room for some line (``usable``)
    and the lines some candidate has room for. One cart's orders sent to different places
    share the very ``cap`` (``variants.with_destinations``), so they share this too."""

    usable: IntArray
    lines: list[int]

    @classmethod
    def of(cls, arrays: SourcingArrays) -> Room:
        """The room of ``arrays.cap``."""
        return cls(
            np.flatnonzero(row_sums(arrays.cap) > 0),
            np.flatnonzero(column_sums(arrays.cap) > 0).tolist(),
        )


def _promising(
    arrays: SourcingArrays, usable: IntArray, g: FloatArray, lines: list[int] | None = None
) -> IntArray:
    """The candidates the prices favour, completed so that every line can be served.
    ``lines``: the lines some candidate has room for, when the caller has them (``Room``)."""
    ranked = usable[np.argsort(g[usable], kind="stable")]
    count = min(len(ranked), max(int((g[usable] < 0).sum()), 4), MAX_ENUMERATED - 4)
    chosen = ranked[:count].tolist()
    taken = np.zeros(len(ranked), dtype=bool)  # which places of ``ranked`` are chosen
    taken[:count] = True
    # What the chosen hold of each line, kept up as candidates join (integers: exact).
    held = column_sums(arrays.cap[chosen]).tolist()
    quantity = arrays.quantity.tolist()
    if lines is None:
        lines = np.flatnonzero(column_sums(arrays.cap) > 0).tolist()
    for k in lines:
        if held[k] < quantity[k] and len(chosen) < MAX_ENUMERATED:
            # The best-ranked candidate not yet chosen that holds some of the line.
            places = np.flatnonzero((arrays.cap[ranked, k] > 0) & ~taken)
            if len(places):
                taken[places[0]] = True
                joining = int(ranked[places[0]])
                chosen.append(joining)
                held = [h + int(c) for h, c in zip(held, arrays.cap[joining], strict=True)]
    return np.sort(np.array(chosen, dtype=np.int64))


def reduce_candidates(
    arrays: SourcingArrays,
    upper_bound: float,
    incumbent: IntArray,
    ascended: Lagrangian | None = None,
) -> Reduction:
    """Bound every candidate and keep only those that could beat the best plan found.

    A first few price steps rank the candidates; the best-ranked are priced
    exactly by enumeration, which usually gives a near-optimal plan; with
    that plan's cost as the target the prices are refined, and every
    candidate whose bound reaches the plan's cost is dropped. ``ascended``:
    this arrays' prices after those first ``LAGRANGIAN_STEPS`` towards
    ``upper_bound``, when the caller took them (``lagrangian.ascend_together``).
    """
    trial = Trial.of(arrays, upper_bound, incumbent, ascended)
    if trial.to_refine():
        trial.refine()
    return trial.reduction(arrays)


@dataclass(slots=True)
class Trial:
    """``reduce_candidates`` up to its refining steps: the first prices, and the plan
    the enumeration of the best-ranked candidates found (the incumbent when none better).

    Split there so that the caller may refine many orders' prices together
    (``lagrangian.ascend_together``) before each ``reduction``.
    """

    usable: IntArray
    prices: Lagrangian
    incumbent: IntArray
    upper_bound: float
    searched: tuple[IntArray, int] | None = None

    @classmethod
    def of(
        cls,
        arrays: SourcingArrays,
        upper_bound: float,
        incumbent: IntArray,
        ascended: Lagrangian | None = None,
        room: Room | None = None,
    ) -> Trial:
        """The first price steps (unless ``ascended``) and the trial enumeration.
        ``room``: ``Room.of(arrays)``, when the caller has it (orders over one ``cap``)."""
        room = Room.of(arrays) if room is None else room
        usable = room.usable
        prices = Lagrangian(arrays) if ascended is None else ascended
        if len(usable) == 0:
            return cls(usable, prices, incumbent, upper_bound)
        if ascended is None:
            prices.ascend(upper_bound, LAGRANGIAN_STEPS)
        promising = _promising(arrays, usable, prices.best_g, room.lines)
        # Larger subsets cost at least the upper bound, so the trial could not use
        # them; the smaller ones come first in the enumeration, so its choice is unchanged.
        most = most_locations_worth_using(arrays, promising, upper_bound)
        trial, trial_cost = _priced(arrays, *enumerate_plans(arrays, promising, max_size=most))
        if trial_cost < upper_bound:
            searched = (promising, min(most, len(promising), arrays.split_limit))
            return cls(usable, prices, trial, trial_cost, searched)
        return cls(usable, prices, incumbent, upper_bound)

    def to_refine(self) -> bool:
        """Whether the prices take ``REFINE_STEPS`` more steps towards the upper bound
        (from a step factor of 1) before the candidates are bounded."""
        slack = 1e-9 * max(1.0, abs(self.upper_bound))
        return len(self.usable) > 0 and self.prices.best < self.upper_bound - slack

    def refine(self, alone: bool = True) -> None:
        """Restart the step factor at 1 and, ``alone``, take the ``REFINE_STEPS`` (else the
        caller takes them with others', ``lagrangian.ascend_together``)."""
        self.prices.step = 1.0
        if alone:
            self.prices.ascend(self.upper_bound, REFINE_STEPS)

    def reduction(self, arrays: SourcingArrays) -> Reduction:
        """The candidates the refined prices keep, after a look among pairs when many stay."""
        usable, prices = self.usable, self.prices
        incumbent, upper_bound = self.incumbent, self.upper_bound
        if len(usable) == 0:
            return Reduction(usable, -np.inf, incumbent, upper_bound)
        searched = self.searched
        keep = _survivors(prices, usable, upper_bound)
        if len(keep) > MAX_ENUMERATED:
            # The bound left many: look for a better plan among pairs of the
            # best-priced survivors, then prune again against it.
            ranked = keep[np.argsort(prices.best_g[keep], kind="stable")][:PAIR_POOL]
            pool = np.sort(ranked)
            trial, trial_cost = _priced(arrays, *enumerate_small_plans(arrays, pool, max_size=2))
            if trial_cost < upper_bound:
                incumbent, upper_bound = trial, trial_cost
                searched = (pool, min(2, len(pool), arrays.split_limit))
                prices.step = 1.0
                prices.ascend(upper_bound, REFINE_STEPS)
                keep = _survivors(prices, usable, upper_bound)
        used = np.flatnonzero(row_sums(incumbent) > 0)
        return Reduction(
            np.union1d(keep, used), prices.best, incumbent, upper_bound, searched, prices.best_g
        )


def _priced(arrays: SourcingArrays, allocation: IntArray, cost: float) -> tuple[IntArray, float]:
    """An enumerated plan with its true cost: a rate card makes the enumeration's a lower bound."""
    if arrays.rates is None:
        return allocation, cost
    return allocation, evaluate(arrays, allocation).total


def _survivors(prices: Lagrangian, usable: IntArray, upper_bound: float) -> IntArray:
    """The usable candidates whose bound stays below ``upper_bound``."""
    slack = 1e-9 * max(1.0, abs(upper_bound))
    return usable[prices.best + np.maximum(0.0, prices.best_g[usable]) < upper_bound - slack]

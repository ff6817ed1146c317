"""Exact per-order solving on a few candidates, with a proof that the rest cannot help.

The order's model decomposes once the set T of locations used is fixed:
each product's units go to the cheapest places in T (the first units of a
location above its ideal level at the unit cost, the rest at the unit cost
plus the ideal-stock penalty), and what T cannot hold is rejected. So

    cost(T) = sum_{l in T} f_l + w_split (|T| - 1)+ + sum_p A_p(T)

and for a handful of candidates every T can be priced at once with numpy.

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
from sourcing.solver.small_plans import cheapest_subset
from sourcing.solver.subset_table import subset_members
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
# Subsets x candidates from which a pricing fills only the segments with units: most
# segments of a wide table hold none, and below it the full width costs less.
HELD_ONLY_FROM = 20000
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
        return most <= max_size and bool(np.isin(keep, candidates).all())


@dataclass(frozen=True, slots=True)
class Subsets:
    """Every subset of some candidates priced at once (the linear costs only).

    ``member[s]`` marks subset s's candidates; ``total[s]`` is its cheapest
    cost with the units spread by the linear costs (exact without rate
    cards, the under-line's lower bound with them); ``taken(s)[p]`` the
    units of product p each candidate serves in that spread (``takes``: of every subset);
    ``lines[p]`` its servable lines (``servable_lines``), which the spread fills.
    """

    candidates: IntArray
    member: BoolArray  # (S, n)
    total: FloatArray  # (S,)
    spread: Spread | None  # None without products to serve
    lines: tuple[IntArray, ...]  # per product

    def taken(self, row: int) -> list[IntArray]:
        """Per product, the units each candidate serves in subset ``row``'s spread."""
        spread = self.spread
        return [] if spread is None else [spread.of(p, row) for p in range(len(spread.counts))]

    @property
    def takes(self) -> tuple[IntArray, ...]:
        """Per product, ``taken`` of every subset at once: (S, n) each."""
        spread = self.spread
        if spread is None:
            return ()
        return tuple(spread.of(p, slice(None)) for p in range(len(spread.counts)))

    def allocation(self, arrays: SourcingArrays, row: int) -> IntArray:
        """The (L, K) allocation of subset ``row``'s spread."""
        allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
        for product, take in enumerate(self.taken(row)):
            spread_units(arrays, allocation, self.candidates, product, take, self.lines[product])
        return allocation


@dataclass(frozen=True, slots=True)
class Spread:
    """The units each subset takes of each product's segments, as the pricing filled them
    (cheapest segment first); put back per candidate only for the subsets asked about."""

    take: IntArray  # (P, S, width): units of the product's j-th segment filled
    at: IntArray  # (P, width): which of the 2n segments (cheap units, then dear) that is
    counts: IntArray  # (P,): the columns of ``take`` that may hold units
    n: int  # candidates

    def of(self, product: int, rows: int | slice) -> IntArray:
        """Product ``product``'s units per candidate in subset(s) ``rows``."""
        columns = int(self.counts[product])
        filled = self.take[product, rows, :columns]
        unsorted = np.zeros((*filled.shape[:-1], 2 * self.n), dtype=self.take.dtype)
        unsorted[..., self.at[product, :columns]] = filled
        # Back to the segments' first order: each candidate's cheap units, then its dear ones.
        per_candidate: IntArray = unsorted[..., : self.n] + unsorted[..., self.n :]
        return per_candidate


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


def price_subsets(arrays: SourcingArrays, candidates: IntArray, max_size: int | None) -> Subsets:
    """Every subset of ``candidates`` of at most ``max_size`` locations (and the split limit)."""
    n = len(candidates)
    limit = min(arrays.split_limit, n, n if max_size is None else max_size)
    member, sizes = _membership(n, limit)
    w = arrays.weights
    total = member @ arrays.fulfilment_cost[candidates] + w.split * np.maximum(sizes - 1, 0)
    lines = servable_lines(arrays)
    costs, spread = _product_costs(arrays, candidates, member, lines)
    for product_cost in costs:
        total = total + product_cost
    return Subsets(candidates, member, total, spread, tuple(lines))


def _membership(n: int, limit: int) -> tuple[BoolArray, IntArray]:
    """Every subset of ``range(n)`` of at most ``limit`` members, smallest first, as rows of
    a mask (from the shared table of subsets), and each row's size."""
    members = subset_members(n, limit)
    member = np.zeros((len(members), n + 1), dtype=bool)
    member[np.arange(len(members))[:, None], members] = True
    member = member[:, :n]
    return member, member.sum(axis=1)


def enumerate_plans(
    arrays: SourcingArrays, candidates: IntArray, max_size: int | None = None
) -> tuple[IntArray, float]:
    """The cheapest allocation using only ``candidates``, by pricing every subset of them.

    ``max_size`` limits the subsets priced to that many locations (see
    ``most_locations_worth_using``). Returns the (L, K) allocation and its
    cost; exact for these candidates (with rate cards: the under-line's cost).
    """
    subsets = price_subsets(arrays, candidates, max_size)
    best = int(np.argmin(subsets.total))
    return subsets.allocation(arrays, best), float(subsets.total[best])


def enumerate_small_plans(
    arrays: SourcingArrays, candidates: IntArray, max_size: int, rows: IntArray | None = None
) -> tuple[IntArray, float]:
    """``enumerate_plans`` for many candidates and small plans: each plan priced over its own
    members only (``small_plans``), the winner spread over its members as here.
    ``rows``: only these plans (``subset_members``' rows over ``candidates``)."""
    lines = servable_lines(arrays)
    terms = _all_product_terms(arrays, candidates, lines) if lines else None
    limit = min(arrays.split_limit, len(candidates), max_size)
    w = arrays.weights
    fixed = arrays.fulfilment_cost[candidates]
    best, cost = cheapest_subset(
        fixed, w.split, w.ideal_stock, arrays.rejection_penalty, terms, limit, rows
    )
    members = candidates[best]
    # Restricted to its members, the winner's spread is the one among all candidates.
    alone = price_subsets(arrays, members, len(members))
    return alone.allocation(arrays, len(alone.total) - 1), cost


def _product_costs(
    arrays: SourcingArrays, candidates: IntArray, member: BoolArray, lines: list[IntArray]
) -> tuple[list[FloatArray], Spread | None]:
    """Per product: the cost of its units for every subset; and the units taken (``Spread``).

    Each candidate offers a product in two segments, its cheap units at the
    unit cost and the rest dearer by the ideal-stock weight; a subset fills
    the wanted units from its members' segments, cheapest first. All
    products' segments are sorted and filled together (one numpy pass over
    a (products, subsets, segments) array); each product's cost is then
    summed on its own, as the single-product pricing did. Only the segments
    with units can take any (the others take exact zeros), so on wide tables
    the pass runs over those (``_held_segments``) and puts their takes back
    in place.
    """
    n = len(candidates)
    if not lines:
        return [], None
    ordered, wanted, stock, unit, cheap = _all_product_terms(arrays, candidates, lines)
    seg_loc = np.concatenate([np.arange(n), np.arange(n)])
    seg_cap = np.concatenate([cheap, stock - cheap], axis=1)  # (P, 2n)
    seg_cost = np.concatenate([unit, unit + arrays.weights.ideal_stock], axis=1)
    order = np.argsort(seg_cost, axis=1, kind="stable")
    seg_cap = np.take_along_axis(seg_cap, order, axis=1)
    seg_cost = np.take_along_axis(seg_cost, order, axis=1)
    held, counts = _held_segments(seg_cap, member.shape[0] * n)
    # at[p, j]: product p's j-th cheapest segment taken (held ones only on wide tables).
    at = order if held is None else np.take_along_axis(order, held, axis=1)
    if held is not None:
        seg_cap = np.take_along_axis(seg_cap, held, axis=1)
    caps = np.ascontiguousarray(np.moveaxis(member[:, seg_loc[at]], 1, 0)) * seg_cap[:, None]
    before = np.cumsum(caps, axis=2) - caps
    take = np.minimum(np.maximum(wanted[:, None, None] - before, 0), caps)
    served = take.sum(axis=2)
    costs = []
    for p in range(len(lines)):
        if held is None:
            mine = np.array(take[p])  # contiguous copies: the product's matmul as it always was
        else:  # the held segments' takes in place at the full width (the others take 0)
            mine = np.zeros((member.shape[0], 2 * n), dtype=take.dtype)
            mine[:, held[p, : counts[p]]] = take[p, :, : counts[p]]
        costs.append(
            mine @ seg_cost[p].copy() + (int(ordered[p]) - served[p]) * arrays.rejection_penalty
        )
    return costs, Spread(take, at, np.asarray(counts, dtype=np.int64), n)


def _held_segments(seg_cap: IntArray, cells: int) -> tuple[IntArray | None, IntArray]:
    """On tables of at least ``HELD_ONLY_FROM`` subset-candidate cells (else None and the
    full width): per product, its segments with units in (cost) order, padded to one
    width with segments without units (they take nothing and, last, move no other's
    take); and how many segments each product takes."""
    has = seg_cap > 0
    width = seg_cap.shape[1]
    if cells < HELD_ONLY_FROM or not width:
        return None, np.full(len(seg_cap), width)
    counts = has.sum(axis=1)
    # Held segments first, each group in its own order (a stable sort of "not held").
    ranked = np.argsort(~has, axis=1, kind="stable")
    return ranked[:, : max(int(counts.max()), 1)], counts


def _all_product_terms(
    arrays: SourcingArrays, candidates: IntArray, lines: list[IntArray]
) -> tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]:
    """``product_terms`` of every product at once, as (P,) and (P, n) arrays."""
    products = len(lines)
    ordered = np.zeros(products, dtype=np.int64)
    wanted = np.zeros(products, dtype=np.int64)
    np.add.at(ordered, arrays.line_product, arrays.quantity)
    servable = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)
    np.add.at(wanted, arrays.line_product[servable], arrays.quantity[servable])
    cap = arrays.cap[candidates]
    can = np.zeros((len(candidates), products), dtype=bool)
    for k in servable.tolist():  # can: some servable line of the product has room here
        can[:, arrays.line_product[k]] |= cap[:, k] > 0
    stock = np.minimum(arrays.stock[candidates], wanted[None, :]) * can
    first = np.array([ls[0] if len(ls) else 0 for ls in lines], dtype=np.int64)
    has_lines = np.array([len(ls) > 0 for ls in lines])
    unit = np.where(has_lines[None, :], arrays.unit_cost[candidates][:, first], 0.0)
    cheap = np.minimum(arrays.surplus[candidates], stock)
    return ordered, wanted, stock.T, unit.T, cheap.T


def product_terms(
    arrays: SourcingArrays, candidates: IntArray, product: int, lines: IntArray | None = None
) -> tuple[int, int, IntArray, FloatArray, IntArray]:
    """One product's units ordered and servable, and per candidate: units it can
    serve, unit cost, and units below the ideal-stock penalty (the cheap ones).

    ``lines``: the product's servable lines, when the caller has them (``servable_lines``).
    """
    if lines is None:
        lines = _servable_lines(arrays, product)
    ordered = int(arrays.quantity[arrays.line_product == product].sum())
    wanted = int(arrays.quantity[lines].sum())
    if len(lines):
        can = arrays.cap[np.ix_(candidates, lines)].max(axis=1) > 0
        stock = np.minimum(arrays.stock[candidates, product], wanted) * can
        unit = arrays.unit_cost[candidates, lines[0]]
    else:
        stock = np.zeros(len(candidates), dtype=np.int64)
        unit = np.zeros(len(candidates))
    cheap = np.minimum(arrays.surplus[candidates, product], stock)
    return ordered, wanted, stock, unit, cheap


def _servable_lines(arrays: SourcingArrays, product: int) -> IntArray:
    """The product's lines that some candidate may serve (the rest are rejected anyway)."""
    return np.flatnonzero((arrays.line_product == product) & (column_sums(arrays.cap) > 0))


def servable_lines(arrays: SourcingArrays) -> list[IntArray]:
    """``_servable_lines`` of every product, summing the capacities once."""
    servable = column_sums(arrays.cap) > 0
    return [
        np.flatnonzero((arrays.line_product == product) & servable)
        for product in range(len(arrays.products))
    ]


def spread_units(
    arrays: SourcingArrays,
    allocation: IntArray,
    candidates: IntArray,
    product: int,
    take: IntArray,
    lines: IntArray | None = None,
) -> None:
    """Split each candidate's units of a product over the product's lines, in line order.

    ``lines``: the product's servable lines, when the caller has them (``servable_lines``).
    """
    if lines is None:
        lines = _servable_lines(arrays, product)
    ks = np.asarray(lines).tolist()
    left = arrays.quantity[ks].tolist()
    for i, units in zip(np.asarray(candidates).tolist(), np.asarray(take).tolist(), strict=True):
        for j, k in enumerate(ks):
            if units <= 0:
                break  # nothing left to place: no later line takes any
            step = min(units, left[j])
            if step > 0:
                allocation[i, k] += step
                left[j] -= step
                units -= step


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


def _promising(arrays: SourcingArrays, usable: IntArray, g: FloatArray) -> IntArray:
    """The candidates the prices favour, completed so that every line can be served."""
    ranked = usable[np.argsort(g[usable], kind="stable")]
    count = min(len(ranked), max(int((g[usable] < 0).sum()), 4), MAX_ENUMERATED - 4)
    chosen = list(ranked[:count])
    for k in np.flatnonzero(column_sums(arrays.cap) > 0):
        held = arrays.cap[chosen, k].sum() if chosen else 0
        if held < arrays.quantity[k] and len(chosen) < MAX_ENUMERATED:
            # The best-ranked candidate not yet chosen that holds some of the line.
            missing = ranked[(arrays.cap[ranked, k] > 0) & ~np.isin(ranked, chosen)]
            chosen.extend(missing[:1])
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
    ) -> Trial:
        """The first price steps (unless ``ascended``) and the trial enumeration."""
        usable = np.flatnonzero(row_sums(arrays.cap) > 0)
        prices = Lagrangian(arrays) if ascended is None else ascended
        if len(usable) == 0:
            return cls(usable, prices, incumbent, upper_bound)
        if ascended is None:
            prices.ascend(upper_bound, LAGRANGIAN_STEPS)
        promising = _promising(arrays, usable, prices.best_g)
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

"""Every subset of a few candidates priced at once, and the cheapest plan among them.

Once the set T of locations used is fixed, the order's model decomposes:
each product's units go to the cheapest places in T (the first units of a
location above its ideal level at the unit cost, the rest at the unit cost
plus the ideal-stock penalty), and what T cannot hold is rejected. So

    cost(T) = sum_{l in T} f_l + w_split (|T| - 1)+ + sum_p A_p(T)

and for a handful of candidates every T can be priced at once with numpy
(``price_subsets``); ``enumerate_plans`` takes the cheapest. With rate
cards the linear costs are the under-line's, a lower bound. The reduction's
trial and the final enumeration of the kept candidates price plans here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.product_units import all_product_terms, servable_lines, spread_units
from sourcing.solver.small_plans import cheapest_subset
from sourcing.solver.subset_table import subset_mask
from sourcing.solver.types import BoolArray, FloatArray, IntArray

# Subsets x candidates from which a pricing fills only the segments with units: most
# segments of a wide table hold none, and below it the full width costs less.
HELD_ONLY_FROM = 20000


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


def price_subsets(arrays: SourcingArrays, candidates: IntArray, max_size: int | None) -> Subsets:
    """Every subset of ``candidates`` of at most ``max_size`` locations (and the split limit)."""
    n = len(candidates)
    limit = min(arrays.split_limit, n, n if max_size is None else max_size)
    member, sizes = subset_mask(n, limit)
    return _priced_rows(arrays, candidates, member, sizes)


def price_largest(arrays: SourcingArrays, candidates: IntArray) -> Subsets:
    """Of ``price_subsets(arrays, candidates, len(candidates))``, its last subset alone (every
    candidate, within the split limit), as row 0: each subset's spread is filled in its
    own row, so it is the very spread (its cost, a sum over fewer rows, may differ in the
    last bits: callers that price it exactly use only the spread)."""
    n = len(candidates)
    member, sizes = subset_mask(n, min(arrays.split_limit, n))
    return _priced_rows(arrays, candidates, member[-1:], sizes[-1:])


def _priced_rows(
    arrays: SourcingArrays, candidates: IntArray, member: BoolArray, sizes: IntArray
) -> Subsets:
    """The subsets ``member`` of ``candidates`` (of ``sizes`` members) priced at once."""
    w = arrays.weights
    total = member @ arrays.fulfilment_cost[candidates] + w.split * np.maximum(sizes - 1, 0)
    lines = servable_lines(arrays)
    costs, spread = _product_costs(arrays, candidates, member, lines)
    for product_cost in costs:
        total = total + product_cost
    return Subsets(candidates, member, total, spread, tuple(lines))


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
    terms = all_product_terms(arrays, candidates, lines) if lines else None
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
    ordered, wanted, stock, unit, cheap = all_product_terms(arrays, candidates, lines)
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

"""Exact search over plans of one or two locations, for many candidates at once.

Rate cards price a parcel by the distance band and the weight band: every
candidate in a distance band ships at the same prices, so hundreds of them
stay near-tied and the reduction's bound keeps them all. Plans of one or two
of them are still few enough to bound one by one with numpy: n singles and
n (n - 1) / 2 pairs. A pair (a, b) is first dropped when its floors already
reach the best plan (``floors``: the fixed costs, the units at their
cheapest, each card's least price, and ``parcel_floor``: the least price of
the two parcels over the ways their grams can split); the rest get

    LB(a, b) = f_a + f_b + w_split + sum_p min_x [ c_a(x) + c_b(t_p - x) ] + P (q_p - t_p)

where t_p = min(units wanted, what a and b hold together), c_l the convex
cost of x units at l (unit cost, plus the ideal-stock penalty past the
surplus), f_l and the unit costs carrying the under-line of ``rates`` (the
linear spread's cost, as ``subset_pricing.price_subsets`` prices the pair), or
the same without the under-lines plus the parcel floor where that is more.
The pairs and singles whose bound is below the best plan are priced exactly
best first (``rated_enum.price_in_order``) until the next bound reaches the
best cost. Larger plans are ``rated_larger``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.options import Backend
from sourcing.solver.plan import ObjectiveBreakdown
from sourcing.solver.product_units import product_terms, servable_lines
from sourcing.solver.rated_enum import RatedOutcome, price_in_order
from sourcing.solver.reduction import FLOOR_ROUNDING, may_reach, within_runs
from sourcing.solver.types import FloatArray, IntArray

# The most candidates whose pairs are bounded (n^2 floats per product swept).
MAX_PAIRED = 1500


def single_bounds(arrays: SourcingArrays, keep: IntArray) -> FloatArray:
    """The linear-spread cost of every single candidate of ``keep`` (exact without rate cards)."""
    single = arrays.fulfilment_cost[keep].copy()
    lines = servable_lines(arrays)
    for product in range(len(arrays.products)):
        ordered, wanted, stock, unit, cheap = product_terms(arrays, keep, product, lines[product])
        alone = np.minimum(stock, wanted)
        single += unit * alone + arrays.weights.ideal_stock * np.maximum(alone - cheap, 0)
        single += (ordered - alone) * arrays.rejection_penalty
    return single


def pair_bounds(
    arrays: SourcingArrays,
    keep: IntArray,
    pairs: tuple[IntArray, IntArray],
    room: float,
    table: CardTable,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Bounds of the pairs ``keep[first[i]], keep[second[i]]``: their linear-spread
    cost, or with the parcels priced apart (``shipping_bound``) where larger.

    With rate cards, the pairs whose parcels alone and fixed floors already
    reach ``room`` are dropped first (returned: the pairs kept, their bounds).
    """
    first, second = pairs
    if arrays.rates is None or not _uniform_grams(arrays):
        return first, second, _linear_spread(arrays, keep, first, second)
    parts = _pair_parts(arrays, keep, first, second)
    alpha = table[0]
    parcels = parcel_floor(parts, table)
    plain = arrays.fulfilment_cost[keep] - alpha
    units = floors(arrays, keep, table)[-1][1]
    floor = plain[first] + plain[second] + arrays.weights.split + units + parcels
    chosen = np.flatnonzero(np.where(np.isfinite(parcels), floor, -np.inf) < room)
    parts = PairParts(
        parts.first[chosen],
        parts.second[chosen],
        parts.grams[chosen],
        parts.light[chosen],
        parts.heavy[chosen],
    )
    first, second, parcels = parts.first, parts.second, parcels[chosen]
    pair = _linear_spread(arrays, keep, first, second)
    apart = shipping_bound(pair, parts, table, parcels)
    return first, second, np.maximum(pair, apart)


def _pair_parts(
    arrays: SourcingArrays, keep: IntArray, first: IntArray, second: IntArray
) -> PairParts:
    """The grams each pair serves, and what a of (a, b) must and can take of them."""
    grams = np.zeros(len(first))
    light = np.zeros(len(first))
    heavy = np.zeros(len(first))
    unit_grams = product_grams(arrays)
    lines = servable_lines(arrays)
    for product in range(len(arrays.products)):
        ordered, wanted, stock, _, _ = product_terms(arrays, keep, product, lines[product])
        if ordered == 0 or unit_grams[product] == 0:
            continue
        stock_a, stock_b = stock[first], stock[second]
        served = np.minimum(stock_a + stock_b, wanted)
        g = unit_grams[product]
        grams += g * served
        light += g * np.maximum(served - stock_b, 0)
        heavy += g * np.minimum(stock_a, served)
    return PairParts(first, second, grams, light, heavy)


def _linear_spread(
    arrays: SourcingArrays, keep: IntArray, first: IntArray, second: IntArray
) -> FloatArray:
    """The cheapest linear cost of each pair, units spread by the (convex) unit costs."""
    fixed = arrays.fulfilment_cost[keep]
    pair: FloatArray = fixed[first] + fixed[second] + arrays.weights.split
    lines = servable_lines(arrays)
    for product in range(len(arrays.products)):
        ordered, wanted, stock, unit, cheap = product_terms(arrays, keep, product, lines[product])
        if ordered == 0:
            continue
        x = np.arange(wanted + 1)
        # conv[l, x]: x units at l, the first ``cheap`` at the unit cost, then dearer.
        conv = unit[:, None] * x[None, :] + arrays.weights.ideal_stock * np.maximum(
            x[None, :] - cheap[:, None], 0
        )
        stock_a, stock_b = stock[first], stock[second]
        served = np.minimum(stock_a + stock_b, wanted)
        best = np.full(len(first), np.inf)
        for units in range(wanted + 1):
            rest = served - units
            ok = (units <= stock_a) & (rest >= 0) & (rest <= stock_b)
            cost = conv[first, units] + conv[second, np.clip(rest, 0, wanted)]
            np.minimum(best, np.where(ok, cost, np.inf), out=best)
        pair += best + (ordered - served) * arrays.rejection_penalty
    return pair


@dataclass(frozen=True, slots=True)
class PairParts:
    """Per pair (a, b): indices into the kept candidates and the grams they can ship."""

    first: IntArray  # a
    second: IntArray  # b
    grams: FloatArray  # W, what the pair serves
    light: FloatArray  # lo_a: what a must serve because b cannot
    heavy: FloatArray  # hi_a: the most a can serve


def product_grams(arrays: SourcingArrays) -> FloatArray:
    """Grams per unit of each product (its first line's; 0 without rate cards)."""
    grams = np.zeros(len(arrays.products))
    if arrays.rates is not None:
        for k in range(len(arrays.quantity) - 1, -1, -1):
            grams[arrays.line_product[k]] = arrays.rates.line_weight[k]
    return grams


def shipping_bound(
    pair: FloatArray, parts: PairParts, table: CardTable, parcels: FloatArray
) -> FloatArray:
    """A second bound on every pair: linear costs and parcel prices apart.

    Without the under-lines, the linear spread ``pair`` costs at least itself
    minus alpha_a + alpha_b + max(beta_a, beta_b) W (W the grams served); the
    two parcels cost at least ``parcel_floor``.
    """
    alpha, beta = table[0], table[1]
    a, b = parts.first, parts.second
    linear = pair - alpha[a] - alpha[b] - np.maximum(beta[a], beta[b]) * parts.grams
    bound: FloatArray = np.where(np.isfinite(parcels), linear + parcels, pair)
    return bound


def parcel_floor(parts: PairParts, table: CardTable) -> FloatArray:
    """The least price of each pair's two parcels over the ways to split its grams.

    The least f_a(w) + g_b(W - w) over a's weight w in [lo_a, hi_a], g_b(v)
    the least price of b for v grams or more: f_a is flat on each band and
    g_b(W - w) only falls as w grows, so the least is at a band's end (or
    hi_a) for some band of a. Infinite where no band of a fits.
    """
    _, _, starts, prices = table
    a, b = parts.first, parts.second
    ends = np.append(starts[:, 1:] - 1.0, np.full((len(starts), 1), np.inf), axis=1)
    # b's least price for a parcel of at least so many grams: f_b need not rise.
    at_least = np.minimum.accumulate(prices[:, ::-1], axis=1)[:, ::-1]
    parcels = np.full(len(a), np.inf)
    shared = bool((starts == starts[0]).all())  # one set of weight bands: scalar lookups
    for band in range(starts.shape[1]):
        start, end = (
            (starts[0, band], ends[0, band]) if shared else (starts[a, band], ends[a, band])
        )
        reach = (start <= parts.heavy) & (end >= parts.light)
        rest = parts.grams - np.minimum(end, parts.heavy)
        if shared:
            other = np.maximum(np.searchsorted(starts[0], rest, side="right") - 1, 0)
        else:
            other = np.maximum((starts[b] <= rest[:, None]).sum(axis=1) - 1, 0)
        cost = prices[a, band] + at_least[b, other]
        np.minimum(parcels, np.where(reach, cost, np.inf), out=parcels)
    return parcels


CardTable = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def card_table(arrays: SourcingArrays, keep: IntArray) -> CardTable:
    """Per kept candidate: alpha, beta, band starts and prices padded to one width
    (starts inf, prices inf); a candidate without a rate card gets one free band."""
    rates = arrays.rates
    n = len(keep)
    if rates is None:
        return np.zeros(n), np.zeros(n), np.zeros((n, 1)), np.zeros((n, 1))
    rated = np.full(len(arrays.fulfilment_cost), -1, dtype=np.int64)
    rated[rates.location] = np.arange(len(rates.location))
    r = rated[keep]
    has = r >= 0
    alpha = np.where(has, rates.alpha[r], 0.0)
    beta = np.where(has, rates.beta[r], 0.0)
    width = max(len(s) for s in rates.starts)
    starts = np.full((n, width), np.inf)
    prices = np.full((n, width), np.inf)
    starts[~has, 0] = prices[~has, 0] = 0.0  # their parcels are in the linear costs
    rows: dict[int, list[int]] = {}  # candidates sharing one card share its arrays
    for j in np.flatnonzero(has).tolist():
        rows.setdefault(id(rates.prices[r[j]]), []).append(j)
    for members in rows.values():
        card = int(r[members[0]])
        starts[members, : len(rates.starts[card])] = rates.starts[card]
        prices[members, : len(rates.prices[card])] = rates.prices[card]
    return alpha, beta, starts, prices


def _uniform_grams(arrays: SourcingArrays) -> bool:
    """Whether every product's lines weigh the same per unit."""
    rates = arrays.rates
    assert rates is not None
    first = product_grams(arrays)
    return bool((first[arrays.line_product] == rates.line_weight).all())


def best_pairs(
    arrays: SourcingArrays,
    keep: IntArray,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    *,
    deadline: float,
    backend: Backend = Backend.SCIP,
    price_floor: tuple[float, FloatArray] | None = None,
) -> RatedOutcome | None:
    """The cheapest plan of at most two of ``keep``, or the given one if none is cheaper.

    None when there are too many candidates to pair (the caller's MIP settles it).
    ``price_floor``: the reduction's lines' terms and g of ``keep``
    (``Reduction.price_floor``); the pairs it bounds at the best plan or above are
    left out before any other bound (their linear spread is no lower).
    """
    if len(keep) > MAX_PAIRED:
        return None
    best = objective.priced_total
    slack = 1e-9 * max(1.0, abs(best))
    single = single_bounds(arrays, keep)
    table = card_table(arrays, keep)
    floored = floors(arrays, keep, table)
    first, second = _pairs_below(arrays, keep, best - slack, floored, price_floor)
    first, second, bound = pair_bounds(arrays, keep, (first, second), best - slack, table)
    open_pairs = np.flatnonzero(bound < best - slack)
    open_singles = np.flatnonzero(single < best - slack)
    bounds = np.concatenate([single[open_singles], bound[open_pairs]])
    members = [np.array([i]) for i in open_singles.tolist()] + [
        np.array([first[j], second[j]]) for j in open_pairs.tolist()
    ]
    return price_in_order(
        arrays,
        bounds,
        [keep[m] for m in members],
        allocation,
        objective,
        deadline=deadline,
        backend=backend,
    )


def _pairs_below(
    arrays: SourcingArrays,
    keep: IntArray,
    room: float,
    floored: list[tuple[FloatArray, float]],
    price_floor: tuple[float, FloatArray] | None = None,
) -> tuple[IntArray, IntArray]:
    """The pairs (i < j) of kept candidates whose floors (``floors``, and the reduction's
    ``price_floor`` within rounding) stay below ``room``, in ``np.triu_indices`` order."""
    if arrays.split_limit < 2 or len(keep) < 2 or len(keep) > MAX_PAIRED:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    split = arrays.weights.split
    if price_floor is None:
        first, second = np.triu_indices(len(keep), k=1)
    else:
        lines, g = price_floor
        # The pairs whose g sum to about below the room, then exactly as the floor sums.
        slack = 1e-9 * (1.0 + abs(room) + abs(lines) + abs(split) + 2 * float(np.abs(g).max()))
        loose = room + FLOOR_ROUNDING * max(1.0, abs(room)) - lines - split + slack
        first, second = _pairs_summing_below(g, loose)
        reach = may_reach(lines + g[first] + g[second] + split, room)
        first, second = first[reach], second[reach]
    chosen = np.ones(len(first), dtype=bool)
    for fixed, units in floored:
        chosen &= fixed[first] + fixed[second] + arrays.weights.split + units < room
    return first[chosen], second[chosen]


def _pairs_summing_below(values: FloatArray, bound: float) -> tuple[IntArray, IntArray]:
    """The pairs (i < j) with ``values[i] + values[j]`` below ``bound`` (as numpy rounds
    ``bound - values[i]``), in ``np.triu_indices`` order, without listing all n^2 / 2."""
    n = len(values)
    order = np.argsort(values, kind="stable")
    # Each i's partners are a prefix of the values ranked ascending.
    count = np.searchsorted(values[order], bound - values, side="left")
    first = np.repeat(np.arange(n), count)
    second = order[within_runs(count)]
    pairs = np.sort((first * n + second)[first < second])
    return pairs // n, pairs % n


def floors(
    arrays: SourcingArrays, keep: IntArray, table: CardTable | None = None
) -> list[tuple[FloatArray, float]]:
    """Per-candidate floors c_l and a floor for the units, twice: with the under-lines,
    and without them plus the least price of each card (every parcel costs that).

    A plan whose members are all used costs at least the sum of their c_l,
    the split penalties and the units' floor (every unit at its cheapest).
    """
    fixed = arrays.fulfilment_cost[keep]
    unit = arrays.unit_cost[keep]
    pairs = [(fixed, unit)]
    rates = arrays.rates
    if rates is not None:
        alpha, beta, _, prices = card_table(arrays, keep) if table is None else table
        least = prices.min(axis=1)
        pairs.append((fixed - alpha + least, unit - beta[:, None] * rates.line_weight[None, :]))
    out = []
    for c, u in pairs:
        cheapest = np.where(arrays.cap[keep] > 0, u, np.inf).min(axis=0)
        units = float((arrays.quantity * np.minimum(cheapest, arrays.rejection_penalty)).sum())
        out.append((c, units))
    return out

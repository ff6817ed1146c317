"""Exact search over plans of one or two locations, for many candidates at once.

Rate cards price a parcel by the distance band and the weight band: every
candidate in a distance band ships at the same prices, so hundreds of them
stay near-tied and the reduction's bound keeps them all. Plans of at most
two locations (when ``reduction.most_locations_worth_using`` proves larger
ones cannot help) are still few enough to bound one by one: for n kept
candidates, n singles and n (n - 1) / 2 pairs, each bounded with numpy in
one sweep per product and per unit count:

    LB(a, b) = f_a + f_b + w_split + sum_p min_x [ c_a(x) + c_b(t_p - x) ] + P (q_p - t_p)

where t_p = min(units wanted, what a and b hold together), c_l the convex
cost of x units at l (unit cost, plus the ideal-stock penalty past the
surplus), f_l and the unit costs carrying the under-line of ``rates``: the
linear spread's cost, a lower bound on every plan on {a, b}, equal to
``reduction.price_subsets``' total for the pair. The pairs and singles whose
bound is below the best plan are priced exactly best first
(``rated_enum.exact_subset``) until the next bound reaches the best cost:
then the best is optimal over the candidates.
"""

from __future__ import annotations

import time

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from sourcing.solver.plan import ObjectiveBreakdown
from sourcing.solver.rated_enum import RatedOutcome, exact_subset
from sourcing.solver.reduction import price_subsets, product_terms
from sourcing.solver.types import FloatArray, IntArray

# The most candidates whose pairs are bounded (n^2 floats per product swept).
MAX_PAIRED = 1500


def pair_bounds(arrays: SourcingArrays, keep: IntArray) -> tuple[FloatArray, FloatArray]:
    """The linear-spread cost of every single (n,) and every pair (n, n) of ``keep``.

    Each pair's bound is the larger of that and ``shipping_bound``'s.
    """
    n = len(keep)
    fixed = arrays.fulfilment_cost[keep]
    single = fixed.copy()
    pair = fixed[:, None] + fixed[None, :] + arrays.weights.split
    penalty = arrays.rejection_penalty
    rows = np.arange(n)[None, :]
    grams = np.zeros((n, n))  # what the pair serves, in grams
    light = np.zeros((n, n))  # what a must serve because b cannot (lo_a in grams)
    heavy = np.zeros((n, n))  # the most a can serve (hi_a in grams)
    unit_grams = _product_grams(arrays)
    for product in range(len(arrays.products)):
        ordered, wanted, stock, unit, cheap = product_terms(arrays, keep, product)
        if ordered == 0:
            continue
        x = np.arange(wanted + 1)
        # conv[l, x]: x units at l, the first ``cheap`` at the unit cost, then dearer.
        conv = unit[:, None] * x[None, :] + arrays.weights.ideal_stock * np.maximum(
            x[None, :] - cheap[:, None], 0
        )
        alone = np.minimum(stock, wanted)
        single += conv[np.arange(n), alone] + (ordered - alone) * penalty
        served = np.minimum(stock[:, None] + stock[None, :], wanted)
        best = np.full((n, n), np.inf)
        for units in range(wanted + 1):
            rest = served - units
            ok = (units <= stock)[:, None] & (rest >= 0) & (rest <= stock[None, :])
            cost = conv[:, units][:, None] + conv[rows, np.clip(rest, 0, wanted)]
            np.minimum(best, np.where(ok, cost, np.inf), out=best)
        pair += best + (ordered - served) * penalty
        g = unit_grams[product]
        grams += g * served
        light += g * np.maximum(served - stock[None, :], 0)
        heavy += g * np.minimum(stock[:, None], served)
    if arrays.rates is not None:
        np.maximum(pair, shipping_bound(arrays, keep, pair, grams, light, heavy), out=pair)
    return single, pair


def _product_grams(arrays: SourcingArrays) -> FloatArray:
    """Grams per unit of each product (its first line's; 0 without rate cards)."""
    grams = np.zeros(len(arrays.products))
    if arrays.rates is not None:
        for k in range(len(arrays.quantity) - 1, -1, -1):
            grams[arrays.line_product[k]] = arrays.rates.line_weight[k]
    return grams


def shipping_bound(
    arrays: SourcingArrays,
    keep: IntArray,
    pair: FloatArray,
    grams: FloatArray,
    light: FloatArray,
    heavy: FloatArray,
) -> FloatArray:
    """A second bound on every pair using both: linear costs and parcel prices apart.

    Without the under-lines, the linear spread costs at least ``pair`` minus
    alpha_a + alpha_b + max(beta_a, beta_b) W (W the grams served). The two
    parcels cost at least the least f_a(w) + f_b(W - w) over a's weight w in
    [lo_a, hi_a]: f_a is flat on each band and f_b(W - w) only falls as w
    grows, so the least is at a band's end (or hi_a) for some band of a.
    Where a product's lines differ in weight the grams are not exact: such
    pairs keep the under-line bound only.
    """
    rates = arrays.rates
    assert rates is not None
    n = len(keep)
    alpha, beta = np.zeros(n), np.zeros(n)
    width = max(len(s) for s in rates.starts)
    starts = np.full((n, width), np.inf)
    prices = np.zeros((n, width))
    where = {int(loc): r for r, loc in enumerate(rates.location)}
    for j, location in enumerate(keep.tolist()):
        r = where.get(location)
        if r is None:
            starts[j, 0] = 0.0  # no rate card: its parcel is in the linear costs
            continue
        alpha[j], beta[j] = rates.alpha[r], rates.beta[r]
        starts[j, : len(rates.starts[r])] = rates.starts[r]
        prices[j, : len(rates.prices[r])] = rates.prices[r]
    linear = (
        pair - alpha[:, None] - alpha[None, :] - np.maximum(beta[:, None], beta[None, :]) * grams
    )
    ends = np.append(starts[:, 1:] - 1.0, np.full((n, 1), np.inf), axis=1)
    parcels = np.full((n, n), np.inf)
    for band in range(width):
        start, end = starts[:, band][:, None], ends[:, band][:, None]
        reach = (start <= heavy) & (end >= light)
        w = np.minimum(end, heavy)
        rest = grams - w
        other = (starts[None, :, :] <= rest[:, :, None]).sum(axis=2) - 1
        price_b = np.take_along_axis(
            np.broadcast_to(prices[None, :, :], (n, n, width)), np.maximum(other, 0)[:, :, None], 2
        )[:, :, 0]
        cost = prices[:, band][:, None] + price_b
        np.minimum(parcels, np.where(reach, cost, np.inf), out=parcels)
    bound: FloatArray = np.where(np.isfinite(parcels), linear + parcels, pair)
    if not _uniform_grams(arrays):
        bound = pair
    return bound


def _uniform_grams(arrays: SourcingArrays) -> bool:
    """Whether every product's lines weigh the same per unit."""
    rates = arrays.rates
    assert rates is not None
    first = _product_grams(arrays)
    return bool((first[arrays.line_product] == rates.line_weight).all())


def best_pairs(
    arrays: SourcingArrays,
    keep: IntArray,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    *,
    deadline: float,
) -> RatedOutcome | None:
    """The cheapest plan of at most two of ``keep``, or the given one if none is cheaper.

    None when there are too many candidates to pair, or a pair cannot be
    priced exactly by enumeration (the caller's MIP settles it then).
    """
    if len(keep) > MAX_PAIRED:
        return None
    single, pair = pair_bounds(arrays, keep)
    best = objective.priced_total
    slack = 1e-9 * max(1.0, abs(best))
    if arrays.split_limit < 2:
        pair = np.full_like(pair, np.inf)
    first, second = np.triu_indices(len(keep), k=1)
    bound = pair[first, second]
    open_pairs = np.flatnonzero(bound < best - slack)
    open_singles = np.flatnonzero(single < best - slack)
    bounds = np.concatenate([single[open_singles], bound[open_pairs]])
    members = [np.array([i]) for i in open_singles.tolist()] + [
        np.array([first[j], second[j]]) for j in open_pairs.tolist()
    ]
    priced = 0
    for row in np.argsort(bounds, kind="stable").tolist():
        if bounds[row] >= best - slack:
            break
        if time.perf_counter() > deadline:
            return RatedOutcome(allocation, objective, False, priced)
        found = _exact(arrays, keep[members[row]])
        if found is None:
            return None
        priced += 1
        exact = evaluate(arrays, found)
        if exact.priced_total < best:
            allocation, objective, best = found, exact, exact.priced_total
    return RatedOutcome(allocation, objective, True, priced)


def larger_plan_pool(
    arrays: SourcingArrays, keep: IntArray, upper_bound: float
) -> tuple[IntArray, int]:
    """The candidates that may appear in a plan of three or more locations cheaper than
    ``upper_bound``, and the most locations such a plan can have.

    Per candidate, c_l is f_l plus what it saves on the units at its cheapest
    (the bound of ``reduction.most_locations_worth_using``), taken twice: with
    the under-lines, and without them plus the least price of its rate card
    (every parcel costs at least that). A plan of m locations costs at least
    the m smallest c_l, m - 1 split penalties and every unit at its cheapest.
    """
    if len(keep) < 3:
        return keep[:0], 0
    pool = np.ones(len(keep), dtype=bool)
    most = len(keep)
    split = arrays.weights.split
    slack = 1e-9 * max(1.0, abs(upper_bound))
    for fixed, unit in _floors(arrays, keep):
        cap = arrays.cap[keep]
        cheapest = np.where(cap > 0, unit, np.inf).min(axis=0)
        units = float((arrays.quantity * np.minimum(cheapest, arrays.rejection_penalty)).sum())
        order = np.argsort(fixed, kind="stable")
        ranked = fixed[order]
        rank = np.empty(len(keep), dtype=np.int64)
        rank[order] = np.arange(len(keep))
        # The two smallest c among the others: the first two, or with l among them the third.
        others = np.where(rank < 2, ranked[:3].sum() - fixed, ranked[:2].sum())
        pool &= fixed + others + units + 2 * split < upper_bound - slack
        floors = np.cumsum(ranked) + units + split * np.arange(len(keep))
        reached = np.flatnonzero(floors >= upper_bound - slack)
        most = min(most, int(reached[0]) if len(reached) else len(keep))
    return keep[pool], most


def _floors(arrays: SourcingArrays, keep: IntArray) -> list[tuple[FloatArray, FloatArray]]:
    """Per candidate fixed cost and unit costs: with the under-lines, and with the card's
    least price instead."""
    fixed = arrays.fulfilment_cost[keep]
    unit = arrays.unit_cost[keep]
    rates = arrays.rates
    if rates is None:
        return [(fixed, unit)]
    plain_fixed, plain_unit = fixed.copy(), unit.copy()
    where = {int(loc): r for r, loc in enumerate(rates.location)}
    for j, location in enumerate(keep.tolist()):
        r = where.get(location)
        if r is not None:
            plain_fixed[j] += float(rates.prices[r].min()) - rates.alpha[r]
            plain_unit[j] -= rates.beta[r] * rates.line_weight
    return [(fixed, unit), (plain_fixed, plain_unit)]


def _exact(arrays: SourcingArrays, members: IntArray) -> IntArray | None:
    """The cheapest allocation using all or some of ``members`` (one or two candidates)."""
    subsets = price_subsets(arrays, members, len(members))
    return exact_subset(arrays, subsets, len(subsets.total) - 1)

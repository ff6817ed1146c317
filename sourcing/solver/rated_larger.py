"""Plans of three or more locations, with rate cards, when too many candidates stay.

After ``rated_pairs`` settled the plans of one or two locations, a larger
plan T (every member used) costs at least

    sum_{l in T} c_l + w_split (|T| - 1) + sum_k q_k min_l c_lk

for per-candidate floors c_l: f_l with the under-line, or f_l without it
plus the least price of l's rate card (every parcel costs at least that),
the unit costs taken to match. Only the subsets whose floor stays below the
best plan are listed (most orders: none or a handful); each is then bounded
by its linear spread (as ``subset_pricing.price_subsets``), raised where the
parcels priced apart give more: the linear costs without the under-lines,
every member's least price, and for the heaviest parcel (at least W / |T|
grams) what its card charges above that least price at that weight or more.
Subsets of up to four members are also dropped when the bands their parcels
must reach (each parcel at least a unit, at most what its member holds, the
band ends summing to the grams served) cost too much; this floor only drops,
so the kept subsets keep their bounds and the order they are priced in.
``rated_enum.price_in_order`` prices them exactly in that order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.product_units import product_terms, servable_lines
from sourcing.solver.rated_pairs import CardTable, card_table, floors, product_grams
from sourcing.solver.reduction import may_reach, within_runs
from sourcing.solver.types import FloatArray, IntArray

# The most larger subsets kept for their bounds once the floors dropped theirs, and the
# most listed under the first floor before the others drop any (a few MB of rows); past
# either the plan is left to the MIP.
MAX_LARGER = 50000
MAX_LISTED = 200000
# The largest subsets whose parcels' bands are chosen one by one (B^size choices each),
# and the subsets taken at once there (a few MB).
BANDED_MOST = 4
BANDED_ROWS = 1024


def larger_plans(
    arrays: SourcingArrays,
    keep: IntArray,
    upper_bound: float,
    price_floor: tuple[float, FloatArray] | None = None,
    most: int | None = None,
) -> tuple[FloatArray, list[IntArray]] | None:
    """Every subset of three to ``most`` of ``keep`` that could beat ``upper_bound``, bounded.

    Returns the bounds and the subsets (candidate indices); None when more
    than ``MAX_LARGER`` of them are left once every floor dropped its own (or
    more than ``MAX_LISTED`` under the first). ``price_floor``: the reduction's
    lines' terms and g of ``keep`` (``Reduction.price_floor``); the subsets it
    bounds at ``upper_bound`` or above (within rounding) are dropped before their
    spread. ``most``: the most members a plan below the best can use.
    """
    slack = 1e-9 * max(1.0, abs(upper_bound))
    split = arrays.weights.split
    # Each floor is valid alone (not their mix): list by one, then drop by the other.
    sets = sorted(
        _used_floors(arrays, keep), key=lambda f: -(f[1] + float(np.sort(f[0])[:3].sum()))
    )
    fixed, units = sets[0]
    limit = min(arrays.split_limit, len(keep), len(keep) if most is None else most)

    def floored(index: IntArray) -> IntArray:
        """The subsets (of one size) the other floors leave below ``upper_bound``."""
        for other, other_units in sets[1:]:
            floor = other[index].sum(axis=1) + split * (index.shape[1] - 1) + other_units
            index = index[floor < upper_bound - slack]
        if price_floor is not None:
            lines, g = price_floor
            floor = lines + g[index].sum(axis=1) + split * (index.shape[1] - 1)
            index = index[may_reach(floor, upper_bound - slack)]
        return index

    # The other floors drop as the subsets are listed, so that only what they leave
    # counts against ``MAX_LARGER``: under rate cards the first floor alone often lists
    # tens of thousands of near-tied triples that the reduction's prices all drop.
    levels = _subsets_below(fixed, upper_bound - slack - units, split, limit, floored)
    if levels is None:
        return None
    bounds: list[FloatArray] = []
    members: list[IntArray] = []
    for index in levels:
        index, bound = _bounds(arrays, keep, index, upper_bound - slack)
        bounds.append(bound)
        members.extend(keep[index])
    total = np.concatenate(bounds) if bounds else np.zeros(0)
    return total, members


def _used_floors(arrays: SourcingArrays, keep: IntArray) -> list[tuple[FloatArray, float]]:
    """``floors`` for members that are used: a used member's parcel weighs at least the
    lightest ordered unit and at most the grams it holds (``_grams``), so its card's
    under-line intercept (alpha_l, with beta_l W in the unit costs) and its least price
    are taken over those weights only.

    The intercept of a line under every step is the price just under some band's end
    less beta times that end, often the first band's: a member holding a unit past that
    band cannot pay it. With the parcel W_l in [lightest, held_l] and in band b,
    price_b >= (price_b - beta_l min(end_b, held_l)) + beta_l W_l: the least of the
    first term over the bands W_l can be in replaces alpha_l. Without rate cards, or
    when a product's lines weigh differently, ``floors`` as they are.
    """
    grams = product_grams(arrays)
    rates = arrays.rates
    if (
        rates is None
        or not len(keep)
        or not (grams[arrays.line_product] == rates.line_weight).all()
    ):
        return floors(arrays, keep)
    table = card_table(arrays, keep)
    alpha, beta, starts, prices = table
    (under_fixed, under_units), (plain_fixed, plain_units) = floors(arrays, keep, table)
    none = np.zeros((0, 1), dtype=np.int64)
    _, held, lightest = _grams(arrays, keep, none, servable_lines(arrays), grams)
    ends = np.concatenate([starts[:, 1:], np.full((len(starts), 1), np.inf)], axis=1)
    low = np.maximum(starts, lightest)
    can = (low < ends) & (low <= held[:, None]) & np.isfinite(prices)
    high = np.minimum(ends, held[:, None])
    under = np.where(can, prices - beta[:, None] * high, np.inf).min(axis=1)
    least = np.where(can, prices, np.inf).min(axis=1)
    # Never below the floors as they were (alpha_l is under every step already).
    under_fixed = under_fixed + np.maximum(under - alpha, 0.0)
    plain_fixed = plain_fixed + np.maximum(least - prices.min(axis=1), 0.0)
    return [(under_fixed, under_units), (plain_fixed, plain_units)]


def _subsets_below(
    fixed: FloatArray,
    room: float,
    split: float,
    limit: int,
    floored: Callable[[IntArray], IntArray] = lambda index: index,
) -> list[IntArray] | None:
    """Per size from three to ``limit``, the subsets (rows of indices) whose fixed floors
    and split penalties stay below ``room``, and that ``floored`` (a filter of rows of
    one size) keeps; None past ``MAX_LARGER`` kept in all, or ``MAX_LISTED`` listed."""
    order = np.argsort(fixed, kind="stable")
    ranked = fixed[order]
    n = len(ranked)
    if limit < 3 or n < 3:
        return []
    # Pairs that leave room for a third, cheapest after them.
    first, second = _pairs_leaving_room(ranked, room, split)
    spent = ranked[first] + ranked[second] + split
    prefix = np.column_stack([first, second])
    levels: list[IntArray] = []
    listed = kept = 0
    for _ in range(3, limit + 1):
        # Ranked ascending: the members that fit after a prefix are a run of indices.
        low = prefix[:, -1] + 1
        high = np.searchsorted(ranked, room - spent - split, side="left")
        count = np.maximum(high - low, 0)
        listed += int(count.sum())
        if listed > MAX_LISTED:
            return None
        if not count.sum():
            break
        rows = np.repeat(np.arange(len(prefix)), count)
        added = low[rows] + within_runs(count)
        prefix = np.column_stack([prefix[rows], added])
        spent = spent[rows] + ranked[added] + split
        # The next size grows from every prefix: ``floored`` drops only from this one.
        level = floored(order[prefix])
        kept += len(level)
        if kept > MAX_LARGER:
            return None
        levels.append(level)
    return levels


def _pairs_leaving_room(ranked: FloatArray, room: float, split: float) -> tuple[IntArray, IntArray]:
    """The pairs (i < j < n - 1) of ``ranked`` (ascending) with
    ``ranked[i] + ranked[j] + split + ranked[j + 1] + split < room``, in
    ``np.triu_indices(n - 1, k=1)`` order, without listing all n^2 / 2 pairs.

    For each i the sum (as numpy rounds it, left to right) does not fall as j
    grows, so its j are a run from i + 1: a binary search per i finds its end.
    """
    n = len(ranked)
    first = np.arange(max(n - 1, 0))
    low, high = first + 1, np.full(len(first), max(n - 1, 0))
    while True:
        open_ = low < high
        if not open_.any():
            break
        mid = np.where(open_, (low + high) // 2, 0)
        fits = ranked[first] + ranked[mid] + split + ranked[np.minimum(mid + 1, n - 1)] + split
        fits = open_ & (fits < room)
        low = np.where(fits, mid + 1, low)
        high = np.where(open_ & ~fits, mid, high)
    count = low - (first + 1)
    return np.repeat(first, count), np.repeat(first + 1, count) + within_runs(count)


def _bounds(
    arrays: SourcingArrays, keep: IntArray, index: IntArray, room: float
) -> tuple[IntArray, FloatArray]:
    """Bounds of the subsets ``keep[index[i]]`` (all of one size): the linear spread,
    raised by the parcels priced apart where that gives more. With rate cards the
    subsets whose parcels and fixed floors alone reach ``room`` are dropped first;
    returns the subsets kept and their bounds."""
    size = index.shape[1]
    grams = product_grams(arrays)
    rates = arrays.rates
    lines = servable_lines(arrays)
    apart = None
    if rates is not None and (grams[arrays.line_product] == rates.line_weight).all():
        table = card_table(arrays, keep)
        served, held, lightest = _grams(arrays, keep, index, lines, grams)
        parcels = _parcels(table, index, served)
        plain = arrays.fulfilment_cost[keep] - table[0]
        units = floors(arrays, keep, table)[-1][1]
        floor = plain[index].sum(axis=1) + arrays.weights.split * (size - 1) + units
        chosen = floor + parcels < room
        index, served, parcels = index[chosen], served[chosen], parcels[chosen]
        # The bands the parcels' weights must reach only drop subsets (those left, as
        # they cost B^size choices each): the bounds, and so the order the kept ones are
        # priced in, stay those of ``_parcels``.
        chosen = floor[chosen] + _banded_parcels(table, index, served, held, lightest) < room
        index, served, parcels = index[chosen], served[chosen], parcels[chosen]
        alpha, beta = table[0], table[1]
        apart = parcels - alpha[index].sum(axis=1) - beta[index].max(axis=1) * served
    total: FloatArray = arrays.fulfilment_cost[keep][index].sum(axis=1)
    total += arrays.weights.split * (size - 1)
    for product in range(len(arrays.products)):
        ordered, wanted, stock, unit, cheap = product_terms(arrays, keep, product, lines[product])
        if ordered == 0:
            continue
        seg_cost = np.concatenate([unit[index], unit[index] + arrays.weights.ideal_stock], axis=1)
        seg_cap = np.concatenate([cheap[index], stock[index] - cheap[index]], axis=1)
        order = np.argsort(seg_cost, axis=1, kind="stable")
        seg_cost = np.take_along_axis(seg_cost, order, axis=1)
        seg_cap = np.take_along_axis(seg_cap, order, axis=1)
        before = np.cumsum(seg_cap, axis=1) - seg_cap
        take = np.clip(wanted - before, 0, seg_cap)
        total += (take * seg_cost).sum(axis=1)
        total += (ordered - take.sum(axis=1)) * arrays.rejection_penalty
    if apart is not None:
        # Without the under-lines the linear costs are at least total - alpha's - beta W.
        total = np.maximum(total, total + apart)
    return index, total


def _grams(
    arrays: SourcingArrays,
    keep: IntArray,
    index: IntArray,
    lines: list[IntArray],
    grams: FloatArray,
) -> tuple[FloatArray, FloatArray, float]:
    """The grams each subset ``keep[index[i]]`` serves at most, those each kept candidate
    could send at most (its stock up to what is ordered), and the lightest ordered unit."""
    served = np.zeros(len(index))
    held = np.zeros(len(keep))
    lightest = np.inf
    for product in range(len(arrays.products)):
        ordered, wanted, stock, _, _ = product_terms(arrays, keep, product, lines[product])
        served += grams[product] * np.minimum(stock[index].sum(axis=1), wanted)
        held += grams[product] * np.minimum(stock, wanted)
        if ordered:
            lightest = min(lightest, float(grams[product]))
    return served, held, lightest


def _banded_parcels(
    table: CardTable, index: IntArray, grams: FloatArray, held: FloatArray, lightest: float
) -> FloatArray:
    """Each subset's parcels at least, every member used: the cheapest choice of one band
    per member, each band holding ``lightest`` grams or more, whose reach adds up to the
    ``grams`` served. A member's reach in a band: the band's end (the next band's start)
    or the grams ``held`` it could send, the lesser.

    Each used member's parcel W_l holds a unit (``lightest`` <= W_l), stays below its
    band's end and within what it holds, and the W_l sum to ``grams``. Subsets of more
    than ``BANDED_MOST`` members (B^size choices) get 0, which leaves ``_parcels``' bound.
    """
    _, _, starts, prices = table
    size = index.shape[1]
    if size > BANDED_MOST:
        return np.zeros(len(index))
    ends = np.concatenate([starts[:, 1:], np.full((len(starts), 1), np.inf)], axis=1)
    prices = np.where(ends > lightest, prices, np.inf)
    ends = np.minimum(ends, held[:, None])
    choice = np.indices((starts.shape[1],) * size).reshape(size, -1)  # (member, choice)
    least = np.full(len(index), np.inf)
    for low in range(0, len(index), BANDED_ROWS):
        rows = index[low : low + BANDED_ROWS]
        cost = np.zeros((len(rows), choice.shape[1]))
        reach = np.zeros((len(rows), choice.shape[1]))
        for column in range(size):
            cost += prices[rows[:, column]][:, choice[column]]
            reach += ends[rows[:, column]][:, choice[column]]
        cost[reach < grams[low : low + BANDED_ROWS, None]] = np.inf
        least[low : low + BANDED_ROWS] = cost.min(axis=1)
    return least


def _parcels(table: CardTable, index: IntArray, grams: FloatArray) -> FloatArray:
    """Each subset's parcels at least: every member's least price, and for the heaviest
    parcel (at least the mean weight) the least rise above it some member's card
    charges at that weight or more."""
    _, _, starts, prices = table
    least = prices.min(axis=1)
    at_least = np.minimum.accumulate(prices[:, ::-1], axis=1)[:, ::-1] - least[:, None]
    heaviest = grams / index.shape[1]
    rise = np.full(len(index), np.inf)
    for column in range(index.shape[1]):
        cols = index[:, column]
        band = np.maximum((starts[cols] <= heaviest[:, None]).sum(axis=1) - 1, 0)
        rise = np.minimum(rise, at_least[cols, band])
    parcels: FloatArray = least[index].sum(axis=1) + np.where(np.isfinite(rise), rise, 0.0)
    return parcels

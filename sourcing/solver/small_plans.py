"""The cheapest plan of at most a few locations out of many candidates, priced per plan.

``subset_pricing.price_subsets`` prices every subset over all n candidates'
segments (masked), which suits every subset of a handful of candidates. The
reduction's look among pairs of its 40 best-priced survivors has 821 plans
of at most two: pricing each over only its own members' segments (at most
four per product instead of 80) gives the same costs with a twentieth of
the work. ``subset_pricing.enumerate_small_plans`` then spreads the winner's
units as ``price_subsets`` does.
"""

from __future__ import annotations

import numpy as np

from sourcing.solver.subset_table import subset_members
from sourcing.solver.types import FloatArray, IntArray


def cheapest_subset(
    fixed: FloatArray,
    split: float,
    ideal_stock: float,
    penalty: float,
    terms: tuple[IntArray, IntArray, IntArray, FloatArray, IntArray] | None,
    limit: int,
    rows: IntArray | None = None,
) -> tuple[IntArray, float]:
    """The positions (among the n candidates) of the cheapest subset of at most ``limit``,
    the first in ``price_subsets``' order among equals, and its linear cost.

    ``fixed``: (n,) per-fulfilment costs; ``terms``: ``product_units.all_product_terms``
    of the candidates (units ordered and servable per product, then per product and
    candidate the units it can serve, its unit cost and its cheap units), None when
    no line can be served. ``rows``: only these subsets, as ``subset_members``' rows
    (padded with n), instead of every one of at most ``limit``.
    """
    n = len(fixed)
    idx = subset_members(n, limit) if rows is None else rows  # (S, m), padded with n
    sizes = (idx < n).sum(axis=1)
    total = np.append(fixed, 0.0)[idx].sum(axis=1) + split * np.maximum(sizes - 1, 0)
    if terms is not None:
        ordered, wanted, stock, unit, cheap = terms
        seg_cap, seg_cost = _sorted_segments(stock, unit, cheap, ideal_stock, idx)
        before = np.cumsum(seg_cap, axis=2) - seg_cap
        take = np.minimum(np.maximum(wanted[:, None, None] - before, 0), seg_cap)
        served = take.sum(axis=2)
        product_cost = (take * seg_cost).sum(axis=2) + (ordered[:, None] - served) * penalty
        for p in range(len(product_cost)):
            total = total + product_cost[p]
    best = int(np.argmin(total))
    return idx[best][idx[best] < n], float(total[best])


def _sorted_segments(
    stock: IntArray, unit: FloatArray, cheap: IntArray, ideal_stock: float, idx: IntArray
) -> tuple[IntArray, FloatArray]:
    """Per product and subset row: its members' segments (each member's cheap units at the
    unit cost, then its dear ones) cheapest first, as (P, S, 2m) capacities and costs.

    The segments of all n candidates (and the empty padding n) are sorted once per
    product (stable: cheap before dear, then by candidate). A row's members ascend,
    so its segments in that global order are the row's own stable sort; sorting each
    row's global ranks (small integers) gives them. Ties in rank are only the
    padding's copies, which are equal, so the values are the row-wise stable sort's.
    """
    padded_unit = np.pad(unit, ((0, 0), (0, 1)))
    cap = np.concatenate(
        [np.pad(cheap, ((0, 0), (0, 1))), np.pad(stock - cheap, ((0, 0), (0, 1)))], axis=1
    )
    cost = np.concatenate([padded_unit, padded_unit + ideal_stock], axis=1)  # (P, 2(n+1))
    order = np.argsort(cost, axis=1, kind="stable")
    width = cost.shape[1]
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(width), axis=1)
    segments = np.concatenate([idx, idx + width // 2], axis=1)  # (S, 2m): the row's layout
    ranks = np.sort(rank[:, segments], axis=2)  # (P, S, 2m)
    flat = ranks + (np.arange(len(cost)) * width)[:, None, None]
    return (
        np.take_along_axis(cap, order, axis=1).ravel()[flat],
        np.take_along_axis(cost, order, axis=1).ravel()[flat],
    )


__all__ = ["cheapest_subset"]

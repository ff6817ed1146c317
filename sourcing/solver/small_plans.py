"""The cheapest plan of at most a few locations out of many candidates, priced per plan.

``reduction.price_subsets`` prices every subset over all n candidates'
segments (masked), which suits every subset of a handful of candidates. The
reduction's look among pairs of its 40 best-priced survivors has 821 plans
of at most two: pricing each over only its own members' segments (at most
four per product instead of 80) gives the same costs with a twentieth of
the work. ``reduction.enumerate_small_plans`` then spreads the winner's
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

    ``fixed``: (n,) per-fulfilment costs; ``terms``: ``reduction._all_product_terms``
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
        stock = np.pad(stock, ((0, 0), (0, 1)))[:, idx]  # (P, S, m); the pad holds nothing
        unit = np.pad(unit, ((0, 0), (0, 1)))[:, idx]
        cheap = np.pad(cheap, ((0, 0), (0, 1)))[:, idx]
        seg_cap = np.concatenate([cheap, stock - cheap], axis=2)  # (P, S, 2m)
        seg_cost = np.concatenate([unit, unit + ideal_stock], axis=2)
        order = np.argsort(seg_cost, axis=2, kind="stable")
        seg_cap = np.take_along_axis(seg_cap, order, axis=2)
        seg_cost = np.take_along_axis(seg_cost, order, axis=2)
        before = np.cumsum(seg_cap, axis=2) - seg_cap
        take = np.minimum(np.maximum(wanted[:, None, None] - before, 0), seg_cap)
        served = take.sum(axis=2)
        product_cost = (take * seg_cost).sum(axis=2) + (ordered[:, None] - served) * penalty
        for p in range(len(product_cost)):
            total = total + product_cost[p]
    best = int(np.argmin(total))
    return idx[best][idx[best] < n], float(total[best])


__all__ = ["cheapest_subset"]

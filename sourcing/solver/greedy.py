"""The reference greedy of commercial order-management systems.

Can one location (nearest first) serve the whole order? If not, take the
location that serves the most remaining units (nearest first on ties), and
repeat until the order is served, the split limit is reached or no location
can serve anything more; reject the rest.
"""

from __future__ import annotations

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.sums import column_sums, row_sums
from sourcing.solver.types import FloatArray, IntArray


def greedy_allocation(arrays: SourcingArrays) -> IntArray:
    """Allocate units the way the reference greedy does; returns an (L, K) array.

    Each round takes, of the locations serving the most remaining units, the
    nearest (the lowest index on equal distances): what the first maximum
    over the locations sorted by distance (a stable sort) is, without the sort.
    """
    n_locations, n_lines = arrays.cap.shape
    allocation = np.zeros((n_locations, n_lines), dtype=np.int64)
    remaining = arrays.quantity * (column_sums(arrays.cap) > 0)
    stock_left = arrays.stock.copy()
    distance = arrays.distance_km
    order = np.flatnonzero(row_sums(arrays.cap) > 0)  # the available, in index order
    used = np.zeros(n_locations, dtype=bool)
    for _ in range(min(arrays.split_limit, len(order))):
        if remaining.sum() == 0:
            break
        servable = _servable_units(arrays, stock_left[order], remaining)
        servable[used[order]] = 0
        most = servable.max()
        if most == 0:
            break
        location = _nearest(order[servable == most], distance)
        used[location] = True
        _take(arrays, allocation, remaining, stock_left, location)
    return allocation


def _nearest(tied: IntArray, distance: FloatArray) -> int:
    """The first of ``tied`` (ascending) a stable sort by distance puts first: the nearest,
    the lowest index on equal distances, those without a distance (NaN) last."""
    known = tied[~np.isnan(distance[tied])]
    if not len(known):
        return int(tied[0])
    return int(known[int(np.argmin(distance[known]))])  # argmin: the first minimum


def _take(
    arrays: SourcingArrays,
    allocation: IntArray,
    remaining: IntArray,
    stock_left: IntArray,
    location: int,
) -> None:
    """What ``location`` serves of each remaining line, line by line, from its stock left."""
    for k in range(len(remaining)):
        product = arrays.line_product[k]
        take = min(
            int(remaining[k]), int(stock_left[location, product]), int(arrays.cap[location, k])
        )
        if take > 0:
            allocation[location, k] = take
            remaining[k] -= take
            stock_left[location, product] -= take


def _servable_units(arrays: SourcingArrays, stock: IntArray, remaining: IntArray) -> IntArray:
    """Units each location could serve of the remaining lines, given its stock left."""
    n_products = stock.shape[1]
    wanted = np.zeros(n_products, dtype=np.int64)
    np.add.at(wanted, arrays.line_product, remaining)
    servable: IntArray = row_sums(np.minimum(stock, wanted[None, :]))
    return servable

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
from sourcing.solver.types import IntArray


def greedy_allocation(arrays: SourcingArrays) -> IntArray:
    """Allocate units the way the reference greedy does; returns an (L, K) array."""
    n_locations, n_lines = arrays.cap.shape
    allocation = np.zeros((n_locations, n_lines), dtype=np.int64)
    remaining = arrays.quantity * (column_sums(arrays.cap) > 0)
    stock_left = arrays.stock.copy()
    # Nearest first; a stable sort keeps the candidates' order on equal distance.
    by_distance = np.argsort(arrays.distance_km, kind="stable")
    available = row_sums(arrays.cap)[by_distance] > 0
    order = by_distance[available]
    used = np.zeros(n_locations, dtype=bool)
    for _ in range(min(arrays.split_limit, len(order))):
        if remaining.sum() == 0:
            break
        servable = _servable_units(arrays, stock_left[order], remaining)
        servable[used[order]] = 0
        best = int(np.argmax(servable))  # the first maximum is the nearest
        if servable[best] == 0:
            break
        location = int(order[best])
        used[location] = True
        for k in range(n_lines):
            product = arrays.line_product[k]
            take = min(
                int(remaining[k]), int(stock_left[location, product]), int(arrays.cap[location, k])
            )
            if take > 0:
                allocation[location, k] = take
                remaining[k] -= take
                stock_left[location, product] -= take
    return allocation


def _servable_units(arrays: SourcingArrays, stock: IntArray, remaining: IntArray) -> IntArray:
    """Units each location could serve of the remaining lines, given its stock left."""
    n_products = stock.shape[1]
    wanted = np.zeros(n_products, dtype=np.int64)
    np.add.at(wanted, arrays.line_product, remaining)
    servable: IntArray = row_sums(np.minimum(stock, wanted[None, :]))
    return servable

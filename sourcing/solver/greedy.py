"""The reference greedy of commercial order-management systems.

Can one location (nearest first) serve the whole order? If not, take the
location that serves the most remaining units (nearest first on ties), and
repeat until the order is served, the split limit is reached or no location
can serve anything more; reject the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.sums import column_sums, row_sums
from sourcing.solver.types import BoolArray, FloatArray, IntArray


def greedy_allocation(arrays: SourcingArrays) -> IntArray:
    """Allocate units the way the reference greedy does; returns an (L, K) array.

    Each round takes, of the locations serving the most remaining units, the
    nearest (the lowest index on equal distances): what the first maximum
    over the locations sorted by distance (a stable sort) is, without the sort.
    """
    return greedy_allocations([arrays])[0]


def greedy_allocations(many: Sequence[SourcingArrays]) -> list[IntArray]:
    """``greedy_allocation`` of each of ``many``.

    Orders over the very same capacities and stock (one cart sent to
    different places, ``variants.with_destination``) differ only in their
    distances, which choose among the locations serving the most: each round's
    count of servable units is taken once for all of them that chose alike so
    far, and they part only where their nearest differ.
    """
    found: list[IntArray | None] = [None] * len(many)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, arrays in enumerate(many):
        shared = (arrays.cap, arrays.stock, arrays.quantity, arrays.line_product)
        groups.setdefault((*map(id, shared), arrays.split_limit), []).append(i)
    for group in groups.values():
        arrays = many[group[0]]
        n_locations, n_lines = arrays.cap.shape
        state = _Round(
            np.zeros((n_locations, n_lines), dtype=np.int64),
            arrays.quantity * (column_sums(arrays.cap) > 0),
            arrays.stock.copy(),
            np.zeros(n_locations, dtype=bool),
        )
        order = np.flatnonzero(row_sums(arrays.cap) > 0)  # the available, in index order
        _rounds(many, group, order, state, min(arrays.split_limit, len(order)), found)
    return [allocation for allocation in found if allocation is not None]


@dataclass(frozen=True, slots=True)
class _Round:
    """The greedy's state between rounds: what it allocated, what remains of each line,
    each location's stock left, and the locations it used."""

    allocation: IntArray
    remaining: IntArray
    stock_left: IntArray
    used: BoolArray

    def copy(self) -> _Round:
        """A state of its own, for orders parting from the others."""
        return _Round(
            self.allocation.copy(), self.remaining.copy(), self.stock_left.copy(), self.used.copy()
        )


def _rounds(
    many: Sequence[SourcingArrays],
    group: list[int],
    order: IntArray,
    state: _Round,
    rounds: int,
    found: list[IntArray | None],
) -> None:
    """The greedy's next ``rounds`` rounds for the orders of ``group`` (sharing ``state``),
    into ``found``; where their nearest of the tied locations differ, each part goes on
    with a copy of the state."""
    arrays = many[group[0]]
    for done in range(rounds):
        if state.remaining.sum() == 0:
            break
        servable = _servable_units(arrays, state.stock_left[order], state.remaining)
        servable[state.used[order]] = 0
        most = servable.max()
        if most == 0:
            break
        tied = order[servable == most]
        nearest = [_nearest(tied, many[i].distance_km) for i in group]
        if len(set(nearest)) > 1:
            for location in dict.fromkeys(nearest):  # each choice once, in group order
                part = [i for i, near in zip(group, nearest, strict=True) if near == location]
                mine = state.copy()
                _choose(arrays, mine, location)
                _rounds(many, part, order, mine, rounds - done - 1, found)
            return
        _choose(arrays, state, nearest[0])
    for i in group:
        found[i] = state.allocation.copy() if len(group) > 1 else state.allocation


def _choose(arrays: SourcingArrays, state: _Round, location: int) -> None:
    """Use ``location``: it serves what it can of every remaining line."""
    state.used[location] = True
    _take(arrays, state.allocation, state.remaining, state.stock_left, location)


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

"""Pricing every small set of candidate locations for many orders at once.

An order's cost decomposes once the set T of locations it uses is fixed:
each line's units go to the cheapest members of T up to what each may give,
the rest are rejected (see ``reduction``). Here that is done for a block of
orders that share a shape (n candidates, K lines), for every subset of at
most ``max_size`` candidates, with whole-array numpy: the units a member
gives are what the line still lacks after the members cheaper for that line
gave theirs, so no sort per subset is needed, only each line's ranking of
the candidates.

Costs are whatever the caller passes: unit and fulfilment costs with the
wave's prices added (Lagrangian subproblem) or the costs left for a repair.
Within-order sharing of one product's stock by two lines is not modelled;
callers treat the result as a relaxation and check plans against the stock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.subset_table import subset_members
from sourcing.solver.types import FloatArray, IntArray

# Orders priced together, so that the (orders, subsets, size, size, lines)
# temporaries stay around ten million numbers.
ELEMENTS_PER_BLOCK = 10_000_000


@dataclass(frozen=True, slots=True)
class Block:
    """Orders of one shape, as dense arrays: n candidates, K lines.

    ``cap`` is zero where a candidate may not give a line (or a line is
    padding); ``fixed`` may be ``inf`` where a candidate must not be used.
    """

    fixed: FloatArray  # (b, n) per-fulfilment cost
    unit: FloatArray  # (b, n, K) per-unit cost
    cap: IntArray  # (b, n, K) units the candidate may give of the line
    quantity: IntArray  # (b, K)
    penalty: FloatArray  # (b,) per rejected unit, the one optimised
    true_penalty: FloatArray  # (b,) per rejected unit, the objective's
    split_weight: FloatArray  # (b,)
    split_limit: IntArray  # (b,)


@dataclass(frozen=True, slots=True)
class Priced:
    """The cheapest subset of each order of a block, and what it costs.

    ``cost`` is under ``penalty`` (what the caller optimises), ``true_cost``
    the cheapest under ``true_penalty``: the two differ only when units are
    rejected. ``take`` holds the chosen subset's units per candidate and
    line, ``used`` its members.
    """

    cost: FloatArray  # (b,)
    true_cost: FloatArray  # (b,)
    take: IntArray  # (b, n, K)
    used: np.ndarray  # (b, n) bool


def price_block(block: Block, max_size: int, min_size: int = 0) -> Priced:
    """The cheapest subset of ``min_size`` to ``max_size`` candidates per order.

    Subsets above an order's split limit are not priced (cost ``inf``).
    """
    b, n, k = block.cap.shape
    members = subset_members(n, max_size, min_size)
    per_order = members.shape[0] * members.shape[1] ** 2 * max(k, 1)
    step = max(1, ELEMENTS_PER_BLOCK // max(per_order, 1))
    parts = [_price_rows(block, members, slice(s, min(s + step, b))) for s in range(0, b, step)]
    if not parts:
        empty = np.zeros(0)
        return Priced(empty, empty, np.zeros((0, n, k), dtype=np.int64), np.zeros((0, n), bool))
    return Priced(
        np.concatenate([p.cost for p in parts]),
        np.concatenate([p.true_cost for p in parts]),
        np.concatenate([p.take for p in parts]),
        np.concatenate([p.used for p in parts]),
    )


def _price_rows(block: Block, members: IntArray, rows: slice) -> Priced:
    cap = block.cap[rows]
    b, n, k = cap.shape
    unit = block.unit[rows]
    # A unit is served only where that is cheaper than rejecting it: the wave's
    # prices can make a unit dearer than the rejection penalty.
    optimised = _priced(block, members, rows, unit < block.penalty[rows, None, None])
    if np.array_equal(
        unit < block.penalty[rows, None, None], unit < block.true_penalty[rows, None, None]
    ):
        true = optimised
    else:
        true = _priced(block, members, rows, unit < block.true_penalty[rows, None, None])
    cost = np.where(
        optimised.allowed, optimised.base + block.penalty[rows, None] * optimised.rejected, np.inf
    )
    true_cost = np.where(
        true.allowed, true.base + block.true_penalty[rows, None] * true.rejected, np.inf
    )
    best = np.argmin(cost, axis=1)
    order = np.arange(b)
    chosen = members[best]  # (b, m)
    take_best = optimised.take[order, best]  # (b, m, K)
    take_full = np.zeros((b, n + 1, k), dtype=np.int64)
    np.add.at(take_full, (order[:, None], chosen), take_best)
    used = np.zeros((b, n + 1), dtype=bool)
    used[order[:, None], chosen] = True
    return Priced(
        cost[order, best],
        true_cost.min(axis=1),
        take_full[:, :n],
        used[:, :n] & (take_full[:, :n].sum(axis=2) > 0),
    )


@dataclass(frozen=True, slots=True)
class _Subsets:
    """Every subset's units taken, cost before rejections, units rejected, and whether allowed."""

    take: IntArray  # (b, S, m, K)
    base: FloatArray  # (b, S)
    rejected: FloatArray  # (b, S)
    allowed: np.ndarray  # (b, S) bool


def _priced(block: Block, members: IntArray, rows: slice, worth: np.ndarray) -> _Subsets:
    """Each subset serving its lines from its cheapest members, where ``worth`` allows."""
    cap = np.where(worth, block.cap[rows], 0)
    b, n, k = cap.shape
    # The dummy candidate n gives nothing, costs nothing and ranks last.
    cap_pad = np.concatenate([cap, np.zeros((b, 1, k), dtype=cap.dtype)], axis=1)
    unit_pad = np.concatenate([block.unit[rows], np.zeros((b, 1, k))], axis=1)
    fixed_pad = np.concatenate([block.fixed[rows], np.zeros((b, 1))], axis=1)
    rank_pad = np.empty((b, n + 1, k), dtype=np.int64)
    rank_pad[:, :n] = np.argsort(np.argsort(unit_pad[:, :n], axis=1, kind="stable"), axis=1)
    rank_pad[:, n] = n
    capg = cap_pad[:, members]  # (b, S, m, K)
    rankg = rank_pad[:, members]
    # Units a member gives: what the line lacks after its cheaper fellow members gave theirs.
    cheaper = rankg[:, :, None, :, :] < rankg[:, :, :, None, :]  # (b, S, m, m', K)
    before = (cheaper * capg[:, :, None, :, :]).sum(axis=3)
    quantity = block.quantity[rows]
    take = np.clip(quantity[:, None, None, :] - before, 0, capg)
    rejected = (quantity.sum(axis=1)[:, None] - take.sum(axis=(2, 3))).astype(float)
    unit_cost = (take * unit_pad[:, members]).sum(axis=(2, 3))
    sizes = (members < n).sum(axis=1)
    fixed = fixed_pad[:, members].sum(axis=2)
    split = block.split_weight[rows, None] * np.maximum(sizes - 1, 0)[None, :]
    allowed = sizes[None, :] <= block.split_limit[rows, None]
    return _Subsets(
        take, fixed + split + unit_cost, rejected, np.broadcast_to(allowed, fixed.shape)
    )

"""Prices on an order's lines: which locations could ever be worth using for it.

For one order, relax "every unit is served or rejected" with a price
lambda_k per unit of line k. For any prices, any plan that uses the set T
of locations costs at least

    const(lambda) + sum_{l in T} g_l(lambda)
    const(lambda) = sum_k lambda_k q_k + sum_k min(0, P - lambda_k) q_k - w_split
    g_l(lambda)   = f_l + w_split + sum_k min(0, c_lk - lambda_k) cap_lk

(w_split (|T| - 1) >= w_split |T| - w_split once T is not empty; the empty
plan rejects everything and costs sum_k P q_k, which is above const too).
With the split limit S, the best T has the S most negative g_l, which gives
the order's Lagrangian bound; subgradient ascent on lambda raises it.

The wave's prices (on shared stock and capacity) only make units and
fulfilments dearer, so g_l computed without them bounds the priced g_l from
below: a location whose g_l is high now stays unattractive at any price.
That is what lets the wave keep a dozen candidates per order out of a
thousand and still prove its bound (see ``wave.data``).

Everything here works on dense blocks of orders: (b, W) candidates and
(b, W, K) lines, padded rows invalid, padded lines with no units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.types import BoolArray, FloatArray

STEP_DECAY = 0.93


@dataclass(frozen=True, slots=True)
class LineBlock:
    """A block of orders over some of their candidates, for the line prices."""

    fixed: FloatArray  # (b, W), inf on padding rows
    unit: FloatArray  # (b, W, K)
    cap: FloatArray  # (b, W, K)
    quantity: FloatArray  # (b, K)
    penalty: FloatArray  # (b,)
    split_weight: FloatArray  # (b,)
    split_limit: FloatArray  # (b,)


def constant(block: LineBlock, prices: FloatArray) -> FloatArray:
    """const(lambda) per order."""
    q = block.quantity
    rejected = np.minimum(0.0, block.penalty[:, None] - prices) * q
    result: FloatArray = (prices * q).sum(axis=1) + rejected.sum(axis=1) - block.split_weight
    return result


def reduced_fixed(block: LineBlock, prices: FloatArray) -> FloatArray:
    """g_l(lambda) per order and candidate; inf on padding rows."""
    saving = np.minimum(block.unit - prices[:, None, :], 0.0) * block.cap
    result: FloatArray = block.fixed + block.split_weight[:, None] + saving.sum(axis=2)
    return result


def cheapest_sum(g: FloatArray, count: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Per row, the sum of the ``count`` most negative entries, and which entries they are."""
    rank = np.argsort(np.argsort(g, axis=1, kind="stable"), axis=1, kind="stable")
    chosen = (g < 0) & (rank < count[:, None])
    total: FloatArray = np.where(chosen, g, 0.0).sum(axis=1)
    return total, chosen


def initial_prices(block: LineBlock) -> FloatArray:
    """A first guess: each line's cheapest unit cost with its location's fixed cost shared out.

    A location's fixed cost (and split penalty) is spread over the units it
    could serve of the order; lines nobody may serve are priced at the
    rejection penalty.
    """
    if block.cap.shape[1] == 0:
        return np.broadcast_to(block.penalty[:, None], block.quantity.shape).copy()
    units = block.cap.sum(axis=2)
    share = (block.fixed + block.split_weight[:, None]) / np.maximum(units, 1.0)
    offered = np.where(block.cap > 0, block.unit + share[:, :, None], np.inf)
    cheapest = offered.min(axis=1)
    result: FloatArray = np.where(np.isfinite(cheapest), cheapest, block.penalty[:, None])
    return result


def ascend(
    block: LineBlock, prices: FloatArray, target: FloatArray, steps: int
) -> tuple[FloatArray, FloatArray]:
    """Polyak subgradient steps towards ``target`` per order; the best bound and its prices.

    The bound is over the block's candidates only; callers use the prices,
    not this bound, for what they prove.
    """
    best = np.full(len(prices), -np.inf)
    best_prices = prices.copy()
    theta = 1.0
    q = block.quantity
    for _ in range(steps):
        g = reduced_fixed(block, prices)
        opened_sum, opened = cheapest_sum(g, block.split_limit)
        bound = constant(block, prices) + opened_sum
        better = bound > best
        best[better] = bound[better]
        best_prices[better] = prices[better]
        cheap = block.unit < prices[:, None, :]
        served = (cheap * block.cap * opened[:, :, None]).sum(axis=1)
        direction = q - served - q * (block.penalty[:, None] < prices)
        norm = (direction * direction).sum(axis=1)
        room = np.maximum(target - bound, 0.0)
        step = np.where(norm > 0, theta * room / np.maximum(norm, 1e-12), 0.0)
        prices = prices + step[:, None] * direction
        theta *= STEP_DECAY
    return best, best_prices

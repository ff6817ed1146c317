"""The wave's orders grouped by shape, so that each group is priced as one dense block.

A group holds the orders with the same number of candidates and lines, and
maps their dense (order, candidate, line) cells to the wave's flat
candidates, entries and lines. Any costs and caps the caller has per entry
and per candidate are gathered into a ``subsets.Block``; the chosen
subsets' units are scattered back to the entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.wave.lines import LineBlock, reduced_fixed
from sourcing.solver.wave.model import MAX_SUBSET_SIZE, Wave
from sourcing.solver.wave.subsets import Block, price_block


@dataclass(frozen=True, slots=True)
class Group:
    """Orders of one shape and where their dense cells live in the wave's flat arrays."""

    orders: IntArray  # (b,)
    cands: IntArray  # (b, n)
    entries: IntArray  # (b, n, K), -1 where the candidate may not give the line
    lines: IntArray  # (b, K)


@dataclass(frozen=True, slots=True)
class Costs:
    """What the orders pay, per entry and candidate, and what they may take."""

    unit: FloatArray  # (E,)
    fixed: FloatArray  # (I,), inf where the candidate may not be used
    cap: IntArray  # (E,)
    penalty: FloatArray  # (O,) per rejected unit, optimised
    true_penalty: FloatArray  # (O,) per rejected unit, the objective's


@dataclass(frozen=True, slots=True)
class Choice:
    """Per order its cheapest plan among the priced subsets.

    ``take`` (per entry) and ``used`` (per candidate) describe the plan;
    ``cost`` is what it costs under the optimised penalty and ``true_cost``
    the cheapest subset under the objective's; ``bound`` is a lower bound
    on every plan of the order over its candidates.
    """

    orders: IntArray
    cost: FloatArray
    true_cost: FloatArray
    bound: FloatArray
    take: IntArray  # (E,) entries of other orders are zero
    used: BoolArray  # (I,)


@dataclass(frozen=True, slots=True)
class Baseline:
    """Units each order rejects alone on the network as the wave starts."""

    rejected: IntArray


def layout(wave: Wave) -> list[Group]:
    """The wave's orders grouped by (candidates, lines)."""
    n_cands = np.diff(wave.cand_start)
    n_lines = np.diff(wave.line_start)
    entry_order = wave.entry_order
    local_cand = wave.entry_cand - wave.cand_start[entry_order]
    local_line = wave.entry_line - wave.line_start[entry_order]
    shapes = np.stack([n_cands, n_lines], axis=1)
    groups = []
    for n, k in np.unique(shapes, axis=0) if len(shapes) else []:
        orders = np.flatnonzero((n_cands == n) & (n_lines == k))
        row = np.full(wave.n_orders, -1, dtype=np.int64)
        row[orders] = np.arange(len(orders))
        entries = np.full((len(orders), int(n), int(k)), -1, dtype=np.int64)
        mine = np.flatnonzero(row[entry_order] >= 0)
        entries[row[entry_order[mine]], local_cand[mine], local_line[mine]] = mine
        groups.append(
            Group(
                orders=orders,
                cands=wave.cand_start[orders][:, None] + np.arange(int(n))[None, :],
                entries=entries,
                lines=wave.line_start[orders][:, None] + np.arange(int(k))[None, :],
            )
        )
    return groups


def choose(wave: Wave, groups: list[Group], costs: Costs, only: BoolArray | None) -> Choice:
    """Price the subsets of every order (of ``only`` when given) and keep each order's best.

    Also a lower bound per order on every plan over its candidates: the
    cheapest subset priced under the objective's penalty, or the bound on
    the larger subsets that were not priced.
    """
    take = np.zeros(len(wave.entry_cand), dtype=np.int64)
    used = np.zeros(len(wave.cand_order), dtype=bool)
    parts: list[tuple[IntArray, FloatArray, FloatArray, FloatArray]] = []
    for group in groups:
        rows = slice(None) if only is None else only[group.orders]
        orders = group.orders[rows]
        if not len(orders):
            continue
        cands, entries, lines = group.cands[rows], group.entries[rows], group.lines[rows]
        block = _block(wave, costs, orders, cands, entries, lines)
        cost, true_cost, lower = _price_group(
            wave, block, lines, orders, cands, entries, take, used
        )
        parts.append((orders, cost, true_cost, lower))
    if not parts:
        empty = np.zeros(0)
        return Choice(np.zeros(0, dtype=np.int64), empty, empty, empty, take, used)
    return Choice(
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
        take,
        used,
    )


def _block(
    wave: Wave, costs: Costs, orders: IntArray, cands: IntArray, entries: IntArray, lines: IntArray
) -> Block:
    present = entries >= 0
    at = np.where(present, entries, 0)
    return Block(
        fixed=costs.fixed[cands],
        unit=np.where(present, costs.unit[at], 0.0),
        cap=np.where(present, costs.cap[at], 0),
        quantity=wave.quantity[lines],
        penalty=costs.penalty[orders],
        true_penalty=costs.true_penalty[orders],
        split_weight=wave.split_weight[orders],
        split_limit=wave.split_limit[orders],
    )


def _price_group(
    wave: Wave,
    block: Block,
    lines: IntArray,
    orders: IntArray,
    cands: IntArray,
    entries: IntArray,
    take: IntArray,
    used: BoolArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Price one group's subsets, the small ones first; cost, true cost and lower bound.

    Singletons and pairs are priced for every order; triples only for the
    orders where a bound on plans of three or more locations is below the
    best pair. The lower bound covers every plan over the candidates.
    """
    n = cands.shape[1]
    top = min(MAX_SUBSET_SIZE, n)
    first = min(2, top)
    priced = price_block(block, first)
    cost, true_cost = priced.cost, priced.true_cost
    best_take, best_used = priced.take, priced.used
    beyond = _larger_subsets(wave, block, lines, orders, first)
    lower = np.minimum(true_cost, beyond)
    need = beyond < cost
    if top > first and need.any():
        more = price_block(_rows(block, need), top, min_size=first + 1)
        rows = np.flatnonzero(need)
        better = more.cost < cost[rows]
        cost[rows[better]] = more.cost[better]
        best_take[rows[better]] = more.take[better]
        best_used[rows[better]] = more.used[better]
        true_cost[rows] = np.minimum(true_cost[rows], more.true_cost)
        wider = _larger_subsets(wave, _rows(block, need), lines[rows], orders[rows], top)
        lower[rows] = np.minimum(true_cost[rows], wider)
    _scatter(best_take, best_used, cands, entries, take, used)
    return cost, true_cost, lower


def _rows(block: Block, rows: BoolArray) -> Block:
    """The block's orders where ``rows`` is set."""
    return Block(
        fixed=block.fixed[rows],
        unit=block.unit[rows],
        cap=block.cap[rows],
        quantity=block.quantity[rows],
        penalty=block.penalty[rows],
        true_penalty=block.true_penalty[rows],
        split_weight=block.split_weight[rows],
        split_limit=block.split_limit[rows],
    )


def _scatter(
    best_take: IntArray,
    best_used: BoolArray,
    cands: IntArray,
    entries: IntArray,
    take: IntArray,
    used: BoolArray,
) -> None:
    present = entries >= 0
    take[entries[present]] = best_take[present]
    used[cands] = best_used


def _larger_subsets(
    wave: Wave, block: Block, lines: IntArray, orders: IntArray, max_size: int
) -> FloatArray:
    """A bound on plans using more than ``max_size`` of the candidates.

    A plan of exactly m candidates costs at least const + the m smallest g
    (line prices), and at least the m smallest fulfilment costs, m - 1
    split penalties and every unit at the cheapest unit cost on offer; the
    bound is the least over m of the larger of the two.
    """
    n = block.cap.shape[1]
    most = np.minimum(wave.split_limit[orders], n)
    result = np.full(len(orders), np.inf)
    wider = most > max_size
    if not wider.any():
        return result
    cap = block.cap[wider].astype(float)
    quantity = block.quantity[wider].astype(float)
    line_block = LineBlock(
        fixed=block.fixed[wider],
        unit=block.unit[wider],
        cap=cap,
        quantity=quantity,
        penalty=block.true_penalty[wider],
        split_weight=block.split_weight[wider],
        split_limit=most[wider].astype(float),
    )
    by_prices = wave.bound_constant[orders[wider]][:, None] + np.cumsum(
        np.sort(reduced_fixed(line_block, wave.line_price[lines[wider]]), axis=1), axis=1
    )
    offered = np.where(cap > 0, line_block.unit, np.inf).min(axis=1)
    units = (quantity * np.minimum(offered, line_block.penalty[:, None])).sum(axis=1)
    sizes = np.arange(1, n + 1)
    by_costs = (
        np.cumsum(np.sort(line_block.fixed, axis=1), axis=1)
        + line_block.split_weight[:, None] * (sizes - 1)[None, :]
        + units[:, None]
    )
    each = np.maximum(by_prices, by_costs)
    each[:, :max_size] = np.inf
    each[sizes[None, :] > most[wider][:, None]] = np.inf
    result[wider] = each.min(axis=1)
    return result

"""From prices to a feasible wave plan: orders take what is left, by priority.

Every order still waiting prices its candidates' subsets against what is
left (stock above its own level, capacity, surplus above ideal stock) and
proposes its cheapest plan, optionally with the wave's prices added so that
an order steers clear of stock others need more. Proposals that touch no
over-asked stock or capacity are accepted at once; the rest are accepted in
priority order (VIP first, then older orders) while they fit, and the
others propose again against what is then left. An order whose proposal
cannot fit even alone (two of its lines share a product) is left to the
exact per-order solver at the end (``fallback``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.wave.layout import Baseline, Costs, Group, choose
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.prices import Multipliers, capacity_columns, priced_costs


@dataclass(frozen=True, slots=True)
class Assignment:
    """A feasible wave plan, as units of (order, location, line of the order).

    ``sequence`` lists the orders in the order they took stock (the order
    to store them in); ``fallback`` marks orders left to the per-order
    solver, ``rescue`` those it should solve again (the fallback ones
    included); ``estimate`` is the plan's cost as the wave model prices it.
    """

    order: IntArray
    location: IntArray
    line: IntArray
    units: IntArray
    sequence: IntArray
    fallback: BoolArray
    rescue: BoolArray
    estimate: float

    def locations_of(self, n_orders: int) -> dict[int, IntArray]:
        """The locations each order uses."""
        split = np.searchsorted(self.order, np.arange(n_orders + 1))
        return {o: np.unique(self.location[split[o] : split[o + 1]]) for o in range(n_orders)}


class _Left:
    """Stock, surplus and capacity not yet taken."""

    def __init__(self, wave: Wave, capacity: IntArray) -> None:
        self.taken = np.zeros(len(wave.key_stock), dtype=np.int64)
        self.surplus = wave.key_surplus.copy()
        self.capacity = capacity.ravel().copy()  # -1 unlimited

    def take(self, wave: Wave, entries: IntArray, units: IntArray, rows: IntArray) -> None:
        np.add.at(self.taken, wave.entry_key[entries], units)
        np.subtract.at(self.surplus, wave.entry_key[entries], units)
        np.maximum(self.surplus, 0, out=self.surplus)
        limited = rows[self.capacity[rows] >= 0]
        np.subtract.at(self.capacity, limited, 1)


def repair(
    wave: Wave,
    groups: list[Group],
    capacity: IntArray,
    penalty: FloatArray,
    rank: IntArray,
    prices: Multipliers | None,
    baseline: Baseline,
) -> Assignment:
    """A feasible plan: orders propose against what is left, accepted by priority ``rank``.

    ``rank[o]`` is order o's place in priority (0 first); ``prices`` steer
    the proposals when given. An order whose candidates no longer hold
    what it would serve alone keeps what they hold but goes last, to be
    solved again over every location by the per-order solver (``rescue``);
    an order whose proposal cannot fit even alone is left to that solver
    entirely and estimated as if it rejected every unit, so the estimate
    never promises less than the plan will cost.
    """
    left = _Left(wave, capacity)
    columns = capacity_columns(wave)
    entry_start = np.searchsorted(wave.entry_cand, wave.cand_start)
    take = np.zeros(len(wave.entry_cand), dtype=np.int64)
    pending = np.ones(wave.n_orders, dtype=bool)
    fallback = np.zeros(wave.n_orders, dtype=bool)
    short = np.zeros(wave.n_orders, dtype=bool)
    sequence: list[IntArray] = []
    while pending.any():
        costs = _costs_left(wave, left, columns, penalty, prices)
        choice = choose(wave, groups, costs, pending)
        proposal = np.where(pending[wave.entry_order], choice.take, 0)
        served = np.bincount(wave.entry_order, proposal, minlength=wave.n_orders)
        short |= pending & (_ordered(wave) - served > baseline.rejected)
        used = choice.used & pending[wave.cand_order]
        accepted = _accept(wave, left, columns, entry_start, proposal, used, pending, rank)
        if not accepted.any():
            # The first in line cannot fit even alone: leave it to the per-order solver.
            first = np.flatnonzero(pending)[np.argmin(rank[pending])]
            fallback[first] = pending[first] = False
            continue
        ordered = np.flatnonzero(accepted)
        sequence.append(ordered[np.argsort(rank[ordered], kind="stable")])
        mine = accepted[wave.entry_order]
        take[mine] = proposal[mine]
        pending &= ~accepted
    done = np.concatenate(sequence) if sequence else np.zeros(0, dtype=np.int64)
    short &= ~fallback
    last = np.flatnonzero(short | fallback)
    # Orders to solve again go last: what they hold stays theirs, the rest is what others left.
    order = np.concatenate([done[~short[done]], last[np.argsort(rank[last], kind="stable")]])
    given = np.flatnonzero(take)
    owner = wave.entry_order[given]
    # The per-order solver does no worse than rejecting every unit.
    rejecting = wave.plan_penalty * _ordered(wave)
    return Assignment(
        order=owner,
        location=wave.cand_location[wave.entry_cand[given]],
        line=wave.entry_line[given] - wave.line_start[owner],
        units=take[given],
        sequence=order,
        fallback=fallback,
        rescue=short | fallback,
        estimate=estimate(wave, take, fallback) + float(rejecting[fallback].sum()),
    )


def _ordered(wave: Wave) -> IntArray:
    """Units ordered per order."""
    line_order = np.repeat(np.arange(wave.n_orders), np.diff(wave.line_start))
    result: IntArray = np.bincount(line_order, wave.quantity, minlength=wave.n_orders)
    return result


def _costs_left(
    wave: Wave,
    left: _Left,
    columns: IntArray,
    penalty: FloatArray,
    prices: Multipliers | None,
) -> Costs:
    key = wave.entry_key
    cap = np.minimum(wave.entry_cap, np.maximum(wave.entry_stock - left.taken[key], 0))
    base = priced_costs(wave, prices, penalty, cap) if prices is not None else None
    unit = base.unit if base is not None else wave.entry_unit
    # Units beyond what is left above the ideal level cost the ideal-stock penalty.
    below = left.surplus[key] < cap
    unit = unit + np.where(below, wave.ideal_weight[wave.entry_order], 0.0)
    fixed = base.fixed if base is not None else wave.cand_fixed
    full = (left.capacity[columns] == 0).any(axis=1)
    return Costs(unit, np.where(full, np.inf, fixed), cap, penalty, wave.penalty)


def _accept(
    wave: Wave,
    left: _Left,
    columns: IntArray,
    entry_start: IntArray,
    proposal: IntArray,
    used: BoolArray,
    pending: BoolArray,
    rank: IntArray,
) -> BoolArray:
    """Which proposals to accept: all that touch nothing over-asked, then the rest by rank."""
    key = wave.entry_key
    asked = np.bincount(key, proposal, minlength=len(left.taken))
    levels_low = np.full(len(left.taken), np.iinfo(np.int64).max)
    np.minimum.at(levels_low, key[proposal > 0], wave.entry_stock[proposal > 0])
    # Stock is over-asked, or shared by orders of different stock levels (VIP reserves).
    tight_key = (left.taken + asked > wave.key_stock) | (
        (levels_low < wave.key_stock) & (asked > 0)
    )
    rows_asked = np.bincount(columns[used].ravel(), minlength=len(left.capacity))
    tight_row = (left.capacity >= 0) & (rows_asked > left.capacity)
    touches = np.zeros(wave.n_orders, dtype=bool)
    touches[wave.entry_order[(proposal > 0) & tight_key[key]]] = True
    touches[wave.cand_order[used & tight_row[columns].any(axis=1)]] = True
    accepted = pending & ~touches
    mine = accepted[wave.entry_order] & (proposal > 0)
    left.take(
        wave,
        np.flatnonzero(mine),
        proposal[mine],
        columns[used & accepted[wave.cand_order]].ravel(),
    )
    contested = np.flatnonzero(pending & touches)
    for o in contested[np.argsort(rank[contested], kind="stable")]:
        entries = np.arange(entry_start[o], entry_start[o + 1])
        entries = entries[proposal[entries] > 0]
        units = proposal[entries]
        keys = key[entries]
        # Two lines of the order may share a position: add them up before checking.
        need = left.taken[keys] + np.array([units[keys == k].sum() for k in keys])
        if (need > wave.entry_stock[entries]).any():
            continue
        cands = np.arange(wave.cand_start[o], wave.cand_start[o + 1])
        rows = columns[cands[used[cands]]].ravel()
        if (left.capacity[rows] == 0).any():
            continue
        left.take(wave, entries, units, rows)
        accepted[o] = True
    return accepted


def estimate(wave: Wave, take: IntArray, skip: BoolArray) -> float:
    """The wave model's cost of ``take`` over the orders not in ``skip``."""
    order = wave.entry_order
    mine = ~skip[order]
    units = np.where(mine, take, 0)
    cand_units = np.bincount(wave.entry_cand, units, minlength=len(wave.cand_order))
    used = cand_units > 0
    opened = np.bincount(wave.cand_order[used], minlength=wave.n_orders)
    served = np.bincount(wave.entry_line, units, minlength=len(wave.quantity))
    line_order = np.repeat(np.arange(wave.n_orders), np.diff(wave.line_start))
    rejected = np.bincount(line_order, wave.quantity - served, minlength=wave.n_orders)
    per_key = np.bincount(wave.entry_key, units, minlength=len(wave.key_stock))
    weight = np.zeros(len(wave.key_stock))
    np.maximum.at(weight, wave.entry_key, wave.ideal_weight[order])
    below = np.maximum(per_key - wave.key_surplus, 0)
    keep = ~skip
    return float(
        wave.cand_fixed[used].sum()
        + (wave.split_weight * np.maximum(opened - 1, 0))[keep].sum()
        + (units * wave.entry_unit).sum()
        + (wave.plan_penalty * rejected)[keep].sum()
        + below @ weight
    )

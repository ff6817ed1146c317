"""A plan for a wave short of stock: its orders solved one by one at its own demand's prices.

Under shortage a unit, or a store's order slot, that one order takes is one
another order may need more. The wave knows its orders, so it prices each
position and each location with a daily capacity by the duals of the
transportation LP of its own demand (``solver.scarcity``: a stock row per
position, a capacity row per limited location counting units at the
wave's units per fulfilment, arcs from each region to its nearest
holders), once, on the network as the wave starts. Each order is then
solved exactly with those prices added to what a unit and a fulfilment
cost (Acimovic & Graves's opportunity costs, as ``mip_priced`` does with a
forecast), in the wave's sequence, on the network as the orders before it
left it. The plans are priced on the real objective: the prices only steer.
An order whose greedy allocation takes no priced unit or slot keeps it
without the exact solve: it leaves the others what the prices protect. On
a large network (``NEAR_FROM``) an order is solved over its lines' cheapest locations and
the ones its greedy allocation uses (``near``), not over every location:
the prices only steer, and at 1,000-3,000 locations this solves every
order of a 300-order wave in the time that solved half of them.

This is what the wave's other plans miss when stores' capacity in orders
binds: the transport flow counts units, not orders, and the Lagrangian's
capacity prices come from a dozen candidates per order. Past its deadline
an order takes the greedy's allocation, so the plan is always whole; the
wave keeps it only when it rejects fewer units, or as many for less.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import Order, OrderType, SourcingProfile
from sourcing.solver.scarcity import (
    ScarcityPrices,
    expected_demand,
    free_stock,
    network_supply,
    scarcity_prices,
)
from sourcing.solver.solve import solve_arrays
from sourcing.solver.table import LocationTable
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.sequence import FALLBACK_TIME_LIMIT_S, NetworkState, allocation_of
from sourcing.solver.wave.sequence import apply as apply_sequence
from sourcing.solver.wave.sequence import greedy as greedy_allocation
from sourcing.solver.weights import Weights

# The prices' weight in each order's objective: 1 is a unit's full opportunity cost.
PRICE_WEIGHT = 1.0
# Orders solved before the pace is checked against the deadline.
PROBE_ORDERS = 20
# On a network of at least NEAR_FROM locations an order is solved over the locations
# cheapest for each of its lines at the prices (NEAR_PER_LINE per line) and the ones its
# greedy allocation uses, when they are at most a NEAR_SHARE of the network: the exact solve
# over every location took 25-36 ms an order on the scarce_capacity bench waves at 1,000 and
# 3,000 locations, and the sequence ran out of time with half its orders solved. At 300
# locations it solves them all in 2-3 s; there the near locations' plans were not better
# (the bench wave rejected 1,360-1,383 units against 1,358-1,361, three pairs).
NEAR_PER_LINE, NEAR_SHARE, NEAR_FROM = 20, 0.2, 1000


def wave_prices(
    state: NetworkState,
    orders: Sequence[Order],
    weights: Weights,
    capacity: IntArray,
    units_per_fulfilment: float,
    time_limit_s: float | None = None,
) -> ScarcityPrices:
    """The duals of the LP of ``orders``' demand over the network as ``state`` holds it.

    ``capacity`` is the orders each location can still take, (L, 3): total,
    HD, CC, -1 unlimited; a location's row holds the tighter of its total
    and the one order type of the wave, if it has one. Past ``time_limit_s``
    the LP raises ``RuntimeError`` (``scarcity_prices``).
    """
    if not orders:
        return ScarcityPrices()
    demand = expected_demand(orders)
    table = state.table
    stock = free_stock(state.base.stock, demand.products, len(table.refs))
    supply = network_supply(
        table,
        weights,
        demand.products,
        stock,
        _orders_left(capacity, orders),
        units_per_fulfilment,
    )
    return scarcity_prices(supply, demand, weights.rejection, time_limit_s=time_limit_s)


def _orders_left(capacity: IntArray, orders: Sequence[Order]) -> FloatArray | None:
    """Per location the orders it can still take (-1: unlimited), or None when none is limited."""
    limit = capacity[:, 0].astype(np.int64)
    types = {order.type for order in orders}
    if len(types) == 1:
        own = capacity[:, 1 if types == {OrderType.HD} else 2]
        limit = np.where(limit < 0, own, np.where(own < 0, limit, np.minimum(limit, own)))
    if not (limit >= 0).any():
        return None
    return limit.astype(float)


def capacity_binds(
    plans: Sequence[Plan], capacity: IntArray, table: LocationTable, orders: Sequence[Order]
) -> bool:
    """Whether ``plans`` fill some location's capacity in orders (``capacity`` as above)."""
    limit = _orders_left(capacity, orders)
    if limit is None:
        return False
    used = np.zeros(len(table.refs), dtype=np.int64)
    for plan in plans:
        for fulfilment in plan.fulfilments:
            at = table.index_of(fulfilment.location_ref)
            assert at is not None  # the plans are over the table's locations
            used[at] += 1
    return bool(((limit >= 0) & (used >= limit)).any())


def units_per_fulfilment(plans: Sequence[Plan]) -> float:
    """Units a fulfilment carries in ``plans`` (at least 1): what a capacity row's slot holds."""
    fulfilments = sum(len(plan.fulfilments) for plan in plans)
    units = sum(f.units for plan in plans for f in plan.fulfilments)
    return max(units / fulfilments, 1.0) if fulfilments else 1.0


class _TooSlowError(Exception):
    """The orders solved so far say the rest cannot be solved before the deadline."""


def priced_sequence(
    state: NetworkState,
    orders: Sequence[Order],
    profiles: Sequence[SourcingProfile],
    sequence: Sequence[int],
    prices: ScarcityPrices,
    deadline: float,
    explain: bool = False,
) -> dict[int, Plan] | None:
    """Each order of ``sequence`` solved exactly at ``prices``, taken from ``state`` in turn.

    Until ``deadline`` (a ``time.perf_counter`` reading); after it, the
    greedy's allocation. The plans are priced without the prices. None,
    early, when the first ``PROBE_ORDERS`` orders' pace says that fewer than
    a tenth of the orders would be solved before the deadline: a wave that
    large spends its time better on its other plans.
    """
    started = time.perf_counter()
    decided = 0

    def decide(_: int, arrays: SourcingArrays) -> IntArray:
        nonlocal decided
        now = time.perf_counter()
        if now >= deadline:
            return greedy_allocation(arrays)
        pace = (now - started) / max(decided, 1)
        if decided == PROBE_ORDERS and pace * len(sequence) > 10 * (deadline - started):
            raise _TooSlowError
        decided += 1
        allocation = greedy_allocation(arrays)
        if not _takes_priced(allocation, arrays, prices):
            # Nothing the greedy takes is scarce at the wave's prices: it leaves the later
            # orders what the exact solve would (on the scarce_capacity bench wave at 1,000
            # locations all 37 such orders were solved to the greedy's allocation), in a
            # tenth of the time, which goes to the orders that do take priced units.
            return allocation
        problem = replace(arrays.problem, scarcity_prices=prices)
        weights = problem.profile.weights.override({"scarcity_price": PRICE_WEIGHT})
        priced = SourcingArrays.build(problem, weights)
        at = near(priced, allocation)
        n = len(priced.cap)
        reduce = n < NEAR_FROM or not len(at) or len(at) > NEAR_SHARE * n
        if not reduce:  # a few of many locations: the MIP over them, without bounding each
            order = problem.order
            problem = replace(state.problem(order, problem.profile, at), scarcity_prices=prices)
            priced = SourcingArrays.build(problem, weights)
        limit = min(FALLBACK_TIME_LIMIT_S, deadline - now)
        plan = solve_arrays(priced, time_limit_s=limit, reduce=reduce)
        return allocation_of(plan, arrays)

    try:
        return apply_sequence(state, orders, profiles, sequence, decide, "batch", explain=explain)
    except _TooSlowError:
        return None


def near(arrays: SourcingArrays, allocation: IntArray) -> IntArray:
    """The locations an order's priced solve looks at: each line's cheapest, and the ones used.

    A unit of a line costs its unit cost at a location plus the location's
    fulfilment cost shared over the most units the order could take there
    (``served``'s arcs); each line keeps its ``NEAR_PER_LINE`` cheapest
    locations able to give some of it. Ascending location indices.
    """
    cap = arrays.cap
    most = np.minimum(cap.sum(axis=1), int(arrays.quantity.sum()))
    share = arrays.fulfilment_cost / np.maximum(most, 1)
    cost = np.where(cap > 0, arrays.unit_cost + share[:, None], np.inf)
    ranked = np.argsort(cost, axis=0, kind="stable")[:NEAR_PER_LINE]
    cheapest = ranked[np.isfinite(np.take_along_axis(cost, ranked, axis=0))]
    used = np.flatnonzero(allocation.sum(axis=1))
    result: IntArray = np.union1d(cheapest, used).astype(np.int64)
    return result


def _takes_priced(allocation: IntArray, arrays: SourcingArrays, prices: ScarcityPrices) -> bool:
    """Whether ``allocation`` takes a unit or a fulfilment that ``prices`` price above 0."""
    locations = arrays.problem.locations
    lines = arrays.problem.order.lines
    for at in np.flatnonzero(allocation.sum(axis=1)).tolist():
        ref = locations[at].ref
        if prices.per_fulfilment.get(ref, 0.0) > 0.0:
            return True
        for k in np.flatnonzero(allocation[at]).tolist():
            if prices.of(lines[k].product_ref, ref) > 0.0:
                return True
    return False


__all__ = ["capacity_binds", "priced_sequence", "units_per_fulfilment", "wave_prices"]

"""Turning the wave's decisions into plans, one order after another, as the store would.

Orders are applied in a sequence; each order's ``SourcingArrays`` are built
on the network as the orders before it left it (their units reserved, one
order less of capacity at every location they use), through the solver's
``CandidateState``. Each allocation is checked with ``objective.violations``
and priced with ``objective.evaluate`` on those arrays, exactly as a
sequence of single-order calls would price it: the plans are valid in that
order, and their objectives add up to the wave's.

An allocation given in advance (``Given``) needs no decision over the whole
network, and an order's check and price depend on the network only where
the allocation takes units, but for the rejection penalty, which is the
profile's as long as it dominates every candidate's costs (``settles``). For
an order whose penalty is settled so, such an allocation is checked and
priced on the arrays of the locations it uses alone: the same plan for a
few locations' work instead of the whole network's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import OrderStatics, SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.overrides import CandidateState, ProductColumn
from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.problem import Location, Order, OrderType, SourcingProblem, SourcingProfile
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.solve import plan_from_allocation, solve
from sourcing.solver.table import LocationTable
from sourcing.solver.types import IntArray

Decide = Callable[[int, SourcingArrays], IntArray]
Cell = tuple[int, int]  # (location, line)
# Time the exact per-order solver may take for an order the wave could not place.
FALLBACK_TIME_LIMIT_S = 0.5
# Once a given plan's application is measured (or its pace, ``neighbourhood``), the time kept
# for one is at most this many times that, plus the margin (and at most the estimate from the
# greedy's time).
GIVEN_FACTOR = 2.0
GIVEN_MARGIN_S = 0.1


class NetworkState:
    """The network as the orders applied so far left it."""

    def __init__(
        self,
        locations: tuple[Location, ...],
        base: CandidateState | None,
        table: LocationTable | None = None,
        scarcity_prices: ScarcityPrices | None = None,
        settled: Container[int] = (),
    ) -> None:
        self.locations = locations
        self.scarcity_prices = scarcity_prices
        self.table = table if table is not None else LocationTable.of(locations)
        self.base = base or self.table.state()
        # Orders whose rejection penalty no state reached from ``base`` changes (``settles``).
        self.settled = settled
        self.taken: dict[str, IntArray] = {}
        self.total = self.base.capacity_total.copy()
        self.hd = self.base.capacity_hd.copy()
        self.cc = self.base.capacity_cc.copy()

    def problem(
        self,
        order: Order,
        profile: SourcingProfile,
        at: IntArray | None = None,
        table: LocationTable | None = None,
    ) -> SourcingProblem:
        """``order`` over the network as it is now; over candidates ``at`` (ascending) alone.

        ``table``: the network's table over ``at`` (``LocationTable.subset``),
        when the caller keeps it for these candidates.
        """
        stock: dict[str, ProductColumn] = {}
        for line in order.lines:
            column = self.base.stock.get(line.product_ref)
            if column is None or line.product_ref in stock:
                continue
            if at is not None:
                column = _column_at(column, at)
            taken = self.taken.get(line.product_ref)
            if taken is not None:
                index = column.index if at is None else at[column.index]
                column = replace(column, reserved=column.reserved + taken[index])
            stock[line.product_ref] = column
        if at is None:
            state = CandidateState.unchecked(
                stock, self.total, self.hd, self.cc, self.base.open_orders
            )
            locations, table = self.locations, self.table
        else:
            counts = (self.total[at], self.hd[at], self.cc[at], self.base.open_orders[at])
            state = CandidateState.unchecked(stock, *counts)
            table = self.table.subset(at) if table is None else table
            locations = table.source
        return SourcingProblem(
            order,
            locations,
            profile,
            state,
            table=table,
            scarcity_prices=self.scarcity_prices,
        )

    def take(self, arrays: SourcingArrays, allocation: IntArray) -> None:
        """Reserve ``allocation``'s units and one order's capacity at each location it uses.

        ``allocation`` is over the whole network, whatever candidates the
        arrays (read for the order's lines) cover.
        """
        n = len(self.locations)
        for k in np.flatnonzero(allocation.sum(axis=0)):
            product = arrays.problem.order.lines[int(k)].product_ref
            taken = self.taken.setdefault(product, np.zeros(n, dtype=np.int64))
            taken += allocation[:, k]
        used = allocation.sum(axis=1) > 0
        if not used.any():
            return
        per_type = self.hd if arrays.problem.order.type is OrderType.HD else self.cc
        # New arrays each time: states already handed out keep their numbers.
        self.total = np.where(used & (self.total > 0), self.total - 1, self.total)
        less = np.where(used & (per_type > 0), per_type - 1, per_type)
        if arrays.problem.order.type is OrderType.HD:
            self.hd = less
        else:
            self.cc = less


def apply(
    state: NetworkState,
    orders: Sequence[Order],
    profiles: Sequence[SourcingProfile],
    sequence: Sequence[int],
    decide: Decide,
    policy: str,
    *,
    rescue: Container[int] = (),
    explain: bool = False,
    deadline: float = math.inf,
) -> dict[int, Plan]:
    """Apply ``decide``'s allocation of each order of ``sequence`` in turn; the plans by order.

    The orders in ``rescue``, and any whose allocation breaks a rule on the
    network as it then is, get the exact per-order solver's plan instead
    when that one is cheaper, until ``deadline`` (a ``time.perf_counter``
    reading); past it a broken allocation becomes the better (rejected
    units, then cost) of what still fits of it (``fitting``) and the
    greedy's allocation. A ``Given`` allocation of an order in
    ``state.settled`` is checked and priced over the locations it uses
    alone (the same plan, see the module).
    """
    plans: dict[int, Plan] = {}
    for o in sequence:
        solving = o in rescue and time.perf_counter() < deadline
        plan = None
        if isinstance(decide, Given) and o in state.settled and not (explain or solving):
            plan = _apply_given(state, orders[o], profiles[o], decide.cells.get(o, {}), policy)
        if plan is None:
            plan = _apply_one(
                state, orders[o], profiles[o], o, decide, policy, solving, explain, deadline
            )
        plans[int(o)] = plan
    return plans


def _apply_one(
    state: NetworkState,
    order: Order,
    profile: SourcingProfile,
    o: int,
    decide: Decide,
    policy: str,
    solving: bool,
    explain: bool,
    deadline: float,
) -> Plan:
    """Order o's plan over the whole network as it is, taken from it; solved exactly if asked.

    An allocation that breaks a rule is solved exactly too, until ``deadline``.
    """
    problem = state.problem(order, profile)
    arrays = SourcingArrays.build(problem)
    allocation = decide(o, arrays)
    plan = None
    broken = bool(violations(arrays, allocation))
    if broken and not solving and time.perf_counter() >= deadline:
        # Past the deadline the better of what still fits of it and the greedy's allocation
        # stands in for the exact solver's plan.
        allocation, broken = _better(arrays, fitting(arrays, allocation), greedy(arrays)), False
    elif broken:
        allocation = np.zeros_like(allocation)
    if broken or solving:
        plan = plan_from_allocation(arrays, allocation, policy=policy, explain=explain)
        exact = solve(problem, time_limit_s=FALLBACK_TIME_LIMIT_S, explain=explain)
        if exact.objective.priced_total < plan.objective.priced_total:
            allocation = allocation_of(exact, arrays)
            plan = replace(exact, policy=policy)
    if plan is None:
        plan = plan_from_allocation(arrays, allocation, policy=policy, explain=explain)
    state.take(arrays, allocation)
    return plan


def _apply_given(
    state: NetworkState,
    order: Order,
    profile: SourcingProfile,
    cells: Mapping[Cell, int],
    policy: str,
) -> Plan | None:
    """The plan of ``cells`` over the locations they use, taken; None when they break a rule.

    A broken allocation is left to ``_apply_one``, which solves it exactly
    over the whole network.
    """
    arrays, allocation, at = arrays_at(state, order, profile, cells)
    if violations(arrays, allocation):
        return None
    whole = np.zeros((len(state.locations), len(order.lines)), dtype=np.int64)
    whole[at] = allocation
    state.take(arrays, whole)
    return plan_from_allocation(arrays, allocation, policy=policy)


def arrays_at(
    state: NetworkState,
    order: Order,
    profile: SourcingProfile,
    cells: Mapping[Cell, int],
    statics: OrderStatics | None = None,
) -> tuple[SourcingArrays, IntArray, IntArray]:
    """The order's arrays over the locations ``cells`` use alone, its allocation there, and them.

    For an order in ``state.settled`` these check and price ``cells`` as the
    whole network's arrays would (see the module). ``statics``: the order's
    over the whole network, when the caller keeps them.
    """
    units = {cell: q for cell, q in cells.items() if q > 0}
    # An order rejecting every unit is priced on one location it does not use.
    at = np.unique(np.array([loc for loc, _ in units] or [0], dtype=np.int64))
    part = None if statics is None else statics.at(at)
    arrays = SourcingArrays.build(state.problem(order, profile, at), statics=part)
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    for (loc, line), q in units.items():
        allocation[int(np.searchsorted(at, loc)), line] += q
    return arrays, allocation, at


def _better(arrays: SourcingArrays, first: IntArray, second: IntArray) -> IntArray:
    """The allocation rejecting fewer units, then costing less (the first on a tie)."""

    def key(allocation: IntArray) -> tuple[int, float]:
        rejected = int(arrays.quantity.sum() - allocation.sum())
        return rejected, evaluate(arrays, allocation).priced_total

    return second if key(second) < key(first) else first


def fitting(arrays: SourcingArrays, allocation: IntArray) -> IntArray:
    """What of ``allocation`` the rules let stand: within each cap, stock, line and split limit.

    Units beyond a location's stock of a product are taken off its lines in
    turn; beyond the split limit, the locations giving the fewest units are
    dropped.
    """
    result = np.clip(allocation, 0, arrays.cap)
    for k in range(result.shape[1]):  # a line's units beyond what was ordered
        excess = int(result[:, k].sum()) - int(arrays.quantity[k])
        for loc in np.flatnonzero(result[:, k])[::-1].tolist():
            if excess <= 0:
                break
            cut = min(excess, int(result[loc, k]))
            result[loc, k] -= cut
            excess -= cut
    for k in range(result.shape[1]):  # lines sharing a product share its stock
        same = arrays.line_product == arrays.line_product[k]
        before = result[:, same].sum(axis=1) - result[:, k]
        room = np.maximum(arrays.stock[:, arrays.line_product[k]] - before, 0)
        result[:, k] = np.minimum(result[:, k], room)
    used = np.flatnonzero(result.sum(axis=1))
    if len(used) > arrays.split_limit:
        fewest = used[np.argsort(-result[used].sum(axis=1), kind="stable")][arrays.split_limit :]
        result[fewest] = 0
    return result


def settles(arrays: SourcingArrays) -> bool:
    """Whether the order's rejection penalty is the profile's in every state reached from here.

    ``arrays`` are the order's over the whole network in the starting state.
    The penalty is the profile's unless the order's units times its dearest
    usable candidate's costs exceed it (``coverage_with_rejection``). Applying
    orders only takes stock and capacity, so fewer candidates are usable;
    their per-fulfilment costs stay, and a unit's cost rises only by the
    overstock preference, at most its weight. When even that bound stays
    below the profile's penalty (with and without scarce-stock prices),
    every state has the profile's penalty and no steering on it. Rate cards
    price by the parcel: those orders are not settled here.
    """
    weights = arrays.weights
    usable = arrays.cap.sum(axis=1) > 0
    if arrays.rates is not None:
        return False
    if not usable.any():
        return True
    units = float(arrays.quantity.sum())
    rise = max(weights.overstock, 0.0)
    unit_steer = arrays.unit_cost_parts.get("scarcity_price", 0.0)
    fulfilment_steer = arrays.fulfilment_cost_parts.get("scarcity_price", 0.0)
    for unit, fulfilment in (
        (arrays.unit_cost, arrays.fulfilment_cost),
        (arrays.unit_cost - unit_steer, arrays.fulfilment_cost - fulfilment_steer),
    ):
        worst = float(fulfilment[usable].max()) + weights.split
        worst += float(unit[usable].max()) + weights.ideal_stock + rise
        # A unit of margin over the penalty's own rounding up.
        if units * worst + 2.0 > weights.rejection:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Given:
    """A ``Decide`` whose allocations are given: order -> (location, line) -> units.

    Locations are the network's indices, lines the order's; ``apply`` may
    then check and price an order on the locations it uses alone.
    """

    cells: Mapping[int, Mapping[Cell, int]]

    def __call__(self, o: int, arrays: SourcingArrays) -> IntArray:
        """Order o's allocation over ``arrays``' candidates (the whole network) and lines."""
        result = np.zeros(arrays.cap.shape, dtype=np.int64)
        for (loc, line), units in self.cells.get(o, {}).items():
            if units > 0:
                result[loc, line] += units
        return result


def _column_at(column: ProductColumn, at: IntArray) -> ProductColumn:
    """The positions of ``column`` at candidates ``at`` (ascending), renumbered over ``at``."""
    where = np.searchsorted(at, column.index)
    found = (where < len(at)) & (at[np.minimum(where, len(at) - 1)] == column.index)
    renumber = (  # only stock in transit is listed by candidate index
        dict(zip(column.index[found].tolist(), where[found].tolist(), strict=True))
        if column.in_transit
        else {}
    )
    return ProductColumn(
        index=where[found],
        on_hand=column.on_hand[found],
        reserved=column.reserved[found],
        buffer_qty=column.buffer_qty[found],
        ideal_qty=column.ideal_qty[found],
        markdown=column.markdown[found],
        sell_through=column.sell_through[found],
        stock_age_days=column.stock_age_days[found],
        in_transit=tuple((renumber[i], t) for i, t in column.in_transit if i in renumber),
    )


def greedy(arrays: SourcingArrays) -> IntArray:
    """The reference greedy's allocation (a ``Decide`` that ignores the order index)."""
    return greedy_allocation(arrays)


def with_gap(plans: dict[int, Plan], status: SolveStatus, gap: float) -> dict[int, Plan]:
    """The plans with the wave's status and gap."""
    return {o: replace(p, status=status, gap=gap) for o, p in plans.items()}


def allocation_of(plan: Plan, arrays: SourcingArrays) -> IntArray:
    """A plan's units as an (L, K) allocation over ``arrays``' candidates and lines."""
    refs = {loc.ref: i for i, loc in enumerate(arrays.problem.locations)}
    lines = {line.ref: k for k, line in enumerate(arrays.problem.order.lines)}
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    for fulfilment in plan.fulfilments:
        for line in fulfilment.lines:
            allocation[refs[fulfilment.location_ref], lines[line.line_ref]] += line.quantity
    return allocation

"""Turning the wave's decisions into plans, one order after another, as the store would.

Orders are applied in a sequence; each order's ``SourcingArrays`` are built
on the network as the orders before it left it (their units reserved, one
order less of capacity at every location they use), through the solver's
``CandidateState``. Each allocation is checked with ``objective.violations``
and priced with ``objective.evaluate`` on those arrays, exactly as a
sequence of single-order calls would price it: the plans are valid in that
order, and their objectives add up to the wave's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Container, Sequence
from dataclasses import replace

import numpy as np

from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import violations
from sourcing.solver.overrides import CandidateState, ProductColumn
from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.problem import Location, Order, OrderType, SourcingProblem, SourcingProfile
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.solve import plan_from_allocation, solve
from sourcing.solver.table import LocationTable
from sourcing.solver.types import IntArray

Decide = Callable[[int, SourcingArrays], IntArray]
# Time the exact per-order solver may take for an order the wave could not place.
FALLBACK_TIME_LIMIT_S = 0.5


class NetworkState:
    """The network as the orders applied so far left it."""

    def __init__(
        self,
        locations: tuple[Location, ...],
        base: CandidateState | None,
        table: LocationTable | None = None,
        scarcity_prices: ScarcityPrices | None = None,
    ) -> None:
        self.locations = locations
        self.scarcity_prices = scarcity_prices
        self.table = table if table is not None else LocationTable.of(locations)
        self.base = base or self.table.state()
        self.taken: dict[str, IntArray] = {}
        self.total = self.base.capacity_total.copy()
        self.hd = self.base.capacity_hd.copy()
        self.cc = self.base.capacity_cc.copy()

    def problem(self, order: Order, profile: SourcingProfile) -> SourcingProblem:
        """``order`` over the network as it is now."""
        stock: dict[str, ProductColumn] = {}
        for line in order.lines:
            column = self.base.stock.get(line.product_ref)
            if column is None or line.product_ref in stock:
                continue
            taken = self.taken.get(line.product_ref)
            if taken is not None:
                column = replace(column, reserved=column.reserved + taken[column.index])
            stock[line.product_ref] = column
        state = CandidateState(stock, self.total, self.hd, self.cc, self.base.open_orders)
        return SourcingProblem(
            order,
            self.locations,
            profile,
            state,
            table=self.table,
            scarcity_prices=self.scarcity_prices,
        )

    def take(self, arrays: SourcingArrays, allocation: IntArray) -> None:
        """Reserve ``allocation``'s units and one order's capacity at each location it uses."""
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
    when that one is cheaper; past ``deadline`` (a ``time.perf_counter``
    reading) only the broken ones do.
    """
    plans: dict[int, Plan] = {}
    for o in sequence:
        problem = state.problem(orders[o], profiles[o])
        arrays = SourcingArrays.build(problem)
        allocation = decide(o, arrays)
        plan = None
        broken = bool(violations(arrays, allocation))
        if broken:
            allocation = np.zeros_like(allocation)
        if broken or (o in rescue and time.perf_counter() < deadline):
            plan = plan_from_allocation(arrays, allocation, policy=policy, explain=explain)
            exact = solve(problem, time_limit_s=FALLBACK_TIME_LIMIT_S, explain=explain)
            if exact.objective.priced_total < plan.objective.priced_total:
                allocation = allocation_of(exact, arrays)
                plan = replace(exact, policy=policy)
        if plan is None:
            plan = plan_from_allocation(arrays, allocation, policy=policy, explain=explain)
        state.take(arrays, allocation)
        plans[int(o)] = plan
    return plans


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

"""Reading the orders a Rebalance moves: their movable units, grouped into one wave per type.

For each order type this reads the orders' CREATED and ACKNOWLEDGED
fulfilments, the candidates and profile to solve them with, the plans they
follow now (to be priced against the new wave), and the stock and capacity
those units would find if their own reservations were released
(:func:`freed_state`). Separate from ``sourcing.models.waves.rebalance``, which
solves, compares and writes: this half only reads, in the first of
Rebalance's two transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidate_cache import Candidates, read_candidates
from sourcing.models.config.candidates import active_profile, solver_profile, start_of_today
from sourcing.models.db.enums import (
    FulfilmentStatus,
    LocationType,
    OrderType,
    QuantityStatus,
    QuantityType,
)
from sourcing.models.db.errors import NotFound
from sourcing.models.inventory.tables import InventoryQuantity
from sourcing.models.orders.lifecycle import order_query
from sourcing.models.orders.order_problem import weighed_prices
from sourcing.models.orders.reassign import solver_order
from sourcing.models.orders.tables import Fulfilment, Order
from sourcing.solver.wave import BatchProblem

_F = FulfilmentStatus
MOVABLE = (_F.CREATED, _F.ACKNOWLEDGED)
# Fulfilments that hold no place in an order's split allowance.
_NOT_LIVE = (_F.REJECTED, _F.CANCELLED, _F.ESCALATED)


@dataclass
class RebalanceGroup:
    """The orders of one type: their wave, current plans and what writing needs."""

    order_type: OrderType
    candidates: Candidates
    products: Mapping[int, str]  # product id -> ref
    profile_version: int
    sla_slack_minutes: int
    orders: list[solver.Order] = field(default_factory=list)
    profiles: list[solver.SourcingProfile] = field(default_factory=list)
    current: list[solver.Plan] = field(default_factory=list)
    movable: list[dict[int, dict[str, int]]] = field(default_factory=list)  # id -> line units
    # The stored scarce-stock prices, read only when the profile weighs them.
    prices: solver.ScarcityPrices | None = None

    def problem(self, state: solver.CandidateState) -> BatchProblem:
        """The wave of the group's movable units."""
        return BatchProblem(
            orders=tuple(self.orders),
            locations=self.candidates.candidates.locations,
            profile=self.profiles[0],
            order_profiles=tuple(self.profiles),
            state=state,
            table=self.candidates.candidates.table,
            scarcity_prices=self.prices,
        )


def _orders(session: Session, refs: Sequence[str]) -> list[Order]:
    if refs:
        found = []
        for i, ref in enumerate(refs):
            order = session.scalars(order_query().where(Order.ref == ref)).one_or_none()
            if order is None:
                raise NotFound("order", ref, field=f"order_refs[{i}]")
            found.append(order)
        return found
    open_orders = select(Fulfilment.order_id).where(Fulfilment.status.in_(MOVABLE)).distinct()
    return list(session.scalars(order_query().where(Order.id.in_(open_orders)).order_by(Order.id)))


def read_groups(session: Session, refs: Sequence[str]) -> list[RebalanceGroup]:
    """The orders' movable units, grouped by order type, with their candidates."""
    by_type: dict[OrderType, list[tuple[Order, list[Fulfilment]]]] = defaultdict(list)
    for order in _orders(session, refs):
        movable = [
            f
            for f in order.fulfilments
            if f.status in MOVABLE and f.location.type is not LocationType.REJECTION
        ]
        if movable:
            by_type[order.type].append((order, movable))
    groups = []
    for order_type, members in by_type.items():
        row = active_profile(session, order_type)
        profile = solver_profile(row)
        rules: Mapping[str, object] = (row.rules if row else None) or {}
        products = {
            line.order_line.product_id: line.order_line.product.ref
            for _, movable in members
            for f in movable
            for line in f.lines
        }
        candidates = read_candidates(
            session,
            order_type,
            rules.get("network"),  # type: ignore[arg-type]
            products,
            profile_open_order_limit=profile.rules.hd_open_order_limit,
        )
        group = RebalanceGroup(
            order_type,
            candidates,
            products,
            row.version if row else 0,
            int(rules.get("sla_slack_minutes", 0)),  # type: ignore[call-overload]
            prices=weighed_prices(session, candidates.candidates, products, profile.weights),
        )
        for order, movable in members:
            _add(session, group, profile, order, movable)
        if group.orders:
            groups.append(group)
    return groups


def _add(
    session: Session,
    group: RebalanceGroup,
    profile: solver.SourcingProfile,
    order: Order,
    movable: list[Fulfilment],
) -> None:
    """Add an order's movable units to its group, unless it cannot move or be priced."""
    candidates = group.candidates.candidates
    ids = candidates.location_ids
    refs = {location_id: ref for ref, location_id in ids.items()}
    if any(f.location_id not in refs for f in movable):
        return  # a fulfilment at a location no longer a candidate: leave the order be
    staying = {
        f.location_id for f in order.fulfilments if f.status not in _NOT_LIVE and f not in movable
    }
    allowance = profile.split_limit - len(staying)
    if allowance < 1:
        return
    units: dict[str, int] = defaultdict(int)
    for f in movable:
        for line in f.lines:
            units[line.order_line.ref] += line.quantity
    lines = {line.ref: line for line in order.lines}
    solver_lines = tuple(
        solver.OrderLine(ref, lines[ref].product.ref, qty, lines[ref].category)
        for ref, qty in units.items()
    )
    rejected_at = {f.location.ref for f in order.fulfilments if f.status is _F.REJECTED}
    rules = replace(
        profile.rules, excluded_locations=profile.rules.excluded_locations | frozenset(rejected_at)
    )
    group.orders.append(solver_order(session, order, solver_lines))
    group.profiles.append(replace(profile, split_limit=allowance, rules=rules))
    group.current.append(
        solver.Plan(
            order_ref=order.ref,
            policy="current",
            fulfilments=tuple(
                solver.Fulfilment(
                    refs[f.location_id],
                    tuple(
                        solver.FulfilmentLine(
                            line.order_line.ref, line.order_line.product.ref, line.quantity
                        )
                        for line in f.lines
                    ),
                )
                for f in movable
            ),
            rejected=None,
            objective=solver.ObjectiveBreakdown({}),
            status=solver.SolveStatus.FEASIBLE,
        )
    )
    group.movable.append(
        {f.id: {line.order_line.ref: line.quantity for line in f.lines} for f in movable}
    )


def freed_state(session: Session, group: RebalanceGroup) -> solver.CandidateState:
    """The group's stock and capacity as if its movable fulfilments were released."""
    state = group.candidates.state
    cached = group.candidates.candidates
    ids = [fid for movable in group.movable for fid in movable]
    rows = session.execute(
        select(InventoryQuantity.position_id, func.sum(InventoryQuantity.quantity))
        .where(
            InventoryQuantity.fulfilment_id.in_(ids),
            InventoryQuantity.type == QuantityType.RESERVED,
            InventoryQuantity.status == QuantityStatus.ACTIVE,
        )
        .group_by(InventoryQuantity.position_id)
    ).all()
    where = {position: key for key, position in group.candidates.positions.items()}
    stock = dict(state.stock)
    for position_id, units in rows:
        product_id, location_id = where[position_id]
        column = stock[group.products[product_id]]
        at = int(np.searchsorted(column.index, cached.index_of[location_id]))
        reserved = column.reserved.copy()
        reserved[at] = max(0, int(reserved[at]) - int(units))
        stock[group.products[product_id]] = replace(column, reserved=reserved)
    total, hd, cc = (a.copy() for a in (state.capacity_total, state.capacity_hd, state.capacity_cc))
    open_orders = state.open_orders.copy()
    midnight = start_of_today()
    for f in _movable_rows(session, ids):
        i = int(cached.index_of[f.location_id])
        open_orders[i] = max(0, open_orders[i] - 1)
        if f.created_at >= midnight:
            per_type = hd if f.type is OrderType.HD else cc
            for capacity in (total, per_type):
                if capacity[i] >= 0:
                    capacity[i] += 1
    return solver.CandidateState(stock, total, hd, cc, open_orders)


def _movable_rows(session: Session, ids: Sequence[int]) -> list[Fulfilment]:
    return list(session.scalars(select(Fulfilment).where(Fulfilment.id.in_(ids))))

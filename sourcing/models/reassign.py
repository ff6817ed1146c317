"""Reassigning units of a fulfilment to other locations.

Units a location cannot fulfil (or units waiting at the rejection location)
are sourced again under the order's profile, never from that location nor
from any location that already rejected part of this order, and within the
order's remaining split allowance: the split limit less the locations
already fulfilling the order. What still cannot be served goes to the
rejection location as a new ESCALATED fulfilment.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from sourcing import solver
from sourcing.models.candidates import (
    active_profile,
    candidate_locations,
    solver_profile,
    to_solver_locations,
)
from sourcing.models.config import Location, Product
from sourcing.models.db import run_in_transaction
from sourcing.models.enums import FulfilmentStatus, OrderStatus, OrderType
from sourcing.models.errors import (
    ConcurrencyConflict,
    InsufficientStock,
    InvalidField,
    InvalidState,
    NotFound,
)
from sourcing.models.inventory import ReservationRequest, release, reserve_many
from sourcing.models.orders import Fulfilment, FulfilmentLine, Order
from sourcing.models.sourcing import MAX_SOLVE_ATTEMPTS, SourcingOutcome, store_fulfilments
from sourcing.models.stock import InventoryPosition

_F = FulfilmentStatus
# Fulfilments whose units may be moved by Reassign.
REASSIGNABLE = (_F.CREATED, _F.ACKNOWLEDGED, _F.ESCALATED)
# Fulfilments that no longer hold a place in the order's split allowance.
_NOT_LIVE = (_F.REJECTED, _F.CANCELLED, _F.ESCALATED)


@dataclass(frozen=True, slots=True)
class ReassignInput:
    """Which units of which fulfilment to source again.

    ``lines`` maps order line refs to units; empty means every unit of the
    fulfilment.
    """

    fulfilment_id: int
    lines: Mapping[str, int] = field(default_factory=dict)
    reason: str | None = None
    explain: bool = False
    time_limit_s: float = 10.0


@dataclass(frozen=True, slots=True)
class _Snapshot:
    problem: solver.SourcingProblem | None  # None when no split is left: reject all
    moving: Mapping[str, int]  # line ref -> units leaving the fulfilment
    status: FulfilmentStatus
    location_ids: Mapping[str, int]
    positions: Mapping[tuple[int, int], int]
    pick_pack_hours: Mapping[str, float]
    profile_version: int
    sla_slack_minutes: int
    rejection_ref: str
    order_ref: str
    order_type: OrderType
    product_refs: Mapping[str, str]  # line ref -> product ref


def reassign(sessions: sessionmaker[Session], request: ReassignInput) -> SourcingOutcome:
    """Source the chosen units of a fulfilment again; returns the plan for those units.

    Raises
    ------
    NotFound
        For an unknown fulfilment (``field`` is ``fulfilment_id``).
    InvalidState
        When the fulfilment's status does not allow moving units.
    InvalidField
        For a line the fulfilment does not hold, or more units than it holds.
    """
    for _ in range(MAX_SOLVE_ATTEMPTS):
        with sessions() as session, session.begin():
            snapshot = _read(session, request)
        plan = _solve(snapshot, request)
        write = functools.partial(_write, request=request, snapshot=snapshot, plan=plan)
        try:
            return run_in_transaction(sessions, write, entity="inventory")
        except InsufficientStock:
            continue
    raise ConcurrencyConflict("inventory", attempts=MAX_SOLVE_ATTEMPTS, detail="stock kept moving")


def _load(session: Session, fulfilment_id: int) -> Fulfilment:
    fulfilment = session.scalars(
        select(Fulfilment)
        .where(Fulfilment.id == fulfilment_id)
        .options(
            selectinload(Fulfilment.lines).selectinload(FulfilmentLine.order_line),
            selectinload(Fulfilment.order).selectinload(Order.fulfilments),
        )
    ).one_or_none()
    if fulfilment is None:
        raise NotFound("fulfilment", fulfilment_id, field="fulfilment_id")
    if fulfilment.status not in REASSIGNABLE:
        raise InvalidState(
            "fulfilment",
            fulfilment.status.value,
            "reassigned",
            ref=fulfilment_id,
            allowed=tuple(s.value for s in REASSIGNABLE),
        )
    return fulfilment


def _moving_units(fulfilment: Fulfilment, wanted: Mapping[str, int]) -> dict[str, int]:
    held = {line.order_line.ref: line.quantity for line in fulfilment.lines}
    if not wanted:
        return held
    for i, (ref, qty) in enumerate(wanted.items()):
        if ref not in held:
            raise InvalidField(f"lines[{i}].line_ref", f"fulfilment holds no line {ref!r}")
        if not 0 < qty <= held[ref]:
            raise InvalidField(
                f"lines[{i}].quantity", f"must be between 1 and {held[ref]}, got {qty}"
            )
    return dict(wanted)


def _read(session: Session, request: ReassignInput) -> _Snapshot:
    fulfilment = _load(session, request.fulfilment_id)
    order = fulfilment.order
    moving = _moving_units(fulfilment, request.lines)
    row = active_profile(session, order.type)
    profile = solver_profile(row)
    rules = (row.rules if row else None) or {}
    everything_moves = moving == {ln.order_line.ref: ln.quantity for ln in fulfilment.lines}
    live = {
        f.location_id
        for f in order.fulfilments
        if f.status not in _NOT_LIVE and not (f.id == fulfilment.id and everything_moves)
    }
    allowance = profile.split_limit - len(live)
    rejected_at = {f.location_id for f in order.fulfilments if f.status is _F.REJECTED}
    excluded_ids = rejected_at | {fulfilment.location_id}
    locations = candidate_locations(session, order.type, rules.get("network"))
    excluded_refs = frozenset(loc.ref for loc in locations if loc.id in excluded_ids)
    by_ref = {ln.order_line.ref: ln.order_line for ln in fulfilment.lines}
    product_ids = {by_ref[ref].product_id for ref in moving}
    products = list(session.scalars(select(Product).where(Product.id.in_(product_ids))))
    names = {p.id: p for p in products}
    problem = None
    if allowance >= 1:
        rules_now = replace(
            profile.rules, excluded_locations=profile.rules.excluded_locations | excluded_refs
        )
        problem = solver.SourcingProblem(
            _order_for(
                session,
                order,
                {ref: (names[by_ref[ref].product_id], qty) for ref, qty in moving.items()},
            ),
            to_solver_locations(session, locations, products),
            replace(profile, split_limit=allowance, rules=rules_now),
        )
    positions = session.execute(
        select(
            InventoryPosition.product_id, InventoryPosition.location_id, InventoryPosition.id
        ).where(
            InventoryPosition.product_id.in_(list(product_ids)),
            InventoryPosition.location_id.in_(
                [loc.id for loc in locations] + [fulfilment.location_id]
            ),
        )
    )
    return _Snapshot(
        problem=problem,
        moving=moving,
        status=fulfilment.status,
        location_ids={loc.ref: loc.id for loc in locations},
        positions={(p, loc): pos for p, loc, pos in positions.tuples()},
        pick_pack_hours={loc.ref: loc.pick_pack_hours for loc in locations},
        profile_version=row.version if row else 0,
        sla_slack_minutes=int(rules.get("sla_slack_minutes", 0)),
        rejection_ref=profile.rejection_location_ref,
        order_ref=order.ref,
        order_type=order.type,
        product_refs={ref: names[by_ref[ref].product_id].ref for ref in moving},
    )


def _order_for(
    session: Session, order: Order, lines: Mapping[str, tuple[Product, int]]
) -> solver.Order:
    """The solver's view of the units to move: the order's destination and customer."""
    if order.type is OrderType.CC:
        store = session.get(Location, order.collection_location_id)
        assert store is not None  # a CC order always has its collection store
        point = solver.GeoPoint(store.latitude, store.longitude)
        collection = store.ref
    else:
        assert order.delivery_latitude is not None and order.delivery_longitude is not None
        point = solver.GeoPoint(order.delivery_latitude, order.delivery_longitude)
        collection = None
    customer = order.customer
    return solver.Order(
        ref=order.ref,
        type=solver.OrderType(order.type.value),
        lines=tuple(
            solver.OrderLine(ref, p.ref, qty, p.category) for ref, (p, qty) in lines.items()
        ),
        delivery_point=point,
        customer=solver.Customer(
            customer.ref if customer else "anonymous",
            solver.CustomerTier(customer.tier.value) if customer else solver.CustomerTier.STANDARD,
        ),
        need_by=order.need_by,
        collection_location_ref=collection,
    )


def _solve(snapshot: _Snapshot, request: ReassignInput) -> solver.Plan:
    if snapshot.problem is not None:
        return solver.solve(
            snapshot.problem, time_limit_s=request.time_limit_s, explain=request.explain
        )
    return _reject_all(snapshot)


def _reject_all(snapshot: _Snapshot) -> solver.Plan:
    """The plan when the order has no split left: every moving unit is rejected."""
    return solver.Plan(
        order_ref=snapshot.order_ref,
        policy="mip",
        fulfilments=(),
        rejected=solver.RejectedFulfilment(
            snapshot.rejection_ref,
            tuple(
                solver.FulfilmentLine(ref, snapshot.product_refs[ref], qty)
                for ref, qty in snapshot.moving.items()
            ),
        ),
        objective=solver.ObjectiveBreakdown({}),
        status=solver.SolveStatus.OPTIMAL,
    )


def _write(
    session: Session, request: ReassignInput, snapshot: _Snapshot, plan: solver.Plan
) -> SourcingOutcome:
    fulfilment = _load(session, request.fulfilment_id)
    if fulfilment.status is not snapshot.status:
        raise ConcurrencyConflict("fulfilment", detail="its status changed while reassigning")
    remaining = _shrink(session, fulfilment, snapshot)
    if not remaining:
        fulfilment.status = _F.CANCELLED if fulfilment.status is _F.ESCALATED else _F.REJECTED
        fulfilment.status_reason = request.reason or "units reassigned"
    ids = store_fulfilments(
        session,
        fulfilment.order,
        plan,
        snapshot.location_ids,
        snapshot.positions,
        snapshot.pick_pack_hours,
        snapshot.sla_slack_minutes,
        reassigned_from=fulfilment,
    )
    session.flush()
    fulfilment.order.status = derive_order_status(fulfilment.order)
    return SourcingOutcome(plan, ids, snapshot.profile_version, snapshot.order_type)


def _shrink(session: Session, fulfilment: Fulfilment, snapshot: _Snapshot) -> int:
    """Take the moving units off the fulfilment and its reservations; return the units left."""
    left = 0
    keep: list[ReservationRequest] = []
    for line in list(fulfilment.lines):
        ref = line.order_line.ref
        stays = line.quantity - snapshot.moving.get(ref, 0)
        if stays <= 0:
            fulfilment.lines.remove(line)
            session.delete(line)
        else:
            line.quantity = stays
            left += stays
            key = (line.order_line.product_id, fulfilment.location_id)
            if fulfilment.status is not _F.ESCALATED and key in snapshot.positions:
                keep.append(ReservationRequest(fulfilment.id, snapshot.positions[key], stays))
    if fulfilment.status is not _F.ESCALATED:
        release(session, fulfilment.id)
        session.flush()
        if keep:
            reserve_many(session, keep)
    return left


def derive_order_status(order: Order) -> OrderStatus:
    """An order's status from its fulfilments' statuses."""
    statuses = [f.status for f in order.fulfilments if f.lines]
    if any(s is _F.ESCALATED for s in statuses):
        return OrderStatus.ESCALATED
    working = [s for s in statuses if s not in (_F.REJECTED, _F.CANCELLED)]
    if not working:
        return OrderStatus.CANCELLED if statuses else order.status
    if all(s is _F.COMPLETE for s in working):
        return OrderStatus.COMPLETE
    if any(s not in (_F.CREATED, _F.ACKNOWLEDGED) for s in working):
        return OrderStatus.IN_PROGRESS
    return OrderStatus.BOOKED

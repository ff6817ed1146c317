"""Sourcing units of an order again, at other locations.

Units a location cannot fulfil (short-picked, rejected, overdue, or waiting
at the rejection location) and units added by a revision are sourced under
the order type's active profile, never from the locations the caller
excludes nor from any location that already rejected part of this order,
and within the order's remaining split allowance: the split limit less the
locations already fulfilling the order. What still cannot be served goes to
the rejection location as a new ESCALATED fulfilment.

Two entry points share that core. :func:`reassign` (the Reassign call)
solves outside any transaction and writes in a short one, retrying when the
stock moved meanwhile. :func:`source_units` runs inside the caller's
transaction, so a short pick, a location's rejection or a revision and the
re-sourcing it causes commit or roll back together.

A Reassign call with a ``request_id`` stores its answer (the plan and the
new fulfilments' ids) under that id in the transaction that moves the
units; the same call sent again returns it, marked replayed, and moves
nothing. A different call under a used id is refused (``AlreadyExists``).
The write locks the order before it looks for the answer, so two copies
of one call queue and the second one finds the first one's answer.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.config.candidate_cache import read_candidates
from sourcing.models.config.candidates import active_profile, solver_profile
from sourcing.models.config.tables import Location, Product
from sourcing.models.db.enums import FulfilmentStatus, OrderType
from sourcing.models.db.errors import (
    ConcurrencyConflict,
    InvalidField,
    InvalidState,
)
from sourcing.models.db.observed import after_commit
from sourcing.models.db.retry import run_in_transaction, until_it_holds
from sourcing.models.orders.idempotency import (
    outcome_from_json,
    outcome_to_json,
    recall,
    remember,
    request_digest,
)
from sourcing.models.orders.lifecycle import (
    change_status,
    derive_order_status,
    lock_fulfilment,
    reduce_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders.order_problem import order_problem
from sourcing.models.orders.plan_store import store_fulfilments
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.models.orders.tables import Fulfilment, Order
from sourcing.ops.recorder import current
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

__all__ = [
    "REASSIGNABLE",
    "REASSIGN_OPERATION",
    "ReassignInput",
    "derive_order_status",
    "reassign",
    "source_units",
]

_F = FulfilmentStatus
# Fulfilments whose units may be moved by Reassign.
REASSIGNABLE = (_F.CREATED, _F.ACKNOWLEDGED, _F.ESCALATED)
# The idempotency keys' namespace for Reassign's request ids.
REASSIGN_OPERATION = "Reassign"
# Fulfilments that no longer hold a place in the order's split allowance.
_NOT_LIVE = (_F.REJECTED, _F.CANCELLED, _F.ESCALATED)


@dataclass(frozen=True, slots=True)
class ReassignInput:
    """Which units of which fulfilment to source again.

    ``lines`` maps order line refs to units; empty means every unit of the
    fulfilment. ``request_id``, when given, makes the move happen at most once.
    """

    fulfilment_id: int
    lines: Mapping[str, int] = field(default_factory=dict)
    reason: str | None = None
    explain: bool = False
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    request_id: str | None = None

    def digest(self) -> str:
        """A hash of what moves and why, to tell a retry from another call under its id.

        ``explain`` and the time limit are left out: they change how the
        answer is told and found, not what the call does.
        """
        return request_digest([self.fulfilment_id, dict(self.lines), self.reason])


@dataclass(frozen=True, slots=True)
class ReassignSnapshot:
    problem: solver.SourcingProblem | None  # None when no split is left: reject all
    moving: Mapping[str, int]  # line ref -> units to source
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
    AlreadyExists
        When ``request_id`` was used by a different Reassign call.
    """

    def attempt() -> SourcingOutcome:
        with sessions() as session, session.begin():
            # Lock first, then look for a stored answer: a copy of this call that
            # held the lock has committed by now, and its answer is visible.
            locked = lock_fulfilment(session, request.fulfilment_id)
            replay = _replay(session, request)
            if replay is not None:
                return replay
            fulfilment = _reassignable(locked)
            moving = _moving_units(fulfilment, request.lines)
            snapshot = _read(
                session,
                fulfilment.order,
                moving,
                excluded_location_ids={fulfilment.location_id},
                freed_fulfilment_id=fulfilment.id if _everything(fulfilment, moving) else None,
            )
            status = fulfilment.status
        plan = _solve(snapshot, request.time_limit_s, request.explain)
        write = functools.partial(
            _write, request=request, snapshot=snapshot, plan=plan, status=status
        )
        with current().span("write"):
            outcome = run_in_transaction(sessions, write, entity="inventory")
        if not outcome.replayed:
            current().reassigned(_units(plan))
        return outcome

    return until_it_holds(attempt)


def source_units(
    session: Session,
    order: Order,
    units: Mapping[str, int],
    *,
    excluded_location_ids: Collection[int] = (),
    freed_fulfilment_id: int | None = None,
    reassigned_from: Fulfilment | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> SourcingOutcome:
    """Source ``units`` (per order line ref) of ``order`` in the caller's transaction.

    The rules are Reassign's: the locations in ``excluded_location_ids`` and
    those that rejected the order are left out, and the order's remaining
    split allowance bounds the new locations (``freed_fulfilment_id`` names
    a fulfilment that is giving up its place). New fulfilments point at
    ``reassigned_from`` when given. The order's status is not refreshed:
    the caller does it once its own changes are made.

    Raises
    ------
    ConcurrencyConflict
        When other transactions kept taking the stock the plan chose.
    """

    def attempt() -> SourcingOutcome:
        snapshot = _read(
            session,
            order,
            units,
            excluded_location_ids=excluded_location_ids,
            freed_fulfilment_id=freed_fulfilment_id,
        )
        plan = _solve(snapshot, time_limit_s, explain=False)
        with session.begin_nested():  # a lost race rolls back to here only
            ids = _store(session, order, plan, snapshot, reassigned_from)
        after_commit(session, lambda r: r.reassigned(_units(plan)))
        return SourcingOutcome(plan, ids, snapshot.profile_version, order.type)

    return until_it_holds(attempt)


def _reassignable(fulfilment: Fulfilment) -> Fulfilment:
    if fulfilment.status not in REASSIGNABLE:
        raise InvalidState(
            "fulfilment",
            fulfilment.status.value,
            "reassigned",
            ref=fulfilment.id,
            allowed=tuple(s.value for s in REASSIGNABLE),
        )
    return fulfilment


def _replay(session: Session, request: ReassignInput) -> SourcingOutcome | None:
    """The stored answer of an earlier call under ``request.request_id``, if any."""
    if not request.request_id:
        return None
    answer = recall(session, REASSIGN_OPERATION, request.request_id, request.digest())
    return None if answer is None else outcome_from_json(answer)


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


def _everything(fulfilment: Fulfilment, moving: Mapping[str, int]) -> bool:
    return sum(moving.values()) >= sum(line.quantity for line in fulfilment.lines)


def _read(
    session: Session,
    order: Order,
    moving: Mapping[str, int],
    *,
    excluded_location_ids: Collection[int],
    freed_fulfilment_id: int | None,
) -> ReassignSnapshot:
    row = active_profile(session, order.type)
    profile = solver_profile(row)
    rules = (row.rules if row else None) or {}
    live = {
        f.location_id
        for f in order.fulfilments
        if f.status not in _NOT_LIVE and f.id != freed_fulfilment_id
    }
    allowance = profile.split_limit - len(live)
    rejected_at = {f.location_id for f in order.fulfilments if f.status is _F.REJECTED}
    excluded_ids = rejected_at | set(excluded_location_ids)
    lines = {line.ref: line for line in order.lines}
    product_ids = {lines[ref].product_id for ref in moving}
    products = {
        p.id: p for p in session.scalars(select(Product).where(Product.id.in_(product_ids)))
    }
    candidates = read_candidates(
        session,
        order.type,
        rules.get("network"),
        {p.id: p.ref for p in products.values()},
        profile_open_order_limit=profile.rules.hd_open_order_limit,
    )
    location_ids = candidates.candidates.location_ids
    excluded_refs = frozenset(ref for ref, i in location_ids.items() if i in excluded_ids)
    problem = None
    if allowance >= 1:
        rules_now = replace(
            profile.rules, excluded_locations=profile.rules.excluded_locations | excluded_refs
        )
        solver_lines = tuple(
            solver.OrderLine(
                ref,
                products[lines[ref].product_id].ref,
                qty,
                lines[ref].category or products[lines[ref].product_id].category,
                weight_g=products[lines[ref].product_id].weight_grams or 0,
            )
            for ref, qty in moving.items()
        )
        problem = order_problem(
            session,
            solver_order(session, order, solver_lines),
            candidates,
            replace(profile, split_limit=allowance, rules=rules_now),
            {p.id: p.ref for p in products.values()},
        )
    return ReassignSnapshot(
        problem=problem,
        moving=dict(moving),
        location_ids=location_ids,
        positions=candidates.positions,
        pick_pack_hours=candidates.candidates.pick_pack_hours,
        profile_version=row.version if row else 0,
        sla_slack_minutes=int(rules.get("sla_slack_minutes", 0)),
        rejection_ref=profile.rejection_location_ref,
        order_ref=order.ref,
        order_type=order.type,
        product_refs={ref: products[lines[ref].product_id].ref for ref in moving},
    )


def solver_order(
    session: Session, order: Order, lines: tuple[solver.OrderLine, ...]
) -> solver.Order:
    """The solver's view of the units to source: the order's destination and customer."""
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
        lines=lines,
        delivery_point=point,
        customer=solver.Customer(
            customer.ref if customer else "anonymous",
            solver.CustomerTier(customer.tier.value) if customer else solver.CustomerTier.STANDARD,
        ),
        need_by=order.need_by,
        collection_location_ref=collection,
    )


def _solve(snapshot: ReassignSnapshot, time_limit_s: float, explain: bool) -> solver.Plan:
    if snapshot.problem is None:
        return _reject_all(snapshot)
    with current().span("solve"):
        plan = solver.solve(snapshot.problem, time_limit_s=time_limit_s, explain=explain)
    current().solved(plan)
    return plan


def _units(plan: solver.Plan) -> int:
    """Every unit a plan places, the rejected ones included."""
    served = sum(line.quantity for f in plan.fulfilments for line in f.lines)
    return served + plan.rejected_units


def _reject_all(snapshot: ReassignSnapshot) -> solver.Plan:
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


def _store(
    session: Session,
    order: Order,
    plan: solver.Plan,
    snapshot: ReassignSnapshot,
    reassigned_from: Fulfilment | None,
) -> dict[str, int]:
    return store_fulfilments(
        session,
        order,
        plan,
        snapshot.location_ids,
        snapshot.positions,
        snapshot.pick_pack_hours,
        snapshot.sla_slack_minutes,
        reassigned_from=reassigned_from,
    )


def _write(
    session: Session,
    request: ReassignInput,
    snapshot: ReassignSnapshot,
    plan: solver.Plan,
    status: FulfilmentStatus,
) -> SourcingOutcome:
    fulfilment = lock_fulfilment(session, request.fulfilment_id)
    replay = _replay(session, request)  # a copy of this call that wrote since the read
    if replay is not None:
        return replay
    _reassignable(fulfilment)
    if fulfilment.status is not status:
        raise ConcurrencyConflict("fulfilment", detail="its status changed while reassigning")
    order = fulfilment.order
    if not reduce_fulfilment(session, fulfilment, snapshot.moving):
        final = _F.CANCELLED if fulfilment.status is _F.ESCALATED else _F.REJECTED
        change_status(session, fulfilment, final, reason=request.reason or "units reassigned")
    ids = _store(session, order, plan, snapshot, reassigned_from=fulfilment)
    session.flush()
    refresh_order_status(session, order)
    outcome = SourcingOutcome(plan, ids, snapshot.profile_version, snapshot.order_type)
    if request.request_id:
        answer = outcome_to_json(outcome)
        remember(session, REASSIGN_OPERATION, request.request_id, request.digest(), answer)
    return outcome

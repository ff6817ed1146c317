"""Rebalance: source the not-yet-picked units of open orders again, together.

The units of every CREATED or ACKNOWLEDGED fulfilment of the orders (all
open orders when none are named) are sourced again as one wave per order
type (``solver.batch``), on the stock they would have if their own
reservations were released and the capacity their fulfilments take today
were free. Each order keeps its rules: the split limit less the locations
already past picking, and never a location that rejected part of it.

The current plans are priced the same way (``price_batch``); only when the
new wave is cheaper are the orders whose plans changed rewritten, all in one
transaction: their movable fulfilments are released and CANCELLED
("rebalanced"), the new ones created and reserved. If the stock moved
meanwhile, everything is read and solved again.

With a ``request_id`` the report is stored under that id in the same
transaction (also when nothing was worth moving, so a retry cannot move
what the first call left); the same call sent again returns it and moves
nothing. A dry run changes nothing, so it neither looks for nor stores one.
"""

from __future__ import annotations

import functools
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.candidate_cache import Candidates, read_candidates
from sourcing.models.candidates import active_profile, solver_profile, start_of_today
from sourcing.models.db import run_in_transaction
from sourcing.models.enums import (
    FulfilmentStatus,
    LocationType,
    OrderType,
    QuantityStatus,
    QuantityType,
)
from sourcing.models.errors import ConcurrencyConflict, InsufficientStock, NotFound
from sourcing.models.idempotency import (
    outcome_from_json,
    outcome_to_json,
    recall,
    remember,
    request_digest,
)
from sourcing.models.lifecycle import (
    change_status,
    lock_order,
    order_query,
    reduce_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders import Fulfilment, Order
from sourcing.models.reassign import solver_order
from sourcing.models.source_call import SourcingOutcome
from sourcing.models.sourcing import MAX_SOLVE_ATTEMPTS, store_fulfilments
from sourcing.models.stock import InventoryQuantity
from sourcing.solver.batch import BatchPlan, BatchProblem, price_batch, solve_batch

_F = FulfilmentStatus
MOVABLE = (_F.CREATED, _F.ACKNOWLEDGED)
# Fulfilments that hold no place in an order's split allowance.
_NOT_LIVE = (_F.REJECTED, _F.CANCELLED, _F.ESCALATED)
# A new wave must save at least this much to be worth moving reservations for.
MIN_SAVING = 1e-6
# The idempotency keys' namespace for Rebalance's request ids.
REBALANCE_OPERATION = "Rebalance"
# The numbers of a report stored as they are.
_FIGURES = (
    "objective_before",
    "objective_after",
    "fulfilments_before",
    "fulfilments_after",
    "solve_time_s",
)


@dataclass(frozen=True, slots=True)
class RebalanceInput:
    """Which orders to rebalance (every open order when empty), and how.

    ``request_id``, when given, makes the rebalancing happen at most once.
    """

    order_refs: tuple[str, ...] = ()
    dry_run: bool = False
    time_limit_s: float = 10.0
    request_id: str | None = None

    def digest(self) -> str:
        """A hash of the orders asked for, to tell a retry from another call under its id."""
        return request_digest(list(self.order_refs))


@dataclass(frozen=True, slots=True)
class RebalanceOutcome:
    """The new plans of the orders that moved, and the saving over every order considered.

    ``replayed`` is True when this is the stored report of an earlier call.
    """

    plans: tuple[SourcingOutcome, ...]
    objective_before: float
    objective_after: float
    fulfilments_before: int
    fulfilments_after: int
    status: solver.SolveStatus
    gap: float
    solve_time_s: float
    replayed: bool = False


@dataclass
class _Group:
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

    def problem(self, state: solver.CandidateState) -> BatchProblem:
        """The wave of the group's movable units."""
        return BatchProblem(
            orders=tuple(self.orders),
            locations=self.candidates.candidates.locations,
            profile=self.profiles[0],
            order_profiles=tuple(self.profiles),
            state=state,
        )


def rebalance(sessions: sessionmaker[Session], request: RebalanceInput) -> RebalanceOutcome:
    """Re-optimise the open orders' movable units together; store the new plans if cheaper.

    Raises
    ------
    NotFound
        For an order ref that does not exist (``field`` is ``order_refs[i]``).
    ConcurrencyConflict
        When the stock or the fulfilments kept moving for every attempt.
    AlreadyExists
        When ``request_id`` was used by a Rebalance call for other orders.
    """
    started = time.perf_counter()
    for _ in range(MAX_SOLVE_ATTEMPTS):
        with sessions() as session, session.begin():
            replay = _replay(session, request)
            if replay is not None:
                return replay
            groups = _read(session, request.order_refs)
            states = [_freed_state(session, group) for group in groups]
        solved = [
            _solve(group, state, request.time_limit_s / max(len(groups), 1))
            for group, state in zip(groups, states, strict=True)
        ]
        outcome = _outcome(groups, solved, started)
        if request.dry_run or not (outcome.plans or request.request_id):
            return outcome
        write = functools.partial(
            _write, request=request, groups=groups, solved=solved, outcome=outcome
        )
        try:
            return run_in_transaction(sessions, write, entity="inventory")
        except (InsufficientStock, ConcurrencyConflict, IntegrityError):
            # The stock or a fulfilment moved after the read, or a copy of this
            # call stored its answer first: read again (and find that answer).
            continue
    raise ConcurrencyConflict("inventory", attempts=MAX_SOLVE_ATTEMPTS, detail="stock kept moving")


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


def _read(session: Session, refs: Sequence[str]) -> list[_Group]:
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
        group = _Group(
            order_type,
            candidates,
            products,
            row.version if row else 0,
            int(rules.get("sla_slack_minutes", 0)),  # type: ignore[call-overload]
        )
        for order, movable in members:
            _add(session, group, profile, order, movable)
        if group.orders:
            groups.append(group)
    return groups


def _add(
    session: Session,
    group: _Group,
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


def _freed_state(session: Session, group: _Group) -> solver.CandidateState:
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


def _solve(
    group: _Group, state: solver.CandidateState, time_limit_s: float
) -> tuple[BatchPlan, BatchPlan]:
    """The current plans priced, and the wave's."""
    problem = group.problem(state)
    return price_batch(problem, group.current), solve_batch(problem, time_limit_s=time_limit_s)


def _changed(before: solver.Plan, after: solver.Plan) -> bool:
    return before.served() != after.served() or after.rejected is not None


def _outcome(
    groups: list[_Group], solved: list[tuple[BatchPlan, BatchPlan]], started: float
) -> RebalanceOutcome:
    """What rebalancing saves; the plans of the orders that move (ids filled when written)."""
    before = sum(b.objective for b, _ in solved)
    after_total = sum(a.objective for _, a in solved)
    bound = sum(a.bound for _, a in solved)
    saves = after_total < before - MIN_SAVING * max(1.0, abs(before))
    plans: list[SourcingOutcome] = []
    count_before = sum(len(m) for g in groups for m in g.movable)
    count_after = count_before
    if saves:
        for group, (_, after) in zip(groups, solved, strict=True):
            for o, current in enumerate(group.current):
                new = after.plans[o]
                if _changed(current, new):
                    count_after += new.split_count - len(group.movable[o])
                    plans.append(SourcingOutcome(new, {}, group.profile_version, group.order_type))
    objective_after = after_total if saves else before
    gap = max(0.0, (objective_after - bound) / max(abs(objective_after), 1e-9)) if groups else 0.0
    optimal = all(a.status is solver.SolveStatus.OPTIMAL for _, a in solved)
    return RebalanceOutcome(
        plans=tuple(plans),
        objective_before=before,
        objective_after=objective_after,
        fulfilments_before=count_before,
        fulfilments_after=count_after,
        status=solver.SolveStatus.OPTIMAL if optimal and saves else solver.SolveStatus.FEASIBLE,
        gap=gap,
        solve_time_s=time.perf_counter() - started,
    )


def _replay(session: Session, request: RebalanceInput) -> RebalanceOutcome | None:
    """The stored report of an earlier call under ``request.request_id``, if any."""
    if request.dry_run or not request.request_id:
        return None
    answer = recall(session, REBALANCE_OPERATION, request.request_id, request.digest())
    if answer is None:
        return None
    return RebalanceOutcome(
        plans=tuple(outcome_from_json(plan) for plan in answer["plans"]),
        status=solver.SolveStatus(answer["status"]),
        gap=math.inf if answer["gap"] is None else answer["gap"],
        replayed=True,
        **answer["figures"],
    )


def _remember(session: Session, request: RebalanceInput, outcome: RebalanceOutcome) -> None:
    """Store the report under ``request.request_id`` for :func:`_replay`."""
    assert request.request_id is not None
    answer = {
        "plans": [outcome_to_json(plan) for plan in outcome.plans],
        "status": outcome.status.value,
        "gap": outcome.gap if math.isfinite(outcome.gap) else None,
        "figures": {name: getattr(outcome, name) for name in _FIGURES},
    }
    remember(session, REBALANCE_OPERATION, request.request_id, request.digest(), answer)


def _write(
    session: Session,
    request: RebalanceInput,
    groups: list[_Group],
    solved: list[tuple[BatchPlan, BatchPlan]],
    outcome: RebalanceOutcome,
) -> RebalanceOutcome:
    """Release the moving fulfilments of every order that moves, then reserve its new plan.

    With a request id the report is stored too, unless a copy of this call
    stored one since the read: that one is the answer, and nothing moves.
    """
    replay = _replay(session, request)
    if replay is not None:
        return replay
    moving = {item.plan.order_ref for item in outcome.plans}
    todo: list[tuple[_Group, Order, solver.Plan]] = []
    for group, (_, after) in zip(groups, solved, strict=True):
        for o in after.sequence:
            plan = after.plans[o]
            if plan.order_ref not in moving:
                continue
            order = lock_order(session, plan.order_ref)
            _release(session, order, group.movable[o])
            todo.append((group, order, plan))
    stored = []
    for group, order, plan in todo:
        cached = group.candidates.candidates
        ids = store_fulfilments(
            session,
            order,
            plan,
            cached.location_ids,
            group.candidates.positions,
            cached.pick_pack_hours,
            group.sla_slack_minutes,
        )
        session.flush()
        refresh_order_status(session, order)
        stored.append(SourcingOutcome(plan, ids, group.profile_version, group.order_type))
    outcome = replace(outcome, plans=tuple(stored))
    if request.request_id:
        _remember(session, request, outcome)
    return outcome


def _release(session: Session, order: Order, movable: Mapping[int, Mapping[str, int]]) -> None:
    """Cancel the order's movable fulfilments, releasing their stock; they must be unchanged."""
    by_id = {f.id: f for f in order.fulfilments}
    for fid, units in movable.items():
        f = by_id.get(fid)
        held = {line.order_line.ref: line.quantity for line in f.lines} if f else {}
        if f is None or f.status not in MOVABLE or held != dict(units):
            raise ConcurrencyConflict("fulfilment", detail=f"{fid} changed while rebalancing")
        reduce_fulfilment(session, f, dict(units))
        change_status(session, f, _F.CANCELLED, reason="rebalanced")

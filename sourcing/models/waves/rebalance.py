"""Rebalance: source the not-yet-picked units of open orders again, together.

The units of every CREATED or ACKNOWLEDGED fulfilment of the orders (all
open orders when none are named) are sourced again as one wave per order
type (``solver.wave``), on the stock they would have if their own
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

Reading the orders into waves, and the stock they would have if freed, is in
``sourcing.models.waves.rebalance_groups``; this module solves, compares and writes.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.db.enums import FulfilmentStatus
from sourcing.models.db.errors import ConcurrencyConflict
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
    lock_order,
    reduce_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders.plan_store import store_fulfilments
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.models.orders.tables import Order
from sourcing.models.waves.rebalance_groups import MOVABLE, RebalanceGroup, freed_state, read_groups
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S
from sourcing.solver.wave import BatchPlan, price_batch, solve_batch

_F = FulfilmentStatus
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
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
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

    def attempt() -> RebalanceOutcome:
        with sessions() as session, session.begin():
            replay = _replay(session, request)
            if replay is not None:
                return replay
            groups = read_groups(session, request.order_refs)
            states = [freed_state(session, group) for group in groups]
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
        return run_in_transaction(sessions, write, entity="inventory")

    return until_it_holds(attempt)


def _solve(
    group: RebalanceGroup, state: solver.CandidateState, time_limit_s: float
) -> tuple[BatchPlan, BatchPlan]:
    """The current plans priced, and the wave's."""
    problem = group.problem(state)
    return price_batch(problem, group.current), solve_batch(problem, time_limit_s=time_limit_s)


def _changed(before: solver.Plan, after: solver.Plan) -> bool:
    return before.served() != after.served() or after.rejected is not None


def _outcome(
    groups: list[RebalanceGroup], solved: list[tuple[BatchPlan, BatchPlan]], started: float
) -> RebalanceOutcome:
    """What rebalancing saves; the plans of the orders that move (ids filled when written).

    Whether it saves is decided on what the wave minimised (``priced_objective``:
    the cost plus the scarce-stock prices' steering when the profile weighs
    them), which its bound bounds; the costs reported are the real ones.
    """
    before = sum(b.objective for b, _ in solved)
    after_total = sum(a.objective for _, a in solved)
    priced_before = sum(b.priced_objective for b, _ in solved)
    priced_after = sum(a.priced_objective for _, a in solved)
    bound = sum(a.bound for _, a in solved)
    saves = priced_after < priced_before - MIN_SAVING * max(1.0, abs(priced_before))
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
    priced = priced_after if saves else priced_before
    gap = max(0.0, (priced - bound) / max(abs(priced), 1e-9)) if groups else 0.0
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
    groups: list[RebalanceGroup],
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
    todo: list[tuple[RebalanceGroup, Order, solver.Plan]] = []
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

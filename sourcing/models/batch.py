"""SourceBatch: a wave of orders sourced together, each order stored on its own.

The orders are read in one short transaction, as ``source_order`` reads one
(replays, unknown products and collection stores are found here, per
order), then solved together outside any transaction: one wave per order
type, over that type's candidates and the stock of every product the wave
orders (``solver.batch``). Each order's plan is then written in its own
transaction, in the order the wave's plans take stock, so one order's
failure loses no other order's plan. An order whose stock was taken
meanwhile is sourced again on its own (``source_order``); whatever still
fails is that order's error, reported with the others' plans.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.db import run_in_transaction
from sourcing.models.errors import InsufficientStock, SourcingError
from sourcing.models.sourcing import (
    OrderInput,
    Snapshot,
    SourceOptions,
    SourcingOutcome,
    read_snapshot,
    replay_of,
    source_order,
    write_order,
)
from sourcing.solver.batch import BatchPlan, BatchProblem, sequential_greedy, solve_batch

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchOrderOutcome:
    """What became of one order of the wave: its stored plan, or why it has none."""

    order_ref: str
    outcome: SourcingOutcome | None = None
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """Every order's outcome, in the order given, and how good the joint plan is.

    ``objective`` adds up the plans made by this call (replays excluded);
    ``gap`` is its distance to the waves' proved bounds.
    """

    results: tuple[BatchOrderOutcome, ...]
    objective: float
    status: solver.SolveStatus
    gap: float
    solve_time_s: float


def source_batch(
    sessions: sessionmaker[Session], orders: Sequence[OrderInput], options: SourceOptions
) -> BatchOutcome:
    """Source ``orders`` (refs unique) together and store each order's plan on its own.

    ``options.policy`` is ``"mip"`` for the joint model or ``"greedy"`` for
    the reference greedy order after order; its time limit is the wave's.
    """
    started = time.perf_counter()
    results: dict[str, BatchOrderOutcome] = {}
    snapshots: dict[str, Snapshot] = {}
    with sessions() as session, session.begin():
        for order in orders:
            try:
                replay = None if options.dry_run else replay_of(session, order, order.digest())
                if replay is not None:
                    results[order.ref] = BatchOrderOutcome(order.ref, replay)
                else:
                    snapshots[order.ref] = read_snapshot(session, order, options)
            except SourcingError as exc:
                results[order.ref] = BatchOrderOutcome(order.ref, error=exc)
    waves = _solve(snapshots, options)
    solve_time_s = time.perf_counter() - started
    inputs = {order.ref: order for order in orders}
    for wave in waves:
        for o in wave.sequence:
            plan = wave.plans[o]
            order = inputs[plan.order_ref]
            results[order.ref] = _store(sessions, order, plan, snapshots[order.ref], options)
    made = [r.outcome for r in results.values() if r.outcome is not None and not r.outcome.replayed]
    objective = sum(outcome.plan.objective.total for outcome in made)
    bound = sum(wave.bound for wave in waves)
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-9)) if waves else 0.0
    optimal = all(wave.status is solver.SolveStatus.OPTIMAL for wave in waves)
    return BatchOutcome(
        results=tuple(results[order.ref] for order in orders),
        objective=objective,
        status=solver.SolveStatus.OPTIMAL if optimal else solver.SolveStatus.FEASIBLE,
        gap=gap if math.isfinite(gap) else math.inf,
        solve_time_s=solve_time_s,
    )


def _solve(snapshots: dict[str, Snapshot], options: SourceOptions) -> list[BatchPlan]:
    """One wave per order type (the orders of a type share candidates and profile)."""
    groups: dict[solver.OrderType, list[Snapshot]] = defaultdict(list)
    for snapshot in snapshots.values():
        groups[snapshot.problem.order.type].append(snapshot)
    waves = []
    total = max(len(snapshots), 1)
    for members in groups.values():
        problem = _wave(members, options)
        if options.policy == "greedy":
            waves.append(sequential_greedy(problem, explain=options.explain))
        else:
            share = options.time_limit_s * len(members) / total
            waves.append(solve_batch(problem, time_limit_s=share, explain=options.explain))
    return waves


def _wave(members: list[Snapshot], options: SourceOptions) -> BatchProblem:
    """The wave of one order type: its orders over the shared candidates and their stock."""
    first = members[0].problem
    stock: dict[str, solver.ProductColumn] = {}
    for member in members:
        assert member.problem.state is not None  # sourcing reads every order's state
        stock.update(member.problem.state.stock)
    state = first.state
    assert state is not None
    merged = solver.CandidateState(
        stock, state.capacity_total, state.capacity_hd, state.capacity_cc, state.open_orders
    )
    profile = first.profile
    if options.weight_overrides:
        profile = replace(profile, weights=profile.weights.override(options.weight_overrides))
    return BatchProblem(
        orders=tuple(member.problem.order for member in members),
        locations=first.locations,
        profile=profile,
        state=merged,
    )


def _store(
    sessions: sessionmaker[Session],
    order: OrderInput,
    plan: solver.Plan,
    snapshot: Snapshot,
    options: SourceOptions,
) -> BatchOrderOutcome:
    """Write one order's plan in its own transaction; source it alone if its stock moved."""
    if options.dry_run:
        outcome = SourcingOutcome(plan, {}, snapshot.profile_version, order.type)
        return BatchOrderOutcome(order.ref, outcome)
    write = functools.partial(
        write_order, order=order, digest=order.digest(), plan=plan, snapshot=snapshot
    )
    try:
        try:
            outcome = run_in_transaction(sessions, write, entity="inventory")
        except (InsufficientStock, IntegrityError):
            # The stock (or the ref) was taken after the read: this order alone, afresh.
            outcome = source_order(sessions, order, options)
    except SourcingError as exc:
        return BatchOrderOutcome(order.ref, error=exc)
    except Exception as exc:  # one order's bug must not lose the others' plans
        log.exception("storing order %s of a batch failed", order.ref)
        return BatchOrderOutcome(order.ref, error=exc)
    return BatchOrderOutcome(order.ref, outcome)

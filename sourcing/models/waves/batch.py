"""SourceBatch: a wave of orders sourced together, each order stored on its own.

The orders are read in one short transaction, as ``source_order`` reads one
(replays, unknown products and collection stores are found here, per
order), then solved together outside any transaction: one wave per order
type, over that type's candidates and the stock of every product the wave
orders (``solver.wave``). Each order's plan is then written in its own
transaction, in the order the wave's plans take stock, so one order's
failure loses no other order's plan. An order whose stock was taken
meanwhile is sourced again on its own (``source_order``); whatever still
fails is that order's error, reported with the others' plans.

The waves share the network, so they are solved one after the other, HD's
first, each on what the waves before it left (:func:`_left_after`): their
units reserved and, per fulfilment, one order less of the location's total
daily capacity (the per-type capacities are each one wave's own). HD goes
first because only HD orders are bound by the open-order limit, which CC
fulfilments count too: with HD first no wave has to carry open orders over.
When a location's last slot is wanted by both, the HD order therefore gets
it, whatever the orders' tiers; within a wave VIP and older orders still go
first. The CC wave's bound holds given the HD wave's plans, so the gap is
measured against that sequence, not against a joint model of both types.

A call with a ``request_id`` stores its answer (each order's plan and
fulfilment ids, or its error, and the wave's figures) under that id once
every order is stored, each order having been stored in its own
transaction; the same call sent again gets that answer, every plan in it
marked replayed, and nothing is sourced or reserved again. A different
call under a used id is refused (``AlreadyExists``) before anything is
read. A retry after the first call stopped part way (a crash, a lost
connection) finds no answer stored, so it runs again: the orders stored
the first time are replayed by their refs (``replay_of``), nothing is
reserved twice, and the rest are sourced now; its answer is the one
stored. Two different calls sent at the same time under one id may both
source their orders; the later one to finish is then refused. To try
again the orders a batch could not place, send them under a new id.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.db.errors import SourcingError
from sourcing.models.db.retry import LOST_RACE, run_in_transaction
from sourcing.models.orders.idempotency import (
    error_from_json,
    error_to_json,
    outcome_from_json,
    outcome_to_json,
    recall,
    remember,
    request_digest,
)
from sourcing.models.orders.order_problem import RoomMemo, wave_prices
from sourcing.models.orders.source import (
    Snapshot,
    read_snapshot,
    replay_of,
    source_order,
    write_order,
)
from sourcing.models.orders.source_call import OrderInput, SourceOptions, SourcingOutcome
from sourcing.solver.types import IntArray
from sourcing.solver.wave import BatchPlan, BatchProblem, sequential_greedy, solve_batch

log = logging.getLogger(__name__)

# The order the waves are solved in; each takes what the ones before it left.
WAVE_ORDER = (solver.OrderType.HD, solver.OrderType.CC)
# The idempotency keys' namespace for SourceBatch's request ids.
SOURCE_BATCH_OPERATION = "SourceBatch"


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
    ``gap`` is its distance to the waves' proved bounds. ``replayed`` is
    True when this is the stored answer of an earlier call.
    """

    results: tuple[BatchOrderOutcome, ...]
    objective: float
    status: solver.SolveStatus
    gap: float
    solve_time_s: float
    replayed: bool = False


def source_batch(
    sessions: sessionmaker[Session],
    orders: Sequence[OrderInput],
    options: SourceOptions,
    *,
    request_id: str | None = None,
    refused: Sequence[str] = (),
) -> BatchOutcome:
    """Source ``orders`` (refs unique) together and store each order's plan on its own.

    ``options.policy`` is ``"mip"`` for the joint model or ``"greedy"`` for
    the reference greedy order after order; its time limit is the wave's.
    ``request_id``, unless the call is a dry run, makes the call happen at
    most once (see the module docstring). ``refused`` describes the orders
    of the request the caller refused before sourcing (each its ref and
    why): a retry must send them too, so they belong to what is compared.
    The time limit and ``explain`` do not: a replayed plan has no
    explanation.

    Raises
    ------
    AlreadyExists
        When ``request_id`` was used by a different SourceBatch call.
    """
    if options.dry_run or not request_id:
        return _source(sessions, orders, options)
    digest = request_digest(
        {
            "orders": [order.digest() for order in orders],
            "refused": list(refused),
            "policy": options.policy,
            "weight_overrides": dict(options.weight_overrides),
            "split_limit": options.split_limit,
        }
    )
    with sessions() as session:
        answer = recall(session, SOURCE_BATCH_OPERATION, request_id, digest)
    if answer is not None:
        return _replayed(answer)
    return _remember(sessions, request_id, digest, _source(sessions, orders, options))


def _source(
    sessions: sessionmaker[Session], orders: Sequence[OrderInput], options: SourceOptions
) -> BatchOutcome:
    """Read, solve and store the wave: :func:`source_batch` without its request id."""
    started = time.perf_counter()
    results: dict[str, BatchOrderOutcome] = {}
    snapshots: dict[str, Snapshot] = {}
    rooms: RoomMemo = {}  # the wave's orders on the same candidates share one read of room
    with sessions() as session, session.begin():
        for order in orders:
            try:
                replay = None if options.dry_run else replay_of(session, order, order.digest())
                if replay is not None:
                    results[order.ref] = BatchOrderOutcome(order.ref, replay)
                else:
                    snapshots[order.ref] = read_snapshot(session, order, options, rooms)
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
    # The waves' bounds bound what they minimised: the cost plus any scarce-stock steering.
    priced = sum(outcome.plan.objective.priced_total for outcome in made)
    bound = sum(wave.bound for wave in waves)
    gap = max(0.0, (priced - bound) / max(abs(priced), 1e-9)) if waves else 0.0
    optimal = all(wave.status is solver.SolveStatus.OPTIMAL for wave in waves)
    return BatchOutcome(
        results=tuple(results[order.ref] for order in orders),
        objective=objective,
        status=solver.SolveStatus.OPTIMAL if optimal else solver.SolveStatus.FEASIBLE,
        gap=gap if math.isfinite(gap) else math.inf,
        solve_time_s=solve_time_s,
    )


def _solve(snapshots: dict[str, Snapshot], options: SourceOptions) -> list[BatchPlan]:
    """One wave per order type, in ``WAVE_ORDER``, each on what the waves before it left."""
    groups: dict[solver.OrderType, list[Snapshot]] = defaultdict(list)
    for snapshot in snapshots.values():
        groups[snapshot.problem.order.type].append(snapshot)
    waves = []
    earlier: list[solver.Plan] = []
    total = max(len(snapshots), 1)
    for order_type in WAVE_ORDER:
        members = groups.get(order_type)
        if not members:
            continue
        problem = _wave(members, options, earlier)
        if options.policy == "greedy":
            wave = sequential_greedy(problem, explain=options.explain)
        else:
            share = options.time_limit_s * len(members) / total
            wave = solve_batch(problem, time_limit_s=share, explain=options.explain)
        waves.append(wave)
        earlier.extend(wave.plans)
    return waves


def _wave(
    members: list[Snapshot], options: SourceOptions, earlier: Sequence[solver.Plan]
) -> BatchProblem:
    """The wave of one order type: its orders over the shared candidates and their stock.

    ``earlier`` are the plans of the waves solved before this one.
    """
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
        state=_left_after(merged, first.locations, earlier),
        table=first.table,
        scarcity_prices=wave_prices(member.problem for member in members),
    )


def _left_after(
    state: solver.CandidateState,
    locations: tuple[solver.Location, ...],
    plans: Sequence[solver.Plan],
) -> solver.CandidateState:
    """``state`` as ``plans`` (another wave's, maybe over other candidates) leave it.

    Each of their fulfilments at one of ``locations`` (matched by ref)
    reserves its units there and takes one order of the location's total
    capacity, as ``candidate_cache`` counts today's fulfilments; the
    per-type capacities and the open orders are left as they are.
    """
    if not plans:
        return state
    index = {location.ref: i for i, location in enumerate(locations)}
    orders = np.zeros(len(locations), dtype=np.int64)
    units: dict[str, IntArray] = {}
    for plan in plans:
        for part in plan.fulfilments:
            i = index.get(part.location_ref)
            if i is None:
                continue  # not a candidate of this wave
            orders[i] += 1
            for line in part.lines:
                taken = units.setdefault(line.product_ref, np.zeros(len(locations), np.int64))
                taken[i] += line.quantity
    stock = {
        product: replace(column, reserved=column.reserved + units[product][column.index])
        if product in units
        else column
        for product, column in state.stock.items()
    }
    capacity = state.capacity_total
    total = np.where(capacity < 0, capacity, np.maximum(capacity - orders, 0))
    return solver.CandidateState(
        stock, total, state.capacity_hd, state.capacity_cc, state.open_orders
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
        except LOST_RACE:
            # The stock (or the ref) was taken after the read: this order alone, afresh.
            outcome = source_order(sessions, order, options)
    except SourcingError as exc:
        return BatchOrderOutcome(order.ref, error=exc)
    except Exception as exc:  # one order's bug must not lose the others' plans
        log.exception("storing order %s of a batch failed", order.ref)
        return BatchOrderOutcome(order.ref, error=exc)
    return BatchOrderOutcome(order.ref, outcome)


def _remember(
    sessions: sessionmaker[Session], request_id: str, digest: str, outcome: BatchOutcome
) -> BatchOutcome:
    """Store the answer under ``request_id``; if a copy of this call stored one first, that one."""
    answer = {
        "results": [_result_to_json(result) for result in outcome.results],
        "objective": outcome.objective,
        "status": outcome.status.value,
        "gap": outcome.gap if math.isfinite(outcome.gap) else None,
        "solve_time_s": outcome.solve_time_s,
    }
    store = functools.partial(
        remember, operation=SOURCE_BATCH_OPERATION, key=request_id, digest=digest, answer=answer
    )
    try:
        run_in_transaction(sessions, store, entity="request")
    except IntegrityError:
        with sessions() as session:
            stored = recall(session, SOURCE_BATCH_OPERATION, request_id, digest)
        assert stored is not None  # the row that was in the way
        return _replayed(stored)
    return outcome


def _result_to_json(result: BatchOrderOutcome) -> dict[str, Any]:
    if result.outcome is not None:
        return {"order_ref": result.order_ref, "outcome": outcome_to_json(result.outcome)}
    assert result.error is not None  # an order has a plan or an error
    return {"order_ref": result.order_ref, "error": error_to_json(result.error)}


def _replayed(answer: dict[str, Any]) -> BatchOutcome:
    """The answer :func:`_remember` stored, every plan in it marked replayed."""
    results = tuple(
        BatchOrderOutcome(item["order_ref"], outcome_from_json(item["outcome"]))
        if "outcome" in item
        else BatchOrderOutcome(item["order_ref"], error=error_from_json(item["error"]))
        for item in answer["results"]
    )
    return BatchOutcome(
        results=results,
        objective=answer["objective"],
        status=solver.SolveStatus(answer["status"]),
        gap=math.inf if answer["gap"] is None else answer["gap"],
        solve_time_s=answer["solve_time_s"],
        replayed=True,
    )

"""Sourcing an order: read the network, solve, store the plan and its reservations.

The stock is read and the plan solved in one short transaction, then the
order, its fulfilments and their reservations are written in a second one.
``reserve_many`` re-checks availability under row locks, so if another order
took the stock in between, nothing is written and the order is solved again
on fresh numbers: no unit is ever promised twice, and no lock is held while
the solver runs.

What the call takes and gives back (``OrderInput``, ``SourceOptions``,
``SourcingOutcome``) is in ``sourcing.models.orders.source_call``; the stored form of
a plan, for replays, is in ``sourcing.models.orders.idempotency``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.config.candidate_cache import CandidateSet, candidate_set, read_candidates
from sourcing.models.config.config_cache import products_and_profile
from sourcing.models.config.tables import Customer, Location
from sourcing.models.db.base import table_of, utcnow
from sourcing.models.db.enums import OrderStatus, OrderType
from sourcing.models.db.errors import (
    AlreadyExists,
    NotFound,
)
from sourcing.models.db.retry import run_in_transaction, until_it_holds
from sourcing.models.events.outbox import emit
from sourcing.models.events.tables import IdempotencyKey
from sourcing.models.orders.delivery_options import named_plan
from sourcing.models.orders.idempotency import (
    plan_from_json,
    plan_to_json,
    source_digest,
    source_mismatch,
)
from sourcing.models.orders.order_problem import RoomMemo, order_problem
from sourcing.models.orders.plan_store import OrderKeys, store_fulfilments
from sourcing.models.orders.source_call import OrderInput, SourceOptions, SourcingOutcome
from sourcing.models.orders.tables import Order, OrderLine
from sourcing.ops.recorder import current

SOURCE_OPERATION = "Source"
# Keys a Source call's answer under its request_id as well as under the order ref.
SOURCE_REQUEST_OPERATION = "Source/request_id"

# Statements every Source runs, built once so SQLAlchemy reuses their cache keys.
_IDEMPOTENCY_KEY = select(IdempotencyKey).where(
    IdempotencyKey.operation == bindparam("operation"), IdempotencyKey.key == bindparam("ref")
)
_ORDER_ID = select(Order.id).where(Order.ref == bindparam("ref"))
_CUSTOMER = select(Customer.id, Customer.tier).where(Customer.ref == bindparam("ref"))
_LOCATION_ID = select(Location.id).where(Location.ref == bindparam("ref"))
# Core tables rather than ORM entities: plain multi-row INSERTs, no unit of work.
_ORDERS, _ORDER_LINES = table_of(Order), table_of(OrderLine)
_CUSTOMERS = table_of(Customer)
_INSERT_CUSTOMER = insert(_CUSTOMERS).returning(_CUSTOMERS.c.id)
_UPDATE_TIER = (
    update(_CUSTOMERS).where(_CUSTOMERS.c.id == bindparam("b_id")).values(tier=bindparam("b_tier"))
)
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)
_INSERT_LINES = insert(_ORDER_LINES).returning(_ORDER_LINES.c.id, sort_by_parameter_order=True)
_INSERT_KEY = insert(table_of(IdempotencyKey))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the write needs from the read: ids by ref and the profile used."""

    problem: solver.SourcingProblem
    product_ids: Mapping[str, int]
    location_ids: Mapping[str, int]
    pick_pack_hours: Mapping[str, float]
    positions: Mapping[tuple[int, int], int]  # (product id, location id) -> position id
    profile_id: int | None
    profile_version: int
    sla_slack_minutes: int


def source_order(
    sessions: sessionmaker[Session], order: OrderInput, options: SourceOptions
) -> SourcingOutcome:
    """Source ``order`` and store its plan, unless it was sourced before.

    The same order sent again returns the first plan and reserves nothing
    more; a different order under a used ref raises ``AlreadyExists``.

    Raises
    ------
    NotFound
        For an unknown product or collection location (``field`` names it).
    AlreadyExists
        For a different order under a ref already used.
    ConcurrencyConflict
        When the stock kept being taken by other orders for every attempt.
    """
    digest = source_digest(order, options.delivery_option)
    recorder = current()

    def attempt() -> SourcingOutcome:
        with recorder.span("read", order.ref), sessions() as session, session.begin():
            if not options.dry_run:
                replay = replay_of(
                    session, order, digest, options.request_id, options.delivery_option
                )
                if replay is not None:
                    return replay
            snapshot = read_snapshot(session, order, options)
        with recorder.span("solve", order.ref):
            plan = _solve(snapshot.problem, options)
        recorder.solved(plan)
        if options.dry_run:
            return SourcingOutcome(plan, {}, snapshot.profile_version, order.type)
        write = functools.partial(
            write_order,
            order=order,
            digest=digest,
            plan=plan,
            snapshot=snapshot,
            request_id=options.request_id,
        )
        with recorder.span("write", order.ref):
            outcome = run_in_transaction(sessions, write, entity="inventory")
        recorder.sourced(plan, order.type.value)
        return outcome

    return until_it_holds(attempt)


def _solve(problem: solver.SourcingProblem, options: SourceOptions) -> solver.Plan:
    """The profile's plan, or the named delivery option's as checkout offered it."""
    if options.delivery_option is not None:
        return named_plan(problem, options.delivery_option, options.time_limit_s)
    return solver.solve(
        problem,
        policy=options.policy,
        time_limit_s=options.time_limit_s,
        weight_overrides=options.weight_overrides or None,
        explain=options.explain,
    )


def replay_of(
    session: Session,
    order: OrderInput,
    digest: str,
    request_id: str | None = None,
    delivery_option: str | None = None,
) -> SourcingOutcome | None:
    """The stored answer when this order was sourced before, else ``None``.

    ``digest`` is ``source_digest(order, delivery_option)``: a call naming
    another delivery option than the first is a different request.

    Raises
    ------
    AlreadyExists
        When the order ref, or ``request_id``, was used for a different order,
        or for this order with another ``delivery_option`` (``field`` names it).
    """
    ref = order.ref
    if request_id is not None:
        key = session.scalars(
            _IDEMPOTENCY_KEY, {"operation": SOURCE_REQUEST_OPERATION, "ref": request_id}
        ).one_or_none()
        if key is not None and key.request_hash != digest:
            raise source_mismatch(
                "request",
                request_id,
                key.request_hash,
                order,
                delivery_option,
                "a different order was sourced under this request_id",
            )
    # The order first, its key second: both commit together, so once the order
    # is visible its key is too (READ COMMITTED reads each statement afresh),
    # and a copy of this call that just committed is a replay, not a conflict.
    stored_order = session.scalars(_ORDER_ID, {"ref": ref}).first() is not None
    by_ref = {"operation": SOURCE_OPERATION, "ref": ref}
    key = session.scalars(_IDEMPOTENCY_KEY, by_ref).one_or_none()
    if key is None:
        if stored_order:
            raise AlreadyExists("order", ref, detail="it was created by another call")
        return None
    if key.request_hash != digest:
        raise source_mismatch(
            "order",
            ref,
            key.request_hash,
            order,
            delivery_option,
            "a different order was sourced under this ref",
        )
    stored = json.loads(key.response or b"{}")
    return SourcingOutcome(
        plan_from_json(stored["plan"]),
        stored["fulfilment_ids"],
        stored["profile_version"],
        order.type,
        replayed=True,
    )


def read_snapshot(
    session: Session, order: OrderInput, options: SourceOptions, rooms: RoomMemo | None = None
) -> Snapshot:
    """What solving and then storing the order needs: its problem, with ids for the write.

    ``rooms`` shares the candidates' room per day between the orders a wave
    reads in one transaction (see ``order_problem``).

    Raises
    ------
    NotFound
        For an unknown product or collection location (``field`` names it).
    """
    refs = [line.product_ref for line in order.lines]
    products, stored = products_and_profile(session, refs, order.type)
    for i, line in enumerate(order.lines):
        if line.product_ref not in products:
            raise NotFound("product", line.product_ref, field=f"order.lines[{i}].product_ref")
    rules = stored.rules
    point = _destination(session, order, candidate_set(session, order.type, rules.get("network")))
    profile = stored.profile
    if options.split_limit is not None:
        profile = replace(profile, split_limit=options.split_limit)
    candidates = read_candidates(
        session,
        order.type,
        rules.get("network"),
        {p.id: p.ref for p in products.values()},
        profile_open_order_limit=profile.rules.hd_open_order_limit,
    )
    problem = order_problem(
        session,
        solver.Order(
            ref=order.ref,
            type=solver.OrderType(order.type.value),
            lines=tuple(
                solver.OrderLine(
                    line.ref,
                    line.product_ref,
                    line.quantity,
                    line.category or products[line.product_ref].category,
                    weight_g=products[line.product_ref].weight_grams or 0,
                )
                for line in order.lines
            ),
            delivery_point=point,
            customer=solver.Customer(
                order.customer_ref or "anonymous", solver.CustomerTier(order.customer_tier.value)
            ),
            need_by=order.need_by,
            collection_location_ref=order.collection_location_ref,
        ),
        candidates,
        profile,
        {p.id: p.ref for p in products.values()},
        options.weight_overrides,
        rooms,
    )
    return Snapshot(
        problem=problem,
        product_ids={ref: p.id for ref, p in products.items()},
        location_ids=candidates.candidates.location_ids,
        pick_pack_hours=candidates.candidates.pick_pack_hours,
        positions=candidates.positions,
        profile_id=stored.id,
        profile_version=stored.version,
        sla_slack_minutes=int(rules.get("sla_slack_minutes", 0)),
    )


def _destination(session: Session, order: OrderInput, candidates: CandidateSet) -> solver.GeoPoint:
    """Where the units go: the delivery point, or the collection store's location (from
    ``candidates``, the order type's at the current config version, when it is one)."""
    store = None
    if order.collection_location_ref or order.type is OrderType.CC:
        # An HD order may name a store too (it is stored with the order): it must exist.
        ref = order.collection_location_ref or ""
        index = candidates.table.index_of(ref)
        if index is not None:
            store = candidates.locations[index].point
        else:
            row = session.scalars(select(Location).where(Location.ref == ref)).one_or_none()
            if row is None:
                raise NotFound("location", ref, field="order.collection_location_ref")
            store = solver.GeoPoint(row.latitude, row.longitude)
    if order.type is not OrderType.CC:
        assert order.delivery_point is not None  # the converter requires one for HD
        return order.delivery_point
    assert store is not None
    return store


def write_order(
    session: Session,
    order: OrderInput,
    digest: str,
    plan: solver.Plan,
    snapshot: Snapshot,
    request_id: str | None = None,
) -> SourcingOutcome:
    """Store the order, its lines, its plan's fulfilments and reservations, and its replay key.

    Multi-row INSERTs throughout (see ``sourcing.models.orders.plan_store``): this
    runs once per order in the checkout path.
    """
    status = OrderStatus.ESCALATED if plan.rejected else OrderStatus.BOOKED
    now = utcnow()
    keys = _insert_order(session, order, digest, status, snapshot, now)
    ids = store_fulfilments(
        session,
        keys,
        plan,
        snapshot.location_ids,
        snapshot.positions,
        snapshot.pick_pack_hours,
        snapshot.sla_slack_minutes,
    )
    response = {
        "plan": plan_to_json(plan),
        "fulfilment_ids": ids,
        "profile_version": snapshot.profile_version,
    }
    replay_keys = [(SOURCE_OPERATION, order.ref)]
    if request_id is not None:
        replay_keys.append((SOURCE_REQUEST_OPERATION, request_id))
    stored = json.dumps(response).encode()
    session.execute(
        _INSERT_KEY,
        [
            {
                "operation": operation,
                "key": key,
                "request_hash": digest,
                "response": stored,
                "created_at": now,
            }
            for operation, key in replay_keys
        ],
    )
    emit(session, "ORDER_STATUS_CHANGED", "order", order.ref, status.value, {})
    return SourcingOutcome(plan, ids, snapshot.profile_version, order.type)


def _insert_order(
    session: Session,
    order: OrderInput,
    digest: str,
    status: OrderStatus,
    snapshot: Snapshot,
    now: datetime,
) -> OrderKeys:
    """The order row and its lines; what storing its fulfilments needs of them."""
    collection_id = None
    if order.collection_location_ref:
        collection_id = snapshot.location_ids.get(order.collection_location_ref)
        if collection_id is None:
            ref = order.collection_location_ref
            collection_id = session.scalars(_LOCATION_ID, {"ref": ref}).one()
    point = order.delivery_point
    order_id = session.scalars(
        _INSERT_ORDER,
        {
            "ref": order.ref,
            "type": order.type,
            "status": status,
            "customer_id": _customer_id(session, order),
            "delivery_latitude": point.latitude if point else None,
            "delivery_longitude": point.longitude if point else None,
            "collection_location_id": collection_id,
            "need_by": order.need_by,
            "request_hash": digest,
            "sourcing_profile_id": snapshot.profile_id,
            "created_at": now,
            "updated_at": now,
        },
    ).one()
    line_ids = session.scalars(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "ref": line.ref,
                "product_id": snapshot.product_ids[line.product_ref],
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "currency": line.currency,
                "category": line.category,
                "cancelled_qty": 0,
            }
            for line in order.lines
        ],
    ).all()
    lines = {
        line.ref: (line_id, snapshot.product_ids[line.product_ref])
        for line, line_id in zip(order.lines, line_ids, strict=True)
    }
    return OrderKeys(order_id, order.type, lines)


def _customer_id(session: Session, order: OrderInput) -> int | None:
    """The order's customer, created on first sight; its tier is the latest order's.

    A lookup, then an INSERT or (when the tier changed) an UPDATE: measured
    faster than one upsert on both databases, with most customers new.
    """
    if not order.customer_ref:
        return None
    found = session.execute(_CUSTOMER, {"ref": order.customer_ref}).first()
    if found is None:
        values = {"ref": order.customer_ref, "tier": order.customer_tier}
        return int(session.scalars(_INSERT_CUSTOMER, values).one())
    customer_id, tier = found
    if tier is not order.customer_tier:
        session.execute(_UPDATE_TIER, {"b_id": customer_id, "b_tier": order.customer_tier})
    return int(customer_id)

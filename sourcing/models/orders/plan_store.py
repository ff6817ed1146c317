"""Storing a plan: its fulfilments, their lines and their reservations, in bulk.

Source, Reassign, the lifecycle's re-sourcing and Rebalance all store plans
here. The rows are written with one multi-row Core INSERT per table (with
RETURNING for the ids) instead of one ORM object per row: a plan is
about twenty rows, and building, tracking and flushing twenty ORM objects
cost more than solving the order. Nothing is kept in the session's identity
map except what ``reserve_many`` locks, so a caller holding the order as an
ORM object gets its ``fulfilments`` expired and reloaded on next access.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.tables import Location
from sourcing.models.db.base import table_of, utcnow
from sourcing.models.db.enums import FulfilmentStatus, LocationType, OrderType
from sourcing.models.inventory.day_load import check_capacity, count_new, day_of
from sourcing.models.inventory.inventory import ReservationRequest, reserve_many
from sourcing.models.orders.lifecycle import announce_created, announce_stock
from sourcing.models.orders.tables import Fulfilment, FulfilmentLine, Order

REJECTION_REASON = "no location can serve these units under the profile's rules"

_FULFILMENTS = table_of(Fulfilment)
_INSERT_FULFILMENTS = insert(_FULFILMENTS).returning(
    _FULFILMENTS.c.id, sort_by_parameter_order=True
)
_INSERT_LINES = insert(table_of(FulfilmentLine))
_LOCATION_ID = select(Location.id)


@dataclass(frozen=True, slots=True)
class OrderKeys:
    """What storing fulfilments needs of their order: ids and refs, not ORM objects.

    ``lines`` maps each order line's ref to its (order line id, product id).
    """

    order_id: int
    order_type: OrderType
    lines: Mapping[str, tuple[int, int]]

    @classmethod
    def of(cls, order: Order) -> OrderKeys:
        """The keys of a stored order."""
        return cls(
            order.id,
            order.type,
            {line.ref: (line.id, line.product_id) for line in order.lines},
        )


@dataclass(frozen=True, slots=True)
class Reassignment:
    """The fulfilment a plan's units come from, when they are sourced again."""

    fulfilment_id: int
    attempt: int


def store_fulfilments(
    session: Session,
    order: Order | OrderKeys,
    plan: solver.Plan,
    location_ids: Mapping[str, int],
    positions: Mapping[tuple[int, int], int],
    pick_pack_hours: Mapping[str, float],
    sla_slack_minutes: int,
    *,
    reassigned_from: Fulfilment | Reassignment | None = None,
) -> dict[str, int]:
    """Store a plan's fulfilments for ``order`` and reserve their stock, all or nothing.

    Returns the new fulfilments' ids by location ref (the rejection
    location's included). ``positions`` maps (product id, location id) to the
    position id. Raises ``InsufficientStock`` if the stock is no longer
    there, or its subclass ``CapacityTaken`` if a location's daily capacity
    is; the caller's transaction must then be rolled back.
    """
    keys = OrderKeys.of(order) if isinstance(order, Order) else order
    origin = (
        Reassignment(reassigned_from.id, reassigned_from.attempt)
        if isinstance(reassigned_from, Fulfilment)
        else reassigned_from
    )
    now = utcnow()
    common = {
        "order_id": keys.order_id,
        "type": keys.order_type,
        "attempt": origin.attempt + 1 if origin else 1,
        "reassigned_from_id": origin.fulfilment_id if origin else None,
        "created_at": now,
        "updated_at": now,
    }
    parts: list[tuple[str, tuple[solver.FulfilmentLine, ...]]] = []
    rows = []
    for part in plan.fulfilments:
        hours = pick_pack_hours.get(part.location_ref, 0.0)
        promise = part.promise
        # Due when the location promised it ready (inside its opening hours), plus slack.
        ready = promise.ready_by if promise else now + timedelta(hours=hours)
        rows.append(
            {
                **common,
                "location_id": location_ids[part.location_ref],
                "status": FulfilmentStatus.CREATED,
                "due_at": ready + timedelta(minutes=sla_slack_minutes),
                "status_reason": None,
                "promised_at": promise.promised_at if promise else None,
                "ready_by_at": promise.ready_by if promise else None,
                "carrier_service": promise.service if promise else None,
            }
        )
        parts.append((part.location_ref, part.lines))
    if plan.rejected:
        rows.append(
            {
                **common,
                "location_id": rejection_location_id(session, plan.rejected.location_ref),
                "status": FulfilmentStatus.ESCALATED,
                "due_at": None,
                "status_reason": REJECTION_REASON,
                "promised_at": None,
                "ready_by_at": None,
                "carrier_service": None,
            }
        )
        parts.append((plan.rejected.location_ref, plan.rejected.lines))
    if not rows:
        return {}
    served = len(plan.fulfilments)
    ids = session.scalars(_INSERT_FULFILMENTS, rows).all()
    session.execute(
        _INSERT_LINES,
        [
            {
                "fulfilment_id": fulfilment_id,
                "order_line_id": keys.lines[line.line_ref][0],
                "quantity": line.quantity,
            }
            for fulfilment_id, (_, lines) in zip(ids, parts, strict=True)
            for line in lines
        ],
    )
    requests = [
        ReservationRequest(
            fulfilment_id,
            positions[(keys.lines[line.line_ref][1], location_ids[location_ref])],
            line.quantity,
        )
        # The served parts come first; the rejection, last, reserves nothing.
        for fulfilment_id, (location_ref, lines) in zip(ids[:served], parts[:served], strict=True)
        for line in lines
    ]
    if requests:
        reserve_many(session, requests)
    opened = [location_ids[ref] for ref, _ in parts[:served]]
    check_capacity(session, [(location, keys.order_type) for location in opened], day_of(now))
    count_new(session, ((location, now, keys.order_type) for location in opened))
    if isinstance(order, Order):
        session.expire(order, ["fulfilments"])
    announce_created(session, _loaded(session, ids))
    announce_stock(session, {request.position_id for request in requests}, "RESERVED")
    return {ref: fulfilment_id for (ref, _), fulfilment_id in zip(parts, ids, strict=True)}


def _loaded(session: Session, ids: Sequence[int]) -> Iterator[Fulfilment]:
    """The fulfilments as ORM objects, loaded only if iterated (when someone listens)."""
    yield from session.scalars(
        select(Fulfilment).where(Fulfilment.id.in_(ids)).order_by(Fulfilment.id)
    )


def rejection_location_id(session: Session, ref: str) -> int:
    """The id of the system rejection location, created on first use."""
    existing = session.scalars(_LOCATION_ID.where(Location.ref == ref)).first()
    if existing is not None:
        return existing
    location = Location(
        ref=ref,
        name="Rejected fulfilments",
        type=LocationType.REJECTION,
        latitude=0.0,
        longitude=0.0,
        hd_enabled=False,
        cc_enabled=False,
    )
    session.add(location)
    session.flush()
    return location.id

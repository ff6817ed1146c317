"""The steps every lifecycle call shares: locking, status changes and their events.

Every call that changes an order locks the order's row first (``SELECT ...
FOR UPDATE`` on PostgreSQL; SQLite already runs writers one at a time), then
touches its fulfilments, then the inventory positions (which
``sourcing.models.inventory.inventory`` locks in id order). Two calls on one order
therefore queue instead of both deciding from the same stale statuses, and
locks are always taken in the order order -> positions.

A fulfilment's status only changes through :func:`change_status`, which
checks the transition table and writes FULFILMENT_STATUS_CHANGED; the
order's status only through :func:`refresh_order_status`, which derives it
and writes ORDER_STATUS_CHANGED when it moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sourcing.models.config.tables import Location, Product
from sourcing.models.db.enums import FulfilmentStatus, OrderStatus, check_transition
from sourcing.models.db.errors import NotFound
from sourcing.models.db.observed import after_commit
from sourcing.models.events.outbox import emit, subscribers
from sourcing.models.inventory.availability import available_by_position
from sourcing.models.inventory.day_load import count_status_change
from sourcing.models.inventory.inventory import release, shrink_reservations
from sourcing.models.inventory.tables import InventoryPosition
from sourcing.models.orders.tables import Fulfilment, FulfilmentLine, Order

_F = FulfilmentStatus
# Nothing more will happen to these fulfilments' units.
FINAL = (_F.COMPLETE, _F.REJECTED, _F.CANCELLED)
# The goods of these fulfilments reached the customer.
DELIVERED = (_F.COLLECTED, _F.DISPATCHED, _F.COMPLETE)
# Units nobody is working on: they hold no reservation.
UNRESERVED = (_F.ESCALATED, *FINAL)


def derive_order_status(order: Order) -> OrderStatus:
    """An order's status from its lines and its fulfilments' statuses.

    CANCELLED when every unit was cancelled; else ESCALATED while units wait
    on an escalated fulfilment; else COMPLETE when every unit still wanted
    was collected or dispatched; else IN_PROGRESS once a location has
    acknowledged; else BOOKED. Fulfilments without lines do not count.
    """
    if order.lines and all(line.cancelled_qty >= line.quantity for line in order.lines):
        return OrderStatus.CANCELLED
    statuses = [f.status for f in order.fulfilments if f.lines]
    if any(s is _F.ESCALATED for s in statuses):
        return OrderStatus.ESCALATED
    working = [s for s in statuses if s not in (_F.REJECTED, _F.CANCELLED)]
    if not working:
        return OrderStatus.CANCELLED if statuses else order.status
    if all(s in DELIVERED for s in working):
        return OrderStatus.COMPLETE
    if any(s is not _F.CREATED for s in working):
        return OrderStatus.IN_PROGRESS
    return OrderStatus.BOOKED


def order_query() -> Any:
    return select(Order).options(
        selectinload(Order.lines),
        selectinload(Order.fulfilments).selectinload(Fulfilment.lines),
        selectinload(Order.fulfilments).selectinload(Fulfilment.location),
    )


def lock_order(session: Session, ref: str, *, field: str = "order_ref") -> Order:
    """The order with this ref, its row locked for the rest of the transaction.

    Raises
    ------
    NotFound
        Naming ``field`` when there is no such order.
    """
    order: Order | None = session.scalars(
        order_query()
        .where(Order.ref == ref)
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if order is None:
        raise NotFound("order", ref, field=field)
    return order


def lock_fulfilment(
    session: Session, fulfilment_id: int, *, field: str = "fulfilment_id"
) -> Fulfilment:
    """A fulfilment, its order's row locked for the rest of the transaction.

    Raises
    ------
    NotFound
        Naming ``field`` when there is no such fulfilment.
    """
    ref = session.scalar(
        select(Order.ref)
        .join(Fulfilment, Fulfilment.order_id == Order.id)
        .where(Fulfilment.id == fulfilment_id)
    )
    if ref is None:
        raise NotFound("fulfilment", fulfilment_id, field=field)
    order = lock_order(session, ref, field=field)
    return next(f for f in order.fulfilments if f.id == fulfilment_id)


def change_status(
    session: Session, fulfilment: Fulfilment, new: FulfilmentStatus, *, reason: str | None = None
) -> None:
    """Move a fulfilment to ``new`` and write FULFILMENT_STATUS_CHANGED.

    Raises
    ------
    InvalidState
        When the transition table does not allow the move; nothing changed.
    """
    previous = fulfilment.status
    check_transition(previous, new, ref=str(fulfilment.id))
    fulfilment.status = new
    count_status_change(session, fulfilment, previous, new)
    after_commit(session, lambda r: r.fulfilment_moved(previous.value, new.value))
    payload: dict[str, Any] = {
        "order_ref": fulfilment.order.ref,
        "location_ref": fulfilment.location.ref,
        "previous_status": previous.value,
    }
    if reason:
        fulfilment.status_reason = reason
        payload["reason"] = reason
    emit(session, "FULFILMENT_STATUS_CHANGED", "fulfilment", str(fulfilment.id), new.value, payload)


def refresh_order_status(
    session: Session, order: Order, *, announce: Mapping[str, Any] | None = None
) -> OrderStatus:
    """Derive the order's status; write ORDER_STATUS_CHANGED when it moved or ``announce`` is set.

    ``announce`` is the payload of a change the outside must hear of even
    when the status stays (a partial cancellation's refund, a revision's
    price change).
    """
    before = order.status
    order.status = derive_order_status(order)
    if order.status is not before or announce is not None:
        payload = {"previous_status": before.value, **(announce or {})}
        emit(session, "ORDER_STATUS_CHANGED", "order", order.ref, order.status.value, payload)
    return order.status


def held_units(line: FulfilmentLine) -> int:
    """Units a fulfilment line stands for: what was picked once picked, else what was asked."""
    return line.quantity if line.picked_qty is None else line.picked_qty


def fulfilment_positions(session: Session, fulfilment: Fulfilment) -> dict[int, int]:
    """Position ids at the fulfilment's location, by product id, for the products it holds."""
    product_ids = {line.order_line.product_id for line in fulfilment.lines}
    if not product_ids:
        return {}
    rows = session.execute(
        select(InventoryPosition.product_id, InventoryPosition.id).where(
            InventoryPosition.location_id == fulfilment.location_id,
            InventoryPosition.product_id.in_(product_ids),
        )
    )
    return dict(rows.tuples().all())


def reduce_fulfilment(session: Session, fulfilment: Fulfilment, units: Mapping[str, int]) -> int:
    """Take ``units`` (per order line ref) off a fulfilment not yet picked; return units left.

    When every unit goes, the lines stay as a record of what the fulfilment
    held and every reservation is released: the caller then moves it to a
    final status. Otherwise the lines shrink (a line reaching 0 is removed)
    and the reservations shrink with them.
    """
    positions = fulfilment_positions(session, fulfilment)
    left = sum(line.quantity for line in fulfilment.lines) - sum(units.values())
    reserved = fulfilment.status not in UNRESERVED
    if left <= 0:
        if reserved and release(session, fulfilment.id):
            announce_stock(session, positions.values(), "RELEASED", fulfilment_id=fulfilment.id)
        return 0
    keep: dict[int, int] = {}
    for line in list(fulfilment.lines):
        stays = line.quantity - units.get(line.order_line.ref, 0)
        if stays <= 0:
            fulfilment.lines.remove(line)
            session.delete(line)
            continue
        line.quantity = stays
        position = positions.get(line.order_line.product_id)
        if position is not None:
            keep[position] = keep.get(position, 0) + stays
    if reserved and shrink_reservations(session, fulfilment.id, keep):
        announce_stock(session, positions.values(), "RELEASED", fulfilment_id=fulfilment.id)
    return left


def announce_stock(
    session: Session, position_ids: Iterable[int], movement: str, **detail: Any
) -> None:
    """Write INVENTORY_CHANGED for each position, with its numbers after the change.

    ``movement`` (RESERVED, RELEASED, SALE or CORRECTION) is the event's
    status; ``detail`` (a fulfilment id, an order or return ref) goes into
    the payload.
    """
    ids = set(position_ids)
    if not ids or not subscribers(session, "INVENTORY_CHANGED"):
        return  # nobody listens: spare the queries
    rows = (
        session.execute(
            select(InventoryPosition.id, Product.id, Product.ref, Location.id, Location.ref)
            .join(Product, InventoryPosition.product_id == Product.id)
            .join(Location, InventoryPosition.location_id == Location.id)
            .where(InventoryPosition.id.in_(ids))
            .order_by(InventoryPosition.id)
        )
        .tuples()
        .all()
    )
    numbers = available_by_position(session, {row[1] for row in rows}, {row[3] for row in rows})
    for _, product_id, product_ref, location_id, location_ref in rows:
        now = numbers[(product_id, location_id)]
        emit(
            session,
            "INVENTORY_CHANGED",
            "inventory",
            f"{product_ref}@{location_ref}",
            movement,
            {
                "product_ref": product_ref,
                "location_ref": location_ref,
                "on_hand": now.on_hand,
                "reserved": now.reserved,
                "available": now.available,
                **detail,
            },
        )


def announce_created(session: Session, fulfilments: Iterable[Fulfilment]) -> None:
    """Write FULFILMENT_CREATED for new fulfilments: the request to pick, for their locations.

    The payload says what to pick (lines with product refs and quantities),
    for which order and by when, so a warehouse system needs no call back.
    """
    if not subscribers(session, "FULFILMENT_CREATED"):
        return  # nobody listens: spare building the payloads
    for fulfilment in fulfilments:
        location = session.get(Location, fulfilment.location_id)
        assert location is not None  # the foreign key guarantees it
        order = fulfilment.order
        emit(
            session,
            "FULFILMENT_CREATED",
            "fulfilment",
            str(fulfilment.id),
            fulfilment.status.value,
            {
                "order_ref": order.ref,
                "order_type": order.type.value,
                "location_ref": location.ref,
                "location_type": location.type.value,
                "due_time": fulfilment.due_at.isoformat() if fulfilment.due_at else None,
                "promised_time": fulfilment.promised_at.isoformat()
                if fulfilment.promised_at
                else None,
                "carrier_service": fulfilment.carrier_service,
                "reassigned_from_fulfilment_id": str(fulfilment.reassigned_from_id or ""),
                "lines": [
                    {
                        "line_ref": line.order_line.ref,
                        "product_ref": line.order_line.product.ref,
                        "quantity": line.quantity,
                    }
                    for line in fulfilment.lines
                ],
            },
        )

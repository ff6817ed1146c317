"""Return orders: goods a customer sends back, and their arrival at a location.

A return may only announce units that reached the customer (picked units
of collected, dispatched or complete fulfilments) and were not announced by
an earlier return. When the goods arrive, each return line is split into
what arrived resellable, what arrived damaged and what never came; the
resellable units go back into the receiving location's stock with a
positive CORRECTION. The refund is what arrived, at the lines' unit prices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sourcing.models.config.tables import Location
from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import LocationType, ReturnStatus
from sourcing.models.db.errors import AlreadyExists, InvalidField, InvalidState, NotFound
from sourcing.models.events.outbox import emit
from sourcing.models.inventory.inventory import adjust_stock, get_or_create_position
from sourcing.models.orders.lifecycle import DELIVERED, announce_stock, lock_order
from sourcing.models.orders.shipments import ReturnLine, ReturnOrder
from sourcing.models.orders.tables import Order


@dataclass(frozen=True, slots=True)
class ReturnLineInput:
    """Units of one order line coming back, and why."""

    line_ref: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class ReturnInput:
    """A return announced by the caller under its own ``ref``."""

    ref: str
    order_ref: str
    lines: tuple[ReturnLineInput, ...]


@dataclass(frozen=True, slots=True)
class ReceivedInput:
    """Units of one order line that arrived, and whether they can be sold again."""

    line_ref: str
    quantity: int
    resellable: bool


@dataclass(frozen=True, slots=True)
class ReturnOutcome:
    """A return order, and whether it was stored by an earlier call."""

    return_order: ReturnOrder
    replayed: bool = False


def returnable(order: Order, returns: Sequence[ReturnOrder]) -> dict[str, int]:
    """Units per order line ref delivered and not yet announced by a live return."""
    units: dict[str, int] = defaultdict(int)
    for fulfilment in order.fulfilments:
        if fulfilment.status in DELIVERED:
            for line in fulfilment.lines:
                units[line.order_line.ref] += line.picked_qty or 0
    for earlier in returns:
        if earlier.status is not ReturnStatus.CANCELLED:
            for returned in earlier.lines:
                units[returned.order_line.ref] -= returned.quantity
    return dict(units)


def returns_of(session: Session, order_ids: Sequence[int]) -> list[ReturnOrder]:
    """Return orders of the orders, oldest first, with their lines."""
    return list(
        session.scalars(
            select(ReturnOrder)
            .where(ReturnOrder.order_id.in_(order_ids))
            .options(selectinload(ReturnOrder.lines).selectinload(ReturnLine.order_line))
            .order_by(ReturnOrder.id)
        )
    )


def create_return(session: Session, request: ReturnInput) -> ReturnOutcome:
    """Announce goods coming back; the same return sent again is answered as stored.

    Raises
    ------
    NotFound
        For an unknown order (``return_order.order_ref``).
    InvalidField
        For a line the order lacks, listed twice, or more units than were
        delivered and not yet returned (``return_order.lines[i]...``).
    AlreadyExists
        When the ref names a different return.
    """
    order = lock_order(session, request.order_ref, field="return_order.order_ref")
    existing = session.scalars(
        select(ReturnOrder).where(ReturnOrder.ref == request.ref)
    ).one_or_none()
    if existing is not None:
        if _same(existing, order, request):
            return ReturnOutcome(existing, replayed=True)
        raise AlreadyExists("return order", request.ref, detail="it holds other lines")
    lines = {line.ref: line for line in order.lines}
    left = returnable(order, returns_of(session, [order.id]))
    seen: set[str] = set()
    for i, line in enumerate(request.lines):
        at = f"return_order.lines[{i}]"
        if line.line_ref not in lines or line.line_ref in seen:
            raise InvalidField(
                f"{at}.order_line_ref",
                f"Expected a line of order {order.ref!r} listed once, got {line.line_ref!r}.",
            )
        seen.add(line.line_ref)
        if line.quantity > left.get(line.line_ref, 0):
            raise InvalidField(
                f"{at}.quantity",
                f"Expected at most {left.get(line.line_ref, 0)} unit(s) of line "
                f"{line.line_ref!r}: delivered and not already returned; got {line.quantity}.",
            )
    return_order = ReturnOrder(
        ref=request.ref,
        order=order,
        lines=[
            ReturnLine(order_line=lines[ln.line_ref], quantity=ln.quantity, reason=ln.reason)
            for ln in request.lines
        ],
    )
    try:
        with session.begin_nested():
            session.add(return_order)
    except IntegrityError as error:
        raise AlreadyExists("return order", request.ref, detail="created meanwhile") from error
    _announce(session, return_order)
    return ReturnOutcome(return_order)


def _same(existing: ReturnOrder, order: Order, request: ReturnInput) -> bool:
    stored = sorted((ln.order_line.ref, ln.quantity, ln.reason) for ln in existing.lines)
    asked = sorted((ln.line_ref, ln.quantity, ln.reason) for ln in request.lines)
    return existing.order_id == order.id and stored == asked


def _announce(session: Session, return_order: ReturnOrder) -> None:
    session.flush()
    emit(
        session,
        "RETURN_STATUS_CHANGED",
        "return",
        return_order.ref,
        return_order.status.value,
        {
            "order_ref": return_order.order.ref,
            "lines": [
                {
                    "order_line_ref": line.order_line.ref,
                    "quantity": line.quantity,
                    "reason": line.reason,
                    "received": line.received_at is not None,
                    "resellable": line.resellable,
                }
                for line in return_order.lines
            ],
        },
    )


def receive_return(
    session: Session, return_ref: str, location_ref: str, received: Sequence[ReceivedInput]
) -> ReturnOrder:
    """Record the goods of a return arriving at a location; restock what is resellable.

    Raises
    ------
    NotFound
        For an unknown return (``return_ref``) or location (``location_ref``).
    InvalidField
        For a line the return lacks or more units than it announced
        (``lines[i]...``), or the rejection location.
    InvalidState
        Unless the return is CREATED.
    """
    order_ref = session.scalar(
        select(Order.ref)
        .join(ReturnOrder, ReturnOrder.order_id == Order.id)
        .where(ReturnOrder.ref == return_ref)
    )
    if order_ref is None:
        raise NotFound("return order", return_ref, field="return_ref")
    lock_order(session, order_ref)
    return_order = session.scalars(
        select(ReturnOrder)
        .where(ReturnOrder.ref == return_ref)
        .execution_options(populate_existing=True)
    ).one()
    if return_order.status is not ReturnStatus.CREATED:
        raise InvalidState(
            "return order",
            return_order.status.value,
            ReturnStatus.RECEIVED.value,
            ref=return_ref,
            allowed=(ReturnStatus.CREATED.value,),
        )
    location = _receiving_location(session, location_ref)
    restock = _record_arrivals(return_order, _arrivals(return_order, received), location)
    return_order.status = ReturnStatus.RECEIVED
    _announce(session, return_order)
    if restock:
        _restock(session, return_order, location, restock)
        return_order.status = ReturnStatus.RESTOCKED
        _announce(session, return_order)
    return return_order


def _record_arrivals(
    return_order: ReturnOrder, arrivals: dict[str, list[tuple[int, bool]]], location: Location
) -> dict[int, int]:
    """Split each line into what arrived (resellable or not) and what did not; units to restock.

    Returns the resellable units per product id.
    """
    restock: dict[int, int] = defaultdict(int)
    now = utcnow()
    for line in list(return_order.lines):
        came = arrivals.get(line.order_line.ref)
        if not came:
            continue
        missing = line.quantity - sum(quantity for quantity, _ in came)
        for n, (quantity, resellable) in enumerate(came):
            row = line if n == 0 else ReturnLine(order_line=line.order_line, reason=line.reason)
            row.quantity, row.resellable = quantity, resellable
            row.received_at, row.location = now, location
            if n:
                return_order.lines.append(row)
            if resellable:
                restock[line.order_line.product_id] += quantity
        if missing:
            return_order.lines.append(
                ReturnLine(order_line=line.order_line, quantity=missing, reason=line.reason)
            )
    return dict(restock)


def _receiving_location(session: Session, ref: str) -> Location:
    location = session.scalars(select(Location).where(Location.ref == ref)).one_or_none()
    if location is None:
        raise NotFound("location", ref, field="location_ref")
    if location.type is LocationType.REJECTION:
        raise InvalidField("location_ref", "Expected a real location, got the rejection location.")
    return location


def _arrivals(
    return_order: ReturnOrder, received: Sequence[ReceivedInput]
) -> dict[str, list[tuple[int, bool]]]:
    """What arrived per order line ref, checked against what the return announced."""
    announced: dict[str, int] = defaultdict(int)
    for line in return_order.lines:
        announced[line.order_line.ref] += line.quantity
    arrivals: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for i, item in enumerate(received):
        if item.line_ref not in announced:
            raise InvalidField(
                f"lines[{i}].order_line_ref",
                f"Expected a line of return {return_order.ref!r} "
                f"({', '.join(sorted(announced))}), got {item.line_ref!r}.",
            )
        arrivals[item.line_ref].append((item.quantity, item.resellable))
        total = sum(quantity for quantity, _ in arrivals[item.line_ref])
        if total > announced[item.line_ref]:
            raise InvalidField(
                f"lines[{i}].quantity",
                f"Expected at most {announced[item.line_ref]} unit(s) of line "
                f"{item.line_ref!r} in all, as the return announced; got {total}.",
            )
    return dict(arrivals)


def _restock(
    session: Session, return_order: ReturnOrder, location: Location, units: dict[int, int]
) -> None:
    """Resellable units back into the location's stock, one CORRECTION per product."""
    positions = []
    for product_id, quantity in sorted(units.items()):
        position = get_or_create_position(session, product_id, location.id)
        adjust_stock(session, position.id, quantity, reason=f"return {return_order.ref}")
        positions.append(position.id)
    announce_stock(session, positions, "CORRECTION", return_ref=return_order.ref)


def refund_of(return_order: ReturnOrder) -> tuple[int, str]:
    """Amount (minor units) and currency to refund for the units received."""
    received = [line for line in return_order.lines if line.received_at is not None]
    amount = sum(line.quantity * line.order_line.unit_price_minor for line in received)
    currency = return_order.lines[0].order_line.currency if return_order.lines else ""
    return amount, currency

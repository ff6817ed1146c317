"""Reservations and stock movements: the only writers of the ledger.

The ledger rules are in ``sourcing.models.inventory.tables``. In short, per position:

* available = on_hand - sum(ACTIVE RESERVED) - buffer_qty, never below zero;
* the position's ``reserved`` counter equals sum(ACTIVE RESERVED): every
  function here that writes or deactivates a reservation moves it in the
  same transaction, so readers get availability from the position alone;
* ``on_hand`` moves only with an ACTIVE SALE (minus) or CORRECTION (signed)
  written in the same transaction, so
  ``on_hand == sum(ACTIVE CORRECTION) - sum(ACTIVE SALE)``;
* :func:`reserve` never promises more than is available.

Concurrency: every function that checks and then writes locks the positions
it touches first, in ascending id order, with ``SELECT ... FOR UPDATE`` on
PostgreSQL (so two transactions never wait on each other in a cycle); on
SQLite the clause is dropped and ``BEGIN IMMEDIATE`` (see
``sourcing.models.db.engine``) already runs writers one at a time. A check is
therefore always made on numbers no one else can change before commit.

Reading availability is in ``sourcing.models.inventory.availability``, and checking that
the ledger adds up is in ``sourcing.models.inventory.ledger``; both only read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from sourcing.models.db.base import table_of, utcnow
from sourcing.models.db.enums import QuantityStatus, QuantityType
from sourcing.models.db.errors import InsufficientStock, InvalidField, InvalidState, NotFound
from sourcing.models.inventory.tables import InventoryPosition, InventoryQuantity

_ACTIVE_RESERVED = (
    InventoryQuantity.type == QuantityType.RESERVED,
    InventoryQuantity.status == QuantityStatus.ACTIVE,
)


# Statements every reservation runs, built once so SQLAlchemy reuses their cache keys.
_LOCK_POSITIONS = (
    select(InventoryPosition)
    .where(InventoryPosition.id.in_(bindparam("ids", expanding=True)))
    .order_by(InventoryPosition.id)
    .with_for_update()
    .execution_options(populate_existing=True)
)


# The reservation path's Core statements (see reserve_many).
_POSITIONS = table_of(InventoryPosition)
_QUANTITIES = table_of(InventoryQuantity)
_LOCK_NUMBERS = (
    select(_POSITIONS.c.id, _POSITIONS.c.on_hand, _POSITIONS.c.reserved, _POSITIONS.c.buffer_qty)
    .where(_POSITIONS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_POSITIONS.c.id)
    .with_for_update()
)
_ADD_RESERVED = (
    update(_POSITIONS)
    .where(_POSITIONS.c.id == bindparam("pid"))
    .values(
        reserved=_POSITIONS.c.reserved + bindparam("qty"),
        version=_POSITIONS.c.version + 1,
        updated_at=bindparam("now"),
    )
)
_INSERT_RESERVATIONS = insert(_QUANTITIES).returning(_QUANTITIES.c.id, sort_by_parameter_order=True)


@dataclass(frozen=True, slots=True)
class ReservationRequest:
    """Reserve ``quantity`` units at a position for a fulfilment."""

    fulfilment_id: int
    position_id: int
    quantity: int

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or self.quantity <= 0:
            raise InvalidField("quantity", f"must be a positive integer, got {self.quantity!r}")


def lock_positions(session: Session, position_ids: Iterable[int]) -> list[InventoryPosition]:
    """Lock positions for the rest of the transaction, in ascending id order, and return them.

    The rows are re-read, so their attributes are current even if the
    session had loaded them before.

    Raises
    ------
    NotFound
        For the first id that names no position.
    """
    ids = sorted(set(position_ids))
    positions = session.scalars(_LOCK_POSITIONS, {"ids": ids}).all()
    if len(positions) != len(ids):
        found = {p.id for p in positions}
        raise NotFound("inventory position", next(i for i in ids if i not in found))
    return list(positions)


def get_or_create_position(
    session: Session, product_id: int, location_id: int
) -> InventoryPosition:
    """The position of a product at a location, created empty (on_hand 0) if missing.

    Safe when two transactions create the same position at once: the loser
    of the unique constraint reads the winner's row.
    """
    stmt = select(InventoryPosition).where(
        InventoryPosition.product_id == product_id, InventoryPosition.location_id == location_id
    )
    position = session.scalars(stmt).one_or_none()
    if position is not None:
        return position
    try:
        with session.begin_nested():
            position = InventoryPosition(product_id=product_id, location_id=location_id)
            session.add(position)
    except IntegrityError:
        return session.scalars(stmt).one()
    return position


def reserve(session: Session, fulfilment_id: int, position_id: int, qty: int) -> InventoryQuantity:
    """Reserve ``qty`` units at a position for a fulfilment; see :func:`reserve_many`."""
    (record_id,) = reserve_many(session, [ReservationRequest(fulfilment_id, position_id, qty)])
    return session.get_one(InventoryQuantity, record_id)


def reserve_many(session: Session, requests: Sequence[ReservationRequest]) -> list[int]:
    """Reserve units at several positions at once, all or nothing; return the records' ids.

    Locks every position involved (in id order), re-reads availability and
    writes one ACTIVE RESERVED record per request, in request order, moving
    each position's ``reserved`` counter with it. Reserve a whole plan in
    one call so its positions are locked in a stable order. It runs in the
    checkout path, so it uses Core statements: positions the session had
    loaded are expired rather than kept in step.

    Raises
    ------
    InsufficientStock
        For the first position (in id order) whose requests together exceed
        what is available; nothing has been written, so the caller can
        re-solve in the same transaction or roll back.
    NotFound
        When a position id does not exist.
    """
    wanted: dict[int, int] = defaultdict(int)
    for request in requests:
        wanted[request.position_id] += request.quantity
    ids = sorted(wanted)
    rows = session.execute(_LOCK_NUMBERS, {"ids": ids}).tuples().all()
    if len(rows) != len(ids):
        found = {row[0] for row in rows}
        raise NotFound("inventory position", next(i for i in ids if i not in found))
    for position_id, on_hand, reserved, buffer_qty in rows:
        available = max(0, on_hand - reserved - buffer_qty)
        if wanted[position_id] > available:
            position = session.get_one(InventoryPosition, position_id)
            raise InsufficientStock(
                product_ref=position.product.ref,
                location_ref=position.location.ref,
                requested=wanted[position_id],
                available=available,
            )
    now = utcnow()
    session.execute(_ADD_RESERVED, [{"pid": i, "qty": wanted[i], "now": now} for i in ids])
    for position_id in ids:
        loaded = session.identity_map.get(identity_key(InventoryPosition, position_id))
        if loaded is not None:
            session.expire(loaded)
    return list(
        session.scalars(
            _INSERT_RESERVATIONS,
            [
                {
                    "position_id": request.position_id,
                    "type": QuantityType.RESERVED,
                    "status": QuantityStatus.ACTIVE,
                    "quantity": request.quantity,
                    "fulfilment_id": request.fulfilment_id,
                    "reason": None,
                    "created_at": now,
                    "updated_at": now,
                }
                for request in requests
            ],
        )
    )


def release(
    session: Session, fulfilment_id: int, position_ids: Collection[int] | None = None
) -> int:
    """Turn a fulfilment's active reservations INACTIVE; return the units released.

    ``position_ids`` limits the release to those positions. Releasing twice
    is harmless: the second call finds nothing active and returns 0.
    """
    stmt = (
        update(InventoryQuantity)
        .where(InventoryQuantity.fulfilment_id == fulfilment_id, *_ACTIVE_RESERVED)
        .values(status=QuantityStatus.INACTIVE, updated_at=utcnow())
        .returning(InventoryQuantity.position_id, InventoryQuantity.quantity)
        .execution_options(synchronize_session="fetch")
    )
    if position_ids is not None:
        stmt = stmt.where(InventoryQuantity.position_id.in_(list(position_ids)))
    freed: dict[int, int] = defaultdict(int)
    for position_id, quantity in session.execute(stmt).tuples():
        freed[position_id] += quantity
    if freed:
        for position in lock_positions(session, freed):
            position.reserved -= freed[position.id]
        session.flush()
    return sum(freed.values())


def shrink_reservations(session: Session, fulfilment_id: int, keep: Mapping[int, int]) -> int:
    """Cut a fulfilment's reservations down to ``keep`` units per position; return units freed.

    Positions not in ``keep`` are released entirely. Unlike releasing and
    reserving again, this never fails for lack of stock: it only ever
    promises fewer units than were promised before, even if a raised buffer
    or a stock count has since left less available.

    Raises
    ------
    ValueError
        When ``keep`` holds more units at a position than the fulfilment has
        reserved there.
    """
    held: dict[int, int] = defaultdict(int)
    for position_id, quantity in session.execute(
        select(InventoryQuantity.position_id, InventoryQuantity.quantity).where(
            InventoryQuantity.fulfilment_id == fulfilment_id, *_ACTIVE_RESERVED
        )
    ).tuples():
        held[position_id] += quantity
    for position_id, quantity in keep.items():
        if quantity > held.get(position_id, 0):
            raise ValueError(
                f"Expected to keep at most {held.get(position_id, 0)} units reserved at "
                f"position {position_id}, got {quantity}."
            )
    lock_positions(session, held)
    freed = release(session, fulfilment_id)
    records = [
        InventoryQuantity(
            position_id=position_id,
            type=QuantityType.RESERVED,
            status=QuantityStatus.ACTIVE,
            quantity=quantity,
            fulfilment_id=fulfilment_id,
        )
        for position_id, quantity in sorted(keep.items())
        if quantity > 0
    ]
    session.add_all(records)
    for position in lock_positions(session, keep):
        position.reserved += keep[position.id]
    session.flush()
    return freed - sum(record.quantity for record in records)


def _move(
    session: Session,
    position_id: int,
    kind: QuantityType,
    delta: int,
    *,
    fulfilment_id: int | None,
    reason: str | None,
) -> InventoryQuantity:
    """Change on_hand by ``delta`` and write the matching ACTIVE movement record."""
    (position,) = lock_positions(session, [position_id])
    if position.on_hand + delta < 0:
        raise InvalidState(
            entity="inventory position",
            ref=position_id,
            current=f"on_hand={position.on_hand}",
            requested=f"on_hand={position.on_hand + delta}",
            allowed=("left with on_hand >= 0",),
        )
    position.on_hand += delta
    record = InventoryQuantity(
        position_id=position_id,
        type=kind,
        status=QuantityStatus.ACTIVE,
        quantity=-delta if kind is QuantityType.SALE else delta,
        fulfilment_id=fulfilment_id,
        reason=reason,
    )
    session.add(record)
    session.flush()
    return record


def adjust_stock(
    session: Session,
    position_id: int,
    delta: int,
    *,
    reason: str | None = None,
    fulfilment_id: int | None = None,
) -> InventoryQuantity:
    """Add ``delta`` units to on_hand (negative to remove) with a CORRECTION record.

    Use it for receipts, restocked returns (positive) and units found
    missing at pick (negative, with the fulfilment).

    Raises
    ------
    ValueError
        When ``delta`` is zero.
    InvalidState
        When on_hand would go below zero.
    """
    if isinstance(delta, bool) or delta == 0:
        raise InvalidField("delta", f"must be a non-zero integer, got {delta!r}")
    return _move(
        session,
        position_id,
        QuantityType.CORRECTION,
        delta,
        fulfilment_id=fulfilment_id,
        reason=reason,
    )


def set_stock(
    session: Session, position_id: int, on_hand: int, *, reason: str | None = None
) -> InventoryQuantity | None:
    """Set on_hand to a counted level, writing a CORRECTION of the difference.

    Returns the record, or ``None`` when the level was already right. The
    count may fall below what is reserved; ``ledger_check`` (in
    ``sourcing.models.inventory.ledger``) then reports the position as over-reserved
    until the lifecycle re-sources.
    """
    if isinstance(on_hand, bool) or on_hand < 0:
        raise InvalidField("on_hand", f"must be a non-negative integer, got {on_hand!r}")
    (position,) = lock_positions(session, [position_id])
    if on_hand == position.on_hand:
        return None
    return adjust_stock(session, position_id, on_hand - position.on_hand, reason=reason)


def record_sale(
    session: Session, position_id: int, qty: int, *, fulfilment_id: int
) -> InventoryQuantity:
    """Take ``qty`` picked units off on_hand with a SALE record for the fulfilment.

    The caller releases the fulfilment's reservation in the same
    transaction (:func:`release`); a full pick is release then sale.
    """
    if isinstance(qty, bool) or qty <= 0:
        raise InvalidField("quantity", f"must be a positive integer, got {qty!r}")
    return _move(
        session, position_id, QuantityType.SALE, -qty, fulfilment_id=fulfilment_id, reason=None
    )

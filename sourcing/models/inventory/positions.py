"""Stock positions by ref: set, adjust, in transit, availability and the ledger.

These are the by-ref front of ``sourcing.models.inventory.inventory``: they resolve
location and product refs, then move stock only through its functions, so
every change of on hand is a ledger record. As in ``sourcing.models.config.setup``,
a ``NotFound`` names the input path that held the unknown ref
(``positions[3].product_ref``), and nothing is written before every ref of
the call is known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sourcing.models.config.setup import find_by_ref
from sourcing.models.config.tables import Location, Product
from sourcing.models.db.enums import LocationType
from sourcing.models.db.errors import AlreadyExists, InvalidField, NotFound
from sourcing.models.events.tables import IdempotencyKey
from sourcing.models.inventory import inventory
from sourcing.models.inventory.availability import available_by_position
from sourcing.models.inventory.tables import InTransit, InventoryPosition

# Largest quantity a stock column holds (32-bit on PostgreSQL).
MAX_QUANTITY = 2**31 - 1


@dataclass(frozen=True, slots=True)
class StockLevel:
    """The stock of one product at one location as counted, with its sourcing attributes.

    ``markdown`` and ``sell_through`` are fractions in [0, 1];
    ``stock_age_days`` is the age of the stock in days.
    """

    location_ref: str
    product_ref: str
    on_hand: int
    buffer_qty: int = 0
    ideal_qty: int = 0
    markdown: float = 0.0
    sell_through: float = 0.0
    stock_age_days: float = 0.0


@dataclass(frozen=True, slots=True)
class PositionView:
    """What one position holds now; all zeros for a product never stocked there.

    ``in_transit`` is every arrival expected, together; ``updated_at`` is
    ``None`` when there is no position.
    """

    location_ref: str
    product_ref: str
    on_hand: int = 0
    reserved: int = 0
    buffer_qty: int = 0
    ideal_qty: int = 0
    markdown: float = 0.0
    sell_through: float = 0.0
    stock_age_days: float = 0.0
    in_transit: int = 0
    updated_at: datetime | None = None

    @property
    def available(self) -> int:
        """Units that may be sourced: on hand - reserved - buffer, never below zero."""
        return max(0, self.on_hand - self.reserved - self.buffer_qty)


def _in_transit_totals(session: Session, position_ids: Collection[int]) -> dict[int, int]:
    if not position_ids:
        return {}
    stmt = (
        select(InTransit.position_id, func.sum(InTransit.quantity))
        .where(InTransit.position_id.in_(list(position_ids)))
        .group_by(InTransit.position_id)
    )
    return {position_id: int(total) for position_id, total in session.execute(stmt).tuples()}


def view_positions(session: Session, positions: Sequence[InventoryPosition]) -> list[PositionView]:
    """The current numbers of these positions, in the order given."""
    if not positions:
        return []
    availability = available_by_position(
        session, {p.product_id for p in positions}, {p.location_id for p in positions}
    )
    in_transit = _in_transit_totals(session, [p.id for p in positions])
    return [
        PositionView(
            location_ref=p.location.ref,
            product_ref=p.product.ref,
            on_hand=p.on_hand,
            reserved=availability[(p.product_id, p.location_id)].reserved,
            buffer_qty=p.buffer_qty,
            ideal_qty=p.ideal_qty,
            markdown=p.markdown,
            sell_through=p.sell_through,
            stock_age_days=p.stock_age_days,
            in_transit=in_transit.get(p.id, 0),
            updated_at=p.updated_at,
        )
        for p in positions
    ]


NO_STOCK_AT_REJECTION = "is the rejection location, which holds no stock"


def _position_at(session: Session, location_ref: str, product_ref: str) -> InventoryPosition:
    """The position of a product at a location by refs, created empty if missing."""
    location = find_by_ref(session, Location, location_ref, entity="location", field="location_ref")
    if location.type is LocationType.REJECTION:
        raise InvalidField("location_ref", NO_STOCK_AT_REJECTION)
    product = find_by_ref(session, Product, product_ref, entity="product", field="product_ref")
    return inventory.get_or_create_position(session, product.id, location.id)


def _ids_by_ref(
    session: Session, table: type[Location] | type[Product], refs: Collection[str]
) -> dict[str, int]:
    stmt = select(table.ref, table.id).where(table.ref.in_(set(refs)))
    return dict(session.execute(stmt).tuples().all())


def set_stock_positions(
    session: Session, positions: Sequence[StockLevel], *, reason: str = "stock set"
) -> list[PositionView]:
    """Create or replace positions, all or nothing; on hand moves by CORRECTION records.

    Every location and product is looked up before anything is written, and
    positions are locked in id order, as ``sourcing.models.inventory.inventory`` does.

    Raises
    ------
    NotFound
        Naming ``positions[i].location_ref`` or ``positions[i].product_ref``.
    """
    locations = _ids_by_ref(session, Location, {p.location_ref for p in positions})
    products = _ids_by_ref(session, Product, {p.product_ref for p in positions})
    for i, level in enumerate(positions):
        if level.location_ref not in locations:
            raise NotFound("location", level.location_ref, field=f"positions[{i}].location_ref")
        if level.product_ref not in products:
            raise NotFound("product", level.product_ref, field=f"positions[{i}].product_ref")
    rejection = set(
        session.scalars(
            select(Location.ref).where(
                Location.ref.in_(locations), Location.type == LocationType.REJECTION
            )
        )
    )
    for i, level in enumerate(positions):
        if level.location_ref in rejection:
            raise InvalidField(f"positions[{i}].location_ref", NO_STOCK_AT_REJECTION)
    rows = [
        inventory.get_or_create_position(
            session, products[level.product_ref], locations[level.location_ref]
        )
        for level in positions
    ]
    inventory.lock_positions(session, [row.id for row in rows])
    for row, level in zip(rows, positions, strict=True):
        # set_stock re-reads the row, so the other attributes are set after it.
        inventory.set_stock(session, row.id, level.on_hand, reason=reason)
        row.buffer_qty = level.buffer_qty
        row.ideal_qty = level.ideal_qty
        row.markdown = level.markdown
        row.sell_through = level.sell_through
        row.stock_age_days = level.stock_age_days
        session.flush()
    return view_positions(session, rows)


@dataclass(frozen=True, slots=True)
class StockAdjustment:
    """A signed change of on hand at one position, and why.

    ``request_id``, when given, makes the adjustment happen at most once.
    """

    location_ref: str
    product_ref: str
    delta: int
    reason: str
    request_id: str | None = None

    def digest(self) -> str:
        """A SHA-256 of everything but the request id, to tell a retry from a new request."""
        body = [self.location_ref, self.product_ref, self.delta, self.reason]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _first_use_of(session: Session, adjustment: StockAdjustment) -> bool:
    """Record the adjustment's request id; False when it was recorded before (a retry).

    Raises
    ------
    AlreadyExists
        When the request id was used for a different adjustment.
    """
    key = IdempotencyKey(
        operation="AdjustStock", key=adjustment.request_id, request_hash=adjustment.digest()
    )
    try:
        with session.begin_nested():
            session.add(key)
        return True
    except IntegrityError:
        stored = session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.operation == key.operation, IdempotencyKey.key == key.key
            )
        ).one()
    if stored.request_hash != key.request_hash:
        raise AlreadyExists(
            "stock adjustment",
            str(adjustment.request_id),
            detail="the request id was used for a different adjustment",
        )
    return False


def adjust_stock(session: Session, adjustment: StockAdjustment) -> PositionView:
    """Add ``delta`` units to on hand (negative removes) with a CORRECTION record.

    A repeated ``request_id`` with the same adjustment changes nothing and
    returns the position as it is now.

    Raises
    ------
    InvalidState
        When on hand would go below zero.
    ValueError
        When on hand would go above :data:`MAX_QUANTITY`.
    AlreadyExists
        When the request id was used for a different adjustment.
    """
    row = _position_at(session, adjustment.location_ref, adjustment.product_ref)
    if adjustment.request_id is None or _first_use_of(session, adjustment):
        (row,) = inventory.lock_positions(session, [row.id])
        if row.on_hand + adjustment.delta > MAX_QUANTITY:
            raise InvalidField(
                "delta",
                f"would take on hand above {MAX_QUANTITY}: {row.on_hand} + {adjustment.delta}",
            )
        inventory.adjust_stock(session, row.id, adjustment.delta, reason=adjustment.reason)
    return view_positions(session, [row])[0]


@dataclass(frozen=True, slots=True)
class Arrival:
    """Units expected at a position at one time."""

    quantity: int
    arrives_at: datetime


def set_in_transit(
    session: Session, location_ref: str, product_ref: str, arrivals: Sequence[Arrival]
) -> list[InTransit]:
    """Replace the stock in transit to a position; return it earliest first."""
    row = _position_at(session, location_ref, product_ref)
    (row,) = inventory.lock_positions(session, [row.id])
    row.in_transit = [InTransit(quantity=a.quantity, arrives_at=a.arrives_at) for a in arrivals]
    session.flush()
    return sorted(row.in_transit, key=lambda t: (t.arrives_at, t.id))

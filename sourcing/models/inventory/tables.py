"""Inventory positions, stock in transit and the quantity ledger.

The ledger, per position (product at location):

* ``on_hand`` is the units physically there now. It only changes together
  with an ACTIVE movement record: a SALE of ``q`` takes ``q`` off, a
  CORRECTION of ``q`` (signed) adds ``q``. Setting stock to a counted level is
  a CORRECTION of the difference. So at any time
  ``on_hand == sum(ACTIVE CORRECTION) - sum(ACTIVE SALE)``.
* A RESERVED record promises units to a fulfilment without moving them; it
  is ACTIVE until the units are picked (then a SALE follows) or released.
* available = on_hand - sum(ACTIVE RESERVED) - buffer_qty, never below zero.

``sourcing.models.inventory.inventory`` holds the functions that keep this true; write
through them rather than touching the columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sourcing.models.config.tables import Location, Product
from sourcing.models.db.base import Base, Id, IdType, Name, utcnow
from sourcing.models.db.enums import QuantityStatus, QuantityType

# What sourcing reads of a position, in the covering index's column order.
SOURCING_COLUMNS = (
    "product_id",
    "location_id",
    "id",
    "on_hand",
    "reserved",
    "buffer_qty",
    "ideal_qty",
    "markdown",
    "sell_through",
    "stock_age_days",
)


class InventoryPosition(Base):
    """One product's stock at one location.

    ``ideal_qty`` is the level the location would like to keep;
    ``markdown`` and ``sell_through`` are fractions in [0, 1];
    ``stock_age_days`` is the age of the oldest units. ``reserved`` is the
    sum of the position's ACTIVE RESERVED records, kept in step by
    ``sourcing.models.inventory.inventory`` (the only writer of either) so sourcing
    reads availability without summing the ledger; ``ledger_check`` verifies
    it. ``version`` is
    SQLAlchemy's version counter: every UPDATE of the row checks and bumps it,
    so an update based on a stale read fails with ``StaleDataError`` instead
    of overwriting someone else's change.
    """

    __tablename__ = "inventory_positions"
    __table_args__ = (
        UniqueConstraint("product_id", "location_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("buffer_qty >= 0", name="buffer_qty_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        # Sourcing reads every position of an order's products: this index
        # answers it alone, without visiting the table row by row.
        Index("ix_inventory_positions_product_stock", *SOURCING_COLUMNS),
    )

    id: Mapped[Id]
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    buffer_qty: Mapped[int] = mapped_column(default=0)
    ideal_qty: Mapped[int] = mapped_column(default=0)
    markdown: Mapped[float] = mapped_column(default=0.0)
    sell_through: Mapped[float] = mapped_column(default=0.0)
    stock_age_days: Mapped[float] = mapped_column(default=0.0)
    version: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    in_transit: Mapped[list[InTransit]] = relationship(
        back_populates="position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read by SQLAlchemy


class InTransit(Base):
    """Units on their way to a position, expected at ``arrives_at``."""

    __tablename__ = "in_transit"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[Id]
    position_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("inventory_positions.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]
    arrives_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position: Mapped[InventoryPosition] = relationship(back_populates="in_transit")


class InventoryQuantity(Base):
    """One ledger record: a reservation, a sale or a correction at a position.

    ``quantity`` is positive for RESERVED and SALE and signed for CORRECTION
    (units found or received are positive, units lost negative).
    ``fulfilment_id`` names the fulfilment that caused the record, if any.
    """

    __tablename__ = "inventory_quantities"
    __table_args__ = (
        Index("ix_inventory_quantities_position_type_status", "position_id", "type", "status"),
        CheckConstraint(
            "quantity > 0 OR (type = 'CORRECTION' AND quantity <> 0)",
            name="quantity_sign",
        ),
    )

    id: Mapped[Id]
    position_id: Mapped[int] = mapped_column(IdType, ForeignKey("inventory_positions.id"))
    type: Mapped[QuantityType]
    status: Mapped[QuantityStatus] = mapped_column(default=QuantityStatus.ACTIVE)
    quantity: Mapped[int]
    fulfilment_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("fulfilments.id"), index=True
    )
    reason: Mapped[Name | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position: Mapped[InventoryPosition] = relationship()


class ScarcityPrice(Base):
    """The scarce-stock price of one position: what a unit taken now costs later orders.

    Written only by ``sourcing.models.inventory.scarcity.refresh_prices``,
    which replaces every row at once (``refreshed_at`` says when); positions
    without a row are priced 0. Source reads the rows of an order's products
    when its profile weighs ``scarcity_price`` above 0.
    """

    __tablename__ = "scarcity_prices"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_non_negative"),
        # Source reads the prices of an order's products: this index answers it alone.
        Index("ix_scarcity_prices_product_location", "product_id", "location_id", "price"),
    )

    product_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    price: Mapped[float]
    refreshed_at: Mapped[datetime]


class CapacityPrice(Base):
    """The scarce-capacity price of one location: what a fulfilment taken there now costs later.

    The dual of the location's capacity row in the same expected-demand LP
    as ``ScarcityPrice``, per fulfilment; written with those prices, by the
    same refresh, and replaced with them. Locations without a row are priced
    0 (their daily capacity is not short over the horizon).
    """

    __tablename__ = "capacity_prices"
    __table_args__ = (CheckConstraint("price >= 0", name="price_non_negative"),)

    location_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    price: Mapped[float]
    refreshed_at: Mapped[datetime]

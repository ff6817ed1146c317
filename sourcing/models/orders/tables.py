"""Orders, their lines, and the fulfilments that serve them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sourcing.models.config.tables import Customer, Location, Product
from sourcing.models.db.base import Base, Currency, Id, IdType, Name, Ref, utcnow
from sourcing.models.db.enums import FulfilmentStatus, OrderStatus, OrderType


class Order(Base):
    """A customer's order, the root of its fulfilments, articles and returns.

    HD orders carry a delivery point, CC orders a collection location.
    ``request_hash`` is a digest of the order as first received: the same ref
    sent again with the same hash is a retry and gets the first answer; with a
    different hash it is a different order under a used ref.
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "type <> 'HD' OR (delivery_latitude IS NOT NULL AND delivery_longitude IS NOT NULL)",
            name="hd_has_delivery_point",
        ),
        CheckConstraint(
            "type <> 'CC' OR collection_location_id IS NOT NULL",
            name="cc_has_collection_location",
        ),
    )

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    type: Mapped[OrderType]
    status: Mapped[OrderStatus] = mapped_column(default=OrderStatus.CREATED)
    customer_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("customers.id"))
    delivery_latitude: Mapped[float | None]
    delivery_longitude: Mapped[float | None]
    collection_location_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("locations.id"))
    need_by: Mapped[datetime | None]
    request_hash: Mapped[str] = mapped_column(String(64))
    sourcing_profile_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("sourcing_profiles.id")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship()
    collection_location: Mapped[Location | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Fulfilment.id"
    )


class OrderLine(Base):
    """One product on an order, at the price the customer pays per unit.

    ``category`` is copied from the product when the order arrives, so later
    catalogue changes do not change how a placed order is sourced.
    ``cancelled_qty`` counts units cancelled from this line.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "ref"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "cancelled_qty >= 0 AND cancelled_qty <= quantity", name="cancelled_qty_in_range"
        ),
    )

    id: Mapped[Id]
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id", ondelete="CASCADE"))
    ref: Mapped[Ref]
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"), index=True)
    quantity: Mapped[int]
    unit_price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[Currency]
    category: Mapped[Ref | None]
    cancelled_qty: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Fulfilment(Base):
    """The part of an order one location serves.

    ``attempt`` is 1 for a fulfilment made by sourcing and one more than
    ``reassigned_from``'s for units sourced again after a short pick, a
    rejection or an SLA sweep. Status changes go through
    ``sourcing.models.db.enums.check_transition``.
    """

    __tablename__ = "fulfilments"
    __table_args__ = (
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        Index("ix_fulfilments_location_created", "location_id", "created_at"),
        Index("ix_fulfilments_status_due", "status", "due_at"),
        # What the ready-by's room per day reads (inventory.day_room): the fulfilments due
        # from yesterday on, at some locations or at all of them.
        Index("ix_fulfilments_ready_by_location", "ready_by_at", "location_id"),
    )

    id: Mapped[Id]
    order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int] = mapped_column(IdType, ForeignKey("locations.id"))
    status: Mapped[FulfilmentStatus] = mapped_column(default=FulfilmentStatus.CREATED)
    type: Mapped[OrderType]
    due_at: Mapped[datetime | None]
    # What the fulfilment promised at sourcing (``sourcing.solver.eta``): the
    # delivery or collection time, when it is ready, and the carrier service.
    promised_at: Mapped[datetime | None]
    ready_by_at: Mapped[datetime | None]
    carrier_service: Mapped[Ref | None]
    attempt: Mapped[int] = mapped_column(default=1)
    reassigned_from_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("fulfilments.id"), index=True
    )
    status_reason: Mapped[Name | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="fulfilments")
    location: Mapped[Location] = relationship()
    reassigned_from: Mapped[Fulfilment | None] = relationship(remote_side="Fulfilment.id")
    lines: Mapped[list[FulfilmentLine]] = relationship(
        back_populates="fulfilment", cascade="all, delete-orphan", order_by="FulfilmentLine.id"
    )


class FulfilmentLine(Base):
    """Units of one order line that a fulfilment serves.

    ``picked_qty`` is ``None`` until the pick is confirmed; a short pick
    leaves it below ``quantity``.
    """

    __tablename__ = "fulfilment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "picked_qty IS NULL OR (picked_qty >= 0 AND picked_qty <= quantity)",
            name="picked_qty_in_range",
        ),
    )

    id: Mapped[Id]
    fulfilment_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    picked_qty: Mapped[int | None]

    fulfilment: Mapped[Fulfilment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class LocationDayLoad(Base):
    """Fulfilments a location took on one (UTC) day for one order type, not since closed.

    It is what daily capacity counts, kept as a counter so sourcing reads
    one row per busy location instead of counting the day's fulfilments for
    every order. ``sourcing.models.inventory.day_load`` keeps it in step: one more
    when a plan stores a fulfilment, one less when a fulfilment closes
    (REJECTED, CANCELLED, ESCALATED) under ``change_status``.
    """

    __tablename__ = "location_day_loads"
    __table_args__ = (CheckConstraint("fulfilments >= 0", name="fulfilments_non_negative"),)

    location_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    type: Mapped[OrderType] = mapped_column(primary_key=True)
    fulfilments: Mapped[int] = mapped_column(default=0)

"""Articles (parcels) packed from fulfilments, consignments that carry them,
and return orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sourcing.models.config.tables import Location
from sourcing.models.db.base import Base, Id, IdType, Name, Ref, Url, utcnow
from sourcing.models.db.enums import ConsignmentStatus, ReturnStatus
from sourcing.models.orders.tables import Fulfilment, FulfilmentLine, Order, OrderLine

# Which articles travel on which consignment (n-n).
consignment_articles = Table(
    "consignment_articles",
    Base.metadata,
    Column(
        "consignment_id",
        IdType,
        ForeignKey("consignments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("article_id", IdType, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
)


class Article(Base):
    """A parcel packed from one fulfilment, identified by its ``label``.

    ``weight_grams`` is the gross weight the packer reported, ``None`` when unknown.
    """

    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint("weight_grams IS NULL OR weight_grams > 0", name="weight_grams_positive"),
    )

    id: Mapped[Id]
    fulfilment_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[Ref]
    weight_grams: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fulfilment: Mapped[Fulfilment] = relationship()
    lines: Mapped[list[ArticleLine]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleLine.id"
    )
    consignments: Mapped[list[Consignment]] = relationship(
        secondary=consignment_articles, back_populates="articles"
    )


class ArticleLine(Base):
    """Units of one fulfilment line packed into an article."""

    __tablename__ = "article_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[Id]
    article_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    fulfilment_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("fulfilment_lines.id"))
    quantity: Mapped[int]

    article: Mapped[Article] = relationship(back_populates="lines")
    fulfilment_line: Mapped[FulfilmentLine] = relationship()


class Consignment(Base):
    """A carrier's shipment of one or more articles, tracked by ``tracking_ref``."""

    __tablename__ = "consignments"

    id: Mapped[Id]
    carrier: Mapped[Name]
    tracking_ref: Mapped[Ref] = mapped_column(index=True)
    tracking_url: Mapped[Url | None]
    status: Mapped[ConsignmentStatus] = mapped_column(default=ConsignmentStatus.CREATED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(
        secondary=consignment_articles, back_populates="consignments"
    )


class ReturnOrder(Base):
    """Units of a delivered order that the customer sends back."""

    __tablename__ = "return_orders"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(default=ReturnStatus.CREATED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_order", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )


class ReturnLine(Base):
    """Units of one order line coming back, why, and where they were received.

    Resellable units go back into stock at ``location`` when received (a
    positive CORRECTION in the ledger); the rest are written off.
    """

    __tablename__ = "return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[Id]
    return_order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("return_orders.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[Name]
    resellable: Mapped[bool] = mapped_column(default=True)
    received_at: Mapped[datetime | None]
    location_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("locations.id"))

    return_order: Mapped[ReturnOrder] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    location: Mapped[Location | None] = relationship()

"""What the retailer configures: locations, networks, virtual catalogues,
products, customers and sourcing profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sourcing.models.db.base import (
    Base,
    Currency,
    Id,
    IdType,
    JsonDict,
    Name,
    Ref,
    utcnow,
)
from sourcing.models.db.enums import CustomerTier, LocationType, OrderType

# Which locations belong to which network (n-n).
network_locations = Table(
    "network_locations",
    Base.metadata,
    Column("network_id", IdType, ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", IdType, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
)


class Location(Base):
    """A place that can fulfil orders: warehouse, store, DC, vendor, 3PL or rejection.

    Costs are in minor currency units: ``fixed_cost_minor`` per fulfilment,
    ``handling_cost_minor`` per unit, ``shipping_cost_per_unit_km`` per unit
    and kilometre (fractional). Capacities are orders per day; ``None`` means
    unlimited.
    """

    __tablename__ = "locations"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    name: Mapped[Name]
    type: Mapped[LocationType]
    latitude: Mapped[float]
    longitude: Mapped[float]
    fixed_cost_minor: Mapped[int] = mapped_column(default=0)
    handling_cost_minor: Mapped[int] = mapped_column(default=0)
    shipping_cost_per_unit_km: Mapped[float] = mapped_column(default=0.0)
    pick_pack_hours: Mapped[float] = mapped_column(default=0.0)
    capacity_total: Mapped[int | None]
    capacity_hd: Mapped[int | None]
    capacity_cc: Mapped[int | None]
    # Open (not yet picked) fulfilments above which the location takes only
    # CC orders; None: the profile's hd_open_order_limit applies.
    open_order_limit: Mapped[int | None]
    hd_enabled: Mapped[bool] = mapped_column(default=True)
    cc_enabled: Mapped[bool] = mapped_column(default=True)
    flagship: Mapped[bool] = mapped_column(default=False)
    vip_service: Mapped[bool] = mapped_column(default=False)
    expedited_shipping: Mapped[bool] = mapped_column(default=False)
    # Opening hours, time zone and closed dates; carrier services with their
    # rate cards (JSON, see ``sourcing.models.config.carriers``); None: not set.
    calendar: Mapped[JsonDict | None]
    carrier_services: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    networks: Mapped[list[Network]] = relationship(
        secondary=network_locations, back_populates="locations"
    )


class Network(Base):
    """The set of locations an order type may source from."""

    __tablename__ = "networks"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    name: Mapped[Name]
    order_type: Mapped[OrderType]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    locations: Mapped[list[Location]] = relationship(
        secondary=network_locations, back_populates="networks"
    )
    catalogues: Mapped[list[VirtualCatalogue]] = relationship(back_populates="network")


class VirtualCatalogue(Base):
    """A network's view of stock, with buffers of its own on top of each position's.

    Available-to-sell in the catalogue is on hand - active reservations -
    the position's ``buffer_qty`` - ``extra_buffer_qty`` - the extra buffer
    for the product's category in ``category_buffers`` (category -> units),
    never below zero.
    """

    __tablename__ = "virtual_catalogues"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    name: Mapped[Name]
    network_id: Mapped[int] = mapped_column(IdType, ForeignKey("networks.id"), index=True)
    extra_buffer_qty: Mapped[int] = mapped_column(default=0)
    category_buffers: Mapped[JsonDict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    network: Mapped[Network] = relationship(back_populates="catalogues")


class Product(Base):
    """A sellable item, priced in minor units of ``currency``."""

    __tablename__ = "products"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    name: Mapped[Name]
    category: Mapped[Ref | None] = mapped_column(index=True)
    price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[Currency]
    weight_grams: Mapped[int | None]  # one unit's weight; None: unknown (weighs 0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    """The customer who places orders."""

    __tablename__ = "customers"

    id: Mapped[Id]
    ref: Mapped[Ref] = mapped_column(unique=True)
    tier: Mapped[CustomerTier] = mapped_column(default=CustomerTier.STANDARD)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourcingProfile(Base):
    """Weights, split limit and rules one order type is sourced under.

    Profiles are versioned per order type and never edited in place: a change
    is a new version, and activating it deactivates the previous one in the
    same transaction. A partial unique index keeps at most one active profile
    per order type on both backends. ``weights`` and ``rules`` hold the
    solver's weights and rules as JSON objects (names as in
    ``sourcing.solver``), plus lifecycle settings such as SLA slack and the
    statuses that allow cancellation.
    """

    __tablename__ = "sourcing_profiles"
    __table_args__ = (
        UniqueConstraint("order_type", "version"),
        Index(
            "uq_sourcing_profiles_active_order_type",
            "order_type",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[Id]
    order_type: Mapped[OrderType]
    version: Mapped[int]
    active: Mapped[bool] = mapped_column(default=False)
    weights: Mapped[JsonDict] = mapped_column(default=dict)
    split_limit: Mapped[int] = mapped_column(default=1000)
    rules: Mapped[JsonDict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

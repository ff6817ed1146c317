"""Reading stock by ref: availability per location, network and virtual
catalogue, and the records of the quantity ledger.

Availability is derived, never stored: ``sourcing.models.inventory.availability``
computes it from on hand, active reservations and buffers, and this module
only adds it up. A ``NotFound`` names the request field that held the
unknown ref, as in ``sourcing.models.config.setup``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sourcing.models.config.setup import find_all_by_ref, find_by_ref
from sourcing.models.config.tables import Location, Network, Product, VirtualCatalogue
from sourcing.models.db.enums import QuantityStatus, QuantityType
from sourcing.models.db.errors import NotFound
from sourcing.models.inventory.availability import available_by_position, available_in_catalogue
from sourcing.models.inventory.positions import PositionView, view_positions
from sourcing.models.inventory.tables import InventoryPosition, InventoryQuantity
from sourcing.models.orders.tables import Fulfilment, Order


@dataclass(frozen=True, slots=True)
class NetworkStock:
    """Units of one product available over a network's locations."""

    network_ref: str
    product_ref: str
    available: int
    locations_with_stock: int


@dataclass(frozen=True, slots=True)
class CatalogueStock:
    """Units of one product available to sell through a virtual catalogue."""

    virtual_catalogue_ref: str
    product_ref: str
    available: int


@dataclass(frozen=True, slots=True)
class Availability:
    """Availability per location, per network and per virtual catalogue."""

    locations: list[PositionView]
    networks: list[NetworkStock]
    virtual_catalogues: list[CatalogueStock]


def availability_at_locations(
    session: Session, products: Sequence[Product], locations: Sequence[Location]
) -> list[PositionView]:
    """One view per location and product, location by location; zeros where nothing is held."""
    stmt = select(InventoryPosition).where(
        InventoryPosition.product_id.in_([p.id for p in products]),
        InventoryPosition.location_id.in_([loc.id for loc in locations]),
    )
    views = view_positions(session, list(session.scalars(stmt)))
    held = {(v.location_ref, v.product_ref): v for v in views}
    return [
        held.get((location.ref, product.ref), PositionView(location.ref, product.ref))
        for location in locations
        for product in products
    ]


def availability_in_network(
    session: Session, products: Sequence[Product], network: Network
) -> list[NetworkStock]:
    """Per product, units available summed over the network's locations."""
    by_position = available_by_position(
        session, [p.id for p in products], [loc.id for loc in network.locations]
    )
    rows = []
    for product in products:
        available = [a.available for (pid, _), a in by_position.items() if pid == product.id]
        rows.append(
            NetworkStock(network.ref, product.ref, sum(available), sum(1 for a in available if a))
        )
    return rows


def availability_in_catalogue(
    session: Session, products: Sequence[Product], catalogue: VirtualCatalogue
) -> list[CatalogueStock]:
    """Per product, units available to sell through the catalogue."""
    by_position = available_in_catalogue(session, catalogue.id, [p.id for p in products])
    return [
        CatalogueStock(
            catalogue.ref,
            product.ref,
            sum(a.available for (pid, _), a in by_position.items() if pid == product.id),
        )
        for product in products
    ]


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    """Which products to report, and where.

    Without ``location_refs``, the locations reported one by one are those of
    the networks and catalogues named, or every location when none is.
    """

    product_refs: Sequence[str]
    location_refs: Sequence[str] = ()
    network_refs: Sequence[str] = ()
    virtual_catalogue_refs: Sequence[str] = ()


def get_availability(session: Session, query: AvailabilityQuery) -> Availability:
    """Availability of products per location, per network and per virtual catalogue.

    Raises
    ------
    NotFound
        Naming the first unknown ref by the query's attribute, e.g.
        ``network_refs[1]``.
    """
    products = find_all_by_ref(
        session, Product, query.product_refs, entity="product", field="product_refs"
    )
    locations = find_all_by_ref(
        session, Location, query.location_refs, entity="location", field="location_refs"
    )
    networks = find_all_by_ref(
        session, Network, query.network_refs, entity="network", field="network_refs"
    )
    catalogues = find_all_by_ref(
        session,
        VirtualCatalogue,
        query.virtual_catalogue_refs,
        entity="virtual catalogue",
        field="virtual_catalogue_refs",
    )
    if not locations:
        covered = [*networks, *(c.network for c in catalogues)]
        if covered:
            found = {loc.id: loc for network in covered for loc in network.locations}
            locations = sorted(found.values(), key=lambda loc: loc.ref)
        else:
            locations = list(session.scalars(select(Location).order_by(Location.ref)))
    return Availability(
        locations=availability_at_locations(session, products, locations),
        networks=[row for n in networks for row in availability_in_network(session, products, n)],
        virtual_catalogues=[
            row for c in catalogues for row in availability_in_catalogue(session, products, c)
        ],
    )


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """One quantity record with the refs a caller knows it by.

    ``quantity`` is signed for a CORRECTION (units lost are negative).
    ``fulfilment_id`` and ``order_ref`` are ``None`` for stock set or adjusted
    by hand.
    """

    id: int
    location_ref: str
    product_ref: str
    type: QuantityType
    status: QuantityStatus
    quantity: int
    fulfilment_id: int | None
    order_ref: str | None
    reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which ledger records to list; ``None`` or empty means any."""

    location_ref: str | None = None
    product_ref: str | None = None
    order_ref: str | None = None
    fulfilment_id: int | None = None
    types: Collection[QuantityType] = ()
    statuses: Collection[QuantityStatus] = ()

    def conditions(self, session: Session) -> list[ColumnElement[bool]]:
        """The WHERE conditions on records joined to their position and fulfilment.

        Raises
        ------
        NotFound
            Naming the filter (``location_ref``, ``order_ref``, ...) whose
            entity does not exist.
        """
        found: list[ColumnElement[bool]] = []
        if self.location_ref:
            location = find_by_ref(
                session, Location, self.location_ref, entity="location", field="location_ref"
            )
            found.append(InventoryPosition.location_id == location.id)
        if self.product_ref:
            product = find_by_ref(
                session, Product, self.product_ref, entity="product", field="product_ref"
            )
            found.append(InventoryPosition.product_id == product.id)
        if self.order_ref:
            order_id = session.scalar(select(Order.id).where(Order.ref == self.order_ref))
            if order_id is None:
                raise NotFound("order", self.order_ref, field="order_ref")
            found.append(Fulfilment.order_id == order_id)
        if self.fulfilment_id is not None:
            if session.get(Fulfilment, self.fulfilment_id) is None:
                raise NotFound("fulfilment", self.fulfilment_id, field="fulfilment_id")
            found.append(InventoryQuantity.fulfilment_id == self.fulfilment_id)
        if self.types:
            found.append(InventoryQuantity.type.in_(list(self.types)))
        if self.statuses:
            found.append(InventoryQuantity.status.in_(list(self.statuses)))
        return found


def list_reservations(
    session: Session, ledger_filter: LedgerFilter, *, offset: int = 0, limit: int = 100
) -> list[LedgerRecord]:
    """Ledger records (reservations, sales, corrections), oldest first, filtered.

    Raises
    ------
    NotFound
        When a filter names an entity that does not exist.
    """
    stmt = (
        select(InventoryQuantity, Location.ref, Product.ref, Order.ref)
        .join(InventoryPosition, InventoryQuantity.position_id == InventoryPosition.id)
        .join(Location, InventoryPosition.location_id == Location.id)
        .join(Product, InventoryPosition.product_id == Product.id)
        .outerjoin(Fulfilment, InventoryQuantity.fulfilment_id == Fulfilment.id)
        .outerjoin(Order, Fulfilment.order_id == Order.id)
        .where(*ledger_filter.conditions(session))
        .order_by(InventoryQuantity.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        LedgerRecord(
            id=record.id,
            location_ref=location_ref,
            product_ref=product_ref,
            type=record.type,
            status=record.status,
            quantity=record.quantity,
            fulfilment_id=record.fulfilment_id,
            order_ref=order_ref,
            reason=record.reason,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )
        for record, location_ref, product_ref, order_ref in session.execute(stmt).tuples()
    ]

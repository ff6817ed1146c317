"""Setting up from nothing: locations, networks, virtual catalogues, products,
customers and webhook subscriptions.

The functions take plain dataclasses, never protobuf messages. Each checks
every reference it is given and that nothing it creates exists yet before
it writes, so a failed call leaves the transaction as it found it. A
``NotFound`` names the input that held the unknown reference in ``field``,
as a path from the function's parameter (``location.network_refs[2]``); the
gRPC requests name their fields the same way, so the path is the request
field too. Sourcing profiles live in ``sourcing.models.config.profiles``, stock
positions in ``sourcing.models.inventory.positions``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sourcing.models.config.tables import Customer, Location, Network, Product, VirtualCatalogue
from sourcing.models.db.enums import CustomerTier, LocationType, OrderType
from sourcing.models.db.errors import AlreadyExists, NotFound
from sourcing.models.events.tables import WebhookSubscription

# Tables whose rows are found by a unique ``ref``.
Referenced = TypeVar("Referenced", Location, Network, VirtualCatalogue, Product, Customer)


def find_by_ref(
    session: Session, table: type[Referenced], ref: str, *, entity: str, field: str
) -> Referenced:
    """The row of ``table`` with this ref.

    Raises
    ------
    NotFound
        Naming ``field`` when there is none.
    """
    row = session.scalars(select(table).where(table.ref == ref)).one_or_none()
    if row is None:
        raise NotFound(entity, ref, field=field)
    return row


def find_all_by_ref(
    session: Session, table: type[Referenced], refs: Sequence[str], *, entity: str, field: str
) -> list[Referenced]:
    """The rows of ``table`` with these refs, each once, in the order first named.

    Raises
    ------
    NotFound
        Naming ``field[i]`` for the first ref that has no row.
    """
    if not refs:
        return []
    rows = {row.ref: row for row in session.scalars(select(table).where(table.ref.in_(set(refs))))}
    for i, ref in enumerate(refs):
        if ref not in rows:
            raise NotFound(entity, ref, field=f"{field}[{i}]")
    return [rows[ref] for ref in dict.fromkeys(refs)]


def _insert(session: Session, row: Referenced, *, entity: str) -> Referenced:
    """Add a row whose ref must be new; AlreadyExists when it is not, even in a race.

    Link the row to others only after this: a link to a row already in the
    session would make the existence check flush the new row too early.
    """
    table = type(row)
    if session.scalar(select(table.id).where(table.ref == row.ref)) is not None:
        raise AlreadyExists(entity, row.ref)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:  # a concurrent transaction took the ref first
        raise AlreadyExists(entity, row.ref) from error
    return row


@dataclass(frozen=True, slots=True)
class LocationSpec:
    """A location as the retailer describes it; costs in minor currency units.

    Capacities are fulfilments per day, ``None`` meaning no limit.
    """

    ref: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    network_refs: tuple[str, ...] = ()
    fixed_cost_minor: int = 0
    handling_cost_minor: int = 0
    shipping_cost_per_unit_km: float = 0.0
    pick_pack_hours: float = 0.0
    capacity_total: int | None = None
    capacity_hd: int | None = None
    capacity_cc: int | None = None
    open_order_limit: int | None = None
    hd_enabled: bool = True
    cc_enabled: bool = True
    flagship: bool = False
    vip_service: bool = False
    expedited_shipping: bool = False
    # Checked JSON (``sourcing.models.config.carriers``); None: not set.
    calendar: dict[str, Any] | None = None
    carrier_services: list[dict[str, Any]] | None = None


# LocationSpec fields stored as columns of the same name.
_LOCATION_COLUMNS = tuple(f.name for f in fields(LocationSpec) if f.name != "network_refs")


def create_location(session: Session, location: LocationSpec) -> Location:
    """Create a location in the networks it names."""
    networks = find_all_by_ref(
        session, Network, location.network_refs, entity="network", field="location.network_refs"
    )
    row = _insert(
        session,
        Location(**{name: getattr(location, name) for name in _LOCATION_COLUMNS}),
        entity="location",
    )
    row.networks = networks
    session.flush()
    return row


def get_location(session: Session, ref: str) -> Location:
    """The location with this ref; NotFound naming ``location.ref`` otherwise."""
    return find_by_ref(session, Location, ref, entity="location", field="location.ref")


def update_location(session: Session, location: LocationSpec) -> Location:
    """Replace every attribute and the network membership of the location with its ref."""
    row = get_location(session, location.ref)
    networks = find_all_by_ref(
        session, Network, location.network_refs, entity="network", field="location.network_refs"
    )
    for name in _LOCATION_COLUMNS:
        setattr(row, name, getattr(location, name))
    row.networks = networks
    session.flush()
    return row


def list_locations(
    session: Session,
    *,
    refs: Sequence[str] = (),
    network_ref: str | None = None,
    location_type: LocationType | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Location]:
    """Locations by ref, optionally only these refs, one network or one type.

    Raises
    ------
    NotFound
        Naming ``network_ref`` when the network does not exist.
    """
    stmt = select(Location).order_by(Location.ref).offset(offset).limit(limit)
    if refs:
        stmt = stmt.where(Location.ref.in_(set(refs)))
    if network_ref:
        network = find_by_ref(session, Network, network_ref, entity="network", field="network_ref")
        stmt = stmt.where(Location.networks.any(Network.id == network.id))
    if location_type is not None:
        stmt = stmt.where(Location.type == location_type)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A named group of locations serving one order type."""

    ref: str
    name: str
    order_type: OrderType
    location_refs: tuple[str, ...] = ()


def create_network(session: Session, network: NetworkSpec) -> Network:
    """Create a network of existing locations."""
    locations = find_all_by_ref(
        session, Location, network.location_refs, entity="location", field="network.location_refs"
    )
    row = _insert(
        session,
        Network(ref=network.ref, name=network.name, order_type=network.order_type),
        entity="network",
    )
    row.locations = locations
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class VirtualCatalogueSpec:
    """A network's view of stock, holding back extra units per location and product."""

    ref: str
    name: str
    network_ref: str
    extra_buffer_qty: int = 0
    category_buffer_qty: Mapping[str, int] = field(default_factory=dict)


def create_virtual_catalogue(
    session: Session, virtual_catalogue: VirtualCatalogueSpec
) -> VirtualCatalogue:
    """Create a virtual catalogue over an existing network."""
    network = find_by_ref(
        session,
        Network,
        virtual_catalogue.network_ref,
        entity="network",
        field="virtual_catalogue.network_ref",
    )
    row = VirtualCatalogue(
        ref=virtual_catalogue.ref,
        name=virtual_catalogue.name,
        network_id=network.id,
        extra_buffer_qty=virtual_catalogue.extra_buffer_qty,
        category_buffers=dict(virtual_catalogue.category_buffer_qty),
    )
    return _insert(session, row, entity="virtual catalogue")


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """A product and its list price in minor units of ``currency``."""

    ref: str
    name: str
    price_minor: int
    currency: str
    category: str | None = None
    weight_grams: int | None = None  # one unit's weight


def create_product(session: Session, product: ProductSpec) -> Product:
    """Create a product."""
    row = Product(
        ref=product.ref,
        name=product.name,
        category=product.category,
        price_minor=product.price_minor,
        currency=product.currency,
        weight_grams=product.weight_grams,
    )
    return _insert(session, row, entity="product")


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    """A customer and its service tier."""

    ref: str
    tier: CustomerTier = CustomerTier.STANDARD


def upsert_customer(session: Session, customer: CustomerSpec) -> tuple[Customer, bool]:
    """Create the customer, or replace the stored one with its ref; True when created."""
    stmt = select(Customer).where(Customer.ref == customer.ref)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                row = Customer(ref=customer.ref, tier=customer.tier)
                session.add(row)
            return row, True
        except IntegrityError:  # created concurrently: replace that one
            row = session.scalars(stmt).one()
    row.tier = customer.tier
    session.flush()
    return row, False


class WebhookEventType(StrEnum):
    """An event the engine announces by webhook; stored by name in a subscription."""

    ORDER_STATUS_CHANGED = "ORDER_STATUS_CHANGED"
    FULFILMENT_CREATED = "FULFILMENT_CREATED"
    FULFILMENT_STATUS_CHANGED = "FULFILMENT_STATUS_CHANGED"
    CONSIGNMENT_CREATED = "CONSIGNMENT_CREATED"
    RETURN_STATUS_CHANGED = "RETURN_STATUS_CHANGED"
    INVENTORY_CHANGED = "INVENTORY_CHANGED"
    CONSIGNMENT_STATUS_CHANGED = "CONSIGNMENT_STATUS_CHANGED"


@dataclass(frozen=True, slots=True)
class WebhookSpec:
    """A URL to POST events to, signed with ``secret``; no ``event_types`` means every event."""

    url: str
    secret: str
    event_types: tuple[WebhookEventType, ...] = ()


def create_webhook_subscription(session: Session, subscription: WebhookSpec) -> WebhookSubscription:
    """Subscribe a URL to webhook events."""
    row = WebhookSubscription(
        url=subscription.url,
        secret=subscription.secret,
        event_types=[event.value for event in subscription.event_types],
    )
    session.add(row)
    session.flush()
    return row


def list_webhook_subscriptions(session: Session) -> list[WebhookSubscription]:
    """Every webhook subscription, oldest first."""
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))

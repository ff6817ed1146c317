"""Tiny hand-built rows for the persistence tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sourcing.models import (
    Fulfilment,
    FulfilmentLine,
    InventoryPosition,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Product,
)
from sourcing.models.inventory.day_load import count_new
from sourcing.models.inventory.inventory import set_stock


def add_location(session: Session, ref: str = "WH_1", **fields: object) -> Location:
    """A warehouse at the origin unless ``fields`` say otherwise."""
    values: dict[str, object] = {
        "name": ref,
        "type": LocationType.WAREHOUSE,
        "latitude": 0.0,
        "longitude": 0.0,
    }
    values.update(fields)
    location = Location(ref=ref, **values)
    session.add(location)
    session.flush()
    return location


def add_product(session: Session, ref: str = "SKU_1", **fields: object) -> Product:
    """A product priced 10.00 EUR unless ``fields`` say otherwise."""
    values: dict[str, object] = {"name": ref, "price_minor": 1000, "currency": "EUR"}
    values.update(fields)
    product = Product(ref=ref, **values)
    session.add(product)
    session.flush()
    return product


def add_position(
    session: Session, product: Product, location: Location, on_hand: int, buffer_qty: int = 0
) -> InventoryPosition:
    """A position holding ``on_hand`` units, set through the ledger."""
    position = InventoryPosition(product=product, location=location, buffer_qty=buffer_qty)
    session.add(position)
    session.flush()
    if on_hand:
        set_stock(session, position.id, on_hand, reason="test stock")
    return position


def add_fulfilment(
    session: Session, location: Location, product: Product, quantity: int, ref: str = "O_1"
) -> Fulfilment:
    """A one-line HD order for ``quantity`` units and its fulfilment at ``location``."""
    line = OrderLine(
        ref="1", product=product, quantity=quantity, unit_price_minor=1000, currency="EUR"
    )
    order = Order(
        ref=ref,
        type=OrderType.HD,
        delivery_latitude=1.0,
        delivery_longitude=1.0,
        request_hash="0" * 64,
        lines=[line],
    )
    fulfilment = Fulfilment(
        order=order,
        location=location,
        type=OrderType.HD,
        lines=[FulfilmentLine(order_line=line, quantity=quantity)],
    )
    session.add(fulfilment)
    session.flush()
    # As plan_store does for every fulfilment it stores: daily capacity counts it.
    count_new(session, [(fulfilment.location_id, fulfilment.created_at, fulfilment.type)])
    return fulfilment

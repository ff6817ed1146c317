"""Store scope: a caller limited to some locations acts only on records there.

The check runs before the use case, on the request as sent: every
``location_ref``/``location_refs`` anywhere in it must be in scope, and
every fulfilment, article and consignment it names (and the order of an
order-level call) must be at an allowed location. These records never move
between locations, so checking first and acting in the use case's own
transaction cannot be raced. List calls of a scoped caller are narrowed to
its locations by filling the request's location filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access.scope import locations_named, order_locations
from sourcing.server.auth.identity import Identity


class OutOfScope(Exception):  # noqa: N818 - named as the caller sees it
    """The call names a record at a location the caller may not act on."""


# List calls whose location filter is filled in for a scoped caller.
_LIST_FILTERS = {
    "/sourcing.v1.OrderService/ListOrders": "location_ref",
    "/sourcing.v1.InventoryService/ListReservations": "location_ref",
    "/sourcing.v1.InventoryService/GetAvailability": "location_refs",
}
_ID_FIELDS = ("fulfilment_id", "article_ids", "consignment_id")


def _values(message: Message, wanted: set[str]) -> Iterator[tuple[str, Any]]:
    """(field name, scalar value) for every set field named in ``wanted``, at any depth."""
    for field, value in message.ListFields():
        repeated = field.is_repeated
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                continue
            for child in value if repeated else [value]:
                yield from _values(child, wanted)
        elif field.name in wanted:
            for item in value if repeated else [value]:
                yield field.name, item


def _narrow_list(method: str, request: Message, identity: Identity) -> None:
    name = _LIST_FILTERS[method]
    allowed = sorted(identity.locations)
    if name.endswith("s"):
        if not getattr(request, name):
            getattr(request, name).extend(allowed)
        return
    if getattr(request, name):
        return
    if len(allowed) != 1:
        raise OutOfScope(f"{name}: name one of your locations ({', '.join(allowed)})")
    setattr(request, name, allowed[0])


def check_scope(
    sessions: sessionmaker[Session], identity: Identity, method: str, request: Message
) -> None:
    """Raise :class:`OutOfScope` when a scoped caller's request reaches another location."""
    if not identity.scoped:
        return
    if method in _LIST_FILTERS:
        _narrow_list(method, request, identity)
    named: dict[str, list[int]] = {name: [] for name in _ID_FIELDS}
    for name, value in _values(request, {"location_ref", "location_refs", *_ID_FIELDS}):
        if name.startswith("location_ref"):
            if value and value not in identity.locations:
                raise OutOfScope(f"{name}: location {value!r} is outside your scope")
        elif str(value).isdigit() and len(str(value)) < 19:  # larger is no id (64-bit)
            named[name].append(int(value))
    found = locations_named(
        sessions,
        fulfilment_ids=named["fulfilment_id"],
        article_ids=named["article_ids"],
        consignment_ids=named["consignment_id"],
    )
    outside = found - identity.locations
    if outside:
        raise OutOfScope("the call names a record at a location outside your scope")
    order_ref = _top_level(request, "order_ref")
    # An order with no fulfilment at the caller's stores (or none at all) is not theirs.
    if order_ref and not order_locations(sessions, [order_ref]) & identity.locations:
        raise OutOfScope("order_ref: the order has no fulfilment at your locations")


def _top_level(request: Message, name: str) -> str:
    if name not in request.DESCRIPTOR.fields_by_name:
        return ""
    value = getattr(request, name)
    return value if isinstance(value, str) else ""

"""OrderService requests -> the inputs of the lifecycle functions in ``sourcing.models``.

Each function checks the fields the wire alone can judge (present, in
range, not repeated) and names a bad one by its request path; what only the
stored order can judge (is this a line of it? were that many delivered?)
the models check, naming the same paths.
"""

from __future__ import annotations

from collections.abc import Iterable

from sourcing.models.db.enums import OrderStatus, OrderType
from sourcing.models.orders.order_views import OrderFilter
from sourcing.models.orders.returns import ReceivedInput, ReturnInput, ReturnLineInput
from sourcing.models.orders.revisions import AddLine, RemoveLine, Revision, SetQuantity
from sourcing.models.orders.shipping import ConsignmentInput, ParcelInput
from sourcing.models.orders.source_call import LineInput
from sourcing.server.convert.fields import (
    URL_LENGTH,
    check_count,
    check_name,
    enum_from_proto,
    money_from_proto,
    optional_ref,
    require_ref,
)
from sourcing.server.convert.orders import MAX_QUANTITY
from sourcing.server.errors import FieldError
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2


def entity_id(value: str, field: str) -> int:
    """A server-assigned id from the wire, where ids are decimal strings."""
    if not value:
        raise FieldError(field, "Expected an id, got an empty string.")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise FieldError(field, f"Expected an id such as '42', got {value!r}.")
    return int(value)


def line_quantities(
    items: Iterable[common_pb2.LineQuantity], field: str, *, minimum: int
) -> dict[str, int]:
    """Units per order line ref, each line once, each count at least ``minimum``."""
    units: dict[str, int] = {}
    for i, item in enumerate(items):
        ref = require_ref(item.line_ref, f"{field}[{i}].line_ref")
        if ref in units:
            raise FieldError(f"{field}[{i}].line_ref", f"Expected each line once; {ref!r} repeats.")
        units[ref] = check_count(item.quantity, f"{field}[{i}].quantity", minimum=minimum)
    return units


def parcels_from_proto(request: orders_pb2.PackFulfilmentRequest) -> list[ParcelInput]:
    """The parcels of a pack, at least one, each holding at least one unit."""
    if not request.articles:
        raise FieldError("articles", "Expected at least one article (parcel).")
    parcels = []
    for i, article in enumerate(request.articles):
        field = f"articles[{i}].lines"
        if not article.lines:
            raise FieldError(field, "Expected at least one line in the parcel.")
        units = line_quantities(article.lines, field, minimum=1)
        weight = check_count(article.weight_grams, f"articles[{i}].weight_grams")
        parcels.append(ParcelInput(tuple(units.items()), weight or None))
    return parcels


def consignment_from_proto(request: orders_pb2.CreateConsignmentRequest) -> ConsignmentInput:
    """A consignment over at least one article, each named once."""
    if not request.article_ids:
        raise FieldError("article_ids", "Expected at least one article id.")
    ids = [entity_id(value, f"article_ids[{i}]") for i, value in enumerate(request.article_ids)]
    if len(set(ids)) != len(ids):
        raise FieldError("article_ids", "Expected each article once.")
    return ConsignmentInput(
        carrier=check_name(request.carrier, "carrier", required=True),
        tracking_ref=require_ref(request.tracking_ref, "tracking_ref"),
        tracking_url=check_name(request.tracking_url, "tracking_url", max_length=URL_LENGTH)
        or None,
        article_ids=tuple(ids),
        request_id=optional_ref(request.request_id, "request_id"),
    )


def line_from_proto(line: domain_pb2.OrderLine, field: str) -> LineInput:
    """A new order line; an empty currency means the order's."""
    amount, currency = money_from_proto(
        line.unit_price, f"{field}.unit_price", currency_required=False
    )
    if not 1 <= line.quantity <= MAX_QUANTITY:
        raise FieldError(
            f"{field}.quantity", f"Expected 1 to {MAX_QUANTITY} units, got {line.quantity}."
        )
    return LineInput(
        ref=require_ref(line.ref, f"{field}.ref"),
        product_ref=require_ref(line.product_ref, f"{field}.product_ref"),
        quantity=line.quantity,
        unit_price_minor=amount,
        currency=currency,
        category=optional_ref(line.category, f"{field}.category"),
    )


def revisions_from_proto(request: orders_pb2.ReviseOrderRequest) -> tuple[Revision, ...]:
    """The changes of a revision, at least one, each with its change set."""
    if not request.revisions:
        raise FieldError("revisions", "Expected at least one revision.")
    revisions: list[Revision] = []
    for i, revision in enumerate(request.revisions):
        at = f"revisions[{i}]"
        kind = revision.WhichOneof("change")
        if kind == "add_line":
            revisions.append(AddLine(line_from_proto(revision.add_line, f"{at}.add_line")))
        elif kind == "remove_line_ref":
            revisions.append(
                RemoveLine(require_ref(revision.remove_line_ref, f"{at}.remove_line_ref"))
            )
        elif kind == "set_quantity":
            change = revision.set_quantity
            revisions.append(
                SetQuantity(
                    require_ref(change.line_ref, f"{at}.set_quantity.line_ref"),
                    check_count(change.quantity, f"{at}.set_quantity.quantity", minimum=1),
                )
            )
        else:
            raise FieldError(at, "Expected one of add_line, remove_line_ref or set_quantity.")
    return tuple(revisions)


def return_from_proto(request: orders_pb2.CreateReturnRequest) -> ReturnInput:
    """A return to create: its ref, its order and at least one line with a reason."""
    if not request.HasField("return_order"):
        raise FieldError("return_order", "Expected a return order.")
    msg = request.return_order
    if not msg.lines:
        raise FieldError("return_order.lines", "Expected at least one line.")
    lines = []
    for i, line in enumerate(msg.lines):
        at = f"return_order.lines[{i}]"
        lines.append(
            ReturnLineInput(
                line_ref=require_ref(line.order_line_ref, f"{at}.order_line_ref"),
                quantity=check_count(line.quantity, f"{at}.quantity", minimum=1),
                reason=check_name(line.reason, f"{at}.reason", required=True),
            )
        )
    return ReturnInput(
        ref=require_ref(msg.ref, "return_order.ref"),
        order_ref=require_ref(msg.order_ref, "return_order.order_ref"),
        lines=tuple(lines),
    )


def received_from_proto(request: orders_pb2.ReceiveReturnRequest) -> list[ReceivedInput]:
    """What arrived of a return: at least one line of at least one unit."""
    if not request.lines:
        raise FieldError("lines", "Expected at least one line received.")
    return [
        ReceivedInput(
            line_ref=require_ref(line.order_line_ref, f"lines[{i}].order_line_ref"),
            quantity=check_count(line.quantity, f"lines[{i}].quantity", minimum=1),
            resellable=line.resellable,
        )
        for i, line in enumerate(request.lines)
    ]


def order_filter_from_proto(request: orders_pb2.ListOrdersRequest) -> OrderFilter:
    """The filters of a list call; unset ones match everything."""
    statuses = tuple(
        enum_from_proto(value, common_pb2.OrderStatus, OrderStatus, f"statuses[{i}]")
        for i, value in enumerate(request.statuses)
    )
    order_type = None
    if request.type:
        order_type = enum_from_proto(request.type, common_pb2.OrderType, OrderType, "type")
    return OrderFilter(
        statuses=statuses,
        type=order_type,
        customer_ref=optional_ref(request.customer_ref, "customer_ref"),
        location_ref=optional_ref(request.location_ref, "location_ref"),
    )

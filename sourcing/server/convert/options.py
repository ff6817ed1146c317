"""GetFulfilmentOptions: the request into an ``OptionsInput``, the options into the response."""

from __future__ import annotations

from datetime import UTC

from sourcing.models.db.enums import OrderType
from sourcing.models.orders.options import (
    DEFAULT_MAX_OPTIONS,
    DEFAULT_RADIUS_KM,
    OPTIONS_REF,
    CollectionChoice,
    DeliveryChoice,
    FulfilmentOptions,
    OptionsInput,
)
from sourcing.server.convert.fields import timestamp
from sourcing.server.convert.orders import order_from_proto, plan_to_proto
from sourcing.server.errors import FieldError
from sourcing.v1 import common_pb2, domain_pb2, sourcing_pb2

_TYPES = {common_pb2.ORDER_TYPE_HD: OrderType.HD, common_pb2.ORDER_TYPE_CC: OrderType.CC}


def options_from_proto(request: sourcing_pb2.GetFulfilmentOptionsRequest) -> OptionsInput:
    """The cart and the question, every field checked (paths as in the request)."""
    if not request.HasField("customer_position"):
        raise FieldError("customer_position", "is required")
    types = []
    for i, value in enumerate(request.order_types):
        if value not in _TYPES:
            raise FieldError(f"order_types[{i}]", "must be ORDER_TYPE_HD or ORDER_TYPE_CC")
        types.append(_TYPES[value])
    # The cart checked as the HD order it may become, so its limits are Source's.
    as_order = domain_pb2.Order(
        ref=OPTIONS_REF,
        type=common_pb2.ORDER_TYPE_HD,
        lines=request.lines,
        delivery_point=request.customer_position,
        customer=domain_pb2.Customer(tier=request.customer_tier),
    )
    if request.HasField("need_by_time"):
        as_order.need_by.CopyFrom(request.need_by_time)
    try:
        cart = order_from_proto(as_order, field="cart")
    except FieldError as exc:
        path = exc.field.removeprefix("cart.").replace("delivery_point", "customer_position")
        raise FieldError(path.replace("customer.tier", "customer_tier"), exc.description) from None
    assert cart.delivery_point is not None  # an HD order always has one
    return OptionsInput(
        lines=cart.lines,
        position=cart.delivery_point,
        order_types=tuple(dict.fromkeys(types)) or (OrderType.HD, OrderType.CC),
        collection_location_refs=tuple(request.collection_location_refs),
        radius_km=request.radius_km or DEFAULT_RADIUS_KM,
        max_options=request.max_options or DEFAULT_MAX_OPTIONS,
        customer_tier=cart.customer_tier,
        need_by=request.need_by_time.ToDatetime(tzinfo=UTC)
        if request.HasField("need_by_time")
        else None,
    )


def _collection(choice: CollectionChoice) -> sourcing_pb2.CollectionOption:
    return sourcing_pb2.CollectionOption(
        location_ref=choice.location_ref,
        price=common_pb2.Money(amount_minor=choice.price_minor, currency=choice.currency),
        distance_km=choice.distance_km,
        ready_time=timestamp(choice.ready_at),
        needs_transfer=choice.needs_transfer,
        whole_cart=choice.whole_cart,
        missing=[
            common_pb2.LineQuantity(line_ref=ref, quantity=qty)
            for ref, qty in sorted(choice.missing.items())
        ],
    )


def _delivery(choice: DeliveryChoice) -> sourcing_pb2.DeliveryOption:
    earliest, latest = choice.dates()
    plan = plan_to_proto(
        choice.plan, order_type=OrderType.HD, fulfilment_ids={}, profile_version=0, explain=False
    )
    return sourcing_pb2.DeliveryOption(
        name=choice.name,
        price=common_pb2.Money(amount_minor=choice.price_minor, currency=choice.currency),
        parcels=choice.parcels,
        earliest_delivery_time=timestamp(earliest),
        latest_delivery_time=timestamp(latest),
        fulfilments=plan.fulfilments,
        unserved_units=choice.plan.rejected_units,
    )


def options_to_proto(options: FulfilmentOptions) -> sourcing_pb2.GetFulfilmentOptionsResponse:
    """The options as answered."""
    return sourcing_pb2.GetFulfilmentOptionsResponse(
        collection=[_collection(c) for c in options.collection],
        delivery=[_delivery(d) for d in options.delivery],
    )


__all__ = ["options_from_proto", "options_to_proto"]

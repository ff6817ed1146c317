"""The limits of every request field of every RPC, in one table.

Keys are ``Message.field`` with the message's name inside ``sourcing.v1``.
Every string, number, duration, timestamp and repeated field reachable from a
request has an entry (a test walks the proto to hold this), so nothing a
caller sends reaches the engine unbounded. Required-ness that depends on other
fields (a CC order's collection location) stays with the converters; these
limits are the outer bounds that hold wherever a field appears. Each limit is
also written in the proto comments as ``// Limit: <describe()>``.
"""

from __future__ import annotations

from sourcing.server.boundary.kinds import (
    MAX_INT32,
    Chars,
    Int,
    Items,
    Limit,
    Mapping,
    Mask,
    Moment,
    OutputOnly,
    Real,
    Span,
    Text,
)

MAX_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_BATCH_ORDERS = 20_000
MAX_PAGE_SIZE = 1000
MAX_TIME_LIMIT_S = 3600
MAX_SCENARIO_CHARS = 200_000

REF = Text(64, Chars.REF)
ID = Text(18, Chars.DIGITS)
TOKEN = Text(18, Chars.DIGITS)
NAME = Text(200)
CATEGORY = Text(64)
URL = Text(2000, Chars.REF)
CURRENCY = Text(3, Chars.UPPER, exact=True)
COUNT = Int(0, MAX_INT32)
POSITIVE = Int(1, MAX_INT32)
QUANTITY = Int(1, MAX_QUANTITY)
UNITS = Int(0, MAX_QUANTITY)
WEIGHT = Real(0, 1e9)
SHARE = Real(0, 1)
STATUSES = Items(32)
OUT = OutputOnly()
LINES = Items(MAX_LINES)
REFS = Items(10_000, REF)
PAGE = Int(0, MAX_PAGE_SIZE)

_WEIGHTS = [
    "fixed",
    "handling",
    "shipping",
    "distance",
    "split",
    "speed",
    "ideal_stock",
    "markdown",
    "overstock",
    "stock_age",
    "sell_through",
    "vip_service",
    "rejection",
]

LIMITS: dict[str, Limit] = {
    # common.proto
    "Money.amount_minor": COUNT,
    "Money.currency": CURRENCY,
    "GeoPoint.latitude": Real(-90, 90),
    "GeoPoint.longitude": Real(-180, 180),
    "LineQuantity.line_ref": REF,
    "LineQuantity.quantity": UNITS,
    # domain.proto
    "Order.ref": REF,
    "Order.lines": LINES,
    "Order.collection_location_ref": REF,
    "Order.need_by": Moment(),
    "Order.priority": Int(-MAX_INT32, MAX_INT32),
    "Order.status": OUT,
    "Order.fulfilments": OUT,
    "Order.consignments": OUT,
    "Order.return_orders": OUT,
    "Order.create_time": OUT,
    "Order.update_time": OUT,
    "OrderLine.ref": REF,
    "OrderLine.product_ref": REF,
    "OrderLine.quantity": QUANTITY,
    "OrderLine.category": CATEGORY,
    "OrderLine.cancelled_quantity": OUT,
    "Customer.ref": REF,
    "Customer.name": NAME,
    "Article.id": OUT,
    "Article.fulfilment_id": OUT,
    "Article.lines": LINES,
    "Article.weight_grams": COUNT,
    "Article.consignment_id": OUT,
    "ReturnOrder.ref": REF,
    "ReturnOrder.order_ref": REF,
    "ReturnOrder.status": OUT,
    "ReturnOrder.lines": LINES,
    "ReturnOrder.location_ref": OUT,
    "ReturnOrder.refund": OUT,
    "ReturnOrder.create_time": OUT,
    "ReturnOrder.receive_time": OUT,
    "ReturnLine.order_line_ref": REF,
    "ReturnLine.product_ref": OUT,
    "ReturnLine.quantity": QUANTITY,
    "ReturnLine.reason": NAME,
    "ReturnLine.received_quantity": OUT,
    "ReturnLine.restocked_quantity": OUT,
    # sourcing.proto
    "SourceRequest.weight_overrides": Mapping(len(_WEIGHTS), CATEGORY, WEIGHT),
    "SourceRequest.split_limit": Int(1, MAX_LINES),
    "SourceRequest.request_id": REF,
    "ReassignRequest.fulfilment_id": ID,
    "ReassignRequest.lines": LINES,
    "ReassignRequest.reason": NAME,
    "ReassignRequest.request_id": REF,
    "SourceBatchRequest.orders": Items(MAX_BATCH_ORDERS),
    "SourceBatchRequest.weight_overrides": Mapping(len(_WEIGHTS), CATEGORY, WEIGHT),
    "SourceBatchRequest.split_limit": Int(1, MAX_LINES),
    "SourceBatchRequest.time_limit": Span(MAX_TIME_LIMIT_S),
    "SourceBatchRequest.request_id": REF,
    "RebalanceRequest.order_refs": Items(MAX_BATCH_ORDERS, REF),
    "RebalanceRequest.time_limit": Span(MAX_TIME_LIMIT_S),
    "RebalanceRequest.request_id": REF,
    # orders.proto
    "GetOrderRequest.order_ref": REF,
    "ListOrdersRequest.statuses": STATUSES,
    "ListOrdersRequest.customer_ref": REF,
    "ListOrdersRequest.location_ref": REF,
    "ListOrdersRequest.page_size": PAGE,
    "ListOrdersRequest.page_token": TOKEN,
    "AcknowledgeFulfilmentRequest.fulfilment_id": ID,
    "ConfirmPickRequest.fulfilment_id": ID,
    "ConfirmPickRequest.picked_lines": LINES,
    "PackFulfilmentRequest.fulfilment_id": ID,
    "PackFulfilmentRequest.articles": LINES,
    "MarkReadyForCollectionRequest.fulfilment_id": ID,
    "CreateConsignmentRequest.carrier": NAME,
    "CreateConsignmentRequest.tracking_ref": NAME,
    "CreateConsignmentRequest.tracking_url": URL,
    "CreateConsignmentRequest.article_ids": Items(MAX_LINES, ID),
    "CreateConsignmentRequest.request_id": REF,
    "MarkCollectedRequest.fulfilment_id": ID,
    "MarkDispatchedRequest.fulfilment_id": ID,
    "MarkConsignmentDeliveredRequest.consignment_id": ID,
    "RejectFulfilmentRequest.fulfilment_id": ID,
    "RejectFulfilmentRequest.location_ref": REF,
    "RejectFulfilmentRequest.reason": NAME,
    "CancelOrderRequest.order_ref": REF,
    "CancelOrderRequest.lines": LINES,
    "CancelOrderRequest.reason": NAME,
    "CancelOrderRequest.request_id": REF,
    "ReviseOrderRequest.order_ref": REF,
    "ReviseOrderRequest.revisions": LINES,
    "ReviseOrderRequest.request_id": REF,
    "OrderRevision.remove_line_ref": REF,
    "ReceiveReturnRequest.return_ref": REF,
    "ReceiveReturnRequest.location_ref": REF,
    "ReceiveReturnRequest.lines": LINES,
    "ReceivedReturnLine.order_line_ref": REF,
    "ReceivedReturnLine.quantity": QUANTITY,
    # inventory.proto
    "SetStockRequest.positions": Items(10_000),
    "StockPosition.location_ref": REF,
    "StockPosition.product_ref": REF,
    "StockPosition.on_hand": COUNT,
    "StockPosition.buffer_qty": COUNT,
    "StockPosition.ideal_qty": COUNT,
    "StockPosition.markdown": SHARE,
    "StockPosition.sell_through": SHARE,
    "StockPosition.stock_age_days": Real(0, 100_000),
    "StockPosition.reserved": OUT,
    "StockPosition.available": OUT,
    "StockPosition.update_time": OUT,
    "AdjustStockRequest.location_ref": REF,
    "AdjustStockRequest.product_ref": REF,
    "AdjustStockRequest.delta": Int(-MAX_INT32, MAX_INT32),
    "AdjustStockRequest.reason": NAME,
    "AdjustStockRequest.request_id": REF,
    "SetInTransitRequest.location_ref": REF,
    "SetInTransitRequest.product_ref": REF,
    "SetInTransitRequest.arrivals": Items(1000),
    "InTransitArrival.quantity": POSITIVE,
    "InTransitArrival.arrival_time": Moment(),
    "GetAvailabilityRequest.product_refs": REFS,
    "GetAvailabilityRequest.location_refs": REFS,
    "GetAvailabilityRequest.network_refs": REFS,
    "GetAvailabilityRequest.virtual_catalogue_refs": REFS,
    "ListReservationsRequest.location_ref": REF,
    "ListReservationsRequest.product_ref": REF,
    "ListReservationsRequest.order_ref": REF,
    "ListReservationsRequest.fulfilment_id": ID,
    "ListReservationsRequest.types": STATUSES,
    "ListReservationsRequest.statuses": STATUSES,
    "ListReservationsRequest.page_size": PAGE,
    "ListReservationsRequest.page_token": TOKEN,
    # config.proto
    "Location.ref": REF,
    "Location.name": NAME,
    "Location.latitude": Real(-90, 90),
    "Location.longitude": Real(-180, 180),
    "Location.network_refs": Items(1000, REF),
    "Location.shipping_cost_per_unit_km": Real(0, 1e9),
    "Location.pick_pack_hours": Real(0, 8760),
    "Location.daily_capacity": COUNT,
    "Location.daily_capacity_hd": COUNT,
    "Location.daily_capacity_cc": COUNT,
    "Location.open_order_limit": COUNT,
    "Location.create_time": OUT,
    "Location.update_time": OUT,
    "UpdateLocationRequest.update_mask": Mask(32),
    "ListLocationsRequest.refs": Items(MAX_PAGE_SIZE, REF),
    "ListLocationsRequest.network_ref": REF,
    "ListLocationsRequest.page_size": PAGE,
    "ListLocationsRequest.page_token": TOKEN,
    "Network.ref": REF,
    "Network.name": NAME,
    "Network.location_refs": REFS,
    "VirtualCatalogue.ref": REF,
    "VirtualCatalogue.name": NAME,
    "VirtualCatalogue.network_ref": REF,
    "VirtualCatalogue.extra_buffer_qty": COUNT,
    "VirtualCatalogue.category_buffer_qty": Mapping(1000, CATEGORY, COUNT),
    "Product.ref": REF,
    "Product.name": NAME,
    "Product.category": CATEGORY,
    "SourcingProfile.version": OUT,
    "SourcingProfile.active": OUT,
    "SourcingProfile.split_limit": Int(1, MAX_LINES),
    "SourcingProfile.create_time": OUT,
    **{f"SourcingWeights.{name}": WEIGHT for name in _WEIGHTS},
    "SourcingRules.vip_only_product_refs": REFS,
    "SourcingRules.vip_reserve_qty": Mapping(10_000, REF, COUNT),
    "SourcingRules.cc_only_product_refs": REFS,
    "SourcingRules.excluded_product_refs": REFS,
    "SourcingRules.excluded_categories": Items(1000, CATEGORY),
    "SourcingRules.excluded_location_refs": REFS,
    "SourcingRules.hd_open_order_limit": COUNT,
    "SourcingRules.flagship_extra_buffer": COUNT,
    "SourcingRules.rejection_location_ref": REF,
    "SourcingRules.sla_slack_minutes": COUNT,
    "SourcingRules.cancellable_statuses": STATUSES,
    "SourcingRules.revisable_statuses": STATUSES,
    "SourcingRules.network_ref": REF,
    "GetSourcingProfileRequest.version": COUNT,
    "WebhookSubscription.id": OUT,
    "WebhookSubscription.url": URL,
    "WebhookSubscription.secret": NAME,
    "WebhookSubscription.event_types": STATUSES,
    "WebhookSubscription.create_time": OUT,
    # simulation.proto
    "StartSimulationRequest.window_start": Moment(),
    "StartSimulationRequest.window_end": Moment(),
    "StartSimulationRequest.scenarios_toml": Text(MAX_SCENARIO_CHARS, Chars.DOCUMENT),
    "StartSimulationRequest.requested_by": NAME,
    "GetSimulationRequest.id": ID,
    "ListSimulationsRequest.page_size": PAGE,
    "ListSimulationsRequest.page_token": TOKEN,
    "CancelSimulationRequest.id": ID,
}

from sourcing.v1 import common_pb2 as _common_pb2
from sourcing.v1 import domain_pb2 as _domain_pb2
from sourcing.v1 import plan_pb2 as _plan_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetOrderRequest(_message.Message):
    __slots__ = ("order_ref",)
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    order_ref: str
    def __init__(self, order_ref: _Optional[str] = ...) -> None: ...

class GetOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _domain_pb2.Order
    def __init__(self, order: _Optional[_Union[_domain_pb2.Order, _Mapping]] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("statuses", "type", "customer_ref", "location_ref", "page_size", "page_token")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_REF_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.OrderStatus]
    type: _common_pb2.OrderType
    customer_ref: str
    location_ref: str
    page_size: int
    page_token: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[_common_pb2.OrderStatus, str]]] = ..., type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., customer_ref: _Optional[str] = ..., location_ref: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[_domain_pb2.Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcknowledgeFulfilmentRequest(_message.Message):
    __slots__ = ("fulfilment_id",)
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    def __init__(self, fulfilment_id: _Optional[str] = ...) -> None: ...

class AcknowledgeFulfilmentResponse(_message.Message):
    __slots__ = ("fulfilment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class ConfirmPickRequest(_message.Message):
    __slots__ = ("fulfilment_id", "picked_lines")
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PICKED_LINES_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    picked_lines: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    def __init__(self, fulfilment_id: _Optional[str] = ..., picked_lines: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ...) -> None: ...

class ConfirmPickResponse(_message.Message):
    __slots__ = ("fulfilment", "reassignment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    REASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    reassignment: _plan_pb2.Plan
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., reassignment: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class PackFulfilmentRequest(_message.Message):
    __slots__ = ("fulfilment_id", "articles")
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    articles: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Article]
    def __init__(self, fulfilment_id: _Optional[str] = ..., articles: _Optional[_Iterable[_Union[_domain_pb2.Article, _Mapping]]] = ...) -> None: ...

class PackFulfilmentResponse(_message.Message):
    __slots__ = ("fulfilment", "articles", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    articles: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Article]
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., articles: _Optional[_Iterable[_Union[_domain_pb2.Article, _Mapping]]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class MarkReadyForCollectionRequest(_message.Message):
    __slots__ = ("fulfilment_id",)
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    def __init__(self, fulfilment_id: _Optional[str] = ...) -> None: ...

class MarkReadyForCollectionResponse(_message.Message):
    __slots__ = ("fulfilment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class CreateConsignmentRequest(_message.Message):
    __slots__ = ("carrier", "tracking_ref", "tracking_url", "article_ids", "request_id")
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_REF_FIELD_NUMBER: _ClassVar[int]
    TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    tracking_ref: str
    tracking_url: str
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, carrier: _Optional[str] = ..., tracking_ref: _Optional[str] = ..., tracking_url: _Optional[str] = ..., article_ids: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateConsignmentResponse(_message.Message):
    __slots__ = ("consignment", "fulfilments")
    CONSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    consignment: _domain_pb2.Consignment
    fulfilments: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Fulfilment]
    def __init__(self, consignment: _Optional[_Union[_domain_pb2.Consignment, _Mapping]] = ..., fulfilments: _Optional[_Iterable[_Union[_domain_pb2.Fulfilment, _Mapping]]] = ...) -> None: ...

class MarkCollectedRequest(_message.Message):
    __slots__ = ("fulfilment_id",)
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    def __init__(self, fulfilment_id: _Optional[str] = ...) -> None: ...

class MarkCollectedResponse(_message.Message):
    __slots__ = ("fulfilment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class MarkDispatchedRequest(_message.Message):
    __slots__ = ("fulfilment_id",)
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    def __init__(self, fulfilment_id: _Optional[str] = ...) -> None: ...

class MarkDispatchedResponse(_message.Message):
    __slots__ = ("fulfilment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class MarkConsignmentDeliveredRequest(_message.Message):
    __slots__ = ("consignment_id",)
    CONSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    consignment_id: str
    def __init__(self, consignment_id: _Optional[str] = ...) -> None: ...

class MarkConsignmentDeliveredResponse(_message.Message):
    __slots__ = ("consignment",)
    CONSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    consignment: _domain_pb2.Consignment
    def __init__(self, consignment: _Optional[_Union[_domain_pb2.Consignment, _Mapping]] = ...) -> None: ...

class RejectFulfilmentRequest(_message.Message):
    __slots__ = ("fulfilment_id", "location_ref", "reason")
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    location_ref: str
    reason: str
    def __init__(self, fulfilment_id: _Optional[str] = ..., location_ref: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectFulfilmentResponse(_message.Message):
    __slots__ = ("fulfilment", "reassignment", "order_status")
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    REASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    fulfilment: _domain_pb2.Fulfilment
    reassignment: _plan_pb2.Plan
    order_status: _common_pb2.OrderStatus
    def __init__(self, fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., reassignment: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., order_status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_ref", "lines", "reason", "request_id")
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_ref: str
    lines: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    reason: str
    request_id: str
    def __init__(self, order_ref: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelOrderResponse(_message.Message):
    __slots__ = ("order", "cancelled_lines", "refund", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_LINES_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: _domain_pb2.Order
    cancelled_lines: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    refund: _common_pb2.Money
    replayed: bool
    def __init__(self, order: _Optional[_Union[_domain_pb2.Order, _Mapping]] = ..., cancelled_lines: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class OrderRevision(_message.Message):
    __slots__ = ("add_line", "remove_line_ref", "set_quantity")
    ADD_LINE_FIELD_NUMBER: _ClassVar[int]
    REMOVE_LINE_REF_FIELD_NUMBER: _ClassVar[int]
    SET_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    add_line: _domain_pb2.OrderLine
    remove_line_ref: str
    set_quantity: _common_pb2.LineQuantity
    def __init__(self, add_line: _Optional[_Union[_domain_pb2.OrderLine, _Mapping]] = ..., remove_line_ref: _Optional[str] = ..., set_quantity: _Optional[_Union[_common_pb2.LineQuantity, _Mapping]] = ...) -> None: ...

class ReviseOrderRequest(_message.Message):
    __slots__ = ("order_ref", "revisions", "request_id")
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    REVISIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_ref: str
    revisions: _containers.RepeatedCompositeFieldContainer[OrderRevision]
    request_id: str
    def __init__(self, order_ref: _Optional[str] = ..., revisions: _Optional[_Iterable[_Union[OrderRevision, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReviseOrderResponse(_message.Message):
    __slots__ = ("order", "plan", "price_change", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: _domain_pb2.Order
    plan: _plan_pb2.Plan
    price_change: _common_pb2.Money
    replayed: bool
    def __init__(self, order: _Optional[_Union[_domain_pb2.Order, _Mapping]] = ..., plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., price_change: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CreateReturnRequest(_message.Message):
    __slots__ = ("return_order",)
    RETURN_ORDER_FIELD_NUMBER: _ClassVar[int]
    return_order: _domain_pb2.ReturnOrder
    def __init__(self, return_order: _Optional[_Union[_domain_pb2.ReturnOrder, _Mapping]] = ...) -> None: ...

class CreateReturnResponse(_message.Message):
    __slots__ = ("return_order", "replayed")
    RETURN_ORDER_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    return_order: _domain_pb2.ReturnOrder
    replayed: bool
    def __init__(self, return_order: _Optional[_Union[_domain_pb2.ReturnOrder, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ReceivedReturnLine(_message.Message):
    __slots__ = ("order_line_ref", "quantity", "resellable")
    ORDER_LINE_REF_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RESELLABLE_FIELD_NUMBER: _ClassVar[int]
    order_line_ref: str
    quantity: int
    resellable: bool
    def __init__(self, order_line_ref: _Optional[str] = ..., quantity: _Optional[int] = ..., resellable: _Optional[bool] = ...) -> None: ...

class ReceiveReturnRequest(_message.Message):
    __slots__ = ("return_ref", "location_ref", "lines")
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    return_ref: str
    location_ref: str
    lines: _containers.RepeatedCompositeFieldContainer[ReceivedReturnLine]
    def __init__(self, return_ref: _Optional[str] = ..., location_ref: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReceivedReturnLine, _Mapping]]] = ...) -> None: ...

class ReceiveReturnResponse(_message.Message):
    __slots__ = ("return_order", "refund")
    RETURN_ORDER_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    return_order: _domain_pb2.ReturnOrder
    refund: _common_pb2.Money
    def __init__(self, return_order: _Optional[_Union[_domain_pb2.ReturnOrder, _Mapping]] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

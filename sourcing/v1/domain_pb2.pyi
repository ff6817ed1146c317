import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sourcing.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConsignmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSIGNMENT_STATUS_UNSPECIFIED: _ClassVar[ConsignmentStatus]
    CONSIGNMENT_STATUS_CREATED: _ClassVar[ConsignmentStatus]
    CONSIGNMENT_STATUS_DISPATCHED: _ClassVar[ConsignmentStatus]
    CONSIGNMENT_STATUS_DELIVERED: _ClassVar[ConsignmentStatus]
    CONSIGNMENT_STATUS_CANCELLED: _ClassVar[ConsignmentStatus]

class ReturnStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_STATUS_UNSPECIFIED: _ClassVar[ReturnStatus]
    RETURN_STATUS_CREATED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RECEIVED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RESTOCKED: _ClassVar[ReturnStatus]
    RETURN_STATUS_CANCELLED: _ClassVar[ReturnStatus]
CONSIGNMENT_STATUS_UNSPECIFIED: ConsignmentStatus
CONSIGNMENT_STATUS_CREATED: ConsignmentStatus
CONSIGNMENT_STATUS_DISPATCHED: ConsignmentStatus
CONSIGNMENT_STATUS_DELIVERED: ConsignmentStatus
CONSIGNMENT_STATUS_CANCELLED: ConsignmentStatus
RETURN_STATUS_UNSPECIFIED: ReturnStatus
RETURN_STATUS_CREATED: ReturnStatus
RETURN_STATUS_RECEIVED: ReturnStatus
RETURN_STATUS_RESTOCKED: ReturnStatus
RETURN_STATUS_CANCELLED: ReturnStatus

class Customer(_message.Message):
    __slots__ = ("ref", "tier", "name")
    REF_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ref: str
    tier: _common_pb2.CustomerTier
    name: str
    def __init__(self, ref: _Optional[str] = ..., tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., name: _Optional[str] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("ref", "product_ref", "quantity", "unit_price", "category", "cancelled_quantity")
    REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ref: str
    product_ref: str
    quantity: int
    unit_price: _common_pb2.Money
    category: str
    cancelled_quantity: int
    def __init__(self, ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., category: _Optional[str] = ..., cancelled_quantity: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("ref", "type", "lines", "delivery_point", "collection_location_ref", "customer", "need_by", "priority", "status", "fulfilments", "consignments", "return_orders", "create_time", "update_time")
    REF_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_POINT_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    NEED_BY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    CONSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    RETURN_ORDERS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ref: str
    type: _common_pb2.OrderType
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    delivery_point: _common_pb2.GeoPoint
    collection_location_ref: str
    customer: Customer
    need_by: _timestamp_pb2.Timestamp
    priority: int
    status: _common_pb2.OrderStatus
    fulfilments: _containers.RepeatedCompositeFieldContainer[Fulfilment]
    consignments: _containers.RepeatedCompositeFieldContainer[Consignment]
    return_orders: _containers.RepeatedCompositeFieldContainer[ReturnOrder]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, ref: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., delivery_point: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., collection_location_ref: _Optional[str] = ..., customer: _Optional[_Union[Customer, _Mapping]] = ..., need_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., priority: _Optional[int] = ..., status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ..., fulfilments: _Optional[_Iterable[_Union[Fulfilment, _Mapping]]] = ..., consignments: _Optional[_Iterable[_Union[Consignment, _Mapping]]] = ..., return_orders: _Optional[_Iterable[_Union[ReturnOrder, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FulfilmentLine(_message.Message):
    __slots__ = ("line_ref", "product_ref", "quantity", "picked_quantity")
    LINE_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PICKED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_ref: str
    product_ref: str
    quantity: int
    picked_quantity: int
    def __init__(self, line_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., quantity: _Optional[int] = ..., picked_quantity: _Optional[int] = ...) -> None: ...

class Fulfilment(_message.Message):
    __slots__ = ("id", "order_ref", "location_ref", "type", "status", "lines", "due_time", "articles", "reassigned_from_fulfilment_id", "status_reason", "create_time", "update_time", "promised_time", "ready_by_time", "carrier_service")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    REASSIGNED_FROM_FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROMISED_TIME_FIELD_NUMBER: _ClassVar[int]
    READY_BY_TIME_FIELD_NUMBER: _ClassVar[int]
    CARRIER_SERVICE_FIELD_NUMBER: _ClassVar[int]
    id: str
    order_ref: str
    location_ref: str
    type: _common_pb2.OrderType
    status: _common_pb2.FulfilmentStatus
    lines: _containers.RepeatedCompositeFieldContainer[FulfilmentLine]
    due_time: _timestamp_pb2.Timestamp
    articles: _containers.RepeatedCompositeFieldContainer[Article]
    reassigned_from_fulfilment_id: str
    status_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    promised_time: _timestamp_pb2.Timestamp
    ready_by_time: _timestamp_pb2.Timestamp
    carrier_service: str
    def __init__(self, id: _Optional[str] = ..., order_ref: _Optional[str] = ..., location_ref: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., status: _Optional[_Union[_common_pb2.FulfilmentStatus, str]] = ..., lines: _Optional[_Iterable[_Union[FulfilmentLine, _Mapping]]] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., articles: _Optional[_Iterable[_Union[Article, _Mapping]]] = ..., reassigned_from_fulfilment_id: _Optional[str] = ..., status_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., promised_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ready_by_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., carrier_service: _Optional[str] = ...) -> None: ...

class Article(_message.Message):
    __slots__ = ("id", "fulfilment_id", "lines", "weight_grams", "consignment_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    CONSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    fulfilment_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    weight_grams: int
    consignment_id: str
    def __init__(self, id: _Optional[str] = ..., fulfilment_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ..., weight_grams: _Optional[int] = ..., consignment_id: _Optional[str] = ...) -> None: ...

class Consignment(_message.Message):
    __slots__ = ("id", "carrier", "tracking_ref", "tracking_url", "article_ids", "fulfilment_ids", "create_time", "status")
    ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_REF_FIELD_NUMBER: _ClassVar[int]
    TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    id: str
    carrier: str
    tracking_ref: str
    tracking_url: str
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    fulfilment_ids: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    status: ConsignmentStatus
    def __init__(self, id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking_ref: _Optional[str] = ..., tracking_url: _Optional[str] = ..., article_ids: _Optional[_Iterable[str]] = ..., fulfilment_ids: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[ConsignmentStatus, str]] = ...) -> None: ...

class ReturnLine(_message.Message):
    __slots__ = ("order_line_ref", "product_ref", "quantity", "reason", "received_quantity", "restocked_quantity")
    ORDER_LINE_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    order_line_ref: str
    product_ref: str
    quantity: int
    reason: str
    received_quantity: int
    restocked_quantity: int
    def __init__(self, order_line_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., quantity: _Optional[int] = ..., reason: _Optional[str] = ..., received_quantity: _Optional[int] = ..., restocked_quantity: _Optional[int] = ...) -> None: ...

class ReturnOrder(_message.Message):
    __slots__ = ("ref", "order_ref", "status", "lines", "location_ref", "refund", "create_time", "receive_time")
    REF_FIELD_NUMBER: _ClassVar[int]
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    ref: str
    order_ref: str
    status: ReturnStatus
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLine]
    location_ref: str
    refund: _common_pb2.Money
    create_time: _timestamp_pb2.Timestamp
    receive_time: _timestamp_pb2.Timestamp
    def __init__(self, ref: _Optional[str] = ..., order_ref: _Optional[str] = ..., status: _Optional[_Union[ReturnStatus, str]] = ..., lines: _Optional[_Iterable[_Union[ReturnLine, _Mapping]]] = ..., location_ref: _Optional[str] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

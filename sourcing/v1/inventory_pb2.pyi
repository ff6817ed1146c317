import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QuantityRecordType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUANTITY_RECORD_TYPE_UNSPECIFIED: _ClassVar[QuantityRecordType]
    QUANTITY_RECORD_TYPE_RESERVED: _ClassVar[QuantityRecordType]
    QUANTITY_RECORD_TYPE_SALE: _ClassVar[QuantityRecordType]
    QUANTITY_RECORD_TYPE_CORRECTION: _ClassVar[QuantityRecordType]

class QuantityRecordStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUANTITY_RECORD_STATUS_UNSPECIFIED: _ClassVar[QuantityRecordStatus]
    QUANTITY_RECORD_STATUS_ACTIVE: _ClassVar[QuantityRecordStatus]
    QUANTITY_RECORD_STATUS_INACTIVE: _ClassVar[QuantityRecordStatus]
QUANTITY_RECORD_TYPE_UNSPECIFIED: QuantityRecordType
QUANTITY_RECORD_TYPE_RESERVED: QuantityRecordType
QUANTITY_RECORD_TYPE_SALE: QuantityRecordType
QUANTITY_RECORD_TYPE_CORRECTION: QuantityRecordType
QUANTITY_RECORD_STATUS_UNSPECIFIED: QuantityRecordStatus
QUANTITY_RECORD_STATUS_ACTIVE: QuantityRecordStatus
QUANTITY_RECORD_STATUS_INACTIVE: QuantityRecordStatus

class StockPosition(_message.Message):
    __slots__ = ("location_ref", "product_ref", "on_hand", "buffer_qty", "ideal_qty", "markdown", "sell_through", "stock_age_days", "reserved", "available", "update_time")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    BUFFER_QTY_FIELD_NUMBER: _ClassVar[int]
    IDEAL_QTY_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_FIELD_NUMBER: _ClassVar[int]
    SELL_THROUGH_FIELD_NUMBER: _ClassVar[int]
    STOCK_AGE_DAYS_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    product_ref: str
    on_hand: int
    buffer_qty: int
    ideal_qty: int
    markdown: float
    sell_through: float
    stock_age_days: float
    reserved: int
    available: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., on_hand: _Optional[int] = ..., buffer_qty: _Optional[int] = ..., ideal_qty: _Optional[int] = ..., markdown: _Optional[float] = ..., sell_through: _Optional[float] = ..., stock_age_days: _Optional[float] = ..., reserved: _Optional[int] = ..., available: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetStockRequest(_message.Message):
    __slots__ = ("positions",)
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    positions: _containers.RepeatedCompositeFieldContainer[StockPosition]
    def __init__(self, positions: _Optional[_Iterable[_Union[StockPosition, _Mapping]]] = ...) -> None: ...

class SetStockResponse(_message.Message):
    __slots__ = ("positions",)
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    positions: _containers.RepeatedCompositeFieldContainer[StockPosition]
    def __init__(self, positions: _Optional[_Iterable[_Union[StockPosition, _Mapping]]] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("location_ref", "product_ref", "delta", "reason", "request_id")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    product_ref: str
    delta: int
    reason: str
    request_id: str
    def __init__(self, location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., delta: _Optional[int] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ...) -> None: ...

class InTransitArrival(_message.Message):
    __slots__ = ("quantity", "arrival_time")
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    quantity: int
    arrival_time: _timestamp_pb2.Timestamp
    def __init__(self, quantity: _Optional[int] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetInTransitRequest(_message.Message):
    __slots__ = ("location_ref", "product_ref", "arrivals")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    ARRIVALS_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    product_ref: str
    arrivals: _containers.RepeatedCompositeFieldContainer[InTransitArrival]
    def __init__(self, location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., arrivals: _Optional[_Iterable[_Union[InTransitArrival, _Mapping]]] = ...) -> None: ...

class SetInTransitResponse(_message.Message):
    __slots__ = ("arrivals",)
    ARRIVALS_FIELD_NUMBER: _ClassVar[int]
    arrivals: _containers.RepeatedCompositeFieldContainer[InTransitArrival]
    def __init__(self, arrivals: _Optional[_Iterable[_Union[InTransitArrival, _Mapping]]] = ...) -> None: ...

class GetAvailabilityRequest(_message.Message):
    __slots__ = ("product_refs", "location_refs", "network_refs", "virtual_catalogue_refs")
    PRODUCT_REFS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REFS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REFS_FIELD_NUMBER: _ClassVar[int]
    VIRTUAL_CATALOGUE_REFS_FIELD_NUMBER: _ClassVar[int]
    product_refs: _containers.RepeatedScalarFieldContainer[str]
    location_refs: _containers.RepeatedScalarFieldContainer[str]
    network_refs: _containers.RepeatedScalarFieldContainer[str]
    virtual_catalogue_refs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, product_refs: _Optional[_Iterable[str]] = ..., location_refs: _Optional[_Iterable[str]] = ..., network_refs: _Optional[_Iterable[str]] = ..., virtual_catalogue_refs: _Optional[_Iterable[str]] = ...) -> None: ...

class LocationAvailability(_message.Message):
    __slots__ = ("location_ref", "product_ref", "on_hand", "reserved", "buffer_qty", "available", "in_transit")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    BUFFER_QTY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    IN_TRANSIT_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    product_ref: str
    on_hand: int
    reserved: int
    buffer_qty: int
    available: int
    in_transit: int
    def __init__(self, location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., buffer_qty: _Optional[int] = ..., available: _Optional[int] = ..., in_transit: _Optional[int] = ...) -> None: ...

class NetworkAvailability(_message.Message):
    __slots__ = ("network_ref", "product_ref", "available", "locations_with_stock")
    NETWORK_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_WITH_STOCK_FIELD_NUMBER: _ClassVar[int]
    network_ref: str
    product_ref: str
    available: int
    locations_with_stock: int
    def __init__(self, network_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., available: _Optional[int] = ..., locations_with_stock: _Optional[int] = ...) -> None: ...

class CatalogueAvailability(_message.Message):
    __slots__ = ("virtual_catalogue_ref", "product_ref", "available")
    VIRTUAL_CATALOGUE_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    virtual_catalogue_ref: str
    product_ref: str
    available: int
    def __init__(self, virtual_catalogue_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., available: _Optional[int] = ...) -> None: ...

class GetAvailabilityResponse(_message.Message):
    __slots__ = ("locations", "networks", "virtual_catalogues")
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    VIRTUAL_CATALOGUES_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[LocationAvailability]
    networks: _containers.RepeatedCompositeFieldContainer[NetworkAvailability]
    virtual_catalogues: _containers.RepeatedCompositeFieldContainer[CatalogueAvailability]
    def __init__(self, locations: _Optional[_Iterable[_Union[LocationAvailability, _Mapping]]] = ..., networks: _Optional[_Iterable[_Union[NetworkAvailability, _Mapping]]] = ..., virtual_catalogues: _Optional[_Iterable[_Union[CatalogueAvailability, _Mapping]]] = ...) -> None: ...

class QuantityRecord(_message.Message):
    __slots__ = ("id", "location_ref", "product_ref", "type", "status", "quantity", "fulfilment_id", "order_ref", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    location_ref: str
    product_ref: str
    type: QuantityRecordType
    status: QuantityRecordStatus
    quantity: int
    fulfilment_id: str
    order_ref: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., type: _Optional[_Union[QuantityRecordType, str]] = ..., status: _Optional[_Union[QuantityRecordStatus, str]] = ..., quantity: _Optional[int] = ..., fulfilment_id: _Optional[str] = ..., order_ref: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListReservationsRequest(_message.Message):
    __slots__ = ("location_ref", "product_ref", "order_ref", "fulfilment_id", "types", "statuses", "page_size", "page_token")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_REF_FIELD_NUMBER: _ClassVar[int]
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    product_ref: str
    order_ref: str
    fulfilment_id: str
    types: _containers.RepeatedScalarFieldContainer[QuantityRecordType]
    statuses: _containers.RepeatedScalarFieldContainer[QuantityRecordStatus]
    page_size: int
    page_token: str
    def __init__(self, location_ref: _Optional[str] = ..., product_ref: _Optional[str] = ..., order_ref: _Optional[str] = ..., fulfilment_id: _Optional[str] = ..., types: _Optional[_Iterable[_Union[QuantityRecordType, str]]] = ..., statuses: _Optional[_Iterable[_Union[QuantityRecordStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReservationsResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[QuantityRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[QuantityRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

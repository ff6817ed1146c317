from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_TYPE_UNSPECIFIED: _ClassVar[OrderType]
    ORDER_TYPE_HD: _ClassVar[OrderType]
    ORDER_TYPE_CC: _ClassVar[OrderType]

class CustomerTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_TIER_UNSPECIFIED: _ClassVar[CustomerTier]
    CUSTOMER_TIER_STANDARD: _ClassVar[CustomerTier]
    CUSTOMER_TIER_VIP: _ClassVar[CustomerTier]

class FulfilmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FULFILMENT_STATUS_UNSPECIFIED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_CREATED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_ACKNOWLEDGED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_PICKED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_PACKED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_READY_FOR_COLLECTION: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_AWAITING_COURIER: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_COLLECTED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_DISPATCHED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_COMPLETE: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_REJECTED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_CANCELLED: _ClassVar[FulfilmentStatus]
    FULFILMENT_STATUS_ESCALATED: _ClassVar[FulfilmentStatus]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_CREATED: _ClassVar[OrderStatus]
    ORDER_STATUS_BOOKED: _ClassVar[OrderStatus]
    ORDER_STATUS_IN_PROGRESS: _ClassVar[OrderStatus]
    ORDER_STATUS_ESCALATED: _ClassVar[OrderStatus]
    ORDER_STATUS_COMPLETE: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
ORDER_TYPE_UNSPECIFIED: OrderType
ORDER_TYPE_HD: OrderType
ORDER_TYPE_CC: OrderType
CUSTOMER_TIER_UNSPECIFIED: CustomerTier
CUSTOMER_TIER_STANDARD: CustomerTier
CUSTOMER_TIER_VIP: CustomerTier
FULFILMENT_STATUS_UNSPECIFIED: FulfilmentStatus
FULFILMENT_STATUS_CREATED: FulfilmentStatus
FULFILMENT_STATUS_ACKNOWLEDGED: FulfilmentStatus
FULFILMENT_STATUS_PICKED: FulfilmentStatus
FULFILMENT_STATUS_PACKED: FulfilmentStatus
FULFILMENT_STATUS_READY_FOR_COLLECTION: FulfilmentStatus
FULFILMENT_STATUS_AWAITING_COURIER: FulfilmentStatus
FULFILMENT_STATUS_COLLECTED: FulfilmentStatus
FULFILMENT_STATUS_DISPATCHED: FulfilmentStatus
FULFILMENT_STATUS_COMPLETE: FulfilmentStatus
FULFILMENT_STATUS_REJECTED: FulfilmentStatus
FULFILMENT_STATUS_CANCELLED: FulfilmentStatus
FULFILMENT_STATUS_ESCALATED: FulfilmentStatus
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_CREATED: OrderStatus
ORDER_STATUS_BOOKED: OrderStatus
ORDER_STATUS_IN_PROGRESS: OrderStatus
ORDER_STATUS_ESCALATED: OrderStatus
ORDER_STATUS_COMPLETE: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus

class Money(_message.Message):
    __slots__ = ("amount_minor", "currency")
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    def __init__(self, amount_minor: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class GeoPoint(_message.Message):
    __slots__ = ("latitude", "longitude")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class LineQuantity(_message.Message):
    __slots__ = ("line_ref", "quantity")
    LINE_REF_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    line_ref: str
    quantity: int
    def __init__(self, line_ref: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "message", "field_violations")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    field_violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

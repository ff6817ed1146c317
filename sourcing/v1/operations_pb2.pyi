import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sourcing.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStatusRequest(_message.Message):
    __slots__ = ("escalation_days",)
    ESCALATION_DAYS_FIELD_NUMBER: _ClassVar[int]
    escalation_days: int
    def __init__(self, escalation_days: _Optional[int] = ...) -> None: ...

class OrderStatusCount(_message.Message):
    __slots__ = ("status", "orders")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    status: _common_pb2.OrderStatus
    orders: int
    def __init__(self, status: _Optional[_Union[_common_pb2.OrderStatus, str]] = ..., orders: _Optional[int] = ...) -> None: ...

class DailyEscalations(_message.Message):
    __slots__ = ("day", "fulfilments")
    DAY_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    day: str
    fulfilments: int
    def __init__(self, day: _Optional[str] = ..., fulfilments: _Optional[int] = ...) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("as_of", "orders_today", "orders_this_week", "escalations_per_day", "overdue_fulfilments", "parked_webhooks", "positions_at_or_below_buffer")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    ORDERS_TODAY_FIELD_NUMBER: _ClassVar[int]
    ORDERS_THIS_WEEK_FIELD_NUMBER: _ClassVar[int]
    ESCALATIONS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    PARKED_WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_AT_OR_BELOW_BUFFER_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    orders_today: _containers.RepeatedCompositeFieldContainer[OrderStatusCount]
    orders_this_week: _containers.RepeatedCompositeFieldContainer[OrderStatusCount]
    escalations_per_day: _containers.RepeatedCompositeFieldContainer[DailyEscalations]
    overdue_fulfilments: int
    parked_webhooks: int
    positions_at_or_below_buffer: int
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., orders_today: _Optional[_Iterable[_Union[OrderStatusCount, _Mapping]]] = ..., orders_this_week: _Optional[_Iterable[_Union[OrderStatusCount, _Mapping]]] = ..., escalations_per_day: _Optional[_Iterable[_Union[DailyEscalations, _Mapping]]] = ..., overdue_fulfilments: _Optional[int] = ..., parked_webhooks: _Optional[int] = ..., positions_at_or_below_buffer: _Optional[int] = ...) -> None: ...

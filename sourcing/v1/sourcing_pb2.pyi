import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sourcing.v1 import common_pb2 as _common_pb2
from sourcing.v1 import domain_pb2 as _domain_pb2
from sourcing.v1 import plan_pb2 as _plan_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetFulfilmentOptionsRequest(_message.Message):
    __slots__ = ("lines", "order_types", "customer_position", "collection_location_refs", "radius_km", "max_options", "customer_tier", "need_by_time")
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_TYPES_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_POSITION_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_LOCATION_REFS_FIELD_NUMBER: _ClassVar[int]
    RADIUS_KM_FIELD_NUMBER: _ClassVar[int]
    MAX_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    NEED_BY_TIME_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_domain_pb2.OrderLine]
    order_types: _containers.RepeatedScalarFieldContainer[_common_pb2.OrderType]
    customer_position: _common_pb2.GeoPoint
    collection_location_refs: _containers.RepeatedScalarFieldContainer[str]
    radius_km: float
    max_options: int
    customer_tier: _common_pb2.CustomerTier
    need_by_time: _timestamp_pb2.Timestamp
    def __init__(self, lines: _Optional[_Iterable[_Union[_domain_pb2.OrderLine, _Mapping]]] = ..., order_types: _Optional[_Iterable[_Union[_common_pb2.OrderType, str]]] = ..., customer_position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., collection_location_refs: _Optional[_Iterable[str]] = ..., radius_km: _Optional[float] = ..., max_options: _Optional[int] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., need_by_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CollectionOption(_message.Message):
    __slots__ = ("location_ref", "distance_km", "ready_time", "needs_transfer", "whole_cart", "missing", "price")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    READY_TIME_FIELD_NUMBER: _ClassVar[int]
    NEEDS_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    WHOLE_CART_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    distance_km: float
    ready_time: _timestamp_pb2.Timestamp
    needs_transfer: bool
    whole_cart: bool
    missing: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    price: _common_pb2.Money
    def __init__(self, location_ref: _Optional[str] = ..., distance_km: _Optional[float] = ..., ready_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., needs_transfer: _Optional[bool] = ..., whole_cart: _Optional[bool] = ..., missing: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class DeliveryOption(_message.Message):
    __slots__ = ("name", "price", "parcels", "earliest_delivery_time", "latest_delivery_time", "fulfilments", "unserved_units")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PARCELS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    LATEST_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    UNSERVED_UNITS_FIELD_NUMBER: _ClassVar[int]
    name: str
    price: _common_pb2.Money
    parcels: int
    earliest_delivery_time: _timestamp_pb2.Timestamp
    latest_delivery_time: _timestamp_pb2.Timestamp
    fulfilments: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Fulfilment]
    unserved_units: int
    def __init__(self, name: _Optional[str] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., parcels: _Optional[int] = ..., earliest_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latest_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fulfilments: _Optional[_Iterable[_Union[_domain_pb2.Fulfilment, _Mapping]]] = ..., unserved_units: _Optional[int] = ...) -> None: ...

class GetFulfilmentOptionsResponse(_message.Message):
    __slots__ = ("collection", "delivery")
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_FIELD_NUMBER: _ClassVar[int]
    collection: _containers.RepeatedCompositeFieldContainer[CollectionOption]
    delivery: _containers.RepeatedCompositeFieldContainer[DeliveryOption]
    def __init__(self, collection: _Optional[_Iterable[_Union[CollectionOption, _Mapping]]] = ..., delivery: _Optional[_Iterable[_Union[DeliveryOption, _Mapping]]] = ...) -> None: ...

class SourceRequest(_message.Message):
    __slots__ = ("order", "dry_run", "explain", "policy", "weight_overrides", "split_limit", "request_id", "delivery_option")
    class WeightOverridesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ORDER_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    SPLIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_OPTION_FIELD_NUMBER: _ClassVar[int]
    order: _domain_pb2.Order
    dry_run: bool
    explain: bool
    policy: _plan_pb2.SourcingPolicy
    weight_overrides: _containers.ScalarMap[str, float]
    split_limit: int
    request_id: str
    delivery_option: str
    def __init__(self, order: _Optional[_Union[_domain_pb2.Order, _Mapping]] = ..., dry_run: _Optional[bool] = ..., explain: _Optional[bool] = ..., policy: _Optional[_Union[_plan_pb2.SourcingPolicy, str]] = ..., weight_overrides: _Optional[_Mapping[str, float]] = ..., split_limit: _Optional[int] = ..., request_id: _Optional[str] = ..., delivery_option: _Optional[str] = ...) -> None: ...

class SourceResponse(_message.Message):
    __slots__ = ("plan", "replayed")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    plan: _plan_pb2.Plan
    replayed: bool
    def __init__(self, plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ReassignRequest(_message.Message):
    __slots__ = ("fulfilment_id", "lines", "reason", "explain", "request_id")
    FULFILMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    fulfilment_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_common_pb2.LineQuantity]
    reason: str
    explain: bool
    request_id: str
    def __init__(self, fulfilment_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_common_pb2.LineQuantity, _Mapping]]] = ..., reason: _Optional[str] = ..., explain: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReassignResponse(_message.Message):
    __slots__ = ("plan", "replayed")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    plan: _plan_pb2.Plan
    replayed: bool
    def __init__(self, plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SourceBatchRequest(_message.Message):
    __slots__ = ("orders", "dry_run", "explain", "policy", "weight_overrides", "split_limit", "time_limit", "request_id")
    class WeightOverridesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    SPLIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Order]
    dry_run: bool
    explain: bool
    policy: _plan_pb2.SourcingPolicy
    weight_overrides: _containers.ScalarMap[str, float]
    split_limit: int
    time_limit: _duration_pb2.Duration
    request_id: str
    def __init__(self, orders: _Optional[_Iterable[_Union[_domain_pb2.Order, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., explain: _Optional[bool] = ..., policy: _Optional[_Union[_plan_pb2.SourcingPolicy, str]] = ..., weight_overrides: _Optional[_Mapping[str, float]] = ..., split_limit: _Optional[int] = ..., time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class BatchOrderResult(_message.Message):
    __slots__ = ("order_ref", "plan", "error", "replayed")
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order_ref: str
    plan: _plan_pb2.Plan
    error: _common_pb2.Error
    replayed: bool
    def __init__(self, order_ref: _Optional[str] = ..., plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.Error, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SourceBatchResponse(_message.Message):
    __slots__ = ("results", "objective", "solve_status", "gap", "solve_time_ms")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    SOLVE_STATUS_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    SOLVE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchOrderResult]
    objective: _plan_pb2.Objective
    solve_status: _plan_pb2.SolveStatus
    gap: float
    solve_time_ms: float
    def __init__(self, results: _Optional[_Iterable[_Union[BatchOrderResult, _Mapping]]] = ..., objective: _Optional[_Union[_plan_pb2.Objective, _Mapping]] = ..., solve_status: _Optional[_Union[_plan_pb2.SolveStatus, str]] = ..., gap: _Optional[float] = ..., solve_time_ms: _Optional[float] = ...) -> None: ...

class RebalanceRequest(_message.Message):
    __slots__ = ("order_refs", "dry_run", "time_limit", "request_id")
    ORDER_REFS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_refs: _containers.RepeatedScalarFieldContainer[str]
    dry_run: bool
    time_limit: _duration_pb2.Duration
    request_id: str
    def __init__(self, order_refs: _Optional[_Iterable[str]] = ..., dry_run: _Optional[bool] = ..., time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RebalanceResponse(_message.Message):
    __slots__ = ("plans", "objective_before", "objective_after", "fulfilments_before", "fulfilments_after", "solve_status", "gap", "solve_time_ms")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_AFTER_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_BEFORE_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_AFTER_FIELD_NUMBER: _ClassVar[int]
    SOLVE_STATUS_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    SOLVE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[_plan_pb2.Plan]
    objective_before: _plan_pb2.Objective
    objective_after: _plan_pb2.Objective
    fulfilments_before: int
    fulfilments_after: int
    solve_status: _plan_pb2.SolveStatus
    gap: float
    solve_time_ms: float
    def __init__(self, plans: _Optional[_Iterable[_Union[_plan_pb2.Plan, _Mapping]]] = ..., objective_before: _Optional[_Union[_plan_pb2.Objective, _Mapping]] = ..., objective_after: _Optional[_Union[_plan_pb2.Objective, _Mapping]] = ..., fulfilments_before: _Optional[int] = ..., fulfilments_after: _Optional[int] = ..., solve_status: _Optional[_Union[_plan_pb2.SolveStatus, str]] = ..., gap: _Optional[float] = ..., solve_time_ms: _Optional[float] = ...) -> None: ...

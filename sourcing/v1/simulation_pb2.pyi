import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SimulationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIMULATION_STATE_UNSPECIFIED: _ClassVar[SimulationState]
    SIMULATION_STATE_QUEUED: _ClassVar[SimulationState]
    SIMULATION_STATE_RUNNING: _ClassVar[SimulationState]
    SIMULATION_STATE_SUCCEEDED: _ClassVar[SimulationState]
    SIMULATION_STATE_FAILED: _ClassVar[SimulationState]
    SIMULATION_STATE_CANCELLED: _ClassVar[SimulationState]
SIMULATION_STATE_UNSPECIFIED: SimulationState
SIMULATION_STATE_QUEUED: SimulationState
SIMULATION_STATE_RUNNING: SimulationState
SIMULATION_STATE_SUCCEEDED: SimulationState
SIMULATION_STATE_FAILED: SimulationState
SIMULATION_STATE_CANCELLED: SimulationState

class StartSimulationRequest(_message.Message):
    __slots__ = ("window_start", "window_end", "scenarios_toml", "requested_by")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_TOML_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    scenarios_toml: str
    requested_by: str
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., scenarios_toml: _Optional[str] = ..., requested_by: _Optional[str] = ...) -> None: ...

class StartSimulationResponse(_message.Message):
    __slots__ = ("simulation",)
    SIMULATION_FIELD_NUMBER: _ClassVar[int]
    simulation: Simulation
    def __init__(self, simulation: _Optional[_Union[Simulation, _Mapping]] = ...) -> None: ...

class GetSimulationRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetSimulationResponse(_message.Message):
    __slots__ = ("simulation",)
    SIMULATION_FIELD_NUMBER: _ClassVar[int]
    simulation: Simulation
    def __init__(self, simulation: _Optional[_Union[Simulation, _Mapping]] = ...) -> None: ...

class ListSimulationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSimulationsResponse(_message.Message):
    __slots__ = ("simulations", "next_page_token")
    SIMULATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    simulations: _containers.RepeatedCompositeFieldContainer[Simulation]
    next_page_token: str
    def __init__(self, simulations: _Optional[_Iterable[_Union[Simulation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelSimulationRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CancelSimulationResponse(_message.Message):
    __slots__ = ("simulation",)
    SIMULATION_FIELD_NUMBER: _ClassVar[int]
    simulation: Simulation
    def __init__(self, simulation: _Optional[_Union[Simulation, _Mapping]] = ...) -> None: ...

class Simulation(_message.Message):
    __slots__ = ("id", "state", "requested_by", "scenario_names", "window_start", "window_end", "created_at", "finished_at", "decisions_done", "decisions_total", "kpis", "differences", "error", "replay_compared", "replay_differing", "stock_corrections")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_NAMES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_DONE_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    KPIS_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLAY_COMPARED_FIELD_NUMBER: _ClassVar[int]
    REPLAY_DIFFERING_FIELD_NUMBER: _ClassVar[int]
    STOCK_CORRECTIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    state: SimulationState
    requested_by: str
    scenario_names: _containers.RepeatedScalarFieldContainer[str]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    decisions_done: int
    decisions_total: int
    kpis: _containers.RepeatedCompositeFieldContainer[ScenarioKpis]
    differences: _containers.RepeatedCompositeFieldContainer[KpiDifference]
    error: str
    replay_compared: int
    replay_differing: int
    stock_corrections: int
    def __init__(self, id: _Optional[str] = ..., state: _Optional[_Union[SimulationState, str]] = ..., requested_by: _Optional[str] = ..., scenario_names: _Optional[_Iterable[str]] = ..., window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decisions_done: _Optional[int] = ..., decisions_total: _Optional[int] = ..., kpis: _Optional[_Iterable[_Union[ScenarioKpis, _Mapping]]] = ..., differences: _Optional[_Iterable[_Union[KpiDifference, _Mapping]]] = ..., error: _Optional[str] = ..., replay_compared: _Optional[int] = ..., replay_differing: _Optional[int] = ..., stock_corrections: _Optional[int] = ...) -> None: ...

class ScenarioKpis(_message.Message):
    __slots__ = ("scenario", "policy", "orders", "service_cost", "cost_to_serve", "parcels_per_order", "split_orders", "km", "rejected_units", "escalated_orders", "below_ideal_units", "store_share")
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_COST_FIELD_NUMBER: _ClassVar[int]
    COST_TO_SERVE_FIELD_NUMBER: _ClassVar[int]
    PARCELS_PER_ORDER_FIELD_NUMBER: _ClassVar[int]
    SPLIT_ORDERS_FIELD_NUMBER: _ClassVar[int]
    KM_FIELD_NUMBER: _ClassVar[int]
    REJECTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    BELOW_IDEAL_UNITS_FIELD_NUMBER: _ClassVar[int]
    STORE_SHARE_FIELD_NUMBER: _ClassVar[int]
    scenario: str
    policy: str
    orders: int
    service_cost: float
    cost_to_serve: float
    parcels_per_order: float
    split_orders: int
    km: float
    rejected_units: int
    escalated_orders: int
    below_ideal_units: int
    store_share: float
    def __init__(self, scenario: _Optional[str] = ..., policy: _Optional[str] = ..., orders: _Optional[int] = ..., service_cost: _Optional[float] = ..., cost_to_serve: _Optional[float] = ..., parcels_per_order: _Optional[float] = ..., split_orders: _Optional[int] = ..., km: _Optional[float] = ..., rejected_units: _Optional[int] = ..., escalated_orders: _Optional[int] = ..., below_ideal_units: _Optional[int] = ..., store_share: _Optional[float] = ...) -> None: ...

class KpiDifference(_message.Message):
    __slots__ = ("scenario", "measure", "difference", "low", "high")
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    MEASURE_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    scenario: str
    measure: str
    difference: float
    low: float
    high: float
    def __init__(self, scenario: _Optional[str] = ..., measure: _Optional[str] = ..., difference: _Optional[float] = ..., low: _Optional[float] = ..., high: _Optional[float] = ...) -> None: ...

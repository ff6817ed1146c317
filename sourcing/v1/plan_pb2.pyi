from sourcing.v1 import domain_pb2 as _domain_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SourcingPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCING_POLICY_UNSPECIFIED: _ClassVar[SourcingPolicy]
    SOURCING_POLICY_MIP: _ClassVar[SourcingPolicy]
    SOURCING_POLICY_GREEDY: _ClassVar[SourcingPolicy]

class SolveStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOLVE_STATUS_UNSPECIFIED: _ClassVar[SolveStatus]
    SOLVE_STATUS_OPTIMAL: _ClassVar[SolveStatus]
    SOLVE_STATUS_FEASIBLE: _ClassVar[SolveStatus]

class CandidateReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANDIDATE_REASON_UNSPECIFIED: _ClassVar[CandidateReason]
    CANDIDATE_REASON_USED: _ClassVar[CandidateReason]
    CANDIDATE_REASON_NO_STOCK: _ClassVar[CandidateReason]
    CANDIDATE_REASON_OUT_OF_CAPACITY: _ClassVar[CandidateReason]
    CANDIDATE_REASON_SWITCHED_OFF: _ClassVar[CandidateReason]
    CANDIDATE_REASON_OUTSIDE_NETWORK: _ClassVar[CandidateReason]
    CANDIDATE_REASON_EXCLUDED: _ClassVar[CandidateReason]
    CANDIDATE_REASON_MORE_EXPENSIVE: _ClassVar[CandidateReason]
SOURCING_POLICY_UNSPECIFIED: SourcingPolicy
SOURCING_POLICY_MIP: SourcingPolicy
SOURCING_POLICY_GREEDY: SourcingPolicy
SOLVE_STATUS_UNSPECIFIED: SolveStatus
SOLVE_STATUS_OPTIMAL: SolveStatus
SOLVE_STATUS_FEASIBLE: SolveStatus
CANDIDATE_REASON_UNSPECIFIED: CandidateReason
CANDIDATE_REASON_USED: CandidateReason
CANDIDATE_REASON_NO_STOCK: CandidateReason
CANDIDATE_REASON_OUT_OF_CAPACITY: CandidateReason
CANDIDATE_REASON_SWITCHED_OFF: CandidateReason
CANDIDATE_REASON_OUTSIDE_NETWORK: CandidateReason
CANDIDATE_REASON_EXCLUDED: CandidateReason
CANDIDATE_REASON_MORE_EXPENSIVE: CandidateReason

class Objective(_message.Message):
    __slots__ = ("total", "terms")
    class TermsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    total: float
    terms: _containers.ScalarMap[str, float]
    def __init__(self, total: _Optional[float] = ..., terms: _Optional[_Mapping[str, float]] = ...) -> None: ...

class CandidateExplanation(_message.Message):
    __slots__ = ("location_ref", "used", "reasons", "detail", "distance_km")
    LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    location_ref: str
    used: bool
    reasons: _containers.RepeatedScalarFieldContainer[CandidateReason]
    detail: str
    distance_km: float
    def __init__(self, location_ref: _Optional[str] = ..., used: _Optional[bool] = ..., reasons: _Optional[_Iterable[_Union[CandidateReason, str]]] = ..., detail: _Optional[str] = ..., distance_km: _Optional[float] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("order_ref", "fulfilments", "rejected_fulfilment", "objective", "solve_status", "gap", "solve_time_ms", "policy", "profile_version", "candidates")
    ORDER_REF_FIELD_NUMBER: _ClassVar[int]
    FULFILMENTS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    SOLVE_STATUS_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    SOLVE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    order_ref: str
    fulfilments: _containers.RepeatedCompositeFieldContainer[_domain_pb2.Fulfilment]
    rejected_fulfilment: _domain_pb2.Fulfilment
    objective: Objective
    solve_status: SolveStatus
    gap: float
    solve_time_ms: float
    policy: SourcingPolicy
    profile_version: int
    candidates: _containers.RepeatedCompositeFieldContainer[CandidateExplanation]
    def __init__(self, order_ref: _Optional[str] = ..., fulfilments: _Optional[_Iterable[_Union[_domain_pb2.Fulfilment, _Mapping]]] = ..., rejected_fulfilment: _Optional[_Union[_domain_pb2.Fulfilment, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., solve_status: _Optional[_Union[SolveStatus, str]] = ..., gap: _Optional[float] = ..., solve_time_ms: _Optional[float] = ..., policy: _Optional[_Union[SourcingPolicy, str]] = ..., profile_version: _Optional[int] = ..., candidates: _Optional[_Iterable[_Union[CandidateExplanation, _Mapping]]] = ...) -> None: ...

"""The pure sourcing solver: frozen dataclasses in, a frozen ``Plan`` out.

Nothing here imports grpc, protobuf or SQLAlchemy.
"""

from sourcing.solver.carriers import Calendar, CarrierService, ServiceChoice
from sourcing.solver.constraints import FAMILIES
from sourcing.solver.eta import Promise
from sourcing.solver.options import (
    BACKENDS,
    DEFAULT_TIME_LIMIT_S,
    POLICIES,
    Backend,
    Policy,
    SolveOptions,
)
from sourcing.solver.overrides import CandidateState, ProductColumn
from sourcing.solver.plan import (
    CandidateExplanation,
    CandidateReason,
    Fulfilment,
    FulfilmentLine,
    FulfilmentStatus,
    ObjectiveBreakdown,
    Plan,
    RejectedFulfilment,
    SolveStatus,
)
from sourcing.solver.problem import (
    DEFAULT_REJECTION_LOCATION_REF,
    DEFAULT_SPLIT_LIMIT,
    Capacity,
    Customer,
    CustomerTier,
    GeoPoint,
    InTransit,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Rules,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
)
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.solve import solve
from sourcing.solver.weights import Weights

__all__ = [
    "BACKENDS",
    "DEFAULT_REJECTION_LOCATION_REF",
    "DEFAULT_SPLIT_LIMIT",
    "DEFAULT_TIME_LIMIT_S",
    "FAMILIES",
    "POLICIES",
    "Backend",
    "Calendar",
    "CandidateExplanation",
    "CandidateReason",
    "CandidateState",
    "Capacity",
    "CarrierService",
    "Customer",
    "CustomerTier",
    "Fulfilment",
    "FulfilmentLine",
    "FulfilmentStatus",
    "GeoPoint",
    "InTransit",
    "Location",
    "LocationType",
    "ObjectiveBreakdown",
    "Order",
    "OrderLine",
    "OrderType",
    "Plan",
    "Policy",
    "ProductColumn",
    "Promise",
    "RejectedFulfilment",
    "Rules",
    "ScarcityPrices",
    "ServiceChoice",
    "SolveOptions",
    "SolveStatus",
    "SourcingProblem",
    "SourcingProfile",
    "StockPosition",
    "Weights",
    "solve",
]

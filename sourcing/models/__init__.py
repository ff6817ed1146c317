"""SQLAlchemy tables and the lifecycle rules that change them.

Importing this package registers every table on ``Base.metadata``.
"""

from sourcing.models.access.tables import ApiKey, AuditEntry
from sourcing.models.config.config_version import ConfigVersion
from sourcing.models.config.tables import (
    Customer,
    Location,
    Network,
    Product,
    SourcingProfile,
    VirtualCatalogue,
    network_locations,
)
from sourcing.models.db.base import Base, UTCDateTime, utcnow
from sourcing.models.db.enums import (
    FULFILMENT_TRANSITIONS,
    ConsignmentStatus,
    CustomerTier,
    FulfilmentStatus,
    LocationType,
    OrderStatus,
    OrderType,
    OutboxState,
    QuantityStatus,
    QuantityType,
    ReturnStatus,
    can_transition,
    check_transition,
)
from sourcing.models.db.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    FailedPrecondition,
    InsufficientStock,
    InvalidState,
    NotFound,
    SourcingError,
)
from sourcing.models.events.tables import IdempotencyKey, OutboxEvent, WebhookSubscription
from sourcing.models.inventory.tables import InTransit, InventoryPosition, InventoryQuantity
from sourcing.models.orders.shipments import (
    Article,
    ArticleLine,
    Consignment,
    ReturnLine,
    ReturnOrder,
    consignment_articles,
)
from sourcing.models.orders.tables import (
    Fulfilment,
    FulfilmentLine,
    LocationDayLoad,
    Order,
    OrderLine,
)
from sourcing.models.simulations.tables import SimulationRun, SimulationState

__all__ = [
    "FULFILMENT_TRANSITIONS",
    "AlreadyExists",
    "ApiKey",
    "Article",
    "ArticleLine",
    "AuditEntry",
    "Base",
    "ConcurrencyConflict",
    "ConfigVersion",
    "Consignment",
    "ConsignmentStatus",
    "Customer",
    "CustomerTier",
    "FailedPrecondition",
    "Fulfilment",
    "FulfilmentLine",
    "FulfilmentStatus",
    "IdempotencyKey",
    "InTransit",
    "InsufficientStock",
    "InvalidState",
    "InventoryPosition",
    "InventoryQuantity",
    "Location",
    "LocationDayLoad",
    "LocationType",
    "Network",
    "NotFound",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderType",
    "OutboxEvent",
    "OutboxState",
    "Product",
    "QuantityStatus",
    "QuantityType",
    "ReturnLine",
    "ReturnOrder",
    "ReturnStatus",
    "SimulationRun",
    "SimulationState",
    "SourcingError",
    "SourcingProfile",
    "UTCDateTime",
    "VirtualCatalogue",
    "WebhookSubscription",
    "can_transition",
    "check_transition",
    "consignment_articles",
    "network_locations",
    "utcnow",
]

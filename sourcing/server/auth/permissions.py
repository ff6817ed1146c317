"""Every RPC's permission, in one table, and the roles as sets of permissions.

``tests/server/auth/test_permissions.py`` walks every service in the proto
files and fails when an RPC has no entry here, so a new RPC is closed until
someone decides who may call it.
"""

from __future__ import annotations

import enum


class Permission(enum.Enum):
    """What a call needs; a role grants a set of these."""

    # Health checking answers everyone: load balancers carry no credentials.
    OPEN = "OPEN"
    SOURCING_SOURCE = "SOURCING_SOURCE"
    # Fulfilment options before checkout: reads stock, reserves nothing.
    SOURCING_OPTIONS = "SOURCING_OPTIONS"
    ORDER_READ = "ORDER_READ"
    ORDER_UPDATE = "ORDER_UPDATE"
    FULFILMENT_UPDATE = "FULFILMENT_UPDATE"
    RETURN_RECEIVE = "RETURN_RECEIVE"
    INVENTORY_READ = "INVENTORY_READ"
    INVENTORY_WRITE = "INVENTORY_WRITE"
    CONFIG_READ = "CONFIG_READ"
    CONFIG_WRITE = "CONFIG_WRITE"
    PROFILE_WRITE = "PROFILE_WRITE"
    WEBHOOK_READ = "WEBHOOK_READ"
    WEBHOOK_WRITE = "WEBHOOK_WRITE"
    SIMULATION_RUN = "SIMULATION_RUN"
    SIMULATION_READ = "SIMULATION_READ"
    KEY_ADMIN = "KEY_ADMIN"
    KEY_READ = "KEY_READ"
    AUDIT_READ = "AUDIT_READ"
    # The operations summary (GetStatus): admins only, as the issue asks.
    STATUS_READ = "STATUS_READ"
    REFLECTION = "REFLECTION"


P = Permission

_SOURCING = "/sourcing.v1.SourcingService/"
_ORDERS = "/sourcing.v1.OrderService/"
_INVENTORY = "/sourcing.v1.InventoryService/"
_CONFIG = "/sourcing.v1.ConfigService/"
_ACCESS = "/sourcing.v1.AccessService/"
_OPERATIONS = "/sourcing.v1.OperationsService/"
_SIMULATION = "/sourcing.v1.SimulationService/"

# Full method name -> the permission a caller needs.
METHOD_PERMISSIONS: dict[str, Permission] = {
    _SOURCING + "Source": P.SOURCING_SOURCE,
    _SOURCING + "Reassign": P.SOURCING_SOURCE,
    _SOURCING + "SourceBatch": P.SOURCING_SOURCE,
    _SOURCING + "Rebalance": P.SOURCING_SOURCE,
    _SOURCING + "GetFulfilmentOptions": P.SOURCING_OPTIONS,
    _ORDERS + "GetOrder": P.ORDER_READ,
    _ORDERS + "ListOrders": P.ORDER_READ,
    _ORDERS + "AcknowledgeFulfilment": P.FULFILMENT_UPDATE,
    _ORDERS + "ConfirmPick": P.FULFILMENT_UPDATE,
    _ORDERS + "PackFulfilment": P.FULFILMENT_UPDATE,
    _ORDERS + "MarkReadyForCollection": P.FULFILMENT_UPDATE,
    _ORDERS + "MarkCollected": P.FULFILMENT_UPDATE,
    _ORDERS + "RejectFulfilment": P.FULFILMENT_UPDATE,
    _ORDERS + "CreateConsignment": P.ORDER_UPDATE,
    _ORDERS + "MarkDispatched": P.ORDER_UPDATE,
    _ORDERS + "MarkConsignmentDelivered": P.ORDER_UPDATE,
    _ORDERS + "CancelOrder": P.ORDER_UPDATE,
    _ORDERS + "ReviseOrder": P.ORDER_UPDATE,
    _ORDERS + "CreateReturn": P.ORDER_UPDATE,
    _ORDERS + "ReceiveReturn": P.RETURN_RECEIVE,
    _INVENTORY + "SetStock": P.INVENTORY_WRITE,
    _INVENTORY + "AdjustStock": P.INVENTORY_WRITE,
    _INVENTORY + "SetInTransit": P.INVENTORY_WRITE,
    _INVENTORY + "GetAvailability": P.INVENTORY_READ,
    _INVENTORY + "ListReservations": P.INVENTORY_READ,
    _CONFIG + "CreateLocation": P.CONFIG_WRITE,
    _CONFIG + "UpdateLocation": P.CONFIG_WRITE,
    _CONFIG + "ListLocations": P.CONFIG_READ,
    _CONFIG + "CreateNetwork": P.CONFIG_WRITE,
    _CONFIG + "CreateVirtualCatalogue": P.CONFIG_WRITE,
    _CONFIG + "CreateProduct": P.CONFIG_WRITE,
    _CONFIG + "UpsertCustomer": P.CONFIG_WRITE,
    _CONFIG + "SetSourcingProfile": P.PROFILE_WRITE,
    _CONFIG + "GetSourcingProfile": P.CONFIG_READ,
    _CONFIG + "CreateWebhookSubscription": P.WEBHOOK_WRITE,
    _CONFIG + "ListWebhookSubscriptions": P.WEBHOOK_READ,
    _ACCESS + "CreateKey": P.KEY_ADMIN,
    _ACCESS + "ListKeys": P.KEY_READ,
    _ACCESS + "RevokeKey": P.KEY_ADMIN,
    _ACCESS + "ListAudit": P.AUDIT_READ,
    _OPERATIONS + "GetStatus": P.STATUS_READ,
    _SIMULATION + "StartSimulation": P.SIMULATION_RUN,
    _SIMULATION + "GetSimulation": P.SIMULATION_READ,
    _SIMULATION + "ListSimulations": P.SIMULATION_READ,
    _SIMULATION + "CancelSimulation": P.SIMULATION_RUN,
    "/grpc.health.v1.Health/Check": P.OPEN,
    "/grpc.health.v1.Health/Watch": P.OPEN,
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": P.REFLECTION,
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo": P.REFLECTION,
}

# Permissions whose calls change nothing: they are not audited.
READ_ONLY = frozenset(
    {
        P.OPEN,
        P.SOURCING_OPTIONS,
        P.ORDER_READ,
        P.INVENTORY_READ,
        P.CONFIG_READ,
        P.WEBHOOK_READ,
        P.SIMULATION_READ,
        P.AUDIT_READ,
        P.KEY_READ,
        P.STATUS_READ,
        P.REFLECTION,
    }
)

_READS = frozenset({P.ORDER_READ, P.INVENTORY_READ, P.CONFIG_READ})

ROLES: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    # The order management system: sources, reassigns and runs every order's lifecycle.
    "order_host": _READS
    | {
        P.SOURCING_SOURCE,
        P.SOURCING_OPTIONS,
        P.ORDER_UPDATE,
        P.FULFILMENT_UPDATE,
        P.RETURN_RECEIVE,
    },
    # Store staff: the lifecycle of their own fulfilments (store scope limits which).
    "store": frozenset({P.ORDER_READ, P.FULFILMENT_UPDATE, P.RETURN_RECEIVE}),
    "inventory_feed": frozenset({P.INVENTORY_READ, P.INVENTORY_WRITE, P.CONFIG_READ}),
    "analyst": _READS | {P.SIMULATION_RUN, P.SIMULATION_READ, P.SOURCING_OPTIONS},
}


def permission_for(method: str) -> Permission | None:
    """The permission ``method`` needs; None for a method nobody may call (not in the table)."""
    return METHOD_PERMISSIONS.get(method)


def permissions_of(roles: tuple[str, ...]) -> frozenset[Permission]:
    """The union of the roles' permissions; unknown role names grant nothing."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLES.get(role, frozenset())
    return granted

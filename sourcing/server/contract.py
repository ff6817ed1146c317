"""The contract's proto modules in one place: every service the server offers.

The server, the descriptor export, the permission table's test, the limits
test and the fuzz campaign all walk this one tuple, so a service added here
is served, exported, checked and fuzzed, and one left out is caught by
``tests/server/test_app.py`` (reflection must list exactly these).
"""

from __future__ import annotations

from types import ModuleType

from sourcing.v1 import (
    access_pb2,
    config_pb2,
    inventory_pb2,
    operations_pb2,
    orders_pb2,
    simulation_pb2,
    sourcing_pb2,
)

CONTRACT_MODULES: tuple[ModuleType, ...] = (
    sourcing_pb2,
    orders_pb2,
    inventory_pb2,
    config_pb2,
    operations_pb2,
    access_pb2,
    simulation_pb2,
)

SERVICE_NAMES: tuple[str, ...] = tuple(
    service.full_name
    for module in CONTRACT_MODULES
    for service in module.DESCRIPTOR.services_by_name.values()
)

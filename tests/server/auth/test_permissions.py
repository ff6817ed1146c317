"""Every RPC in the contract has a permission, and the roles grant what the issue says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.protobuf import descriptor_pool

import sourcing.v1  # noqa: F401 - registers every generated service in the default pool
from sourcing.server.auth.permissions import METHOD_PERMISSIONS, ROLES, Permission
from sourcing.server.contract import CONTRACT_MODULES

PROTO_DIR = Path(__file__).resolve().parents[3] / "proto"


def rpcs_in_proto_files() -> set[str]:
    """``/package.Service/Method`` for every rpc written in the .proto files."""
    found = set()
    for path in sorted(PROTO_DIR.rglob("*.proto")):
        text = path.read_text()
        package = re.search(r"^package\s+([\w.]+);", text, re.M)
        assert package is not None, path
        for service, body in re.findall(r"^service\s+(\w+)\s*\{(.*?)^\}", text, re.M | re.S):
            for method in re.findall(r"^\s*rpc\s+(\w+)\s*\(", body, re.M):
                found.add(f"/{package.group(1)}.{service}/{method}")
    return found


def rpcs_in_descriptor_pool() -> set[str]:
    """The same, from the generated code's services."""
    pool = descriptor_pool.Default()  # type: ignore[no-untyped-call]
    found = set()
    for module in CONTRACT_MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            described = pool.FindServiceByName(service.full_name)
            found |= {f"/{described.full_name}/{m.name}" for m in described.methods}
    return found


def test_every_rpc_has_a_permission() -> None:
    """An RPC added to a proto file without a table entry fails here: none is open by omission."""
    missing = (rpcs_in_proto_files() | rpcs_in_descriptor_pool()) - set(METHOD_PERMISSIONS)
    assert sorted(missing) == []


def test_the_walk_sees_every_service() -> None:
    """The walk is not vacuous: it finds the four business services and their RPCs."""
    services = {name.split("/")[1] for name in rpcs_in_proto_files()}
    assert {
        "sourcing.v1.SourcingService",
        "sourcing.v1.OrderService",
        "sourcing.v1.InventoryService",
        "sourcing.v1.ConfigService",
        "sourcing.v1.AccessService",
    } <= services


def test_only_health_is_open() -> None:
    """Health checking answers everyone; nothing else is open."""
    open_methods = {m for m, p in METHOD_PERMISSIONS.items() if p is Permission.OPEN}
    assert open_methods == {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"}


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        ("order_host", Permission.SOURCING_SOURCE, Permission.INVENTORY_WRITE),
        ("store", Permission.FULFILMENT_UPDATE, Permission.SOURCING_SOURCE),
        ("store", Permission.RETURN_RECEIVE, Permission.ORDER_UPDATE),
        ("inventory_feed", Permission.INVENTORY_WRITE, Permission.ORDER_UPDATE),
        ("analyst", Permission.SIMULATION_RUN, Permission.CONFIG_WRITE),
        ("admin", Permission.KEY_ADMIN, None),
    ],
)
def test_roles(role: str, granted: Permission, refused: Permission | None) -> None:
    """Each role grants its job's permissions and not the others'."""
    assert granted in ROLES[role]
    if refused is not None:
        assert refused not in ROLES[role]
    assert Permission.KEY_ADMIN not in ROLES[role] or role == "admin"

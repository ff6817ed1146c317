"""The exported descriptor set is current and lets a client find every service without a .proto."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from google.protobuf import descriptor_pb2

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "export_descriptors.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("export_descriptors", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_descriptor_set_is_current() -> None:
    """descriptors/sourcing.v1.binpb is what scripts/export_descriptors.py writes today."""
    script = _script()
    assert script.OUT.read_bytes() == script.descriptor_set()


def test_descriptor_set_holds_services_health_and_reflection_v1() -> None:
    """A client loading the one file finds the four services, health and reflection v1."""
    files = descriptor_pb2.FileDescriptorSet.FromString(_script().OUT.read_bytes()).file
    services = {f"{f.package}.{s.name}" for f in files for s in f.service}
    assert {
        "sourcing.v1.SourcingService",
        "sourcing.v1.OrderService",
        "sourcing.v1.InventoryService",
        "sourcing.v1.ConfigService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    } <= services
    names = [f.name for f in files]
    assert all(dep in names[: names.index(f.name)] for f in files for dep in f.dependency)

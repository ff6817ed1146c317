"""Export the contract as a FileDescriptorSet: descriptors/sourcing.v1.binpb.

Holds every sourcing.v1 file with its imports (the well-known types), plus the
health (grpc.health.v1) and reflection (grpc.reflection.v1) protocols the server
also speaks, so a client in any language can load one file instead of
hand-writing those protos (e.g. proto-loader's loadFileDescriptorSetFromBuffer,
grpcurl -protoset). With --check, fail if the committed file is stale (CI).
"""

from __future__ import annotations

import sys
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2

from sourcing.server import reflection_v1
from sourcing.v1 import config_pb2, inventory_pb2, orders_pb2, simulation_pb2, sourcing_pb2

OUT = Path(__file__).resolve().parent.parent / "descriptors" / "sourcing.v1.binpb"
ROOTS = (
    sourcing_pb2.DESCRIPTOR,
    orders_pb2.DESCRIPTOR,
    inventory_pb2.DESCRIPTOR,
    config_pb2.DESCRIPTOR,
    simulation_pb2.DESCRIPTOR,
    health_pb2.DESCRIPTOR,
    reflection_v1.FILE,
)


def descriptor_set() -> bytes:
    """The files of ROOTS and their imports, each once, imports first, serialized stably."""
    files: list[object] = []
    seen: set[str] = set()

    def add(file: object) -> None:
        name = file.name  # type: ignore[attr-defined]
        if name in seen:
            return
        seen.add(name)
        for dependency in file.dependencies:  # type: ignore[attr-defined]
            add(dependency)
        files.append(file)

    for root in ROOTS:
        add(root)
    result = descriptor_pb2.FileDescriptorSet()
    for file in files:
        file.CopyToProto(result.file.add())  # type: ignore[attr-defined]
    return result.SerializeToString(deterministic=True)


def main(argv: list[str]) -> int:
    data = descriptor_set()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"{OUT} is stale: run python scripts/export_descriptors.py", file=sys.stderr)
            return 1
        print("descriptor set is current")
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Reflection answers under grpc.reflection.v1 (what grpcurl asks first) as under v1alpha."""

from __future__ import annotations

import grpc
from google.protobuf import descriptor_pb2

from sourcing.server import reflection_v1
from sourcing.server.contract import SERVICE_NAMES

TIMEOUT_S = 10


def _ask(channel: grpc.Channel, *requests: object) -> list[object]:
    call = channel.stream_stream(
        f"/{reflection_v1.SERVICE_NAME}/{reflection_v1.METHOD}",
        request_serializer=reflection_v1.V1Request.SerializeToString,
        response_deserializer=reflection_v1.V1Response.FromString,
    )
    return list(call(iter(requests), timeout=TIMEOUT_S))


def test_v1_lists_every_service(channel: grpc.Channel) -> None:
    """ListServices over v1 names the four services, health and both reflection versions."""
    (answer,) = _ask(channel, reflection_v1.V1Request(list_services=""))
    names = {service.name for service in answer.list_services_response.service}  # type: ignore[attr-defined]
    assert (
        set(SERVICE_NAMES)
        | {
            "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection",
            "grpc.reflection.v1.ServerReflection",
        }
        <= names
    )


def test_v1_describes_the_contract_and_itself(channel: grpc.Channel) -> None:
    """A v1 client gets the file declaring SourcingService, and the v1 reflection proto."""
    answers = _ask(
        channel,
        reflection_v1.V1Request(file_containing_symbol="sourcing.v1.SourcingService"),
        reflection_v1.V1Request(file_containing_symbol=reflection_v1.SERVICE_NAME),
    )
    files = []
    for answer in answers:
        for raw in answer.file_descriptor_response.file_descriptor_proto:  # type: ignore[attr-defined]
            files.append(descriptor_pb2.FileDescriptorProto.FromString(raw))
    services = {f"{f.package}.{s.name}" for f in files for s in f.service}
    assert {"sourcing.v1.SourcingService", "grpc.reflection.v1.ServerReflection"} <= services

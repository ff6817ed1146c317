"""Server reflection under grpc.reflection.v1 as well as v1alpha.

grpcurl and newer clients ask v1 first; the pinned grpcio-reflection serves
only v1alpha. The two protocols have identical messages under another package
name, so v1's descriptor is v1alpha's renamed, added to the default pool (so
reflection can describe itself), and v1 calls are answered by the v1alpha
servicer, the messages passed across as bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection, reflection_pb2

ALPHA_PACKAGE = "grpc.reflection.v1alpha"
V1_PACKAGE = "grpc.reflection.v1"
SERVICE_NAME = f"{V1_PACKAGE}.ServerReflection"
METHOD = "ServerReflectionInfo"


def _v1_file() -> Any:
    """The v1 reflection proto's file descriptor, in the default pool."""
    pool = descriptor_pool.Default()  # type: ignore[no-untyped-call]
    name = "grpc/reflection/v1/reflection.proto"
    try:
        return pool.FindFileByName(name)
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    proto.name = name
    proto.package = V1_PACKAGE
    old, new = f".{ALPHA_PACKAGE}.", f".{V1_PACKAGE}."
    for message in proto.message_type:
        for field in message.field:
            if field.HasField("type_name"):  # assigning "" would mark a scalar as typed
                field.type_name = field.type_name.replace(old, new)
    for service in proto.service:
        for method in service.method:
            method.input_type = method.input_type.replace(old, new)
            method.output_type = method.output_type.replace(old, new)
    return pool.Add(proto)


FILE = _v1_file()
V1Request = message_factory.GetMessageClass(FILE.message_types_by_name["ServerReflectionRequest"])
V1Response = message_factory.GetMessageClass(FILE.message_types_by_name["ServerReflectionResponse"])


def enable(service_names: Iterable[str], server: grpc.Server) -> None:
    """Serve reflection v1 for ``service_names`` (add SERVICE_NAME to them to list v1 itself)."""
    alpha = reflection.ReflectionServicer(tuple(service_names))

    def info(requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        as_alpha = (
            reflection_pb2.ServerReflectionRequest.FromString(r.SerializeToString())
            for r in requests
        )
        for answer in alpha.ServerReflectionInfo(as_alpha, context):
            yield V1Response.FromString(answer.SerializeToString())

    handler = grpc.method_handlers_generic_handler(
        SERVICE_NAME,
        {
            METHOD: grpc.stream_stream_rpc_method_handler(
                info,
                request_deserializer=V1Request.FromString,
                response_serializer=V1Response.SerializeToString,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))

"""The README names exactly the RPCs that still answer UNIMPLEMENTED."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import message_factory

from sourcing.v1 import config_pb2, inventory_pb2, orders_pb2, simulation_pb2, sourcing_pb2

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_unimplemented() -> set[str]:
    """The RPCs the README says answer UNIMPLEMENTED, as Service.Method."""
    text = README.read_text()
    start = text.index("What answers UNIMPLEMENTED for now")
    paragraph = text[start : text.index("\n\n", start)]
    return set(re.findall(r"`(\w+Service\.\w+)`", paragraph))


def every_rpc() -> list[tuple[str, str, Any]]:
    """(service, method, request class) for every RPC of the contract."""
    rpcs = []
    for module in (sourcing_pb2, orders_pb2, inventory_pb2, config_pb2, simulation_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                request = message_factory.GetMessageClass(method.input_type)
                rpcs.append((service.name, method.name, request))
    return rpcs


def test_readme_says_which_rpcs_are_unimplemented(channel: grpc.Channel) -> None:
    """Every RPC answers UNIMPLEMENTED to an empty request exactly when the README lists it."""
    listed = readme_unimplemented()
    wrong = []
    for service, method, request_class in every_rpc():
        call = channel.unary_unary(
            f"/sourcing.v1.{service}/{method}",
            request_serializer=request_class.SerializeToString,
            response_deserializer=lambda raw: raw,
        )
        try:
            call(request_class(), timeout=10)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
        name = f"{service}.{method}"
        if (code is grpc.StatusCode.UNIMPLEMENTED) is not (name in listed):
            wrong.append(f"{name}: {code.name}, README lists it: {name in listed}")
        if code is grpc.StatusCode.INTERNAL:
            wrong.append(f"{name}: INTERNAL for an empty request")
    assert wrong == []

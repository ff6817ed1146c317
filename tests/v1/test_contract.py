"""The sourcing.v1 gRPC contract follows its house rules (README, "The service").

The proto files are compiled once with source info, so the checks see the
comments as written, and the committed generated code is compared with them.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

REPO = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO / "proto"
PACKAGE = "sourcing.v1"

# Field numbers of the descriptor.proto fields that make up source paths.
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE = 4, 5, 6
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM, MESSAGE_ONEOF = 2, 3, 4, 8
ENUM_VALUE = 2
SERVICE_METHOD = 2

Element = tuple[str, tuple[int, ...]]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[descriptor_pb2.FileDescriptorProto]:
    """The contract's files, compiled with protoc and their source info."""
    protos = sorted(PROTO_ROOT.glob("sourcing/v1/*.proto"))
    assert protos, "no proto files under proto/sourcing/v1"
    out = tmp_path_factory.mktemp("descriptors") / "contract.pb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"--descriptor_set_out={out}",
            "--include_source_info",
            *(str(p.relative_to(PROTO_ROOT)) for p in protos),
        ],
        check=True,
        capture_output=True,
    )
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return list(descriptor_set.file)


def _messages(
    messages: list[descriptor_pb2.DescriptorProto],
    prefix: str,
    path: tuple[int, ...],
    tag: int,
) -> Iterator[tuple[str, tuple[int, ...], descriptor_pb2.DescriptorProto]]:
    """Every message, nested ones included, with its full name and source path."""
    for i, message in enumerate(messages):
        if message.options.map_entry:
            continue
        name, here = f"{prefix}.{message.name}", (*path, tag, i)
        yield name, here, message
        yield from _messages(list(message.nested_type), name, here, MESSAGE_NESTED)


def _enums(
    file: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[str, tuple[int, ...], descriptor_pb2.EnumDescriptorProto]]:
    """Every enum of a file, nested ones included, with full name and source path."""
    for i, enum in enumerate(file.enum_type):
        yield f"{PACKAGE}.{enum.name}", (FILE_ENUM, i), enum
    for name, path, message in _messages(list(file.message_type), PACKAGE, (), FILE_MESSAGE):
        for i, enum in enumerate(message.enum_type):
            yield f"{name}.{enum.name}", (*path, MESSAGE_ENUM, i), enum


def _elements(file: descriptor_pb2.FileDescriptorProto) -> Iterator[Element]:
    """Every service, method, message, field, oneof, enum and enum value of a file."""
    for i, service in enumerate(file.service):
        service_name = f"{PACKAGE}.{service.name}"
        yield service_name, (FILE_SERVICE, i)
        for j, method in enumerate(service.method):
            yield f"{service_name}.{method.name}", (FILE_SERVICE, i, SERVICE_METHOD, j)
    for name, path, message in _messages(list(file.message_type), PACKAGE, (), FILE_MESSAGE):
        yield name, path
        # An `optional` field sits alone in a synthetic oneof that has no source.
        synthetic = {f.oneof_index for f in message.field if f.proto3_optional}
        for j, field in enumerate(message.field):
            yield f"{name}.{field.name}", (*path, MESSAGE_FIELD, j)
        for j, oneof in enumerate(message.oneof_decl):
            if j not in synthetic:
                yield f"{name}.{oneof.name}", (*path, MESSAGE_ONEOF, j)
    for name, path, enum in _enums(file):
        yield name, path
        for j, value in enumerate(enum.value):
            yield f"{name}.{value.name}", (*path, ENUM_VALUE, j)


def _all_messages(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> Iterator[tuple[str, descriptor_pb2.DescriptorProto]]:
    """Every message of the contract with its full name."""
    for file in files:
        for name, _, message in _messages(list(file.message_type), PACKAGE, (), FILE_MESSAGE):
            yield name, message


def _methods(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> Iterator[tuple[str, descriptor_pb2.MethodDescriptorProto]]:
    """Every RPC of the contract with its service's name."""
    for file in files:
        for service in file.service:
            for method in service.method:
                yield service.name, method


def _module_name(file: descriptor_pb2.FileDescriptorProto) -> str:
    """The import path of a file's generated modules, without the _pb2 suffix."""
    return file.name.removesuffix(".proto").replace("/", ".")


def _clear_json_names(messages: list[descriptor_pb2.DescriptorProto]) -> None:
    """Clear json_name on every field, map entries and nested messages included."""
    for message in messages:
        for field in message.field:
            field.ClearField("json_name")
        _clear_json_names(list(message.nested_type))


def test_files_are_in_the_package(files: list[descriptor_pb2.FileDescriptorProto]) -> None:
    """Every contract file is proto3 in package sourcing.v1 under sourcing/v1/."""
    for file in files:
        assert file.name.startswith("sourcing/v1/"), file.name
        assert file.package == PACKAGE, file.name
        assert file.syntax == "proto3", file.name


def test_every_element_has_a_leading_comment(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> None:
    """Every service, RPC, message, field, oneof, enum and enum value is documented."""
    missing = []
    for file in files:
        comments = {
            tuple(location.path): location.leading_comments.strip()
            for location in file.source_code_info.location
        }
        missing += [name for name, path in _elements(file) if not comments.get(path)]
    assert missing == []


def test_enums_start_at_unspecified_and_prefix_values(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> None:
    """Every enum's zero value is <ENUM>_UNSPECIFIED and every value has the prefix."""
    for file in files:
        for name, _, enum in _enums(file):
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            zero = [value.name for value in enum.value if value.number == 0]
            assert zero == [f"{prefix}UNSPECIFIED"], name
            assert enum.value[0].number == 0, name
            for value in enum.value:
                assert value.name.startswith(prefix), f"{name}.{value.name}"


def test_names_follow_the_style(files: list[descriptor_pb2.FileDescriptorProto]) -> None:
    """Messages, enums, services and RPCs are PascalCase; fields are lower_snake_case."""
    pascal, snake = re.compile(r"^[A-Z][A-Za-z0-9]*$"), re.compile(r"^[a-z][a-z0-9_]*$")
    for name, message in _all_messages(files):
        assert pascal.match(message.name), name
        for field in message.field:
            assert snake.match(field.name), f"{name}.{field.name}"
    for file in files:
        for name, _, enum in _enums(file):
            assert pascal.match(enum.name), name
    for service, method in _methods(files):
        assert pascal.match(service), service
        assert service.endswith("Service"), service
        assert pascal.match(method.name), f"{service}.{method.name}"


def test_each_rpc_has_its_own_request_and_response(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> None:
    """Each RPC takes <Rpc>Request and returns <Rpc>Response, used by that RPC alone."""
    uses: Counter[str] = Counter()
    for _, method in _methods(files):
        assert method.input_type == f".{PACKAGE}.{method.name}Request", method.name
        assert method.output_type == f".{PACKAGE}.{method.name}Response", method.name
        assert not method.client_streaming, method.name
        assert not method.server_streaming, method.name
        uses.update([method.input_type, method.output_type])
    for _, message in _all_messages(files):
        uses.update(field.type_name for field in message.field if field.type_name)
    for name, _ in _all_messages(files):
        if name.endswith(("Request", "Response")):
            assert uses[f".{name}"] == 1, f"{name} must be used by exactly one RPC"


def test_generated_code_matches_the_protos(
    files: list[descriptor_pb2.FileDescriptorProto],
) -> None:
    """The committed sourcing/v1 modules import and hold exactly the compiled files."""
    for file in files:
        module = importlib.import_module(_module_name(file) + "_pb2")
        committed = descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)
        compiled = descriptor_pb2.FileDescriptorProto()
        compiled.CopyFrom(file)
        # The Python generator drops source info and the derived JSON names.
        compiled.ClearField("source_code_info")
        _clear_json_names(list(compiled.message_type))
        assert committed == compiled, f"{file.name}: run scripts/gen_proto.sh"


def test_every_service_has_stubs(files: list[descriptor_pb2.FileDescriptorProto]) -> None:
    """Every service has a client stub, a servicer base and a registration function."""
    for file in files:
        if not file.service:
            continue
        grpc_module = importlib.import_module(_module_name(file) + "_pb2_grpc")
        for service in file.service:
            for attribute in (
                f"{service.name}Stub",
                f"{service.name}Servicer",
                f"add_{service.name}Servicer_to_server",
            ):
                assert hasattr(grpc_module, attribute), f"{file.name}: {attribute}"

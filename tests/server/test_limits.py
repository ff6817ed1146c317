"""One limits table: every request field has one, the proto says it, every RPC applies it."""

from __future__ import annotations

import logging
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from sourcing.server.boundary.check import PACKAGE, limit_of
from sourcing.server.boundary.kinds import OutputOnly
from sourcing.server.boundary.limits import LIMITS
from sourcing.server.boundary.proto_text import fields, with_limits
from sourcing.v1 import (
    common_pb2,
    config_pb2,
    domain_pb2,
    inventory_pb2,
    orders_pb2,
    simulation_pb2,
    sourcing_pb2,
)
from tests.server.conftest import Clients
from tests.server.test_source import field_violations, hd_order

PROTO_DIR = Path(__file__).resolve().parents[2] / "proto" / "sourcing" / "v1"
MODULES = (sourcing_pb2, orders_pb2, inventory_pb2, config_pb2, simulation_pb2)
TIMEOUT_S = 10


def _request_messages() -> list[Descriptor]:
    found: dict[str, Descriptor] = {}

    def walk(message: Descriptor) -> None:
        if message.full_name in found or not message.full_name.startswith(PACKAGE):
            return
        found[message.full_name] = message
        for field in message.fields:
            limit = limit_of(message, field)
            if isinstance(limit, OutputOnly) or field.message_type is None:
                continue
            if not field.message_type.GetOptions().map_entry:
                walk(field.message_type)

    for module in MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                walk(method.input_type)
    return list(found.values())


def _needs_limit(field: FieldDescriptor) -> bool:
    if field.is_repeated:
        return True
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return bool(field.message_type.full_name.startswith("google.protobuf."))
    return field.type not in (FieldDescriptor.TYPE_BOOL, FieldDescriptor.TYPE_ENUM)


def test_every_request_field_has_a_limit() -> None:
    """Each string, number, duration, timestamp and list a request can carry is bounded."""
    messages = _request_messages()
    assert len(messages) > 30
    missing = [
        f"{message.full_name}.{field.name}"
        for message in messages
        for field in message.fields
        if _needs_limit(field) and limit_of(message, field) is None
    ]
    assert missing == []


def test_every_table_entry_names_a_request_field() -> None:
    """The table holds no limit for a field that does not exist (a renamed field would hide)."""
    known = {
        f"{m.full_name.removeprefix(PACKAGE)}.{f.name}"
        for m in _request_messages()
        for f in m.fields
    }
    assert set(LIMITS) - known == set()


def test_proto_comments_state_the_table() -> None:
    """Each `// Limit:` comment is the table's, word for word (scripts/write_proto_limits.py)."""
    stated: dict[str, str | None] = {}
    for path in sorted(PROTO_DIR.glob("*.proto")):
        text = path.read_text(encoding="utf-8")
        assert with_limits(text) == text, f"{path.name}: run scripts/write_proto_limits.py"
        for field in fields(text.split("\n")):
            stated[field.key] = field.limit_text
    assert {key: stated.get(key) for key in LIMITS} == {
        key: limit.describe() for key, limit in LIMITS.items()
    }


def _code_and_fields(call: grpc.UnaryUnaryMultiCallable, request: object) -> tuple[str, list[str]]:
    try:
        call(request, timeout=TIMEOUT_S)
    except grpc.RpcError as error:
        return error.code().name, field_violations(error)
    return "OK", []


def test_refs_have_one_limit_at_every_boundary(clients: Clients) -> None:
    """A 65-character ref is refused by Source, GetOrder and CancelOrder alike, naming the field."""
    long_ref = "R" * 65
    assert _code_and_fields(
        clients.sourcing.Source, sourcing_pb2.SourceRequest(order=hd_order(ref=long_ref))
    ) == ("INVALID_ARGUMENT", ["order.ref"])
    assert _code_and_fields(
        clients.orders.GetOrder, orders_pb2.GetOrderRequest(order_ref=long_ref)
    ) == ("INVALID_ARGUMENT", ["order_ref"])
    assert _code_and_fields(
        clients.orders.CancelOrder, orders_pb2.CancelOrderRequest(order_ref=long_ref)
    ) == ("INVALID_ARGUMENT", ["order_ref"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: setattr(o, "ref", "🙂"), "order.ref"),
        (
            lambda o: setattr(o, "collection_location_ref", "LOC 1"),
            "order.collection_location_ref",
        ),
        (lambda o: setattr(o.customer, "name", "a\x00b"), "order.customer.name"),
        (lambda o: setattr(o.lines[0], "quantity", 1_000_001), "order.lines[0].quantity"),
        (
            lambda o: o.lines[0].unit_price.MergeFrom(common_pb2.Money(currency="brl!")),
            "order.lines[0].unit_price.currency",
        ),
        (lambda o: o.lines.extend([o.lines[0]] * 500), "order.lines"),
        (lambda o: setattr(o.need_by, "seconds", 2**62), "order.need_by"),
    ],
)
def test_source_refuses_fields_outside_their_limit(clients: Clients, change, field) -> None:  # type: ignore[no-untyped-def]
    """Out-of-limit values are INVALID_ARGUMENT naming the field, not stored nor INTERNAL."""
    order = hd_order()
    change(order)
    assert _code_and_fields(clients.sourcing.Source, sourcing_pb2.SourceRequest(order=order)) == (
        "INVALID_ARGUMENT",
        [field],
    )


def test_ids_durations_and_weights_are_bounded(clients: Clients) -> None:
    """The inputs the fuzz campaign found INTERNAL for are INVALID_ARGUMENT naming the field."""
    huge = duration_pb2.Duration(seconds=2**63 - 1)
    cases = [
        (
            clients.sourcing.Reassign,
            sourcing_pb2.ReassignRequest(fulfilment_id="9" * 20),
            "fulfilment_id",
        ),
        (
            clients.orders.AcknowledgeFulfilment,
            orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id="9" * 20),
            "fulfilment_id",
        ),
        (clients.sourcing.Rebalance, sourcing_pb2.RebalanceRequest(time_limit=huge), "time_limit"),
        (
            clients.sourcing.SourceBatch,
            sourcing_pb2.SourceBatchRequest(time_limit=huge),
            "time_limit",
        ),
        (
            clients.sourcing.Source,
            sourcing_pb2.SourceRequest(order=hd_order(), weight_overrides={"distance": 1e308}),
            "weight_overrides",
        ),
        (
            clients.config.SetSourcingProfile,
            config_pb2.SetSourcingProfileRequest(
                profile=config_pb2.SourcingProfile(
                    order_type=common_pb2.ORDER_TYPE_HD,
                    weights=config_pb2.SourcingWeights(distance=1e308),
                )
            ),
            "profile.weights.distance",
        ),
        (
            clients.orders.ListOrders,
            orders_pb2.ListOrdersRequest(page_token="9" * 20),
            "page_token",
        ),
        (
            clients.config.CreateProduct,
            config_pb2.CreateProductRequest(
                product=config_pb2.Product(ref="P", price=common_pb2.Money(amount_minor=2**31))
            ),
            "product.price.amount_minor",
        ),
    ]
    answers = [_code_and_fields(call, request) for call, request, _ in cases]
    assert answers == [("INVALID_ARGUMENT", [field]) for _, _, field in cases]


def test_unknown_enum_numbers_are_refused(clients: Clients) -> None:
    """An enum number this contract does not define is INVALID_ARGUMENT naming the field."""
    order = hd_order()
    order.type = 99  # type: ignore[assignment]
    assert _code_and_fields(clients.sourcing.Source, sourcing_pb2.SourceRequest(order=order)) == (
        "INVALID_ARGUMENT",
        ["order.type"],
    )


@pytest.mark.parametrize("raw", [b"\xff\xff\xff", b"\x0a\x05ab", b"\x0a\x02\xc3\x28"])
def test_undecodable_bytes_are_invalid_argument(
    channel: grpc.Channel, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Bytes that are not a request are INVALID_ARGUMENT and one log line, no traceback."""
    call = channel.unary_unary(
        "/sourcing.v1.SourcingService/Source",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    with caplog.at_level(logging.INFO), pytest.raises(grpc.RpcError) as raised:
        call(raw, timeout=TIMEOUT_S)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "decode" in (raised.value.details() or "")
    assert not any(record.exc_info for record in caplog.records)
    assert not any("Traceback" in record.getMessage() for record in caplog.records)


def test_the_contract_ships_no_undocumented_domain_message() -> None:
    """The walk reaches the domain messages a request embeds (a guard on the walk itself)."""
    names = {m.full_name for m in _request_messages()}
    assert {
        domain_pb2.Order.DESCRIPTOR.full_name,
        domain_pb2.OrderLine.DESCRIPTOR.full_name,
        inventory_pb2.StockPosition.DESCRIPTOR.full_name,
    } <= names

"""Mutation fuzzing of every RPC through a real server on a SQLite file.

Each answer must be OK or a client-error code; INVALID_ARGUMENT from a
structured request names the field to blame; a refused call changes no row of
any table; the server keeps answering. The short profile runs in the normal
suite; ``--fuzz-long`` runs a longer campaign and keeps failing inputs in
hypothesis' example database (.hypothesis/), replayed first on the next run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2, message_factory, timestamp_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import MetaData

from sourcing.server.app import RunningServer
from sourcing.server.contract import CONTRACT_MODULES
from sourcing.v1 import (
    access_pb2,
    common_pb2,
    config_pb2,
    domain_pb2,
    inventory_pb2,
    operations_pb2,
    orders_pb2,
    simulation_pb2,
    sourcing_pb2,
)
from tests.server.fuzz.conftest import snapshot
from tests.server.fuzz.mutate import garbled, mutated

TIMEOUT_S = 20
SHORT_EXAMPLES = 40
LONG_EXAMPLES = 1500
CLIENT_ERRORS = {
    grpc.StatusCode.OK,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.UNIMPLEMENTED,
}
CODES: dict[str, Counter[str]] = {}


def _order() -> domain_pb2.Order:
    return domain_pb2.Order(
        ref="O1",
        type=common_pb2.ORDER_TYPE_HD,
        lines=[domain_pb2.OrderLine(ref="1", product_ref="SKU_1", quantity=2)],
        delivery_point=common_pb2.GeoPoint(latitude=0.0, longitude=0.0),
        customer=domain_pb2.Customer(ref="C1"),
    )


SEEDS: dict[str, Message] = {
    "Source": sourcing_pb2.SourceRequest(order=_order()),
    "SourceBatch": sourcing_pb2.SourceBatchRequest(
        orders=[_order()], time_limit=duration_pb2.Duration(seconds=1)
    ),
    "Rebalance": sourcing_pb2.RebalanceRequest(
        order_refs=["O1"], time_limit=duration_pb2.Duration(seconds=1), dry_run=True
    ),
    "Reassign": sourcing_pb2.ReassignRequest(fulfilment_id="1"),
    "GetOrder": orders_pb2.GetOrderRequest(order_ref="O1"),
    "GetStatus": operations_pb2.GetStatusRequest(escalation_days=7),
    "CancelOrder": orders_pb2.CancelOrderRequest(order_ref="O1"),
    "SetStock": inventory_pb2.SetStockRequest(
        positions=[inventory_pb2.StockPosition(location_ref="NEAR", product_ref="SKU_1", on_hand=9)]
    ),
    "AdjustStock": inventory_pb2.AdjustStockRequest(
        location_ref="NEAR", product_ref="SKU_2", delta=1
    ),
    "GetAvailability": inventory_pb2.GetAvailabilityRequest(product_refs=["SKU_1"]),
    "CreateProduct": config_pb2.CreateProductRequest(
        product=config_pb2.Product(
            ref="SKU_9", name="n", price=common_pb2.Money(amount_minor=100, currency="EUR")
        )
    ),
    "CreateLocation": config_pb2.CreateLocationRequest(
        location=config_pb2.Location(ref="L9", name="n", latitude=1.0, longitude=1.0)
    ),
    "CreateKey": access_pb2.CreateKeyRequest(key=access_pb2.ApiKey(name="n", role="analyst")),
    "StartSimulation": simulation_pb2.StartSimulationRequest(
        window_start=timestamp_pb2.Timestamp(seconds=1_700_000_000),
        window_end=timestamp_pb2.Timestamp(seconds=1_700_086_400),
        scenarios_toml='[baseline]\nname = "live"\n[[scenarios]]\npolicy = "greedy"\n',
        requested_by="fuzz",
    ),
}


def _rpcs() -> list[tuple[str, str, Any]]:
    rpcs = []
    for module in CONTRACT_MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                request = message_factory.GetMessageClass(method.input_type)
                rpcs.append((service.full_name, method.name, request))
    return rpcs


RPCS = _rpcs()


@pytest.fixture(scope="module", autouse=True)
def _report_codes() -> Iterator[None]:
    """Print requests and codes per RPC at the end (seen with ``-s``): the campaign's figures."""
    yield
    for name, codes in sorted(CODES.items()):
        print(f"fuzz {name}: {sum(codes.values())} requests, {dict(codes)}")


def _settings(request: pytest.FixtureRequest) -> settings:
    if request.config.getoption("--fuzz-long"):
        # Fresh draws each run (not the suite's repeatable profile); the example
        # database keeps the inputs that failed and replays them first next time.
        return settings(
            max_examples=LONG_EXAMPLES,
            deadline=None,
            derandomize=False,
            database=DirectoryBasedExampleDatabase(".hypothesis/fuzz"),
            suppress_health_check=list(HealthCheck),
        )
    return settings(
        max_examples=SHORT_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _call(channel: grpc.Channel, path: str, raw: bytes) -> grpc.RpcError | None:
    call = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=bytes)
    try:
        call(raw, timeout=TIMEOUT_S)
    except grpc.RpcError as error:
        return error
    return None


def _violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)
    fields: list[str] = []
    for detail in status.details if status is not None else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields.extend(v.field for v in bad.field_violations)
    return fields


def _check(
    server: RunningServer,
    tables: MetaData,
    channel: grpc.Channel,
    name: str,
    path: str,
    raw: bytes,
    *,
    structured: bool,
) -> None:
    before = snapshot(server.engine, tables)
    error = _call(channel, path, raw)
    code = grpc.StatusCode.OK if error is None else error.code()
    CODES.setdefault(name, Counter())[code.name] += 1
    assert code in CLIENT_ERRORS, f"{name}: {code.name} for {raw[:200]!r}"
    if error is None:
        return
    assert snapshot(server.engine, tables) == before, f"{name}: refused call changed rows"
    if structured and code is grpc.StatusCode.INVALID_ARGUMENT:
        assert _violations(error), f"{name}: INVALID_ARGUMENT without a field: {error.details()}"


@pytest.mark.parametrize(("service", "method", "request_class"), RPCS, ids=[m for _, m, _ in RPCS])
def test_mutated_fields_get_a_clear_answer(
    fuzz_server: RunningServer,
    fuzz_channel: grpc.Channel,
    tables: MetaData,
    request: pytest.FixtureRequest,
    service: str,
    method: str,
    request_class: Any,
) -> None:
    """Hostile field values: OK or a client error naming the field; a refusal changes no row."""
    seed = SEEDS.get(method, request_class())
    path = f"/{service}/{method}"

    @_settings(request)
    @given(message=mutated(seed))
    def run(message: Message) -> None:
        raw = message.SerializeToString()
        _check(fuzz_server, tables, fuzz_channel, method, path, raw, structured=True)

    run()


@pytest.mark.parametrize(("service", "method", "request_class"), RPCS, ids=[m for _, m, _ in RPCS])
def test_mutated_bytes_get_a_clear_answer(
    fuzz_server: RunningServer,
    fuzz_channel: grpc.Channel,
    tables: MetaData,
    request: pytest.FixtureRequest,
    service: str,
    method: str,
    request_class: Any,
) -> None:
    """Byte mutations of a valid request: never INTERNAL or UNKNOWN; a refusal changes no row."""
    seed = SEEDS.get(method, request_class()).SerializeToString()
    path = f"/{service}/{method}"

    @_settings(request)
    @given(raw=st.one_of(garbled(seed), st.binary(max_size=64)))
    def run(raw: bytes) -> None:
        _check(fuzz_server, tables, fuzz_channel, method, path, raw, structured=False)

    run()


def test_the_server_still_answers(fuzz_channel: grpc.Channel) -> None:
    """After the campaign a plain valid call still works."""
    call = fuzz_channel.unary_unary(
        "/sourcing.v1.InventoryService/GetAvailability",
        request_serializer=inventory_pb2.GetAvailabilityRequest.SerializeToString,
        response_deserializer=inventory_pb2.GetAvailabilityResponse.FromString,
    )
    answer = call(inventory_pb2.GetAvailabilityRequest(product_refs=["SKU_1"]), timeout=TIMEOUT_S)
    assert answer is not None

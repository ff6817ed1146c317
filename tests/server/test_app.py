"""The server starts, reports health, offers reflection and answers UNIMPLEMENTED where due."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sourcing.server.app import RunningServer
from sourcing.server.contract import SERVICE_NAMES
from sourcing.v1 import orders_pb2
from tests.server.conftest import Clients


def test_health_reports_serving_then_not_serving_on_shutdown(server: RunningServer) -> None:
    """Health is SERVING while up and NOT_SERVING once graceful shutdown starts."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        for name in ("", *SERVICE_NAMES):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        server.health.enter_graceful_shutdown()
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


def test_reflection_lists_every_service(channel: grpc.Channel) -> None:
    """Server reflection names the four services and health."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names = {
        s.name
        for reply in stub.ServerReflectionInfo(iter([request]))
        for s in reply.list_services_response.service
    }
    assert set(SERVICE_NAMES) <= names
    assert "grpc.health.v1.Health" in names


def test_order_service_is_served(clients: Clients) -> None:
    """OrderService answers: an unknown order is NOT_FOUND, not UNIMPLEMENTED."""
    with pytest.raises(grpc.RpcError) as info:
        clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref="X"), timeout=5)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND

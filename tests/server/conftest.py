"""A real gRPC server on a free localhost port, on each database backend."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from sourcing.server.app import RunningServer, create_server
from sourcing.v1 import (
    config_pb2_grpc,
    inventory_pb2_grpc,
    orders_pb2_grpc,
    simulation_pb2_grpc,
    sourcing_pb2_grpc,
)


@pytest.fixture
def server(db_url: str) -> Iterator[RunningServer]:
    """A migrated server on ``db_url`` (SQLite file and PostgreSQL schema), stopped afterwards."""
    running = create_server(db_url, address="127.0.0.1:0")
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


@pytest.fixture
def channel(server: RunningServer) -> Iterator[grpc.Channel]:
    """A client channel to the test server."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        yield ch


class Clients:
    """One generated stub per service on a channel."""

    def __init__(self, ch: grpc.Channel) -> None:
        self.sourcing = sourcing_pb2_grpc.SourcingServiceStub(ch)
        self.orders = orders_pb2_grpc.OrderServiceStub(ch)
        self.inventory = inventory_pb2_grpc.InventoryServiceStub(ch)
        self.config = config_pb2_grpc.ConfigServiceStub(ch)
        self.simulations = simulation_pb2_grpc.SimulationServiceStub(ch)


@pytest.fixture
def clients(channel: grpc.Channel) -> Clients:
    """Stubs for every service of the test server."""
    return Clients(channel)

"""Stopping: a NOT_SERVING drain window that still takes calls, then no commit after grace."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import select

from sourcing.models import Location
from sourcing.models.db.engine import session_factory
from sourcing.server.app import create_server
from sourcing.v1 import config_pb2, config_pb2_grpc
from tests.server.test_config_inventory import location


def test_drain_reports_not_serving_while_still_answering(db_url: str) -> None:
    """During the drain, Check says NOT_SERVING and calls are still served."""
    running = create_server(db_url)
    stopper = threading.Thread(target=running.stop, kwargs={"grace_s": 1.0, "drain_s": 2.0})
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            check = health_pb2.HealthCheckRequest(service="")
            assert health.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING
            stopper.start()
            deadline = time.monotonic() + 5
            while health.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING:
                assert time.monotonic() < deadline, "never left SERVING"
                time.sleep(0.02)
            config = config_pb2_grpc.ConfigServiceStub(channel)
            listed = config.ListLocations(config_pb2.ListLocationsRequest(), timeout=5)
            assert [loc.ref for loc in listed.locations] == ["RJT_1"]
    finally:
        stopper.join(timeout=30)
    assert not stopper.is_alive()


def test_after_grace_no_call_commits(db_url: str) -> None:
    """Once the gate is closed a call is UNAVAILABLE and writes nothing: never failed but done."""
    running = create_server(db_url)
    try:
        running.gate.close()
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            config = config_pb2_grpc.ConfigServiceStub(channel)
            with pytest.raises(grpc.RpcError) as info:
                config.CreateLocation(
                    config_pb2.CreateLocationRequest(location=location("WH_9")), timeout=5
                )
            assert info.value.code() is grpc.StatusCode.UNAVAILABLE
        with session_factory(running.engine)() as session:
            refs = session.scalars(select(Location.ref)).all()
        assert "WH_9" not in refs
    finally:
        running.stop(grace_s=1.0)

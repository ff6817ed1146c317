"""A real server with metrics on: every counter and gauge moves by exactly what was done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import func, select, update

from sourcing.models import Fulfilment, OutboxEvent
from sourcing.models.db.engine import session_factory
from sourcing.models.events.webhooks import DeliveryPolicy
from sourcing.server.app import RunningServer, create_server
from sourcing.server.background import Housekeeping
from sourcing.server.observability.metrics import SourcingMetrics
from sourcing.server.observability.setup import Observability
from sourcing.v1 import sourcing_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import network, order, pick, source
from tests.server.observability.scrape import scrape, value

SOURCE = {"grpc_type": "unary", "grpc_service": "sourcing.v1.SourcingService"}


@pytest.fixture
def observed(db_url: str) -> Iterator[RunningServer]:
    """A server with metrics served on a free loopback port; housekeeping run by the test."""
    running = create_server(
        db_url,
        observability=Observability(SourcingMetrics()),
        metrics_address=("127.0.0.1", 0),
    )
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


def test_counters_move_by_exactly_what_the_calls_did(observed: RunningServer) -> None:
    """Source (served and partly rejected), a refused call, a short pick, an SLA breach and
    webhooks that cannot be delivered, each counted exactly once, on both databases."""
    assert observed.metrics_port is not None
    network(observed, {"S1": {"SKU_1": 3}})  # every event goes to a dead URL
    with grpc.insecure_channel(f"127.0.0.1:{observed.port}") as channel:
        clients = Clients(channel)
        served = source(clients, order("O1", {"SKU_1": 2}))
        escalated = source(clients, order("O2", {"SKU_1": 5}))  # 1 left: 4 rejected
        with pytest.raises(grpc.RpcError) as refused:
            clients.sourcing.Source(sourcing_pb2.SourceRequest(), timeout=10)
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        pick(clients, served["S1"], {"1": 1})  # one unit short
    sessions = session_factory(observed.engine)
    with sessions.begin() as session:
        session.execute(
            update(Fulfilment)
            .where(Fulfilment.id == int(escalated["S1"]))
            .values(due_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    policy = DeliveryPolicy(max_attempts=1, timeout_s=1.0)  # one failure parks an event
    Housekeeping(sessions, 1.0, policy, observed.observability.recorder).run_once()
    with sessions() as session:
        events = session.scalar(select(func.count()).select_from(OutboxEvent))
    assert events

    m = scrape(observed.metrics_port)
    assert value(m, "grpc_server_started_total", **SOURCE, grpc_method="Source") == 3
    handled = "grpc_server_handled_total"
    assert value(m, handled, **SOURCE, grpc_method="Source", grpc_code="OK") == 2
    assert value(m, handled, **SOURCE, grpc_method="Source", grpc_code="INVALID_ARGUMENT") == 1
    assert value(m, "grpc_server_handling_seconds_count", **SOURCE, grpc_method="Source") == 3
    orders = "sourcing_orders_sourced_total"
    assert value(m, orders, order_type="HD", outcome="served") == 1
    assert value(m, orders, order_type="HD", outcome="partly_rejected") == 1
    assert value(m, "sourcing_units_rejected_total", order_type="HD") == 4
    assert value(m, "sourcing_fulfilments_per_order_count") == 2
    assert value(m, "sourcing_solve_seconds_count", policy="mip") == 3  # 2 Source + 1 reassign
    assert value(m, "sourcing_reduction_candidates_kept_count") == 3
    # S1 for each Source; none for the short pick, whose only stock (S1) is excluded.
    assert value(m, "sourcing_reduction_candidates_kept_sum") == 2
    assert value(m, "sourcing_short_picks_total") == 1
    assert value(m, "sourcing_short_picked_units_total") == 1
    assert value(m, "sourcing_reassignments_total") == 1
    assert value(m, "sourcing_reassigned_units_total") == 1
    assert value(m, "sourcing_sla_overdue_found_total") == 1
    moved = "sourcing_fulfilment_transitions_total"
    assert value(m, moved, from_status="CREATED", to_status="ACKNOWLEDGED") == 1
    assert value(m, moved, from_status="ACKNOWLEDGED", to_status="PICKED") == 1
    assert value(m, moved, from_status="CREATED", to_status="ESCALATED") == 1
    assert value(m, "sourcing_stock_race_resolves_total") == 0
    assert value(m, "sourcing_webhook_deliveries_total", outcome="PARKED") == events
    assert value(m, "sourcing_webhook_deliveries_total", outcome="DELIVERED") == 0
    assert value(m, "sourcing_webhook_delivery_seconds_count") == events
    assert value(m, "sourcing_webhook_outbox_parked") == events
    assert value(m, "sourcing_webhook_outbox_pending") == 0
    assert value(m, "process_cpu_seconds_total") > 0


def test_two_servers_in_one_process_count_only_their_own_calls(tmp_path: Path) -> None:
    """Each server has its own registry: a call to one leaves the other's counters at 0."""
    servers = [
        create_server(
            f"sqlite:///{tmp_path / f'{name}.db'}",
            observability=Observability(SourcingMetrics()),
            metrics_address=("127.0.0.1", 0),
        )
        for name in ("a", "b")
    ]
    try:
        with grpc.insecure_channel(f"127.0.0.1:{servers[0].port}") as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        labels = {"grpc_type": "unary", "grpc_service": "grpc.health.v1.Health"}
        counts = []
        for running in servers:
            assert running.metrics_port is not None
            samples = scrape(running.metrics_port)
            counts.append(
                value(samples, "grpc_server_started_total", **labels, grpc_method="Check")
            )
        assert counts == [1, 0]
    finally:
        for running in servers:
            running.stop(grace_s=1.0)

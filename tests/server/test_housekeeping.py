"""Housekeeping inside the server: an overdue fulfilment is swept and announced by webhook."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import update

from sourcing.models import Fulfilment, FulfilmentStatus
from sourcing.models.db.engine import session_factory
from sourcing.models.events.webhooks import DeliveryPolicy
from sourcing.server.app import RunningServer, create_server
from sourcing.v1 import config_pb2
from tests.server.conftest import Clients
from tests.server.test_reassign import network, source
from tests.server.test_source import hd_order
from tests.server.test_webhooks import SECRET, Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver on a free localhost port, shut down after the test."""
    with running_receiver() as state:
        yield state


@pytest.fixture
def busy_server(db_url: str) -> Iterator[RunningServer]:
    """A server whose housekeeping sweeps and delivers every 50 ms."""
    policy = DeliveryPolicy(base_delay_s=0.05, max_delay_s=0.2, timeout_s=2.0)
    running = create_server(db_url, housekeeping_interval_s=0.05, delivery_policy=policy)
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


def test_overdue_fulfilment_reaches_the_receiver_through_serve(
    busy_server: RunningServer, receiver: Receiver
) -> None:
    """An overdue order sourced over gRPC is escalated; refused twice, its event arrives thrice."""
    receiver.refuse = 2
    network(busy_server, {"S1": {"SKU_A": 5}})
    with grpc.insecure_channel(f"127.0.0.1:{busy_server.port}") as channel:
        clients = Clients(channel)
        clients.config.CreateWebhookSubscription(
            config_pb2.CreateWebhookSubscriptionRequest(
                subscription=config_pb2.WebhookSubscription(
                    url=receiver.url,
                    secret=SECRET,
                    event_types=[config_pb2.WEBHOOK_EVENT_TYPE_FULFILMENT_STATUS_CHANGED],
                )
            ),
            timeout=10,
        )
        fulfilment_id = int(source(clients, hd_order("O_LATE", 2, "SKU_A"))["S1"])
    sessions = session_factory(busy_server.engine)
    with sessions.begin() as session:
        session.execute(
            update(Fulfilment)
            .where(Fulfilment.id == fulfilment_id)
            .values(due_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    deadline = time.monotonic() + 20
    while len(receiver.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(receiver.requests) == 3
    assert len({r.event_id for r in receiver.requests}) == 1
    (event,) = receiver.processed.values()
    assert (event["entity_id"], event["status"]) == (str(fulfilment_id), "ESCALATED")
    with sessions() as session:
        fulfilment = session.get(Fulfilment, fulfilment_id)
        assert fulfilment is not None and fulfilment.status is FulfilmentStatus.ESCALATED


def test_housekeeping_is_off_by_default_and_stops_with_the_server(db_url: str) -> None:
    """create_server runs no background thread unless asked; when asked, stop ends it promptly."""
    plain = create_server(db_url)
    assert plain.housekeeping is None
    plain.stop(grace_s=0)
    running = create_server(db_url, migrate=False, housekeeping_interval_s=0.05)
    housekeeping = running.housekeeping
    assert housekeeping is not None and housekeeping.running
    started = time.monotonic()
    running.stop(grace_s=0)
    assert time.monotonic() - started < 3
    assert not housekeeping.running

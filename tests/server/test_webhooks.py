"""Webhook delivery to a real HTTP receiver on localhost, on SQLite and PostgreSQL.

The receiver refuses the first attempts, then accepts; the worker is driven
step by step with an injected clock, so backoff is checked without waiting.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import OutboxEvent, OutboxState
from sourcing.models.config.setup import WebhookSpec, create_webhook_subscription
from sourcing.models.events.outbox import emit
from sourcing.models.events.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliveryPolicy,
    deliver_due,
    sign,
    verify_signature,
)

SECRET = "receiver-secret"
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class Request:
    """One POST as the receiver saw it."""

    headers: dict[str, str]
    body: bytes

    @property
    def event_id(self) -> str:
        """The event id in the body (the header must say the same)."""
        value: str = json.loads(self.body)["event_id"]
        return value


@dataclass
class Receiver:
    """A localhost HTTP endpoint that answers 500 to its first ``refuse`` POSTs, then 204.

    It reads each body before answering, so a refused POST is a delivery
    the worker does not know arrived: the retry is a duplicate, which the
    receiver drops by event id. ``delay_s`` makes each answer slow.
    """

    refuse: int = 0
    delay_s: float = 0.0
    requests: list[Request] = field(default_factory=list)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        """Record the POST and pick the answer."""
        with self.lock:
            self.requests.append(Request(headers, body))
            if verify_signature(
                SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER], max_age_s=300
            ):
                event = json.loads(body)
                self.processed.setdefault(event["event_id"], event)  # dedupe on the event id
            refused = len(self.requests) <= self.refuse
        time.sleep(self.delay_s)
        return 500 if refused else 204


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver listening on a free localhost port until the block ends."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = state.handle(dict(self.headers.items()), body)
            self.send_response(code)
            self.end_headers()
            if code >= 400:
                self.wfile.write(b"try later")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver on a free localhost port, shut down after the test."""
    with running_receiver() as state:
        yield state


class TopOfRange(random.Random):
    """Jitter that always draws the ceiling, so each backoff is exactly its bound."""

    def uniform(self, a: float, b: float) -> float:
        return b


def subscribe(sessions: sessionmaker[Session], url: str) -> None:
    """Subscribe ``url`` to every event."""
    with sessions.begin() as session:
        create_webhook_subscription(session, WebhookSpec(url, SECRET))


def emit_one(sessions: sessionmaker[Session], entity_id: str = "7") -> None:
    """One FULFILMENT_STATUS_CHANGED event, committed at ``T0``."""
    with sessions.begin() as session:
        emit(session, "FULFILMENT_STATUS_CHANGED", "fulfilment", entity_id, "ESCALATED", {"n": 1})
        session.flush()
        session.execute(update(OutboxEvent).values(next_attempt_at=T0, created_at=T0))


def only_row(sessions: sessionmaker[Session]) -> OutboxEvent:
    """The single outbox row."""
    with sessions() as session:
        return session.scalars(select(OutboxEvent)).one()


POLICY = DeliveryPolicy(base_delay_s=1.0, max_delay_s=3.0, max_attempts=5, timeout_s=2.0)


def test_retries_with_backoff_until_accepted(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    """Refused twice, the event is retried after 1 s then 2 s of (injected) time, then delivered."""
    receiver.refuse = 2
    subscribe(sessions, receiver.url)
    emit_one(sessions)
    now, jitter = T0, TopOfRange()
    for attempt, delay_s in ((1, 1.0), (2, 2.0)):
        report = deliver_due(sessions, POLICY, now=now, rng=jitter)
        assert (report.claimed, report.retrying) == (1, 1)
        row = only_row(sessions)
        assert row.attempts == attempt
        assert row.state is OutboxState.PENDING
        assert row.last_error is not None and row.last_error.startswith("HTTP 500")
        assert row.next_attempt_at == now + timedelta(seconds=delay_s)
        # Not due a moment before the backoff has passed.
        almost = row.next_attempt_at - timedelta(milliseconds=1)
        assert deliver_due(sessions, POLICY, now=almost, rng=jitter).claimed == 0
        now = row.next_attempt_at
    report = deliver_due(sessions, POLICY, now=now, rng=jitter)
    assert (report.claimed, report.delivered) == (1, 1)
    row = only_row(sessions)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.DELIVERED, 3, None)
    assert deliver_due(sessions, POLICY, now=now + timedelta(days=1)).claimed == 0
    assert len(receiver.requests) == 3


def test_signatures_verify_and_duplicates_share_the_event_id(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    """Every attempt is signed; a refused-but-read POST comes again with the same event id."""
    receiver.refuse = 1
    subscribe(sessions, receiver.url)
    emit_one(sessions)
    deliver_due(sessions, POLICY, now=T0)
    deliver_due(sessions, POLICY, now=T0 + timedelta(seconds=POLICY.max_delay_s))
    first, second = receiver.requests
    row = only_row(sessions)
    assert row.state is OutboxState.DELIVERED
    for request in (first, second):
        assert request.headers[EVENT_ID_HEADER] == request.event_id == row.event_id
        assert request.headers["Content-Type"] == "application/json"
        timestamp, signature = request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER]
        assert signature == sign(SECRET, timestamp, request.body)
        assert verify_signature(SECRET, timestamp, request.body, signature)
        assert not verify_signature("other", timestamp, request.body, signature)
        assert not verify_signature(SECRET, timestamp, request.body + b" ", signature)
        assert not verify_signature(SECRET, int(timestamp) + 1, request.body, signature)
    assert first.body == second.body  # a duplicate is byte for byte the same event
    assert list(receiver.processed) == [row.event_id]  # and the receiver dropped it
    event = receiver.processed[row.event_id]
    assert event == {
        "event_id": row.event_id,
        "event_type": "FULFILMENT_STATUS_CHANGED",
        "entity_type": "fulfilment",
        "entity_id": "7",
        "status": "ESCALATED",
        "time": T0.isoformat(),
        "payload": {"n": 1},
    }


def test_parked_after_max_attempts(sessions: sessionmaker[Session], receiver: Receiver) -> None:
    """An event refused ``max_attempts`` times is PARKED and never sent again."""
    receiver.refuse = 1000
    policy = DeliveryPolicy(base_delay_s=1.0, max_delay_s=1.0, max_attempts=3, timeout_s=2.0)
    subscribe(sessions, receiver.url)
    emit_one(sessions)
    outcomes = []
    for step in range(5):
        report = deliver_due(sessions, policy, now=T0 + timedelta(seconds=2 * step))
        outcomes.append((report.claimed, report.retrying, report.parked))
    assert outcomes == [(1, 1, 0), (1, 1, 0), (1, 0, 1), (0, 0, 0), (0, 0, 0)]
    row = only_row(sessions)
    assert (row.state, row.attempts) == (OutboxState.PARKED, 3)
    assert row.last_error == "HTTP 500: try later"
    assert len(receiver.requests) == 3


def test_slow_receiver_times_out(sessions: sessionmaker[Session], receiver: Receiver) -> None:
    """A receiver slower than the timeout is a failed attempt, retried later."""
    receiver.delay_s = 0.5
    subscribe(sessions, receiver.url)
    emit_one(sessions)
    policy = DeliveryPolicy(base_delay_s=1.0, max_attempts=3, timeout_s=0.1)
    started = time.monotonic()
    report = deliver_due(sessions, policy, now=T0)
    assert time.monotonic() - started < 0.45
    assert report.retrying == 1
    error = only_row(sessions).last_error
    assert error is not None and "timed out" in error


def test_unreachable_url_is_retried(sessions: sessionmaker[Session]) -> None:
    """A refused connection is a failed attempt too, with the error kept."""
    subscribe(sessions, "http://127.0.0.1:9/nobody-listens")
    emit_one(sessions)
    assert deliver_due(sessions, POLICY, now=T0).retrying == 1
    assert only_row(sessions).last_error is not None


def test_concurrent_workers_claim_disjoint_rows(
    sessions: sessionmaker[Session], receiver: Receiver
) -> None:
    """Four workers draining 12 events at once deliver each exactly once."""
    subscribe(sessions, receiver.url)
    for i in range(12):
        emit_one(sessions, entity_id=str(i))
    policy = DeliveryPolicy(batch_size=3, timeout_s=2.0, lease_s=60.0)

    def drain() -> None:
        while deliver_due(sessions, policy, now=T0).claimed:
            pass

    workers = [threading.Thread(target=drain) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    ids = [request.event_id for request in receiver.requests]
    assert len(ids) == len(set(ids)) == 12
    with sessions() as session:
        states = session.scalars(select(OutboxEvent.state)).all()
    assert set(states) == {OutboxState.DELIVERED}


def test_stop_hands_unsent_rows_back(sessions: sessionmaker[Session], receiver: Receiver) -> None:
    """Rows claimed but not sent when stopping are due again, their attempt uncounted."""
    subscribe(sessions, receiver.url)
    for i in range(3):
        emit_one(sessions, entity_id=str(i))
    stop = threading.Event()
    stop.set()
    report = deliver_due(sessions, POLICY, now=T0, stop=stop)
    assert (report.claimed, report.delivered) == (3, 0)
    with sessions() as session:
        rows = session.scalars(select(OutboxEvent)).all()
    assert {(r.state, r.attempts) for r in rows} == {(OutboxState.PENDING, 0)}
    assert deliver_due(sessions, POLICY).delivered == 3


def test_old_timestamps_can_be_refused() -> None:
    """With ``max_age_s``, a correctly signed but stale request does not verify."""
    body = b'{"event_id":"e"}'
    header = sign(SECRET, 1_000, body)
    assert verify_signature(SECRET, 1_000, body, header)
    assert verify_signature(SECRET, "1000", body.decode(), header, max_age_s=60, now=1_030)
    assert not verify_signature(SECRET, 1_000, body, header, max_age_s=60, now=1_100)
    assert not verify_signature(SECRET, "soon", body, header, max_age_s=60)
    assert not verify_signature(SECRET, 1_000, body, None)
    assert not verify_signature(SECRET, 1_000, body, header.removeprefix("sha256="))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"base_delay_s": 0}, "Expected base_delay_s > 0"),
        ({"max_delay_s": 0.5}, "Expected max_delay_s >= base_delay_s"),
        ({"max_attempts": 0}, "Expected max_attempts >= 1"),
        ({"timeout_s": 0}, "Expected timeout_s > 0"),
        ({"batch_size": 0}, "Expected batch_size >= 1"),
        ({"lease_s": 10.0}, "Expected lease_s > timeout_s \\* batch_size"),
    ],
)
def test_policy_checks_itself(changes: dict[str, float], match: str) -> None:
    """A delivery policy that cannot work is refused, naming the field."""
    values: dict[str, float] = {"base_delay_s": 1.0, "max_delay_s": 10.0, **changes}
    with pytest.raises(ValueError, match=match):
        DeliveryPolicy(**values)  # type: ignore[arg-type]

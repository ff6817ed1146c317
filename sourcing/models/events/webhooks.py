"""Delivering webhook events from the outbox: claim, sign, POST, retry, park.

Each PENDING outbox row (one per event and subscription) is POSTed to its
subscription's URL as a JSON object::

    {"event_id": "...", "event_type": "FULFILMENT_STATUS_CHANGED",
     "entity_type": "fulfilment", "entity_id": "42", "status": "ESCALATED",
     "time": "2026-01-01T12:00:00+00:00", "payload": {...}}

with the headers ``X-Sourcing-Event-Id`` (the event id), ``X-Sourcing-Timestamp``
(Unix seconds when this attempt was signed) and ``X-Sourcing-Signature``:
``"sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}.{body}"))`` over the raw
body bytes. Any 2xx answer counts as delivered; anything else (another
status, a redirect, a timeout, a refused connection) is a failed attempt.
After ``n`` failed attempts the next waits a random time between 0 and
``min(max_delay_s, base_delay_s * 2 ** (n - 1))`` (exponential backoff with
full jitter); after ``max_attempts`` the row is PARKED for a person to look
at. Delivery is at least once: a receiver must drop an event id it has seen.

Claiming is safe with several workers on one database. The claim is a short
transaction that takes due rows in a stable order (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so concurrent workers take disjoint rows; SQLite's
``BEGIN IMMEDIATE`` serialises claims), counts the attempt and leases each
row by moving its ``next_attempt_at`` past the time the POSTs can take. The
POSTs run outside any transaction, so a slow receiver never holds a lock;
the outcome is recorded only if the row still carries this attempt's count.
A worker that dies mid-batch leaves its rows to be claimed again once the
lease runs out.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import OutboxState
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.events.tables import OutboxEvent, WebhookSubscription
from sourcing.ops.recorder import current

log = logging.getLogger(__name__)

EVENT_ID_HEADER = "X-Sourcing-Event-Id"
TIMESTAMP_HEADER = "X-Sourcing-Timestamp"
SIGNATURE_HEADER = "X-Sourcing-Signature"
SIGNATURE_PREFIX = "sha256="
_MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How the worker sends: timeouts, batch size, the backoff and when to park.

    ``lease_s`` is how long a claimed row is left alone by other workers;
    it must exceed what one batch of POSTs can take.
    """

    base_delay_s: float = 5.0
    max_delay_s: float = 3600.0
    max_attempts: int = 12
    timeout_s: float = 5.0
    batch_size: int = 20
    lease_s: float = 300.0

    def __post_init__(self) -> None:
        if not self.base_delay_s > 0:
            raise ValueError(f"Expected base_delay_s > 0, got {self.base_delay_s}.")
        if not self.max_delay_s >= self.base_delay_s:
            raise ValueError(
                f"Expected max_delay_s >= base_delay_s ({self.base_delay_s}), "
                f"got {self.max_delay_s}."
            )
        if self.max_attempts < 1:
            raise ValueError(f"Expected max_attempts >= 1, got {self.max_attempts}.")
        if not self.timeout_s > 0:
            raise ValueError(f"Expected timeout_s > 0, got {self.timeout_s}.")
        if self.batch_size < 1:
            raise ValueError(f"Expected batch_size >= 1, got {self.batch_size}.")
        if not self.lease_s > self.timeout_s * self.batch_size:
            raise ValueError(
                f"Expected lease_s > timeout_s * batch_size "
                f"({self.timeout_s * self.batch_size}), got {self.lease_s}."
            )

    def backoff_s(self, failed_attempts: int, rng: random.Random) -> float:
        """Seconds to wait after ``failed_attempts`` failures: full jitter under the cap."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (failed_attempts - 1))
        return rng.uniform(0.0, ceiling)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One claimed attempt: where to send what, detached from any session."""

    outbox_id: int
    attempt: int
    event_id: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one call of :func:`deliver_due` did, counted in outbox rows."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    parked: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.claimed + other.claimed,
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.parked + other.parked,
        )

    def __str__(self) -> str:
        return (
            f"webhooks: {self.claimed} claimed, {self.delivered} delivered, "
            f"{self.retrying} to retry, {self.parked} parked"
        )


# Sends one attempt within a timeout; returns None on success, else what went wrong.
Sender = Callable[[Delivery, float], str | None]


def event_body(row: OutboxEvent) -> bytes:
    """The JSON body of an outbox row; the same bytes on every attempt."""
    document: dict[str, Any] = {
        "event_id": row.event_id,
        "event_type": row.event_type,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "status": row.status,
        "time": row.created_at.isoformat(),
        "payload": row.payload or {},
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The ``X-Sourcing-Signature`` value for ``body`` sent at ``timestamp``."""
    message = f"{timestamp}.".encode() + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes | str,
    header: str | None,
    *,
    max_age_s: float | None = None,
    now: float | None = None,
) -> bool:
    """Whether ``header`` is the signature of ``body`` at ``timestamp`` under ``secret``.

    For receivers: pass the raw request body and the ``X-Sourcing-Timestamp``
    and ``X-Sourcing-Signature`` headers. The comparison takes constant
    time. With ``max_age_s``, a timestamp further than that from ``now``
    (Unix seconds, default the current time) is refused too, which stops a
    captured request from being replayed later.
    """
    if not header:
        return False
    raw = body.encode() if isinstance(body, str) else body
    if max_age_s is not None:
        try:
            sent = int(timestamp)
        except ValueError:
            return False
        if abs((time.time() if now is None else now) - sent) > max_age_s:
            return False
    return hmac.compare_digest(sign(secret, timestamp, raw).encode(), header.encode())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are failures: the signed event is never forwarded to another URL."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(delivery: Delivery, timeout_s: float) -> str | None:
    """POST one signed attempt with urllib; None on a 2xx answer, else the error."""
    if urlsplit(delivery.url).scheme not in ("http", "https"):
        return f"unsupported URL scheme in {delivery.url!r}; expected http or https"
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.url,
        data=delivery.body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "sourcing-webhooks/1",
            EVENT_ID_HEADER: delivery.event_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(delivery.secret, timestamp, delivery.body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode(errors="replace")
        error.close()
        return f"HTTP {error.code}: {detail}".strip()
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def deliver_due(
    sessions: sessionmaker[Session],
    policy: DeliveryPolicy | None = None,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    send: Sender = post,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Claim one batch of due PENDING rows, send each once, and record the outcomes.

    Parameters
    ----------
    now
        The clock: rows due at or before it are claimed, and backoff is
        counted from it. Default: the current time (read again for each
        outcome).
    rng
        Draws the jitter; a seeded one makes the delays repeatable.
    send
        Sends one attempt; :func:`post` unless a test swaps it.
    stop
        When set while the batch is being sent, the rows not yet sent are
        handed back unclaimed and the call returns.
    """
    policy = policy or DeliveryPolicy()
    rng = rng or random.Random()
    claim = functools.partial(_claim, now=now or utcnow(), policy=policy)
    batch = run_in_transaction(sessions, claim, entity="webhook outbox")
    report = DeliveryReport(claimed=len(batch))
    recorder = current()
    for i, delivery in enumerate(batch):
        if stop is not None and stop.is_set():
            run_in_transaction(sessions, functools.partial(_hand_back, batch=batch[i:]))
            break
        with recorder.span("webhook.deliver"):
            started = time.perf_counter()
            error = send(delivery, policy.timeout_s)
            seconds = time.perf_counter() - started
        if error is not None:
            log.info("webhook %s attempt %d failed: %s", delivery.event_id, delivery.attempt, error)
        record = functools.partial(
            _record, delivery=delivery, error=error, now=now, policy=policy, rng=rng
        )
        outcome = run_in_transaction(sessions, record, entity="webhook outbox")
        if outcome is not None:
            recorder.webhook_delivered(outcome.value, seconds)
        report = _count(report, outcome)
    return report


def _count(report: DeliveryReport, outcome: OutboxState | None) -> DeliveryReport:
    return DeliveryReport(
        claimed=report.claimed,
        delivered=report.delivered + (outcome is OutboxState.DELIVERED),
        retrying=report.retrying + (outcome is OutboxState.PENDING),
        parked=report.parked + (outcome is OutboxState.PARKED),
    )


def _claim(session: Session, now: datetime, policy: DeliveryPolicy) -> list[Delivery]:
    """Take up to a batch of due rows, count the attempt and lease them."""
    rows = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.state == OutboxState.PENDING, OutboxEvent.next_attempt_at <= now)
        .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
        .limit(policy.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[Delivery] = []
    for row in rows:
        subscription = (
            session.get(WebhookSubscription, row.subscription_id) if row.subscription_id else None
        )
        if subscription is None or not subscription.active:
            row.state = OutboxState.PARKED
            row.last_error = "the subscription was deleted or deactivated"
            continue
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=policy.lease_s)
        claimed.append(
            Delivery(
                outbox_id=row.id,
                attempt=row.attempts,
                event_id=row.event_id,
                url=subscription.url,
                secret=subscription.secret,
                body=event_body(row),
            )
        )
    return claimed


def _record(
    session: Session,
    delivery: Delivery,
    error: str | None,
    now: datetime | None,
    policy: DeliveryPolicy,
    rng: random.Random,
) -> OutboxState | None:
    """Store one attempt's outcome; None when the row is no longer this attempt's."""
    now = now or utcnow()
    if error is None:
        # Delivered is true whoever else holds the row now; a later failure
        # of a concurrent attempt must not undo it.
        done = session.scalar(
            update(OutboxEvent)
            .where(OutboxEvent.id == delivery.outbox_id, OutboxEvent.state == OutboxState.PENDING)
            .values(state=OutboxState.DELIVERED, delivered_at=now, last_error=None)
            .returning(OutboxEvent.id)
        )
        return OutboxState.DELIVERED if done is not None else None
    row = session.scalars(
        select(OutboxEvent)
        .where(
            OutboxEvent.id == delivery.outbox_id,
            OutboxEvent.state == OutboxState.PENDING,
            OutboxEvent.attempts == delivery.attempt,
        )
        .with_for_update()
    ).one_or_none()
    if row is None:
        return None
    row.last_error = error[:_MAX_ERROR_CHARS]
    if row.attempts >= policy.max_attempts:
        row.state = OutboxState.PARKED
        log.warning("webhook %s parked after %d attempts", row.event_id, row.attempts)
    else:
        row.next_attempt_at = now + timedelta(seconds=policy.backoff_s(row.attempts, rng))
    return row.state


def _hand_back(session: Session, batch: Sequence[Delivery]) -> None:
    """Un-claim rows that were never sent: due again at once, the attempt not counted."""
    for delivery in batch:
        session.execute(
            update(OutboxEvent)
            .where(
                OutboxEvent.id == delivery.outbox_id,
                OutboxEvent.state == OutboxState.PENDING,
                OutboxEvent.attempts == delivery.attempt,
            )
            .values(attempts=delivery.attempt - 1, next_attempt_at=utcnow())
        )

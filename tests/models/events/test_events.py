"""The outbox side of webhooks: emit writes in the caller's transaction, only for subscribers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import OutboxEvent, OutboxState, Product, WebhookSubscription
from sourcing.models.config.setup import WebhookEventType, WebhookSpec, create_webhook_subscription
from sourcing.models.events.outbox import emit
from tests.models.builders import add_product


def subscribe(
    session: Session, *event_types: WebhookEventType, url: str = "http://127.0.0.1:9/hook"
) -> WebhookSubscription:
    """A subscription to ``event_types`` (none: every event) with a fixed secret."""
    return create_webhook_subscription(session, WebhookSpec(url, "s3cret", event_types))


def outbox(sessions: sessionmaker[Session]) -> list[OutboxEvent]:
    """Every outbox row, in the order written."""
    with sessions() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_no_subscription_writes_nothing(sessions: sessionmaker[Session]) -> None:
    """With nobody subscribed, emitting leaves the outbox empty."""
    with sessions.begin() as session:
        emit(session, "ORDER_STATUS_CHANGED", "order", "O_1", "BOOKED")
    assert outbox(sessions) == []


def test_one_row_per_interested_subscription(sessions: sessionmaker[Session]) -> None:
    """Each active subscription that wants the event gets a PENDING row; all share one event id."""
    with sessions.begin() as session:
        wants = subscribe(session, WebhookEventType.FULFILMENT_STATUS_CHANGED)
        everything = subscribe(session)
        subscribe(session, WebhookEventType.ORDER_STATUS_CHANGED)
        inactive = subscribe(session, WebhookEventType.FULFILMENT_STATUS_CHANGED)
        inactive.active = False
    with sessions.begin() as session:
        emit(
            session,
            "FULFILMENT_STATUS_CHANGED",
            "fulfilment",
            "7",
            "ESCALATED",
            {"order_ref": "O_1"},
        )
    rows = outbox(sessions)
    assert [r.subscription_id for r in rows] == [wants.id, everything.id]
    assert len({r.event_id for r in rows}) == 1
    for row in rows:
        assert row.state is OutboxState.PENDING
        assert row.attempts == 0
        assert (row.event_type, row.entity_type, row.entity_id, row.status) == (
            "FULFILMENT_STATUS_CHANGED",
            "fulfilment",
            "7",
            "ESCALATED",
        )
        assert row.payload == {"order_ref": "O_1"}
        assert row.next_attempt_at == row.created_at  # due at once


def test_each_emit_is_a_new_event(sessions: sessionmaker[Session]) -> None:
    """Two emits for the same entity are two events with distinct ids."""
    with sessions.begin() as session:
        subscribe(session)
    for status in ("BOOKED", "IN_PROGRESS"):
        with sessions.begin() as session:
            emit(session, "ORDER_STATUS_CHANGED", "order", "O_1", status)
    rows = outbox(sessions)
    assert [r.status for r in rows] == ["BOOKED", "IN_PROGRESS"]
    assert rows[0].event_id != rows[1].event_id


def test_rolled_back_change_leaves_no_event(sessions: sessionmaker[Session]) -> None:
    """The outbox row commits or rolls back with the change that emitted it."""
    with sessions.begin() as session:
        subscribe(session)

    with sessions() as session, session.begin() as transaction:
        add_product(session, "SKU_GONE")
        emit(session, "INVENTORY_CHANGED", "inventory", "SKU_GONE@WH_1", "SET")
        session.flush()  # the row reached the database inside the transaction
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
        transaction.rollback()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == 0
    assert outbox(sessions) == []


@pytest.mark.parametrize(
    ("event_type", "payload", "match"),
    [
        ("ORDER_CHANGED", None, "Expected event_type to be one of"),
        ("order_status_changed", None, "Expected event_type to be one of"),
        ("ORDER_STATUS_CHANGED", {"when": object()}, "Expected a JSON-serialisable payload"),
    ],
)
def test_bad_event_is_refused(
    sessions: sessionmaker[Session], event_type: str, payload: dict[str, object] | None, match: str
) -> None:
    """An unknown event type or a payload JSON cannot carry fails the emitting change."""
    with sessions.begin() as session:
        subscribe(session)
    with pytest.raises(ValueError, match=match), sessions.begin() as session:
        emit(session, event_type, "order", "O_1", "BOOKED", payload)
    assert outbox(sessions) == []

"""Webhook events, written to the outbox in the transaction that caused them.

A change and the event announcing it commit or roll back together, so no
receiver ever hears of a change that did not happen, and none is missed. The
delivery worker sends the rows later; this module only writes them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing.models.messaging import OutboxEvent, WebhookSubscription


def emit(
    session: Session,
    event_type: str,
    entity_type: str,
    entity_id: str,
    status: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """Write one outbox row per active subscription that wants ``event_type``.

    Every row of one call shares an ``event_id``: receivers dedupe on it
    whatever the retries. A subscription with no event types wants every
    event. Nothing is written when nobody subscribed.

    Parameters
    ----------
    event_type
        A ``WebhookEventType`` name without its prefix, e.g.
        ``"FULFILMENT_STATUS_CHANGED"``.
    entity_type, entity_id
        What changed, e.g. ``"fulfilment"`` and its id.
    status
        The entity's status after the change.
    payload
        Extra JSON-serialisable detail for receivers.
    """
    subscriptions = session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id)
    ).all()
    event_id = str(uuid.uuid4())
    for subscription in subscriptions:
        if subscription.event_types and event_type not in subscription.event_types:
            continue
        session.add(
            OutboxEvent(
                event_id=event_id,
                subscription_id=subscription.id,
                event_type=event_type,
                entity_type=entity_type,
                entity_id=entity_id,
                status=status,
                payload=dict(payload or {}),
            )
        )

"""Webhook events, written to the outbox in the transaction that caused them.

A change and the event announcing it commit or roll back together, so no
receiver ever hears of a change that did not happen, and none is missed. The
delivery worker (``sourcing.models.events.webhooks``) sends the rows after the
commit; this module only writes them. Entities are named the way the gRPC
API names them, so a receiver can look one up:

==========================  ===============  ================================
event type                  entity_type      entity_id
==========================  ===============  ================================
ORDER_STATUS_CHANGED        ``order``        the order ref
FULFILMENT_CREATED          ``fulfilment``   the fulfilment id
FULFILMENT_STATUS_CHANGED   ``fulfilment``   the fulfilment id
CONSIGNMENT_CREATED         ``consignment``  the consignment id
CONSIGNMENT_STATUS_CHANGED  ``consignment``  the consignment id
RETURN_STATUS_CHANGED       ``return``       the return order ref
INVENTORY_CHANGED           ``inventory``    ``<product ref>@<location ref>``
==========================  ===============  ================================
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing.models.config.setup import WebhookEventType
from sourcing.models.db.base import utcnow
from sourcing.models.events.tables import OutboxEvent, WebhookSubscription

__all__ = ["WebhookEventType", "emit", "subscribers"]


# Built once: every change that emits runs it, and SQLAlchemy then reuses its cache key.
_ACTIVE_SUBSCRIPTIONS = (
    select(WebhookSubscription)
    .where(WebhookSubscription.active.is_(True))
    .order_by(WebhookSubscription.id)
)


def subscribers(session: Session, event_type: str) -> list[WebhookSubscription]:
    """The active subscriptions that want ``event_type``, oldest first.

    A subscription with no event types wants every event.
    """
    rows = session.scalars(_ACTIVE_SUBSCRIPTIONS)
    return [row for row in rows if not row.event_types or event_type in row.event_types]


def emit(
    session: Session,
    event_type: str,
    entity_type: str,
    entity_id: str,
    status: str,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """Write one PENDING outbox row per interested subscription, in the caller's transaction.

    Every row of one call shares a new event id (a UUID4 string), which is
    what receivers deduplicate on whatever the retries; nothing is written
    when no subscription wants the event.

    Parameters
    ----------
    event_type
        A ``WebhookEventType`` name, e.g. ``"FULFILMENT_STATUS_CHANGED"``.
    entity_type, entity_id
        What changed, named as in the table above.
    status
        The entity's status after the change.
    payload
        Extra JSON-serialisable detail for receivers, sent as ``payload``.

    Raises
    ------
    ValueError
        For an event type that is not a :class:`WebhookEventType`, or a
        payload that JSON cannot carry.
    """
    if event_type not in WebhookEventType.__members__:
        expected = ", ".join(WebhookEventType.__members__)
        raise ValueError(f"Expected event_type to be one of {expected}; got {event_type!r}.")
    data = _json_object(payload)
    interested = subscribers(session, event_type)
    if not interested:
        return
    event_id = str(uuid.uuid4())
    now = utcnow()
    session.add_all(
        OutboxEvent(
            event_id=event_id,
            subscription_id=subscription.id,
            event_type=event_type,
            entity_type=entity_type,
            entity_id=str(entity_id),
            status=status,
            payload=data,
            next_attempt_at=now,
            created_at=now,
        )
        for subscription in interested
    )


def _json_object(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """A plain dict JSON can carry, checked now so a bad payload fails the change, not delivery."""
    data = dict(payload or {})
    try:
        json.dumps(data)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Expected a JSON-serialisable payload; {error}.") from error
    return data

"""Webhook subscriptions, the transactional outbox, and idempotency keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sourcing.models.db.base import Base, Id, IdType, JsonDict, JsonList, Name, Ref, Url, utcnow
from sourcing.models.db.enums import OutboxState


class WebhookSubscription(Base):
    """A URL that wants events of ``event_types`` (a JSON list), signed with ``secret``."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[Id]
    url: Mapped[Url]
    secret: Mapped[Name]
    event_types: Mapped[JsonList] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(Base):
    """One event waiting to be delivered, written in the transaction that caused it.

    ``event_id`` (a UUID string) is what receivers deduplicate on; it is the
    same for every delivery attempt. When an event is fanned out to several
    subscriptions at write time, each gets its own row (its own attempts and
    state) under the same ``event_id``. ``status`` is the entity's status
    after the change. The delivery worker picks PENDING rows whose
    ``next_attempt_at`` has passed.
    """

    __tablename__ = "webhook_outbox"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        Index("ix_webhook_outbox_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[Id]
    event_id: Mapped[str] = mapped_column(String(36))
    subscription_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_type: Mapped[Ref]
    entity_type: Mapped[Ref]
    entity_id: Mapped[Ref]
    status: Mapped[Ref | None]
    payload: Mapped[JsonDict] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[OutboxState] = mapped_column(default=OutboxState.PENDING)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription | None] = relationship()


class IdempotencyKey(Base):
    """The first answer to a create-like call, replayed when the call is retried.

    ``operation`` namespaces the key (e.g. the RPC name); ``request_hash``
    tells a retry (same hash) from a different request under a used key.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("operation", "key"),)

    id: Mapped[Id]
    operation: Mapped[Ref]
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

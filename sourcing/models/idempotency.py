"""Replaying the first answer of a create-like call that is sent again.

A call that carries a request id stores a small JSON answer under
``(operation, key)`` in the transaction that made the change. The same call
sent again finds it and answers from it without changing anything; a
different call under the same key is refused. Callers lock the entity the
call changes before :func:`recall`, so two copies of a call arriving
together queue and the second one finds the first one's answer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing.models.errors import AlreadyExists
from sourcing.models.messaging import IdempotencyKey


def request_digest(request: Any) -> str:
    """A SHA-256 of a JSON-serialisable request: equal requests, equal digests."""
    raw = json.dumps(request, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def recall(session: Session, operation: str, key: str, digest: str) -> dict[str, Any] | None:
    """The stored answer of an earlier call under ``key``, or ``None`` for a first call.

    Raises
    ------
    AlreadyExists
        When the key was used by a different request.
    """
    row = session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.operation == operation, IdempotencyKey.key == key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.request_hash != digest:
        raise AlreadyExists(
            "request", key, detail=f"a different {operation} request was sent under this id"
        )
    answer: dict[str, Any] = json.loads(row.response or b"{}")
    return answer


def remember(
    session: Session, operation: str, key: str, digest: str, answer: dict[str, Any]
) -> None:
    """Store the answer of a first call under ``key``."""
    session.add(
        IdempotencyKey(
            operation=operation,
            key=key,
            request_hash=digest,
            response=json.dumps(answer).encode(),
        )
    )

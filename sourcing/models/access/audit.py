"""The audit trail: one row per call that meant to change something, only ever appended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access.tables import AuditEntry
from sourcing.models.db.retry import run_in_transaction

MAX_PAGE = 1000


@dataclass(frozen=True)
class AuditRecord:
    """One audited call: who, which RPC, what it named, when, and its status code."""

    principal: str
    method: str
    outcome: str
    order_ref: str | None = None
    fulfilment_id: str | None = None
    location_ref: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to read; every field left empty matches everything."""

    principal: str = ""
    method: str = ""
    order_ref: str = ""
    fulfilment_id: str = ""
    location_ref: str = ""
    since: datetime | None = None
    limit: int = 100


def record(sessions: sessionmaker[Session], entry: AuditRecord) -> None:
    """Append one row, in its own transaction."""

    def insert(session: Session) -> None:
        session.add(
            AuditEntry(
                principal=entry.principal[:200],
                method=entry.method[:200],
                outcome=entry.outcome,
                order_ref=entry.order_ref,
                fulfilment_id=entry.fulfilment_id,
                location_ref=entry.location_ref,
            )
        )

    run_in_transaction(sessions, insert, entity="audit row")


def read(sessions: sessionmaker[Session], where: AuditFilter) -> list[AuditRecord]:
    """The matching rows, newest first, at most ``where.limit`` of them."""
    query = select(AuditEntry)
    for column, wanted in (
        (AuditEntry.principal, where.principal),
        (AuditEntry.method, where.method),
        (AuditEntry.order_ref, where.order_ref),
        (AuditEntry.fulfilment_id, where.fulfilment_id),
        (AuditEntry.location_ref, where.location_ref),
    ):
        if wanted:
            query = query.where(column == wanted)
    if where.since is not None:
        query = query.where(AuditEntry.at >= where.since)
    query = query.order_by(AuditEntry.id.desc()).limit(max(1, min(where.limit, MAX_PAGE)))

    def fetch(session: Session) -> list[AuditRecord]:
        return [
            AuditRecord(
                row.principal,
                row.method,
                row.outcome,
                row.order_ref,
                row.fulfilment_id,
                row.location_ref,
                row.at,
            )
            for row in session.scalars(query)
        ]

    return run_in_transaction(sessions, fetch)

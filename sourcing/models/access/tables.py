"""API keys and audit rows.

A key's secret is never stored: ``secret_hash`` is scrypt over the secret
with a per-key ``salt``. ``locations`` (a JSON list of location refs) limits
the key to those stores; empty means every location. Audit rows are only
ever inserted (nothing in the package updates or deletes them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from sourcing.models.db.base import Base, Id, JsonList, Name, Ref, utcnow


class ApiKey(Base):
    """A key an administrator issued to an integration, with its role and store scope."""

    __tablename__ = "api_keys"

    id: Mapped[Id]
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[Name]
    role: Mapped[Ref]
    locations: Mapped[JsonList] = mapped_column(default=list)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One call that meant to change something: who, which RPC, what it named, the outcome."""

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_trail_at", "at"),)

    id: Mapped[Id]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    principal: Mapped[Name]
    method: Mapped[Name]
    order_ref: Mapped[Ref | None]
    fulfilment_id: Mapped[Ref | None]
    location_ref: Mapped[Ref | None]
    outcome: Mapped[str] = mapped_column(String(32))

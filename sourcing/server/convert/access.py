"""API keys and audit rows between the proto and the models (secrets never leave the server)."""

from __future__ import annotations

from datetime import UTC, datetime

from sourcing.models.access.audit import AuditFilter, AuditRecord
from sourcing.models.access.keys import KeyRecord
from sourcing.server.auth.permissions import ROLES
from sourcing.server.convert.fields import timestamp
from sourcing.server.errors import FieldError
from sourcing.v1 import access_pb2


def key_to_proto(record: KeyRecord) -> access_pb2.ApiKey:
    """A key's record, without its secret or hash."""
    return access_pb2.ApiKey(
        key_id=record.key_id,
        name=record.name,
        role=record.role,
        location_refs=list(record.locations),
        create_time=timestamp(record.created_at),
        expire_time=timestamp(record.expires_at),
        revoke_time=timestamp(record.revoked_at),
    )


def key_request(
    key: access_pb2.ApiKey, field: str
) -> tuple[str, str, tuple[str, ...], datetime | None]:
    """Name, role, locations and expiry of a key to issue; the role must be a known one."""
    if not key.name.strip():
        raise FieldError(f"{field}.name", "Expected the name of who holds the key.")
    if key.role not in ROLES:
        known = ", ".join(sorted(ROLES))
        raise FieldError(f"{field}.role", f"Expected one of {known}, got {key.role!r}.")
    expires = key.expire_time.ToDatetime(tzinfo=UTC) if key.HasField("expire_time") else None
    return key.name, key.role, tuple(dict.fromkeys(key.location_refs)), expires


def audit_filter(request: access_pb2.ListAuditRequest) -> AuditFilter:
    """Which audit rows a ListAudit call asks for."""
    since = request.since.ToDatetime(tzinfo=UTC) if request.HasField("since") else None
    return AuditFilter(
        principal=request.principal,
        method=request.method,
        order_ref=request.order_ref,
        fulfilment_id=request.fulfilment_id,
        location_ref=request.location_ref,
        since=since,
        limit=request.page_size or 100,
    )


def audit_to_proto(row: AuditRecord) -> access_pb2.AuditEntry:
    """One audit row."""
    return access_pb2.AuditEntry(
        principal=row.principal,
        method=row.method,
        order_ref=row.order_ref or "",
        fulfilment_id=row.fulfilment_id or "",
        location_ref=row.location_ref or "",
        outcome=row.outcome,
        time=timestamp(row.at),
    )

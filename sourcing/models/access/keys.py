"""Issuing, finding and revoking API keys; only a salted scrypt hash is kept.

A key as the caller sends it is ``sk_<key id>.<secret>``: the key id finds
the row, the secret is checked against ``scrypt(secret, salt)``. scrypt is
slow on purpose (about 16 MiB and tens of milliseconds a check), so a server
keeps the keys it has already verified in memory (:class:`VerifiedKeys`) and
re-reads only the row, to see revocation and expiry at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access.tables import ApiKey
from sourcing.models.db.base import utcnow
from sourcing.models.db.errors import InvalidField, NotFound
from sourcing.models.db.retry import run_in_transaction

PREFIX = "sk_"
# RFC 7914's interactive parameters: 2**14 x 8 x 128 bytes = 16 MiB per check.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def hash_secret(secret: str, salt: bytes) -> bytes:
    """The stored form of a key's secret."""
    return hashlib.scrypt(secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)


@dataclass(frozen=True)
class KeyRecord:
    """What may be shown about a key: never its secret or hash."""

    key_id: str
    name: str
    role: str
    locations: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


def _record(row: ApiKey) -> KeyRecord:
    return KeyRecord(
        row.key_id,
        row.name,
        row.role,
        tuple(row.locations),
        row.created_at,
        row.expires_at,
        row.revoked_at,
    )


def split_key(presented: str) -> tuple[str, str] | None:
    """``(key id, secret)`` of a presented key, or None when it is not shaped like one."""
    if not presented.startswith(PREFIX) or "." not in presented:
        return None
    key_id, _, secret = presented[len(PREFIX) :].partition(".")
    if not key_id or not secret:
        return None
    return key_id, secret


def create_key(
    sessions: sessionmaker[Session],
    *,
    name: str,
    role: str,
    locations: tuple[str, ...] = (),
    expires_at: datetime | None = None,
) -> tuple[str, KeyRecord]:
    """Issue a key; returns the key itself (shown once, never stored) and its record."""
    if not name.strip():
        raise InvalidField("name", "must not be empty")
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidField("expires_at", "must carry a timezone")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    row = ApiKey(
        key_id=key_id,
        name=name,
        role=role,
        locations=list(locations),
        salt=salt,
        secret_hash=hash_secret(secret, salt),
        expires_at=expires_at,
    )

    def insert(session: Session) -> KeyRecord:
        session.add(row)
        session.flush()
        return _record(row)

    record = run_in_transaction(sessions, insert, entity="API key")
    return f"{PREFIX}{key_id}.{secret}", record


def list_keys(sessions: sessionmaker[Session]) -> list[KeyRecord]:
    """Every key, oldest first, without secrets."""
    return run_in_transaction(
        sessions,
        lambda s: [_record(r) for r in s.scalars(select(ApiKey).order_by(ApiKey.id))],
    )


def revoke_key(sessions: sessionmaker[Session], key_id: str) -> KeyRecord:
    """Revoke a key from now on; revoking twice keeps the first time."""

    def revoke(session: Session) -> KeyRecord:
        row = session.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).first()
        if row is None:
            raise NotFound("API key", key_id)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return _record(row)

    return run_in_transaction(sessions, revoke, entity="API key")


def usable_key_count(sessions: sessionmaker[Session]) -> int:
    """How many keys are neither revoked nor expired: zero means no credentials yet."""
    now = utcnow()
    return sum(1 for key in list_keys(sessions) if key.usable_at(now))


class VerifiedKeys:
    """Checks presented keys, remembering which secrets scrypt already accepted."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._accepted: dict[tuple[str, bytes], bytes] = {}
        self._lock = threading.Lock()

    def check(self, presented: str) -> KeyRecord | None:
        """The key's record when the secret matches and it is usable now, else None."""
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        found = run_in_transaction(
            self.sessions,
            lambda s: s.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).first(),
        )
        if found is None:
            return None
        record = _record(found)
        if not record.usable_at(utcnow()) or not self._matches(found, secret):
            return None
        return record

    def _matches(self, row: ApiKey, secret: str) -> bool:
        # The memo holds a fast digest of secrets scrypt accepted, keyed by the
        # stored hash, so a re-issued row never reuses an old acceptance.
        fast = hashlib.sha256(secret.encode()).digest()
        memo_key = (row.key_id, bytes(row.secret_hash))
        with self._lock:
            known = self._accepted.get(memo_key)
        if known is not None:
            return hmac.compare_digest(known, fast)
        if not hmac.compare_digest(hash_secret(secret, bytes(row.salt)), bytes(row.secret_hash)):
            return False
        with self._lock:
            self._accepted[memo_key] = fast
        return True

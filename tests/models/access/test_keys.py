"""API keys: shown once, stored only as a salted scrypt hash, refused once revoked or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access.keys import VerifiedKeys, create_key, list_keys, revoke_key
from sourcing.models.access.tables import ApiKey
from sourcing.models.db.base import utcnow
from sourcing.models.db.errors import InvalidField, NotFound


def test_a_key_is_checked_and_only_its_hash_is_stored(sessions: sessionmaker[Session]) -> None:
    """The right key passes; the stored row holds neither the key nor its secret."""
    key, record = create_key(sessions, name="web shop", role="order_host", locations=("A",))
    checker = VerifiedKeys(sessions)
    assert checker.check(key) == record
    assert checker.check(key) == record  # the remembered acceptance gives the same answer
    secret = key.partition(".")[2]
    with sessions.begin() as session:
        row = session.scalars(select(ApiKey)).one()
        stored = b"".join([row.secret_hash, row.salt, row.name.encode(), row.key_id.encode()])
    assert secret.encode() not in stored and key.encode() not in stored
    assert len(row.salt) == 16 and len(row.secret_hash) == 32


@pytest.mark.parametrize("wrong", ["", "sk_", "sk_abc", "not-a-key", "sk_{id}.wrong", "sk_0.{s}"])
def test_wrong_keys_are_refused(sessions: sessionmaker[Session], wrong: str) -> None:
    """A wrong secret, an unknown key id or a malformed key checks as nothing."""
    key, record = create_key(sessions, name="feed", role="inventory_feed")
    checker = VerifiedKeys(sessions)
    assert checker.check(key) is not None
    assert checker.check(wrong.format(id=record.key_id, s=key.partition(".")[2])) is None


def test_revoked_and_expired_keys_are_refused(sessions: sessionmaker[Session]) -> None:
    """Revocation takes effect at once, even for a key already accepted; expiry likewise."""
    key, record = create_key(sessions, name="pos", role="store")
    expired, _ = create_key(sessions, name="old", role="store", expires_at=utcnow() - timedelta(1))
    checker = VerifiedKeys(sessions)
    assert checker.check(key) is not None
    revoked = revoke_key(sessions, record.key_id)
    assert revoked.revoked_at is not None
    assert checker.check(key) is None
    assert checker.check(expired) is None
    assert [k.name for k in list_keys(sessions)] == ["pos", "old"]


def test_bad_requests(sessions: sessionmaker[Session]) -> None:
    """An empty name or an unknown key id is refused, naming what is wrong."""
    with pytest.raises(InvalidField, match="name"):
        create_key(sessions, name=" ", role="admin")
    with pytest.raises(NotFound):
        revoke_key(sessions, "nope")

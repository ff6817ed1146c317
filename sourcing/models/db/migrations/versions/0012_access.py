"""API keys (salted scrypt hashes only) and the append-only audit trail.

Revision ID: 0012
Revises: 0008 (to become 0011 when the parallel 0009-0011 are merged)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sourcing.models.db.base import IdType, UTCDateTime

revision: str = "0012"
# Written against main's head; the merger sets this to "0011".
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``api_keys`` and ``audit_trail``."""
    op.create_table(
        "api_keys",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    op.create_table(
        "audit_trail",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("method", sa.String(200), nullable=False),
        sa.Column("order_ref", sa.String(64), nullable=True),
        sa.Column("fulfilment_id", sa.String(64), nullable=True),
        sa.Column("location_ref", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_trail")),
    )
    op.create_index("ix_audit_trail_at", "audit_trail", ["at"])


def downgrade() -> None:
    """Drop both tables (the audit trail goes with them)."""
    op.drop_index("ix_audit_trail_at", table_name="audit_trail")
    op.drop_table("audit_trail")
    op.drop_table("api_keys")

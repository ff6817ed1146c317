"""An index for the fulfilments due from a date, as the ready-by's room reads them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ix_fulfilments_ready_by_location."""
    op.create_index(
        "ix_fulfilments_ready_by_location", "fulfilments", ["ready_by_at", "location_id"]
    )


def downgrade() -> None:
    """Drop ix_fulfilments_ready_by_location."""
    op.drop_index("ix_fulfilments_ready_by_location", table_name="fulfilments")

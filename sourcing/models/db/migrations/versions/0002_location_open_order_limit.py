"""Per-location open-order limit above which a store takes only CC orders.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add locations.open_order_limit (NULL: the profile's limit applies)."""
    with op.batch_alter_table("locations") as table:
        table.add_column(sa.Column("open_order_limit", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop locations.open_order_limit."""
    with op.batch_alter_table("locations") as table:
        table.drop_column("open_order_limit")

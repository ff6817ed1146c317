"""Scarce-capacity prices per location: what a fulfilment taken now costs later orders.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sourcing.models.db.base import IdType, UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create capacity_prices (empty: no location's capacity is priced until a refresh)."""
    op.create_table(
        "capacity_prices",
        sa.Column("location_id", IdType, nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_capacity_prices_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_capacity_prices_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_capacity_prices")),
    )


def downgrade() -> None:
    """Drop capacity_prices."""
    op.drop_table("capacity_prices")

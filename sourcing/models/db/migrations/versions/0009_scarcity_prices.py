"""Scarce-stock prices per position, refreshed in the background and read by Source.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sourcing.models.db.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create scarcity_prices (empty: every position is priced 0 until the first refresh)."""
    op.create_table(
        "scarcity_prices",
        sa.Column("product_id", _ID, nullable=False),
        sa.Column("location_id", _ID, nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_scarcity_prices_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_scarcity_prices_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_scarcity_prices_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "location_id", name=op.f("pk_scarcity_prices")),
    )
    op.create_index(
        "ix_scarcity_prices_product_location",
        "scarcity_prices",
        ["product_id", "location_id", "price"],
    )


def downgrade() -> None:
    """Drop scarcity_prices."""
    op.drop_index("ix_scarcity_prices_product_location", table_name="scarcity_prices")
    op.drop_table("scarcity_prices")

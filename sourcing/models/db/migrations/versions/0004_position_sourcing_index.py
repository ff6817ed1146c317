"""A covering index for the positions of an order's products, as sourcing reads them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported, so this revision never changes meaning.
COLUMNS = [
    "product_id",
    "location_id",
    "id",
    "on_hand",
    "buffer_qty",
    "ideal_qty",
    "markdown",
    "sell_through",
    "stock_age_days",
]


def upgrade() -> None:
    """Create ix_inventory_positions_product_stock."""
    op.create_index("ix_inventory_positions_product_stock", "inventory_positions", COLUMNS)


def downgrade() -> None:
    """Drop ix_inventory_positions_product_stock."""
    op.drop_index("ix_inventory_positions_product_stock", table_name="inventory_positions")

"""A reserved-units counter on each position, so sourcing reads availability in one index scan.

Sourcing reads every position of an order's products (about 1,500 rows for
a five-line order over 1,000 locations). Summing each one's active
reservations from the ledger in a correlated subquery cost more than the
rest of the read; the counter is kept in step by ``sourcing.models.inventory.inventory``
and checked against the ledger by ``ledger_check``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_inventory_positions_product_stock"
CHECK = "ck_inventory_positions_reserved_non_negative"
# Written out rather than imported, so this revision never changes meaning.
BEFORE = [
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
AFTER = [*BEFORE[:4], "reserved", *BEFORE[4:]]


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    """Add inventory_positions.reserved, fill it from the ledger, and index it for sourcing."""
    op.drop_index(INDEX, table_name="inventory_positions")
    if _sqlite():
        # SQLite adds a column with its own CHECK in place; batch mode would copy
        # the table, which the ledger's foreign keys forbid inside a transaction.
        op.execute(
            "ALTER TABLE inventory_positions ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0"
            f" CONSTRAINT {CHECK} CHECK (reserved >= 0)"
        )
    else:
        op.add_column(
            "inventory_positions",
            sa.Column("reserved", sa.Integer(), nullable=False, server_default="0"),
        )
        op.create_check_constraint(op.f(CHECK), "inventory_positions", "reserved >= 0")
    op.execute(
        "UPDATE inventory_positions SET reserved = ("
        " SELECT COALESCE(SUM(q.quantity), 0) FROM inventory_quantities q"
        " WHERE q.position_id = inventory_positions.id"
        " AND q.type = 'RESERVED' AND q.status = 'ACTIVE')"
    )
    op.create_index(INDEX, "inventory_positions", AFTER)


def downgrade() -> None:
    """Drop inventory_positions.reserved and restore the index without it."""
    op.drop_index(INDEX, table_name="inventory_positions")
    if _sqlite():
        op.execute("ALTER TABLE inventory_positions DROP COLUMN reserved")
    else:
        op.drop_constraint(op.f(CHECK), "inventory_positions", type_="check")
        op.drop_column("inventory_positions", "reserved")
    op.create_index(INDEX, "inventory_positions", BEFORE)

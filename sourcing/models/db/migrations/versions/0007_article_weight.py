"""The gross weight of a packed article, as the packer reports it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_articles_weight_grams_positive"


def upgrade() -> None:
    """Add articles.weight_grams (NULL when unknown, else positive)."""
    if op.get_bind().dialect.name == "sqlite":
        # In place, with its own CHECK: batch mode would copy a table others reference.
        op.execute(
            "ALTER TABLE articles ADD COLUMN weight_grams INTEGER"
            f" CONSTRAINT {CHECK} CHECK (weight_grams IS NULL OR weight_grams > 0)"
        )
    else:
        op.add_column("articles", sa.Column("weight_grams", sa.Integer(), nullable=True))
        op.create_check_constraint(
            op.f(CHECK), "articles", "weight_grams IS NULL OR weight_grams > 0"
        )


def downgrade() -> None:
    """Drop articles.weight_grams."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE articles DROP COLUMN weight_grams")
    else:
        op.drop_constraint(op.f(CHECK), "articles", type_="check")
        op.drop_column("articles", "weight_grams")

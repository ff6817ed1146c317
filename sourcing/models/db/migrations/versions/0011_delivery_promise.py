"""Delivery promise: calendars and carrier services per location, product weights, promised dates.

Revision ID: 0011
Revises: 0008 (0010 once the other engineers' 0009 and 0010 are merged)
Create Date: 2026-12-06

``locations.calendar`` holds the opening hours, time zone and closed dates,
``locations.carrier_services`` the services with their bands and rate cards,
both as JSON in the solver's shape (``sourcing.models.config.carriers``
converts them). ``products.weight_grams`` is one unit's weight. A
fulfilment keeps what it promised: ``promised_at``, ``ready_by_at`` and the
``carrier_service`` chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (table, column) added, in order; all NULL when unknown.
COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[Any]], ...] = (
    ("locations", "calendar", sa.JSON()),
    ("locations", "carrier_services", sa.JSON()),
    ("products", "weight_grams", sa.Integer()),
    ("fulfilments", "promised_at", sa.DateTime(timezone=True)),
    ("fulfilments", "ready_by_at", sa.DateTime(timezone=True)),
    ("fulfilments", "carrier_service", sa.String(length=64)),
)


def upgrade() -> None:
    """Add the calendar, carrier, weight and promise columns.

    Plain ADD COLUMN on both backends: SQLite's batch mode would copy tables
    that others reference.
    """
    for table, name, kind in COLUMNS:
        op.add_column(table, sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    """Drop them again (SQLite 3.35+ drops a column in place)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name, _ in reversed(COLUMNS):
        if sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)

"""The rejection location RJT_1 exists from the start, so clients see it before any rejection.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REF = "RJT_1"

locations = sa.table(
    "locations",
    sa.column("ref", sa.String),
    sa.column("name", sa.String),
    sa.column("type", sa.String),
    sa.column("latitude", sa.Float),
    sa.column("longitude", sa.Float),
    sa.column("fixed_cost_minor", sa.Integer),
    sa.column("handling_cost_minor", sa.Integer),
    sa.column("shipping_cost_per_unit_km", sa.Float),
    sa.column("pick_pack_hours", sa.Float),
    sa.column("hd_enabled", sa.Boolean),
    sa.column("cc_enabled", sa.Boolean),
    sa.column("flagship", sa.Boolean),
    sa.column("vip_service", sa.Boolean),
    sa.column("expedited_shipping", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    """Insert RJT_1 (type REJECTION, switched off for HD and CC) unless it is there."""
    bind = op.get_bind()
    found = bind.execute(sa.select(locations.c.ref).where(locations.c.ref == REF)).first()
    if found is not None:
        return
    op.execute(
        locations.insert().values(
            ref=REF,
            name="Rejected fulfilments",
            type="REJECTION",
            latitude=0.0,
            longitude=0.0,
            fixed_cost_minor=0,
            handling_cost_minor=0,
            shipping_cost_per_unit_km=0.0,
            pick_pack_hours=0.0,
            hd_enabled=False,
            cc_enabled=False,
            flagship=False,
            vip_service=False,
            expedited_shipping=False,
            created_at=datetime.now(UTC),
        )
    )


def downgrade() -> None:
    """Remove RJT_1 when nothing refers to it (rejected fulfilments keep it)."""
    op.execute(
        "DELETE FROM locations WHERE ref = 'RJT_1' AND type = 'REJECTION'"
        " AND NOT EXISTS (SELECT 1 FROM fulfilments f WHERE f.location_id = locations.id)"
        " AND NOT EXISTS (SELECT 1 FROM inventory_positions p WHERE p.location_id = locations.id)"
    )

"""Initial schema: every table of the sourcing engine.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Written out in full rather than derived from the models at run time, so this
revision means the same thing however the models change later. Status
columns are VARCHAR with a CHECK constraint (no native PostgreSQL enum types
to manage); timestamps are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 64-bit keys on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum(name: str, *values: str) -> sa.Enum:
    """A status column's type: VARCHAR(32) with a CHECK over ``values``."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "consignments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("carrier", sa.String(length=200), nullable=False),
        sa.Column("tracking_ref", sa.String(length=64), nullable=False),
        sa.Column("tracking_url", sa.String(length=2000), nullable=True),
        sa.Column(
            "status",
            _enum("consignmentstatus", "CREATED", "DISPATCHED", "DELIVERED", "CANCELLED"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignments")),
    )
    op.create_index(
        op.f("ix_consignments_tracking_ref"), "consignments", ["tracking_ref"], unique=False
    )

    op.create_table(
        "customers",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("tier", _enum("customertier", "STANDARD", "VIP"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("ref", name=op.f("uq_customers_ref")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("operation", "key", name=op.f("uq_idempotency_keys_operation_key")),
    )
    op.create_table(
        "locations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            _enum("locationtype", "WAREHOUSE", "STORE", "DC", "VENDOR", "THREE_PL", "REJECTION"),
            nullable=False,
        ),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("fixed_cost_minor", sa.Integer(), nullable=False),
        sa.Column("handling_cost_minor", sa.Integer(), nullable=False),
        sa.Column("shipping_cost_per_unit_km", sa.Float(), nullable=False),
        sa.Column("pick_pack_hours", sa.Float(), nullable=False),
        sa.Column("capacity_total", sa.Integer(), nullable=True),
        sa.Column("capacity_hd", sa.Integer(), nullable=True),
        sa.Column("capacity_cc", sa.Integer(), nullable=True),
        sa.Column("hd_enabled", sa.Boolean(), nullable=False),
        sa.Column("cc_enabled", sa.Boolean(), nullable=False),
        sa.Column("flagship", sa.Boolean(), nullable=False),
        sa.Column("vip_service", sa.Boolean(), nullable=False),
        sa.Column("expedited_shipping", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("ref", name=op.f("uq_locations_ref")),
    )
    op.create_table(
        "networks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("order_type", _enum("ordertype", "HD", "CC"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("ref", name=op.f("uq_networks_ref")),
    )
    op.create_table(
        "products",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("ref", name=op.f("uq_products_ref")),
    )
    op.create_index(op.f("ix_products_category"), "products", ["category"], unique=False)

    op.create_table(
        "sourcing_profiles",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("order_type", _enum("ordertype", "HD", "CC"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("split_limit", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sourcing_profiles")),
        sa.UniqueConstraint(
            "order_type", "version", name=op.f("uq_sourcing_profiles_order_type_version")
        ),
    )
    op.create_index(
        "uq_sourcing_profiles_active_order_type",
        "sourcing_profiles",
        ["order_type"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "inventory_positions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("buffer_qty", sa.Integer(), nullable=False),
        sa.Column("ideal_qty", sa.Integer(), nullable=False),
        sa.Column("markdown", sa.Float(), nullable=False),
        sa.Column("sell_through", sa.Float(), nullable=False),
        sa.Column("stock_age_days", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "buffer_qty >= 0", name=op.f("ck_inventory_positions_buffer_qty_non_negative")
        ),
        sa.CheckConstraint(
            "on_hand >= 0", name=op.f("ck_inventory_positions_on_hand_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_positions_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_inventory_positions_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_positions")),
        sa.UniqueConstraint(
            "product_id", "location_id", name=op.f("uq_inventory_positions_product_id_location_id")
        ),
    )
    op.create_index(
        op.f("ix_inventory_positions_location_id"),
        "inventory_positions",
        ["location_id"],
        unique=False,
    )

    op.create_table(
        "network_locations",
        sa.Column("network_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_network_locations_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_locations_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", "location_id", name=op.f("pk_network_locations")),
    )
    op.create_table(
        "orders",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("type", _enum("ordertype", "HD", "CC"), nullable=False),
        sa.Column(
            "status",
            _enum(
                "orderstatus",
                "CREATED",
                "BOOKED",
                "IN_PROGRESS",
                "ESCALATED",
                "COMPLETE",
                "CANCELLED",
            ),
            nullable=False,
        ),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("delivery_latitude", sa.Float(), nullable=True),
        sa.Column("delivery_longitude", sa.Float(), nullable=True),
        sa.Column("collection_location_id", ID, nullable=True),
        sa.Column("need_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("sourcing_profile_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type <> 'CC' OR collection_location_id IS NOT NULL",
            name=op.f("ck_orders_cc_has_collection_location"),
        ),
        sa.CheckConstraint(
            "type <> 'HD' OR (delivery_latitude IS NOT NULL AND delivery_longitude IS NOT NULL)",
            name=op.f("ck_orders_hd_has_delivery_point"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_location_id"],
            ["locations.id"],
            name=op.f("fk_orders_collection_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["sourcing_profile_id"],
            ["sourcing_profiles.id"],
            name=op.f("fk_orders_sourcing_profile_id_sourcing_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("ref", name=op.f("uq_orders_ref")),
    )
    op.create_table(
        "virtual_catalogues",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("network_id", ID, nullable=False),
        sa.Column("extra_buffer_qty", sa.Integer(), nullable=False),
        sa.Column("category_buffers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_virtual_catalogues_network_id_networks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_catalogues")),
        sa.UniqueConstraint("ref", name=op.f("uq_virtual_catalogues_ref")),
    )
    op.create_index(
        op.f("ix_virtual_catalogues_network_id"), "virtual_catalogues", ["network_id"], unique=False
    )

    op.create_table(
        "webhook_outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("subscription_id", ID, nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", _enum("outboxstate", "PENDING", "DELIVERED", "PARKED"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_outbox_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_outbox")),
        sa.UniqueConstraint(
            "event_id", "subscription_id", name=op.f("uq_webhook_outbox_event_id_subscription_id")
        ),
    )
    op.create_index(
        "ix_webhook_outbox_state_next_attempt",
        "webhook_outbox",
        ["state", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "fulfilments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column(
            "status",
            _enum(
                "fulfilmentstatus",
                "CREATED",
                "ACKNOWLEDGED",
                "PICKED",
                "PACKED",
                "READY_FOR_COLLECTION",
                "AWAITING_COURIER",
                "COLLECTED",
                "DISPATCHED",
                "COMPLETE",
                "REJECTED",
                "CANCELLED",
                "ESCALATED",
            ),
            nullable=False,
        ),
        sa.Column("type", _enum("ordertype", "HD", "CC"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("reassigned_from_id", ID, nullable=True),
        sa.Column("status_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_fulfilments_attempt_positive")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_fulfilments_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_fulfilments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reassigned_from_id"],
            ["fulfilments.id"],
            name=op.f("fk_fulfilments_reassigned_from_id_fulfilments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilments")),
    )
    op.create_index(
        "ix_fulfilments_location_created",
        "fulfilments",
        ["location_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_fulfilments_order_id"), "fulfilments", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_fulfilments_reassigned_from_id"),
        "fulfilments",
        ["reassigned_from_id"],
        unique=False,
    )
    op.create_index("ix_fulfilments_status_due", "fulfilments", ["status", "due_at"], unique=False)

    op.create_table(
        "in_transit",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("position_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("arrives_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_in_transit_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["inventory_positions.id"],
            name=op.f("fk_in_transit_position_id_inventory_positions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_in_transit")),
    )
    op.create_index(op.f("ix_in_transit_position_id"), "in_transit", ["position_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("cancelled_qty", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "cancelled_qty >= 0 AND cancelled_qty <= quantity",
            name=op.f("ck_order_lines_cancelled_qty_in_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "ref", name=op.f("uq_order_lines_order_id_ref")),
    )
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"], unique=False)

    op.create_table(
        "return_orders",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column(
            "status",
            _enum("returnstatus", "CREATED", "RECEIVED", "RESTOCKED", "CANCELLED"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_return_orders_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_orders")),
        sa.UniqueConstraint("ref", name=op.f("uq_return_orders_ref")),
    )
    op.create_index(op.f("ix_return_orders_order_id"), "return_orders", ["order_id"], unique=False)

    op.create_table(
        "articles",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("fulfilment_id", ID, nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfilment_id"],
            ["fulfilments.id"],
            name=op.f("fk_articles_fulfilment_id_fulfilments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    op.create_index(op.f("ix_articles_fulfilment_id"), "articles", ["fulfilment_id"], unique=False)

    op.create_table(
        "fulfilment_lines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("fulfilment_id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked_qty", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "picked_qty IS NULL OR (picked_qty >= 0 AND picked_qty <= quantity)",
            name=op.f("ck_fulfilment_lines_picked_qty_in_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fulfilment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["fulfilment_id"],
            ["fulfilments.id"],
            name=op.f("fk_fulfilment_lines_fulfilment_id_fulfilments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_fulfilment_lines_order_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment_lines")),
    )
    op.create_index(
        op.f("ix_fulfilment_lines_fulfilment_id"),
        "fulfilment_lines",
        ["fulfilment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_fulfilment_lines_order_line_id"),
        "fulfilment_lines",
        ["order_line_id"],
        unique=False,
    )

    op.create_table(
        "inventory_quantities",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("position_id", ID, nullable=False),
        sa.Column("type", _enum("quantitytype", "RESERVED", "SALE", "CORRECTION"), nullable=False),
        sa.Column("status", _enum("quantitystatus", "ACTIVE", "INACTIVE"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("fulfilment_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quantity > 0 OR (type = 'CORRECTION' AND quantity <> 0)",
            name=op.f("ck_inventory_quantities_quantity_sign"),
        ),
        sa.ForeignKeyConstraint(
            ["fulfilment_id"],
            ["fulfilments.id"],
            name=op.f("fk_inventory_quantities_fulfilment_id_fulfilments"),
        ),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["inventory_positions.id"],
            name=op.f("fk_inventory_quantities_position_id_inventory_positions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_quantities")),
    )
    op.create_index(
        op.f("ix_inventory_quantities_fulfilment_id"),
        "inventory_quantities",
        ["fulfilment_id"],
        unique=False,
    )
    op.create_index(
        "ix_inventory_quantities_position_type_status",
        "inventory_quantities",
        ["position_id", "type", "status"],
        unique=False,
    )

    op.create_table(
        "return_lines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("return_order_id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("resellable", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location_id", ID, nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_return_lines_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_return_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["return_order_id"],
            ["return_orders.id"],
            name=op.f("fk_return_lines_return_order_id_return_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
    )
    op.create_index(
        op.f("ix_return_lines_order_line_id"), "return_lines", ["order_line_id"], unique=False
    )
    op.create_index(
        op.f("ix_return_lines_return_order_id"), "return_lines", ["return_order_id"], unique=False
    )

    op.create_table(
        "article_lines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("fulfilment_line_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_article_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_lines_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fulfilment_line_id"],
            ["fulfilment_lines.id"],
            name=op.f("fk_article_lines_fulfilment_line_id_fulfilment_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_lines")),
    )
    op.create_index(
        op.f("ix_article_lines_article_id"), "article_lines", ["article_id"], unique=False
    )

    op.create_table(
        "consignment_articles",
        sa.Column("consignment_id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_consignment_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_articles_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "consignment_id", "article_id", name=op.f("pk_consignment_articles")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("consignment_articles")
    op.drop_table("article_lines")
    op.drop_table("return_lines")
    op.drop_table("inventory_quantities")
    op.drop_table("fulfilment_lines")
    op.drop_table("articles")
    op.drop_table("return_orders")
    op.drop_table("order_lines")
    op.drop_table("in_transit")
    op.drop_table("fulfilments")
    op.drop_table("webhook_outbox")
    op.drop_table("virtual_catalogues")
    op.drop_table("orders")
    op.drop_table("network_locations")
    op.drop_table("inventory_positions")
    op.drop_table("webhook_subscriptions")
    op.drop_table("sourcing_profiles")
    op.drop_table("products")
    op.drop_table("networks")
    op.drop_table("locations")
    op.drop_table("idempotency_keys")
    op.drop_table("customers")
    op.drop_table("consignments")

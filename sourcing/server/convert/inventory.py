"""InventoryService messages <-> the stock dataclasses of ``sourcing.models``.

``*_from_proto`` checks every field and names the bad one by its request
path; ``*_to_proto`` builds response messages from what was stored.
"""

from __future__ import annotations

from datetime import UTC

from sourcing.models.db.enums import QuantityStatus, QuantityType
from sourcing.models.inventory.positions import Arrival, PositionView, StockAdjustment, StockLevel
from sourcing.models.inventory.stock_reports import (
    AvailabilityQuery,
    CatalogueStock,
    LedgerFilter,
    LedgerRecord,
    NetworkStock,
)
from sourcing.models.inventory.tables import InTransit
from sourcing.server.convert.fields import (
    MAX_INT32,
    check_count,
    check_name,
    check_number,
    enum_from_proto,
    enum_to_proto,
    optional_ref,
    refs,
    require_ref,
    timestamp,
)
from sourcing.server.errors import FieldError
from sourcing.v1 import inventory_pb2


def stock_levels_from_proto(request: inventory_pb2.SetStockRequest) -> list[StockLevel]:
    """The positions to set, at least one, each location and product at most once."""
    if not request.positions:
        raise FieldError("positions", "Expected at least one position.")
    levels: list[StockLevel] = []
    seen: dict[tuple[str, str], int] = {}
    for i, position in enumerate(request.positions):
        level = _stock_level_from_proto(position, f"positions[{i}]")
        key = (level.location_ref, level.product_ref)
        if key in seen:
            raise FieldError(
                f"positions[{i}]",
                f"Expected each location and product once; positions[{seen[key]}] has the same.",
            )
        seen[key] = i
        levels.append(level)
    return levels


def _stock_level_from_proto(position: inventory_pb2.StockPosition, field: str) -> StockLevel:
    return StockLevel(
        location_ref=require_ref(position.location_ref, f"{field}.location_ref"),
        product_ref=require_ref(position.product_ref, f"{field}.product_ref"),
        on_hand=check_count(position.on_hand, f"{field}.on_hand"),
        buffer_qty=check_count(position.buffer_qty, f"{field}.buffer_qty"),
        ideal_qty=check_count(position.ideal_qty, f"{field}.ideal_qty"),
        markdown=check_number(position.markdown, f"{field}.markdown", low=0.0, high=1.0),
        sell_through=check_number(
            position.sell_through, f"{field}.sell_through", low=0.0, high=1.0
        ),
        stock_age_days=check_number(position.stock_age_days, f"{field}.stock_age_days", low=0.0),
    )


def position_to_proto(view: PositionView) -> inventory_pb2.StockPosition:
    """A position as it stands, with what is reserved and available."""
    return inventory_pb2.StockPosition(
        location_ref=view.location_ref,
        product_ref=view.product_ref,
        on_hand=view.on_hand,
        buffer_qty=view.buffer_qty,
        ideal_qty=view.ideal_qty,
        markdown=view.markdown,
        sell_through=view.sell_through,
        stock_age_days=view.stock_age_days,
        reserved=view.reserved,
        available=view.available,
        update_time=timestamp(view.updated_at),
    )


def adjustment_from_proto(request: inventory_pb2.AdjustStockRequest) -> StockAdjustment:
    """A signed, non-zero change of on hand with its reason."""
    if request.delta == 0 or abs(request.delta) > MAX_INT32:
        raise FieldError(
            "delta",
            f"Expected a non-zero change of at most {MAX_INT32} units, got {request.delta}.",
        )
    return StockAdjustment(
        location_ref=require_ref(request.location_ref, "location_ref"),
        product_ref=require_ref(request.product_ref, "product_ref"),
        delta=int(request.delta),
        reason=check_name(request.reason, "reason", required=True),
        request_id=check_name(request.request_id, "request_id") or None,
    )


def arrivals_from_proto(request: inventory_pb2.SetInTransitRequest) -> list[Arrival]:
    """The arrivals expected, each at least one unit at a given time."""
    arrivals = []
    for i, arrival in enumerate(request.arrivals):
        if not arrival.HasField("arrival_time"):
            raise FieldError(f"arrivals[{i}].arrival_time", "Expected when the units arrive.")
        arrivals.append(
            Arrival(
                quantity=check_count(arrival.quantity, f"arrivals[{i}].quantity", minimum=1),
                arrives_at=arrival.arrival_time.ToDatetime(tzinfo=UTC),
            )
        )
    return arrivals


def arrival_to_proto(row: InTransit) -> inventory_pb2.InTransitArrival:
    """One stored arrival."""
    return inventory_pb2.InTransitArrival(
        quantity=row.quantity, arrival_time=timestamp(row.arrives_at)
    )


def availability_query_from_proto(
    request: inventory_pb2.GetAvailabilityRequest,
) -> AvailabilityQuery:
    """The products to report, at least one, and where."""
    if not request.product_refs:
        raise FieldError("product_refs", "Expected at least one product.")
    return AvailabilityQuery(
        product_refs=refs(request.product_refs, "product_refs"),
        location_refs=refs(request.location_refs, "location_refs"),
        network_refs=refs(request.network_refs, "network_refs"),
        virtual_catalogue_refs=refs(request.virtual_catalogue_refs, "virtual_catalogue_refs"),
    )


def location_availability_to_proto(view: PositionView) -> inventory_pb2.LocationAvailability:
    """One product's availability at one location."""
    return inventory_pb2.LocationAvailability(
        location_ref=view.location_ref,
        product_ref=view.product_ref,
        on_hand=view.on_hand,
        reserved=view.reserved,
        buffer_qty=view.buffer_qty,
        available=view.available,
        in_transit=view.in_transit,
    )


def network_availability_to_proto(row: NetworkStock) -> inventory_pb2.NetworkAvailability:
    """One product's availability summed over a network."""
    return inventory_pb2.NetworkAvailability(
        network_ref=row.network_ref,
        product_ref=row.product_ref,
        available=row.available,
        locations_with_stock=row.locations_with_stock,
    )


def catalogue_availability_to_proto(row: CatalogueStock) -> inventory_pb2.CatalogueAvailability:
    """One product's available-to-sell in a virtual catalogue."""
    return inventory_pb2.CatalogueAvailability(
        virtual_catalogue_ref=row.virtual_catalogue_ref,
        product_ref=row.product_ref,
        available=row.available,
    )


def ledger_filter_from_proto(request: inventory_pb2.ListReservationsRequest) -> LedgerFilter:
    """Which ledger records to list."""
    fulfilment_id = request.fulfilment_id
    if fulfilment_id and not (fulfilment_id.isascii() and fulfilment_id.isdigit()):
        raise FieldError("fulfilment_id", f"Expected a fulfilment id, got {fulfilment_id!r}.")
    return LedgerFilter(
        location_ref=optional_ref(request.location_ref, "location_ref"),
        product_ref=optional_ref(request.product_ref, "product_ref"),
        order_ref=optional_ref(request.order_ref, "order_ref"),
        fulfilment_id=int(fulfilment_id) if fulfilment_id else None,
        types=tuple(
            enum_from_proto(v, inventory_pb2.QuantityRecordType, QuantityType, f"types[{i}]")
            for i, v in enumerate(request.types)
        ),
        statuses=tuple(
            enum_from_proto(v, inventory_pb2.QuantityRecordStatus, QuantityStatus, f"statuses[{i}]")
            for i, v in enumerate(request.statuses)
        ),
    )


def record_to_proto(record: LedgerRecord) -> inventory_pb2.QuantityRecord:
    """One ledger record; a CORRECTION's quantity is signed (units lost are negative)."""
    return inventory_pb2.QuantityRecord(
        id=str(record.id),
        location_ref=record.location_ref,
        product_ref=record.product_ref,
        type=enum_to_proto(record.type, inventory_pb2.QuantityRecordType),
        status=enum_to_proto(record.status, inventory_pb2.QuantityRecordStatus),
        quantity=record.quantity,
        fulfilment_id=str(record.fulfilment_id) if record.fulfilment_id is not None else "",
        order_ref=record.order_ref or "",
        create_time=timestamp(record.created_at),
        update_time=timestamp(record.updated_at),
    )

"""InventoryService: stock positions, in transit, availability and the ledger.

A thin adapter over ``sourcing.models.inventory.calls``. Each RPC checks its
whole request first, then makes one call, which owns the transaction: a call
that fails writes nothing.

AdjustStock that would take on hand below zero fails with
FAILED_PRECONDITION, not INVALID_ARGUMENT: the same delta is fine when
there is more stock, so it is the position's state that refuses it.
"""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.inventory import calls
from sourcing.models.inventory.stock_reports import Availability
from sourcing.server.convert import inventory as convert
from sourcing.server.convert.fields import Page, require_ref
from sourcing.v1 import inventory_pb2, inventory_pb2_grpc


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):  # type: ignore[misc]
    """Set and adjust stock, stock in transit, availability and reservations."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def SetStock(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.SetStockRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.SetStockResponse:
        """Create or replace positions, all or nothing."""
        levels = convert.stock_levels_from_proto(request)
        views = calls.set_stock(self.sessions, levels, convert.position_to_proto)
        return inventory_pb2.SetStockResponse(positions=views)

    def AdjustStock(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.AdjustStockRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.AdjustStockResponse:
        """Change on hand by a signed delta; FAILED_PRECONDITION below zero."""
        adjustment = convert.adjustment_from_proto(request)
        view = calls.adjust_stock(self.sessions, adjustment, convert.position_to_proto)
        return inventory_pb2.AdjustStockResponse(position=view)

    def SetInTransit(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.SetInTransitRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.SetInTransitResponse:
        """Replace the arrivals expected at a position."""
        location_ref = require_ref(request.location_ref, "location_ref")
        product_ref = require_ref(request.product_ref, "product_ref")
        arrivals = convert.arrivals_from_proto(request)
        stored = calls.set_in_transit(
            self.sessions, location_ref, product_ref, arrivals, convert.arrival_to_proto
        )
        return inventory_pb2.SetInTransitResponse(arrivals=stored)

    def GetAvailability(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.GetAvailabilityRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.GetAvailabilityResponse:
        """Availability per location, per network and per virtual catalogue."""
        query = convert.availability_query_from_proto(request)

        def present(found: Availability) -> inventory_pb2.GetAvailabilityResponse:
            return inventory_pb2.GetAvailabilityResponse(
                locations=[convert.location_availability_to_proto(v) for v in found.locations],
                networks=[convert.network_availability_to_proto(n) for n in found.networks],
                virtual_catalogues=[
                    convert.catalogue_availability_to_proto(c) for c in found.virtual_catalogues
                ],
            )

        return calls.get_availability(self.sessions, query, present)

    def ListReservations(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.ListReservationsRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.ListReservationsResponse:
        """One page of ledger records, oldest first, filtered."""
        page = Page.from_request(request.page_size, request.page_token)
        ledger_filter = convert.ledger_filter_from_proto(request)
        records = calls.list_reservations(
            self.sessions,
            ledger_filter,
            convert.record_to_proto,
            offset=page.offset,
            limit=page.limit + 1,
        )
        shown, token = page.cut(records)
        return inventory_pb2.ListReservationsResponse(records=shown, next_page_token=token)

"""InventoryService: stock positions, in transit, availability and the ledger.

A thin adapter over ``sourcing.models.inventory.positions`` (writes, always through
the ledger functions of ``sourcing.models.inventory.inventory``) and
``sourcing.models.inventory.stock_reports`` (reads). Each RPC checks its whole
request first, then runs one transaction: a call that fails writes nothing.

AdjustStock that would take on hand below zero fails with
FAILED_PRECONDITION, not INVALID_ARGUMENT: the same delta is fine when
there is more stock, so it is the position's state that refuses it.
"""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.retry import run_in_transaction
from sourcing.models.inventory import positions, stock_reports
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

        def work(session: Session) -> inventory_pb2.SetStockResponse:
            views = positions.set_stock_positions(session, levels)
            return inventory_pb2.SetStockResponse(
                positions=[convert.position_to_proto(view) for view in views]
            )

        return run_in_transaction(self.sessions, work, entity="inventory position")

    def AdjustStock(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.AdjustStockRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.AdjustStockResponse:
        """Change on hand by a signed delta; FAILED_PRECONDITION below zero."""
        adjustment = convert.adjustment_from_proto(request)

        def work(session: Session) -> inventory_pb2.AdjustStockResponse:
            view = positions.adjust_stock(session, adjustment)
            return inventory_pb2.AdjustStockResponse(position=convert.position_to_proto(view))

        return run_in_transaction(self.sessions, work, entity="inventory position")

    def SetInTransit(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.SetInTransitRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.SetInTransitResponse:
        """Replace the arrivals expected at a position."""
        location_ref = require_ref(request.location_ref, "location_ref")
        product_ref = require_ref(request.product_ref, "product_ref")
        arrivals = convert.arrivals_from_proto(request)

        def work(session: Session) -> inventory_pb2.SetInTransitResponse:
            rows = positions.set_in_transit(session, location_ref, product_ref, arrivals)
            return inventory_pb2.SetInTransitResponse(
                arrivals=[convert.arrival_to_proto(row) for row in rows]
            )

        return run_in_transaction(self.sessions, work, entity="inventory position")

    def GetAvailability(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.GetAvailabilityRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.GetAvailabilityResponse:
        """Availability per location, per network and per virtual catalogue."""
        query = convert.availability_query_from_proto(request)

        def work(session: Session) -> inventory_pb2.GetAvailabilityResponse:
            found = stock_reports.get_availability(session, query)
            return inventory_pb2.GetAvailabilityResponse(
                locations=[convert.location_availability_to_proto(v) for v in found.locations],
                networks=[convert.network_availability_to_proto(n) for n in found.networks],
                virtual_catalogues=[
                    convert.catalogue_availability_to_proto(c) for c in found.virtual_catalogues
                ],
            )

        return run_in_transaction(self.sessions, work)

    def ListReservations(  # noqa: N802 - the RPC's name
        self, request: inventory_pb2.ListReservationsRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.ListReservationsResponse:
        """One page of ledger records, oldest first, filtered."""
        page = Page.from_request(request.page_size, request.page_token)
        ledger_filter = convert.ledger_filter_from_proto(request)

        def work(session: Session) -> inventory_pb2.ListReservationsResponse:
            records = stock_reports.list_reservations(
                session, ledger_filter, offset=page.offset, limit=page.limit + 1
            )
            shown, token = page.cut(records)
            return inventory_pb2.ListReservationsResponse(
                records=[convert.record_to_proto(r) for r in shown], next_page_token=token
            )

        return run_in_transaction(self.sessions, work)

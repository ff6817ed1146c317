"""OrderService: a thin adapter from the wire to ``sourcing.models.orders.calls``.

Each RPC checks its request, then makes one call, which owns the
transaction (the change with its webhook events, retried from the start if
it loses a race) and hands what is stored to the ``present`` function given
here, before the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.orders import calls
from sourcing.models.orders.calls import ConsignmentBooked, FulfilmentAfter, OrderAfter
from sourcing.models.orders.cancellation import CancelInput, CancelOutcome
from sourcing.models.orders.returns import ReturnOutcome
from sourcing.models.orders.revisions import ReviseInput, ReviseOutcome
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.server.convert import lifecycle as convert
from sourcing.server.convert.fields import Page, check_name, optional_ref, require_ref
from sourcing.server.convert.order_views import (
    consignment_to_proto,
    fulfilment_to_proto,
    money,
    order_status_to_proto,
    order_to_proto,
    return_to_proto,
)
from sourcing.server.convert.orders import deadline_seconds, plan_to_proto
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2, orders_pb2_grpc, plan_pb2

T = TypeVar("T")

# A fulfilment event of ``calls``: (sessions, fulfilment id, present) -> present's result.
FulfilmentEvent = Callable[
    [sessionmaker[Session], int, Callable[[FulfilmentAfter], T]],
    T,
]


def _fulfilment(after: FulfilmentAfter) -> domain_pb2.Fulfilment:
    return fulfilment_to_proto(after.fulfilment, after.articles)


def _fulfilment_and_status(after: FulfilmentAfter) -> tuple[domain_pb2.Fulfilment, str]:
    return _fulfilment(after), order_status_to_proto(after.order)


def _plan(outcome: SourcingOutcome | None) -> plan_pb2.Plan | None:
    if outcome is None:
        return None
    return plan_to_proto(
        outcome.plan,
        order_type=outcome.order_type,
        fulfilment_ids=outcome.fulfilment_ids,
        profile_version=outcome.profile_version,
        explain=False,
    )


def _time_limit(context: grpc.ServicerContext) -> float:
    return deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)


class OrderServicer(orders_pb2_grpc.OrderServiceServicer):  # type: ignore[misc]
    """Reads orders and moves them through their life after sourcing."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _event(
        self,
        fulfilment_id: str,
        event: FulfilmentEvent[tuple[domain_pb2.Fulfilment, str]],
    ) -> tuple[domain_pb2.Fulfilment, str]:
        """Run a fulfilment event; the fulfilment after it and the order's status."""
        fid = convert.entity_id(fulfilment_id, "fulfilment_id")
        return event(self.sessions, fid, _fulfilment_and_status)

    def GetOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.GetOrderResponse:
        """One order, whole."""
        ref = require_ref(request.order_ref, "order_ref")
        return orders_pb2.GetOrderResponse(
            order=calls.get_order(self.sessions, ref, order_to_proto)
        )

    def ListOrders(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ListOrdersResponse:
        """A page of orders, newest first."""
        where = convert.order_filter_from_proto(request)
        page = Page.from_request(request.page_size, request.page_token)
        orders = calls.list_orders(
            self.sessions, where, order_to_proto, offset=page.offset, limit=page.limit + 1
        )
        shown, token = page.cut(orders)
        return orders_pb2.ListOrdersResponse(orders=shown, next_page_token=token)

    def AcknowledgeFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.AcknowledgeFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.AcknowledgeFulfilmentResponse:
        """CREATED -> ACKNOWLEDGED."""
        fulfilment, status = self._event(request.fulfilment_id, calls.acknowledge)
        return orders_pb2.AcknowledgeFulfilmentResponse(fulfilment=fulfilment, order_status=status)

    def ConfirmPick(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ConfirmPickRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ConfirmPickResponse:
        """Sales for what was picked; missing units written off and sourced again."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        picked = convert.line_quantities(request.picked_lines, "picked_lines", minimum=0)

        def present(after: FulfilmentAfter) -> orders_pb2.ConfirmPickResponse:
            return orders_pb2.ConfirmPickResponse(
                fulfilment=_fulfilment(after),
                reassignment=_plan(after.reassignment),
                order_status=order_status_to_proto(after.order),
            )

        return calls.confirm_pick(
            self.sessions, fid, picked, present, time_limit_s=_time_limit(context)
        )

    def PackFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.PackFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.PackFulfilmentResponse:
        """PICKED -> PACKED, into the parcels given."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        parcels = convert.parcels_from_proto(request)

        def present(after: FulfilmentAfter) -> orders_pb2.PackFulfilmentResponse:
            fulfilment = _fulfilment(after)
            return orders_pb2.PackFulfilmentResponse(
                fulfilment=fulfilment,
                articles=fulfilment.articles,
                order_status=order_status_to_proto(after.order),
            )

        return calls.pack(self.sessions, fid, parcels, present)

    def MarkReadyForCollection(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkReadyForCollectionRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkReadyForCollectionResponse:
        """Click and collect: PACKED -> READY_FOR_COLLECTION."""
        fulfilment, status = self._event(request.fulfilment_id, calls.mark_ready_for_collection)
        return orders_pb2.MarkReadyForCollectionResponse(fulfilment=fulfilment, order_status=status)

    def CreateConsignment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CreateConsignmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CreateConsignmentResponse:
        """Book a carrier over packed articles; their fulfilments await the courier."""
        booking = convert.consignment_from_proto(request)

        def present(booked: ConsignmentBooked) -> orders_pb2.CreateConsignmentResponse:
            return orders_pb2.CreateConsignmentResponse(
                consignment=consignment_to_proto(booked.consignment),
                fulfilments=[_fulfilment(f) for f in booked.fulfilments],
            )

        return calls.create_consignment(self.sessions, booking, present)

    def MarkCollected(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkCollectedRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkCollectedResponse:
        """Click and collect: the customer took the goods."""
        fulfilment, status = self._event(request.fulfilment_id, calls.mark_collected)
        return orders_pb2.MarkCollectedResponse(fulfilment=fulfilment, order_status=status)

    def MarkDispatched(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkDispatchedRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkDispatchedResponse:
        """Home delivery: the carrier took the goods."""
        fulfilment, status = self._event(request.fulfilment_id, calls.mark_dispatched)
        return orders_pb2.MarkDispatchedResponse(fulfilment=fulfilment, order_status=status)

    def MarkConsignmentDelivered(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkConsignmentDeliveredRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkConsignmentDeliveredResponse:
        """The carrier delivered a dispatched consignment."""
        consignment_id = convert.entity_id(request.consignment_id, "consignment_id")
        consignment = calls.mark_consignment_delivered(
            self.sessions, consignment_id, consignment_to_proto
        )
        return orders_pb2.MarkConsignmentDeliveredResponse(consignment=consignment)

    def RejectFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.RejectFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.RejectFulfilmentResponse:
        """The location refuses: every unit is sourced again elsewhere."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        location_ref = require_ref(request.location_ref, "location_ref")
        reason = check_name(request.reason, "reason") or None

        def present(after: FulfilmentAfter) -> orders_pb2.RejectFulfilmentResponse:
            return orders_pb2.RejectFulfilmentResponse(
                fulfilment=_fulfilment(after),
                reassignment=_plan(after.reassignment),
                order_status=order_status_to_proto(after.order),
            )

        return calls.reject_fulfilment(
            self.sessions, fid, location_ref, reason, present, time_limit_s=_time_limit(context)
        )

    def CancelOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CancelOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CancelOrderResponse:
        """Cancel the whole order or some units; the refund comes back."""
        cancel = CancelInput(
            order_ref=require_ref(request.order_ref, "order_ref"),
            lines=convert.line_quantities(request.lines, "lines", minimum=1),
            reason=check_name(request.reason, "reason") or None,
            request_id=optional_ref(request.request_id, "request_id"),
        )

        def present(after: OrderAfter[CancelOutcome]) -> orders_pb2.CancelOrderResponse:
            outcome = after.outcome
            return orders_pb2.CancelOrderResponse(
                order=order_to_proto(after.order),
                cancelled_lines=[
                    common_pb2.LineQuantity(line_ref=ref, quantity=qty)
                    for ref, qty in outcome.cancelled.items()
                ],
                refund=money(outcome.refund_minor, outcome.currency),
                replayed=outcome.replayed,
            )

        return calls.cancel_order(self.sessions, cancel, present)

    def ReviseOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ReviseOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ReviseOrderResponse:
        """Add, remove or change lines; only the difference is sourced or released."""
        revise = ReviseInput(
            order_ref=require_ref(request.order_ref, "order_ref"),
            revisions=convert.revisions_from_proto(request),
            request_id=optional_ref(request.request_id, "request_id"),
            time_limit_s=_time_limit(context),
        )

        def present(after: OrderAfter[ReviseOutcome]) -> orders_pb2.ReviseOrderResponse:
            outcome = after.outcome
            return orders_pb2.ReviseOrderResponse(
                order=order_to_proto(after.order),
                plan=_plan(outcome.sourced),
                price_change=money(outcome.price_change_minor, outcome.currency),
                replayed=outcome.replayed,
            )

        return calls.revise_order(self.sessions, revise, present)

    def CreateReturn(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CreateReturnRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CreateReturnResponse:
        """Announce goods coming back for delivered lines."""
        announced = convert.return_from_proto(request)

        def present(outcome: ReturnOutcome) -> orders_pb2.CreateReturnResponse:
            return orders_pb2.CreateReturnResponse(
                return_order=return_to_proto(outcome.return_order), replayed=outcome.replayed
            )

        return calls.create_return(self.sessions, announced, present)

    def ReceiveReturn(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ReceiveReturnRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ReceiveReturnResponse:
        """Record a return's goods arriving; resellable units go back into stock."""
        return_ref = require_ref(request.return_ref, "return_ref")
        location_ref = require_ref(request.location_ref, "location_ref")
        received = convert.received_from_proto(request)

        def present(done: calls.ReturnReceived) -> orders_pb2.ReceiveReturnResponse:
            return orders_pb2.ReceiveReturnResponse(
                return_order=return_to_proto(done.return_order),
                refund=money(done.refund_minor, done.currency),
            )

        return calls.receive_return(self.sessions, return_ref, location_ref, received, present)

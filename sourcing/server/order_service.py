"""OrderService: a thin adapter from the wire to the lifecycle in ``sourcing.models``.

Each call checks its request, then runs one transaction that makes the
change (with its webhook events) and builds the response from what is
stored, retried from the start if it loses a race.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.retry import run_in_transaction
from sourcing.models.orders import cancellation, order_views, picks, returns, revisions, shipping
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.models.orders.tables import Fulfilment, Order
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


def _fulfilment(session: Session, fulfilment: Fulfilment) -> domain_pb2.Fulfilment:
    articles = order_views.articles_by_fulfilment(session, [fulfilment.id])
    return fulfilment_to_proto(fulfilment, articles.get(fulfilment.id, ()))


def _order(session: Session, order: Order) -> domain_pb2.Order:
    return order_to_proto(order_views.order_views(session, [order])[0])


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

    def _run(self, work: Callable[[Session], T]) -> T:
        return run_in_transaction(self.sessions, work, entity="order")

    def _event(
        self, fulfilment_id: str, event: Callable[[Session, int], picks.FulfilmentOutcome]
    ) -> tuple[domain_pb2.Fulfilment, str]:
        """Run a fulfilment event; the fulfilment after it and the order's status."""
        fid = convert.entity_id(fulfilment_id, "fulfilment_id")

        def work(session: Session) -> tuple[domain_pb2.Fulfilment, str]:
            outcome = event(session, fid)
            return _fulfilment(session, outcome.fulfilment), order_status_to_proto(
                outcome.fulfilment.order
            )

        return self._run(work)

    def GetOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.GetOrderResponse:
        """One order, whole."""
        ref = require_ref(request.order_ref, "order_ref")
        return self._run(
            lambda s: orders_pb2.GetOrderResponse(
                order=order_to_proto(order_views.get_order(s, ref))
            )
        )

    def ListOrders(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ListOrdersResponse:
        """A page of orders, newest first."""
        where = convert.order_filter_from_proto(request)
        page = Page.from_request(request.page_size, request.page_token)

        def work(session: Session) -> orders_pb2.ListOrdersResponse:
            rows = order_views.list_orders(session, where, page.offset, page.limit + 1)
            shown, token = page.cut(rows)
            views = order_views.order_views(session, list(shown))
            return orders_pb2.ListOrdersResponse(
                orders=[order_to_proto(v) for v in views], next_page_token=token
            )

        return self._run(work)

    def AcknowledgeFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.AcknowledgeFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.AcknowledgeFulfilmentResponse:
        """CREATED -> ACKNOWLEDGED."""
        fulfilment, status = self._event(request.fulfilment_id, shipping.acknowledge)
        return orders_pb2.AcknowledgeFulfilmentResponse(fulfilment=fulfilment, order_status=status)

    def ConfirmPick(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ConfirmPickRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ConfirmPickResponse:
        """Sales for what was picked; missing units written off and sourced again."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        picked = convert.line_quantities(request.picked_lines, "picked_lines", minimum=0)
        time_limit_s = _time_limit(context)

        def work(session: Session) -> orders_pb2.ConfirmPickResponse:
            outcome = picks.confirm_pick(session, fid, picked, time_limit_s=time_limit_s)
            return orders_pb2.ConfirmPickResponse(
                fulfilment=_fulfilment(session, outcome.fulfilment),
                reassignment=_plan(outcome.reassignment),
                order_status=order_status_to_proto(outcome.fulfilment.order),
            )

        return self._run(work)

    def PackFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.PackFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.PackFulfilmentResponse:
        """PICKED -> PACKED, into the parcels given."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        parcels = convert.parcels_from_proto(request)

        def work(session: Session) -> orders_pb2.PackFulfilmentResponse:
            outcome = shipping.pack(session, fid, parcels)
            fulfilment = _fulfilment(session, outcome.fulfilment)
            return orders_pb2.PackFulfilmentResponse(
                fulfilment=fulfilment,
                articles=fulfilment.articles,
                order_status=order_status_to_proto(outcome.fulfilment.order),
            )

        return self._run(work)

    def MarkReadyForCollection(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkReadyForCollectionRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkReadyForCollectionResponse:
        """Click and collect: PACKED -> READY_FOR_COLLECTION."""
        fulfilment, status = self._event(request.fulfilment_id, shipping.mark_ready_for_collection)
        return orders_pb2.MarkReadyForCollectionResponse(fulfilment=fulfilment, order_status=status)

    def CreateConsignment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CreateConsignmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CreateConsignmentResponse:
        """Book a carrier over packed articles; their fulfilments await the courier."""
        booking = convert.consignment_from_proto(request)

        def work(session: Session) -> orders_pb2.CreateConsignmentResponse:
            outcome = shipping.create_consignment(session, booking)
            return orders_pb2.CreateConsignmentResponse(
                consignment=consignment_to_proto(outcome.consignment),
                fulfilments=[_fulfilment(session, f) for f in outcome.fulfilments],
            )

        return self._run(work)

    def MarkCollected(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkCollectedRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkCollectedResponse:
        """Click and collect: the customer took the goods."""
        fulfilment, status = self._event(request.fulfilment_id, shipping.mark_collected)
        return orders_pb2.MarkCollectedResponse(fulfilment=fulfilment, order_status=status)

    def MarkDispatched(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkDispatchedRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkDispatchedResponse:
        """Home delivery: the carrier took the goods."""
        fulfilment, status = self._event(request.fulfilment_id, shipping.mark_dispatched)
        return orders_pb2.MarkDispatchedResponse(fulfilment=fulfilment, order_status=status)

    def MarkConsignmentDelivered(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.MarkConsignmentDeliveredRequest, context: grpc.ServicerContext
    ) -> orders_pb2.MarkConsignmentDeliveredResponse:
        """The carrier delivered a dispatched consignment."""
        consignment_id = convert.entity_id(request.consignment_id, "consignment_id")

        def work(session: Session) -> orders_pb2.MarkConsignmentDeliveredResponse:
            consignment = shipping.mark_consignment_delivered(session, consignment_id)
            return orders_pb2.MarkConsignmentDeliveredResponse(
                consignment=consignment_to_proto(consignment)
            )

        return self._run(work)

    def RejectFulfilment(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.RejectFulfilmentRequest, context: grpc.ServicerContext
    ) -> orders_pb2.RejectFulfilmentResponse:
        """The location refuses: every unit is sourced again elsewhere."""
        fid = convert.entity_id(request.fulfilment_id, "fulfilment_id")
        location_ref = require_ref(request.location_ref, "location_ref")
        reason = check_name(request.reason, "reason") or None
        time_limit_s = _time_limit(context)

        def work(session: Session) -> orders_pb2.RejectFulfilmentResponse:
            outcome = picks.reject_fulfilment(
                session, fid, location_ref, reason, time_limit_s=time_limit_s
            )
            return orders_pb2.RejectFulfilmentResponse(
                fulfilment=_fulfilment(session, outcome.fulfilment),
                reassignment=_plan(outcome.reassignment),
                order_status=order_status_to_proto(outcome.fulfilment.order),
            )

        return self._run(work)

    def CancelOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CancelOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CancelOrderResponse:
        """Cancel the whole order or some units; the refund comes back."""
        cancel = cancellation.CancelInput(
            order_ref=require_ref(request.order_ref, "order_ref"),
            lines=convert.line_quantities(request.lines, "lines", minimum=1),
            reason=check_name(request.reason, "reason") or None,
            request_id=optional_ref(request.request_id, "request_id"),
        )

        def work(session: Session) -> orders_pb2.CancelOrderResponse:
            outcome = cancellation.cancel_order(session, cancel)
            return orders_pb2.CancelOrderResponse(
                order=_order(session, outcome.order),
                cancelled_lines=[
                    common_pb2.LineQuantity(line_ref=ref, quantity=qty)
                    for ref, qty in outcome.cancelled.items()
                ],
                refund=money(outcome.refund_minor, outcome.currency),
                replayed=outcome.replayed,
            )

        return self._run(work)

    def ReviseOrder(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ReviseOrderRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ReviseOrderResponse:
        """Add, remove or change lines; only the difference is sourced or released."""
        revise = revisions.ReviseInput(
            order_ref=require_ref(request.order_ref, "order_ref"),
            revisions=convert.revisions_from_proto(request),
            request_id=optional_ref(request.request_id, "request_id"),
            time_limit_s=_time_limit(context),
        )

        def work(session: Session) -> orders_pb2.ReviseOrderResponse:
            outcome = revisions.revise_order(session, revise)
            return orders_pb2.ReviseOrderResponse(
                order=_order(session, outcome.order),
                plan=_plan(outcome.sourced),
                price_change=money(outcome.price_change_minor, outcome.currency),
                replayed=outcome.replayed,
            )

        return self._run(work)

    def CreateReturn(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.CreateReturnRequest, context: grpc.ServicerContext
    ) -> orders_pb2.CreateReturnResponse:
        """Announce goods coming back for delivered lines."""
        announced = convert.return_from_proto(request)

        def work(session: Session) -> orders_pb2.CreateReturnResponse:
            outcome = returns.create_return(session, announced)
            return orders_pb2.CreateReturnResponse(
                return_order=return_to_proto(outcome.return_order), replayed=outcome.replayed
            )

        return self._run(work)

    def ReceiveReturn(  # noqa: N802 - the generated interface's name
        self, request: orders_pb2.ReceiveReturnRequest, context: grpc.ServicerContext
    ) -> orders_pb2.ReceiveReturnResponse:
        """Record a return's goods arriving; resellable units go back into stock."""
        return_ref = require_ref(request.return_ref, "return_ref")
        location_ref = require_ref(request.location_ref, "location_ref")
        received = convert.received_from_proto(request)

        def work(session: Session) -> orders_pb2.ReceiveReturnResponse:
            return_order = returns.receive_return(session, return_ref, location_ref, received)
            return orders_pb2.ReceiveReturnResponse(
                return_order=return_to_proto(return_order),
                refund=money(*returns.refund_of(return_order)),
            )

        return self._run(work)

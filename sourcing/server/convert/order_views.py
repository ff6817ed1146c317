"""Stored orders, fulfilments, articles, consignments and returns on the wire.

Everything here reads rows already loaded by ``sourcing.models.orders.order_views``
inside the call's transaction; nothing queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from sourcing.models.db.enums import OrderType
from sourcing.models.orders.order_views import OrderView
from sourcing.models.orders.returns import refund_of
from sourcing.models.orders.shipments import Article, Consignment, ReturnOrder
from sourcing.models.orders.tables import Fulfilment, Order, OrderLine
from sourcing.server.convert.config import customer_to_proto
from sourcing.server.convert.fields import enum_to_proto, timestamp
from sourcing.v1 import common_pb2, domain_pb2


def money(amount_minor: int, currency: str) -> common_pb2.Money:
    """An amount in minor units of a currency."""
    return common_pb2.Money(amount_minor=amount_minor, currency=currency)


def order_status_to_proto(order: Order) -> str:
    """The wire name of an order's status."""
    return enum_to_proto(order.status, common_pb2.OrderStatus)


def _line_to_proto(line: OrderLine) -> domain_pb2.OrderLine:
    return domain_pb2.OrderLine(
        ref=line.ref,
        product_ref=line.product.ref,
        quantity=line.quantity - line.cancelled_qty,
        unit_price=money(line.unit_price_minor, line.currency),
        category=line.category or "",
        cancelled_quantity=line.cancelled_qty,
    )


def order_to_proto(view: OrderView) -> domain_pb2.Order:
    """An order with every output-only field filled."""
    order = view.order
    changed = max([order.updated_at, *(f.updated_at for f in order.fulfilments)])
    out = domain_pb2.Order(
        ref=order.ref,
        type=enum_to_proto(order.type, common_pb2.OrderType),
        lines=[_line_to_proto(line) for line in order.lines],
        status=order_status_to_proto(order),
        fulfilments=[
            fulfilment_to_proto(f, view.articles.get(f.id, ())) for f in order.fulfilments
        ],
        consignments=[consignment_to_proto(c) for c in view.consignments],
        return_orders=[return_to_proto(r) for r in view.returns],
        need_by=timestamp(order.need_by),
        create_time=timestamp(order.created_at),
        update_time=timestamp(changed),
    )
    if order.type is OrderType.HD and order.delivery_latitude is not None:
        out.delivery_point.latitude = order.delivery_latitude
        out.delivery_point.longitude = order.delivery_longitude or 0.0
    if order.collection_location is not None:
        out.collection_location_ref = order.collection_location.ref
    if order.customer is not None:
        out.customer.CopyFrom(customer_to_proto(order.customer))
    return out


def fulfilment_to_proto(
    fulfilment: Fulfilment, articles: Sequence[Article] = ()
) -> domain_pb2.Fulfilment:
    """A stored fulfilment with its lines and the articles packed from it."""
    return domain_pb2.Fulfilment(
        id=str(fulfilment.id),
        order_ref=fulfilment.order.ref,
        location_ref=fulfilment.location.ref,
        type=enum_to_proto(fulfilment.type, common_pb2.OrderType),
        status=enum_to_proto(fulfilment.status, common_pb2.FulfilmentStatus),
        lines=[
            domain_pb2.FulfilmentLine(
                line_ref=line.order_line.ref,
                product_ref=line.order_line.product.ref,
                quantity=line.quantity,
                picked_quantity=line.picked_qty or 0,
            )
            for line in fulfilment.lines
        ],
        due_time=timestamp(fulfilment.due_at),
        articles=[article_to_proto(a) for a in articles],
        reassigned_from_fulfilment_id=str(fulfilment.reassigned_from_id or ""),
        status_reason=fulfilment.status_reason or "",
        create_time=timestamp(fulfilment.created_at),
        update_time=timestamp(fulfilment.updated_at),
        promised_time=timestamp(fulfilment.promised_at),
        ready_by_time=timestamp(fulfilment.ready_by_at),
        carrier_service=fulfilment.carrier_service or "",
    )


def article_to_proto(article: Article) -> domain_pb2.Article:
    """A parcel with its contents per order line."""
    return domain_pb2.Article(
        id=str(article.id),
        fulfilment_id=str(article.fulfilment_id),
        lines=[
            common_pb2.LineQuantity(
                line_ref=line.fulfilment_line.order_line.ref, quantity=line.quantity
            )
            for line in article.lines
        ],
        weight_grams=article.weight_grams or 0,
        consignment_id=str(article.consignments[0].id) if article.consignments else "",
    )


def consignment_to_proto(consignment: Consignment) -> domain_pb2.Consignment:
    """A carrier booking with the articles and fulfilments it ships."""
    fulfilment_ids = dict.fromkeys(str(a.fulfilment_id) for a in consignment.articles)
    return domain_pb2.Consignment(
        id=str(consignment.id),
        carrier=consignment.carrier,
        tracking_ref=consignment.tracking_ref,
        tracking_url=consignment.tracking_url or "",
        article_ids=[str(a.id) for a in consignment.articles],
        fulfilment_ids=list(fulfilment_ids),
        create_time=timestamp(consignment.created_at),
        status=enum_to_proto(consignment.status, domain_pb2.ConsignmentStatus),
    )


def return_to_proto(return_order: ReturnOrder) -> domain_pb2.ReturnOrder:
    """A return order; its stored rows are folded back into one line per order line."""
    lines: dict[str, domain_pb2.ReturnLine] = {}
    for row in return_order.lines:
        ref = row.order_line.ref
        line = lines.setdefault(
            ref,
            domain_pb2.ReturnLine(
                order_line_ref=ref, product_ref=row.order_line.product.ref, reason=row.reason
            ),
        )
        line.quantity += row.quantity
        if row.received_at is not None:
            line.received_quantity += row.quantity
            if row.resellable:
                line.restocked_quantity += row.quantity
    received = [row for row in return_order.lines if row.received_at is not None]
    first = received[0] if received else None
    return domain_pb2.ReturnOrder(
        ref=return_order.ref,
        order_ref=return_order.order.ref,
        status=enum_to_proto(return_order.status, domain_pb2.ReturnStatus),
        lines=list(lines.values()),
        refund=money(*refund_of(return_order)),
        location_ref=first.location.ref if first and first.location else "",
        create_time=timestamp(return_order.created_at),
        receive_time=timestamp(first.received_at) if first else None,
    )

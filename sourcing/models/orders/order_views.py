"""Reading orders whole: fulfilments, their articles, consignments and returns.

Articles, consignments and returns hang off an order through its
fulfilments and lines rather than by a column on the order, so a page of
orders is read with one query per kind of entity, not one per order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sourcing.models.config.tables import Customer, Location
from sourcing.models.db.enums import OrderStatus, OrderType
from sourcing.models.db.errors import NotFound
from sourcing.models.orders.returns import returns_of
from sourcing.models.orders.shipments import Article, ArticleLine, Consignment, ReturnOrder
from sourcing.models.orders.tables import Fulfilment, FulfilmentLine, Order, OrderLine


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with everything that hangs off it."""

    order: Order
    articles: Mapping[int, Sequence[Article]]  # by fulfilment id
    consignments: Sequence[Consignment]
    returns: Sequence[ReturnOrder]


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Which orders a list wants; empty or ``None`` fields do not filter."""

    statuses: tuple[OrderStatus, ...] = ()
    type: OrderType | None = None
    customer_ref: str | None = None
    location_ref: str | None = None


def _with_everything() -> tuple[object, ...]:
    return (
        selectinload(Order.lines).selectinload(OrderLine.product),
        selectinload(Order.customer),
        selectinload(Order.collection_location),
        selectinload(Order.fulfilments).selectinload(Fulfilment.location),
        selectinload(Order.fulfilments)
        .selectinload(Fulfilment.lines)
        .selectinload(FulfilmentLine.order_line),
    )


def get_order(session: Session, ref: str) -> OrderView:
    """One order by ref, whole.

    Raises
    ------
    NotFound
        Naming ``order_ref`` when there is no such order.
    """
    order = session.scalars(
        select(Order).where(Order.ref == ref).options(*_with_everything())  # type: ignore[arg-type]
    ).one_or_none()
    if order is None:
        raise NotFound("order", ref, field="order_ref")
    return order_views(session, [order])[0]


def list_orders(session: Session, where: OrderFilter, offset: int, limit: int) -> list[Order]:
    """Orders matching ``where``, newest first, ``limit`` of them after ``offset``."""
    stmt = select(Order)
    if where.statuses:
        stmt = stmt.where(Order.status.in_(where.statuses))
    if where.type is not None:
        stmt = stmt.where(Order.type == where.type)
    if where.customer_ref:
        stmt = stmt.join(Customer, Order.customer_id == Customer.id).where(
            Customer.ref == where.customer_ref
        )
    if where.location_ref:
        at_location = (
            select(Fulfilment.order_id)
            .join(Location, Fulfilment.location_id == Location.id)
            .where(Location.ref == where.location_ref)
        )
        stmt = stmt.where(Order.id.in_(at_location))
    stmt = (
        stmt.options(*_with_everything())  # type: ignore[arg-type]
        .order_by(Order.created_at.desc(), Order.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def order_views(session: Session, orders: Sequence[Order]) -> list[OrderView]:
    """The orders whole, in the order given."""
    fulfilment_ids = [f.id for order in orders for f in order.fulfilments]
    articles = articles_by_fulfilment(session, fulfilment_ids)
    order_of = {f.id: f.order_id for order in orders for f in order.fulfilments}
    consignments: dict[int, dict[int, Consignment]] = defaultdict(dict)
    for items in articles.values():
        for article in items:
            for consignment in article.consignments:
                consignments[order_of[article.fulfilment_id]][consignment.id] = consignment
    returns: dict[int, list[ReturnOrder]] = defaultdict(list)
    for return_order in returns_of(session, [order.id for order in orders]):
        returns[return_order.order_id].append(return_order)
    return [
        OrderView(
            order,
            {f.id: articles.get(f.id, []) for f in order.fulfilments},
            sorted(consignments[order.id].values(), key=lambda c: c.id),
            returns[order.id],
        )
        for order in orders
    ]


def articles_by_fulfilment(
    session: Session, fulfilment_ids: Sequence[int]
) -> dict[int, list[Article]]:
    """Articles of the fulfilments, oldest first, with their lines and consignments."""
    found: dict[int, list[Article]] = defaultdict(list)
    if not fulfilment_ids:
        return found
    rows = session.scalars(
        select(Article)
        .where(Article.fulfilment_id.in_(fulfilment_ids))
        .options(
            selectinload(Article.lines)
            .selectinload(ArticleLine.fulfilment_line)
            .selectinload(FulfilmentLine.order_line),
            selectinload(Article.consignments)
            .selectinload(Consignment.articles)
            .selectinload(Article.fulfilment),
        )
        .order_by(Article.id)
    )
    for article in rows:
        found[article.fulfilment_id].append(article)
    return found

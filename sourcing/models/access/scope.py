"""Where the things a call names are: the stores of fulfilments, articles, consignments, orders.

A store-scoped key may only act on records at its own locations. These
lookups answer "which locations does this reference live at" so the server
can refuse before the use case runs; a fulfilment, an article and a
consignment never move (a reassignment makes a new fulfilment), so the
answer cannot change between this check and the call's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config.tables import Location
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.orders.shipments import Article, Consignment, consignment_articles
from sourcing.models.orders.tables import Fulfilment, Order


def _fulfilments(session: Session, ids: Iterable[int]) -> set[str]:
    query = (
        select(Location.ref)
        .join(Fulfilment, Fulfilment.location_id == Location.id)
        .where(Fulfilment.id.in_(list(ids)))
    )
    return set(session.scalars(query))


def _articles(session: Session, ids: Iterable[int]) -> set[str]:
    query = (
        select(Location.ref)
        .join(Fulfilment, Fulfilment.location_id == Location.id)
        .join(Article, Article.fulfilment_id == Fulfilment.id)
        .where(Article.id.in_(list(ids)))
    )
    return set(session.scalars(query))


def _consignments(session: Session, ids: Iterable[int]) -> set[str]:
    query = (
        select(Location.ref)
        .join(Fulfilment, Fulfilment.location_id == Location.id)
        .join(Article, Article.fulfilment_id == Fulfilment.id)
        .join(consignment_articles, consignment_articles.c.article_id == Article.id)
        .join(Consignment, Consignment.id == consignment_articles.c.consignment_id)
        .where(Consignment.id.in_(list(ids)))
    )
    return set(session.scalars(query))


def _orders(session: Session, refs: Iterable[str]) -> set[str]:
    query = (
        select(Location.ref)
        .join(Fulfilment, Fulfilment.location_id == Location.id)
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Order.ref.in_(list(refs)))
    )
    return set(session.scalars(query))


def locations_named(
    sessions: sessionmaker[Session],
    *,
    fulfilment_ids: Iterable[int] = (),
    article_ids: Iterable[int] = (),
    consignment_ids: Iterable[int] = (),
) -> set[str]:
    """The refs of every location where the named fulfilments, articles and consignments are."""

    def look_up(session: Session) -> set[str]:
        return (
            _fulfilments(session, fulfilment_ids)
            | _articles(session, article_ids)
            | _consignments(session, consignment_ids)
        )

    return run_in_transaction(sessions, look_up)


def order_locations(sessions: sessionmaker[Session], order_refs: Iterable[str]) -> set[str]:
    """The locations of every fulfilment the named orders have (empty before sourcing)."""
    refs = list(order_refs)
    return run_in_transaction(sessions, lambda s: _orders(s, refs))

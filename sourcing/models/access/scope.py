"""Where the things a call names are: the stores of fulfilments, articles, consignments, orders.

A store-scoped key may only act on records at its own locations. These
lookups answer "which locations does this reference live at" so the server
can refuse before the use case runs; a fulfilment, an article and a
consignment never move (a reassignment makes a new fulfilment), so the
answer cannot change between this check and the call's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config.tables import Location
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.orders.shipments import Article, consignment_articles
from sourcing.models.orders.tables import Fulfilment, Order


def _at_fulfilment_locations() -> Select[tuple[str]]:
    """Location refs, joined to the fulfilments there: each lookup narrows this."""
    return select(Location.ref).join(Fulfilment, Fulfilment.location_id == Location.id)


def _articles_query() -> Select[tuple[str]]:
    return _at_fulfilment_locations().join(Article, Article.fulfilment_id == Fulfilment.id)


def _look_up(
    session: Session, fulfilment_ids: list[int], article_ids: list[int], consignment_ids: list[int]
) -> set[str]:
    found: set[str] = set()
    if fulfilment_ids:
        query = _at_fulfilment_locations().where(Fulfilment.id.in_(fulfilment_ids))
        found |= set(session.scalars(query))
    if article_ids:
        found |= set(session.scalars(_articles_query().where(Article.id.in_(article_ids))))
    if consignment_ids:
        query = _articles_query().join(
            consignment_articles, consignment_articles.c.article_id == Article.id
        )
        query = query.where(consignment_articles.c.consignment_id.in_(consignment_ids))
        found |= set(session.scalars(query))
    return found


def locations_named(
    sessions: sessionmaker[Session],
    *,
    fulfilment_ids: Iterable[int] = (),
    article_ids: Iterable[int] = (),
    consignment_ids: Iterable[int] = (),
) -> set[str]:
    """The refs of every location where the named fulfilments, articles and consignments are."""

    named = (list(fulfilment_ids), list(article_ids), list(consignment_ids))
    if not any(named):
        return set()
    return run_in_transaction(sessions, lambda s: _look_up(s, *named))


def order_locations(sessions: sessionmaker[Session], order_refs: Iterable[str]) -> set[str]:
    """The locations of every fulfilment the named orders have (empty before sourcing)."""
    query = _at_fulfilment_locations().join(Order, Order.id == Fulfilment.order_id)
    query = query.where(Order.ref.in_(list(order_refs)))
    return run_in_transaction(sessions, lambda s: set(s.scalars(query)))

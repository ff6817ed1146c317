"""A fulfilment from acknowledgement to the customer: parcels, couriers, handover.

The three journeys:

* click and collect: ACKNOWLEDGED -> PICKED -> PACKED ->
  READY_FOR_COLLECTION -> COLLECTED -> COMPLETE;
* home delivery from a store: ... PACKED -> AWAITING_COURIER (a consignment
  is booked over its articles) -> DISPATCHED -> COMPLETE;
* home delivery from a warehouse or any location that ships itself: ...
  PACKED -> DISPATCHED -> COMPLETE, each step reported by its own system
  after the FULFILMENT_CREATED request.

Nothing happens after the customer collects or the carrier takes the goods,
so those calls also complete the fulfilment (two status events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sourcing.models.db.enums import (
    ConsignmentStatus,
    FulfilmentStatus,
    LocationType,
    OrderType,
    check_transition,
)
from sourcing.models.db.errors import InvalidField, InvalidState, NotFound
from sourcing.models.events.outbox import emit
from sourcing.models.orders.idempotency import recall, remember, request_digest
from sourcing.models.orders.lifecycle import DELIVERED, change_status, lock_fulfilment, lock_order
from sourcing.models.orders.lifecycle import refresh_order_status as refresh
from sourcing.models.orders.picks import FulfilmentOutcome
from sourcing.models.orders.shipments import Article, ArticleLine, Consignment
from sourcing.models.orders.tables import Fulfilment

_F = FulfilmentStatus
CONSIGNMENT_OPERATION = "CreateConsignment"


@dataclass(frozen=True, slots=True)
class ParcelInput:
    """One parcel: units per order line ref, in the order the caller listed them.

    ``weight_grams`` is its gross weight, ``None`` when unknown.
    """

    lines: tuple[tuple[str, int], ...]
    weight_grams: int | None = None


@dataclass(frozen=True, slots=True)
class ConsignmentInput:
    """A carrier booking over packed articles, optionally idempotent on ``request_id``."""

    carrier: str
    tracking_ref: str
    article_ids: tuple[int, ...]
    tracking_url: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ConsignmentOutcome:
    """The consignment booked (or found again) and the fulfilments it ships."""

    consignment: Consignment
    fulfilments: tuple[Fulfilment, ...]


def acknowledge(session: Session, fulfilment_id: int) -> FulfilmentOutcome:
    """The location accepts its fulfilment: CREATED -> ACKNOWLEDGED."""
    fulfilment = lock_fulfilment(session, fulfilment_id)
    change_status(session, fulfilment, _F.ACKNOWLEDGED)
    return FulfilmentOutcome(fulfilment, refresh(session, fulfilment.order))


def _require_type(
    fulfilment: Fulfilment, order_type: OrderType, requested: FulfilmentStatus
) -> None:
    if fulfilment.type is not order_type:
        raise InvalidState(
            "fulfilment",
            f"{fulfilment.status.value} ({fulfilment.type.value} order)",
            requested.value,
            ref=str(fulfilment.id),
            allowed=(f"the fulfilment of an {order_type.value} order",),
        )


def pack(session: Session, fulfilment_id: int, parcels: Sequence[ParcelInput]) -> FulfilmentOutcome:
    """Pack the picked units into parcels, each picked unit in exactly one: PICKED -> PACKED.

    Raises
    ------
    InvalidField
        For a line the fulfilment does not hold (``articles[i].lines[j].line_ref``),
        or when the parcels do not hold exactly the units picked (``articles``).
    InvalidState
        Unless the fulfilment is PICKED.
    """
    fulfilment = lock_fulfilment(session, fulfilment_id)
    check_transition(fulfilment.status, _F.PACKED, ref=str(fulfilment_id))
    by_ref = {line.order_line.ref: line for line in fulfilment.lines}
    packed: dict[str, int] = defaultdict(int)
    for i, parcel in enumerate(parcels):
        for j, (ref, quantity) in enumerate(parcel.lines):
            if ref not in by_ref:
                raise InvalidField(
                    f"articles[{i}].lines[{j}].line_ref",
                    f"Expected a line of fulfilment {fulfilment_id} "
                    f"({', '.join(sorted(by_ref))}), got {ref!r}.",
                )
            packed[ref] += quantity
    for ref, line in by_ref.items():
        if packed[ref] != (line.picked_qty or 0):
            raise InvalidField(
                "articles",
                f"Expected the parcels to hold the {line.picked_qty or 0} unit(s) picked of "
                f"line {ref!r}, each in exactly one parcel; they hold {packed[ref]}.",
            )
    for i, parcel in enumerate(parcels):
        session.add(
            Article(
                fulfilment_id=fulfilment.id,
                label=f"{fulfilment.id}-{i + 1}",
                weight_grams=parcel.weight_grams,
                lines=[
                    ArticleLine(fulfilment_line=by_ref[ref], quantity=quantity)
                    for ref, quantity in parcel.lines
                ],
            )
        )
    change_status(session, fulfilment, _F.PACKED)
    session.flush()
    return FulfilmentOutcome(fulfilment, refresh(session, fulfilment.order))


def mark_ready_for_collection(session: Session, fulfilment_id: int) -> FulfilmentOutcome:
    """Click and collect: the packed goods wait for the customer."""
    fulfilment = lock_fulfilment(session, fulfilment_id)
    _require_type(fulfilment, OrderType.CC, _F.READY_FOR_COLLECTION)
    change_status(session, fulfilment, _F.READY_FOR_COLLECTION)
    return FulfilmentOutcome(fulfilment, refresh(session, fulfilment.order))


def mark_collected(session: Session, fulfilment_id: int) -> FulfilmentOutcome:
    """Click and collect: the customer took the goods; the fulfilment is complete."""
    fulfilment = lock_fulfilment(session, fulfilment_id)
    _require_type(fulfilment, OrderType.CC, _F.COLLECTED)
    change_status(session, fulfilment, _F.COLLECTED)
    change_status(session, fulfilment, _F.COMPLETE)
    return FulfilmentOutcome(fulfilment, refresh(session, fulfilment.order))


def mark_dispatched(session: Session, fulfilment_id: int) -> FulfilmentOutcome:
    """Home delivery: the carrier has the goods; the fulfilment is complete.

    A store hands parcels to a courier booked with a consignment
    (AWAITING_COURIER); other locations may dispatch straight from PACKED.
    """
    fulfilment = lock_fulfilment(session, fulfilment_id)
    _require_type(fulfilment, OrderType.HD, _F.DISPATCHED)
    if fulfilment.status is _F.PACKED and fulfilment.location.type is LocationType.STORE:
        raise InvalidState(
            "fulfilment",
            fulfilment.status.value,
            _F.DISPATCHED.value,
            ref=str(fulfilment_id),
            allowed=(f"{_F.AWAITING_COURIER.value} (a store books a consignment first)",),
        )
    change_status(session, fulfilment, _F.DISPATCHED)
    change_status(session, fulfilment, _F.COMPLETE)
    session.flush()
    _dispatch_consignments(session, fulfilment)
    return FulfilmentOutcome(fulfilment, refresh(session, fulfilment.order))


def _dispatch_consignments(session: Session, fulfilment: Fulfilment) -> None:
    """Consignments whose every article left with its fulfilment are DISPATCHED."""
    consignments = session.scalars(
        select(Consignment)
        .join(Consignment.articles)
        .where(Article.fulfilment_id == fulfilment.id)
        .options(selectinload(Consignment.articles).selectinload(Article.fulfilment))
    ).unique()
    for consignment in consignments:
        if consignment.status is ConsignmentStatus.CREATED and all(
            article.fulfilment.status in DELIVERED for article in consignment.articles
        ):
            _change_status(session, consignment, ConsignmentStatus.DISPATCHED)


def mark_consignment_delivered(session: Session, consignment_id: int) -> Consignment:
    """The carrier delivered a dispatched consignment: it is DELIVERED.

    Reporting a delivered consignment again changes nothing and returns it,
    so a carrier's retried report is harmless.

    Raises
    ------
    NotFound
        For an unknown consignment (``consignment_id``).
    InvalidState
        Unless the consignment is DISPATCHED (or already DELIVERED).
    """
    consignment = session.get(Consignment, consignment_id, with_for_update=True)
    if consignment is None:
        raise NotFound("consignment", consignment_id, field="consignment_id")
    if consignment.status is ConsignmentStatus.DELIVERED:
        return consignment
    if consignment.status is not ConsignmentStatus.DISPATCHED:
        raise InvalidState(
            "consignment",
            consignment.status.value,
            ConsignmentStatus.DELIVERED.value,
            ref=str(consignment_id),
            allowed=(ConsignmentStatus.DISPATCHED.value,),
        )
    _change_status(session, consignment, ConsignmentStatus.DELIVERED)
    session.flush()
    return consignment


def _change_status(session: Session, consignment: Consignment, new: ConsignmentStatus) -> None:
    """Move a consignment to ``new`` and write CONSIGNMENT_STATUS_CHANGED."""
    previous = consignment.status
    consignment.status = new
    emit(
        session,
        "CONSIGNMENT_STATUS_CHANGED",
        "consignment",
        str(consignment.id),
        new.value,
        {
            "previous_status": previous.value,
            "order_ref": consignment.articles[0].fulfilment.order.ref,
            "carrier": consignment.carrier,
            "tracking_ref": consignment.tracking_ref,
        },
    )


def create_consignment(session: Session, request: ConsignmentInput) -> ConsignmentOutcome:
    """Book a carrier over packed articles of one order; their fulfilments await the courier.

    Raises
    ------
    NotFound
        For an unknown article (``article_ids[i]``).
    InvalidField
        When the articles belong to different orders (``article_ids``).
    InvalidState
        For an article already consigned, or a fulfilment that is not a
        packed home delivery.
    AlreadyExists
        When ``request_id`` was used by a different booking.
    """
    articles = _articles(session, request.article_ids)
    order = lock_order(session, articles[0].fulfilment.order.ref)
    digest = request_digest(
        [request.carrier, request.tracking_ref, request.tracking_url, list(request.article_ids)]
    )
    if request.request_id:
        answer = recall(session, CONSIGNMENT_OPERATION, request.request_id, digest)
        if answer is not None:
            return _replayed(session, int(answer["consignment_id"]))
    consignment, fulfilments = _book(session, order.ref, articles, request)
    refresh(session, order)
    if request.request_id:
        remember(
            session,
            CONSIGNMENT_OPERATION,
            request.request_id,
            digest,
            {"consignment_id": consignment.id},
        )
    return ConsignmentOutcome(consignment, tuple(fulfilments))


def _book(
    session: Session, order_ref: str, articles: list[Article], request: ConsignmentInput
) -> tuple[Consignment, list[Fulfilment]]:
    """Store the consignment; its fulfilments await the courier; CONSIGNMENT_CREATED."""
    for article in articles:
        if article.consignments:
            raise InvalidState(
                "article",
                f"on consignment {article.consignments[0].id}",
                "on a second consignment",
                ref=str(article.id),
                allowed=("not yet consigned",),
            )
    fulfilments = list({a.fulfilment.id: a.fulfilment for a in articles}.values())
    for fulfilment in fulfilments:
        _require_type(fulfilment, OrderType.HD, _F.AWAITING_COURIER)
        if fulfilment.status is not _F.AWAITING_COURIER:
            change_status(session, fulfilment, _F.AWAITING_COURIER)
    consignment = Consignment(
        carrier=request.carrier,
        tracking_ref=request.tracking_ref,
        tracking_url=request.tracking_url,
        articles=articles,
    )
    session.add(consignment)
    session.flush()
    emit(
        session,
        "CONSIGNMENT_CREATED",
        "consignment",
        str(consignment.id),
        consignment.status.value,
        {
            "order_ref": order_ref,
            "carrier": consignment.carrier,
            "tracking_ref": consignment.tracking_ref,
            "tracking_url": consignment.tracking_url,
            "article_ids": [str(a.id) for a in articles],
            "fulfilment_ids": [str(f.id) for f in fulfilments],
        },
    )
    return consignment, fulfilments


def _articles(session: Session, ids: Sequence[int]) -> list[Article]:
    """The articles, in request order, all of one order."""
    found = {
        a.id: a
        for a in session.scalars(
            select(Article)
            .where(Article.id.in_(set(ids)))
            .options(selectinload(Article.fulfilment), selectinload(Article.consignments))
        )
    }
    for i, article_id in enumerate(ids):
        if article_id not in found:
            raise NotFound("article", article_id, field=f"article_ids[{i}]")
    articles = [found[i] for i in ids]
    if len({a.fulfilment.order_id for a in articles}) > 1:
        raise InvalidField(
            "article_ids", "Expected articles of one order: a consignment goes to one address."
        )
    return articles


def _replayed(session: Session, consignment_id: int) -> ConsignmentOutcome:
    consignment = session.get(Consignment, consignment_id)
    assert consignment is not None  # stored with the answer
    fulfilments = {a.fulfilment.id: a.fulfilment for a in consignment.articles}
    return ConsignmentOutcome(consignment, tuple(fulfilments.values()))

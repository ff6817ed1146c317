"""An order's life as use cases, each in its own transaction.

A servicer only converts and calls: the transaction, and its retry from the
start when it loses a race, belong to the use case. Rows are readable only
inside their transaction, so every call that yields rows takes ``present``
and returns what it makes of them, computed before the commit. What
``present`` sees is the model's outcome together with what a caller shows
with it (a fulfilment's articles, the whole order), read in the same
transaction.

Source and Reassign read, solve and write in transactions of their own
(see :mod:`sourcing.models.orders.source`), and the SLA sweep runs one per
overdue fulfilment (see :mod:`sourcing.models.orders.sla`); they return
plain outcomes and are named here so that every use case is called from
one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.retry import run_in_transaction
from sourcing.models.orders import (
    cancellation,
    order_views,
    picks,
    returns,
    revisions,
    shipping,
)
from sourcing.models.orders.options import fulfilment_options
from sourcing.models.orders.order_views import OrderView
from sourcing.models.orders.reassign import reassign
from sourcing.models.orders.shipments import Article, Consignment, ReturnOrder
from sourcing.models.orders.sla import sweep
from sourcing.models.orders.source import source_order
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.models.orders.tables import Fulfilment, Order
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

__all__ = [
    "ConsignmentBooked",
    "FulfilmentAfter",
    "OrderAfter",
    "ReturnReceived",
    "acknowledge",
    "cancel_order",
    "confirm_pick",
    "create_consignment",
    "create_return",
    "fulfilment_options",
    "get_order",
    "list_orders",
    "mark_collected",
    "mark_consignment_delivered",
    "mark_dispatched",
    "mark_ready_for_collection",
    "pack",
    "reassign",
    "receive_return",
    "reject_fulfilment",
    "revise_order",
    "source_order",
    "sweep",
]

R = TypeVar("R")
OutcomeT = TypeVar("OutcomeT")

_ENTITY = "order"


@dataclass(frozen=True, slots=True)
class FulfilmentAfter:
    """A fulfilment after an event, its articles, and where units it gave up went."""

    fulfilment: Fulfilment
    articles: Sequence[Article]
    reassignment: SourcingOutcome | None = None

    @property
    def order(self) -> Order:
        """The fulfilment's order, as the event left it."""
        return self.fulfilment.order


@dataclass(frozen=True, slots=True)
class ConsignmentBooked:
    """A consignment booked (or found again) and the fulfilments it ships."""

    consignment: Consignment
    fulfilments: Sequence[FulfilmentAfter]


@dataclass(frozen=True, slots=True)
class OrderAfter(Generic[OutcomeT]):
    """A change to an order (``outcome``) and the whole order after it."""

    outcome: OutcomeT
    order: OrderView


@dataclass(frozen=True, slots=True)
class ReturnReceived:
    """A return after its goods arrived, and what is refunded for it."""

    return_order: ReturnOrder
    refund_minor: int
    currency: str


def _run(sessions: sessionmaker[Session], work: Callable[[Session], R]) -> R:
    return run_in_transaction(sessions, work, entity=_ENTITY)


def _after(session: Session, outcome: picks.FulfilmentOutcome) -> FulfilmentAfter:
    fulfilment = outcome.fulfilment
    articles = order_views.articles_by_fulfilment(session, [fulfilment.id])
    return FulfilmentAfter(fulfilment, articles.get(fulfilment.id, ()), outcome.reassignment)


def _whole(session: Session, order: Order) -> OrderView:
    return order_views.order_views(session, [order])[0]


def get_order(sessions: sessionmaker[Session], ref: str, present: Callable[[OrderView], R]) -> R:
    """One order, whole; ``NotFound`` naming ``order_ref``."""
    return _run(sessions, lambda s: present(order_views.get_order(s, ref)))


def list_orders(
    sessions: sessionmaker[Session],
    where: order_views.OrderFilter,
    present: Callable[[OrderView], R],
    *,
    offset: int,
    limit: int,
) -> list[R]:
    """Orders, newest first, filtered."""

    def work(session: Session) -> list[R]:
        rows = order_views.list_orders(session, where, offset, limit)
        return [present(view) for view in order_views.order_views(session, rows)]

    return _run(sessions, work)


def _fulfilment_event(
    sessions: sessionmaker[Session],
    event: Callable[[Session, int], picks.FulfilmentOutcome],
    fulfilment_id: int,
    present: Callable[[FulfilmentAfter], R],
) -> R:
    return _run(sessions, lambda s: present(_after(s, event(s, fulfilment_id))))


def acknowledge(
    sessions: sessionmaker[Session], fulfilment_id: int, present: Callable[[FulfilmentAfter], R]
) -> R:
    """The location accepts its fulfilment: CREATED -> ACKNOWLEDGED."""
    return _fulfilment_event(sessions, shipping.acknowledge, fulfilment_id, present)


def mark_ready_for_collection(
    sessions: sessionmaker[Session], fulfilment_id: int, present: Callable[[FulfilmentAfter], R]
) -> R:
    """Click and collect: PACKED -> READY_FOR_COLLECTION."""
    return _fulfilment_event(sessions, shipping.mark_ready_for_collection, fulfilment_id, present)


def mark_collected(
    sessions: sessionmaker[Session], fulfilment_id: int, present: Callable[[FulfilmentAfter], R]
) -> R:
    """Click and collect: the customer took the goods."""
    return _fulfilment_event(sessions, shipping.mark_collected, fulfilment_id, present)


def mark_dispatched(
    sessions: sessionmaker[Session], fulfilment_id: int, present: Callable[[FulfilmentAfter], R]
) -> R:
    """Home delivery: the carrier took the goods."""
    return _fulfilment_event(sessions, shipping.mark_dispatched, fulfilment_id, present)


def confirm_pick(
    sessions: sessionmaker[Session],
    fulfilment_id: int,
    picked: Mapping[str, int],
    present: Callable[[FulfilmentAfter], R],
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> R:
    """Sales for what was picked; missing units written off and sourced again."""

    def work(session: Session) -> R:
        outcome = picks.confirm_pick(session, fulfilment_id, picked, time_limit_s=time_limit_s)
        return present(_after(session, outcome))

    return _run(sessions, work)


def reject_fulfilment(
    sessions: sessionmaker[Session],
    fulfilment_id: int,
    location_ref: str,
    reason: str | None,
    present: Callable[[FulfilmentAfter], R],
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> R:
    """The location refuses: every unit is sourced again elsewhere."""

    def work(session: Session) -> R:
        outcome = picks.reject_fulfilment(
            session, fulfilment_id, location_ref, reason, time_limit_s=time_limit_s
        )
        return present(_after(session, outcome))

    return _run(sessions, work)


def pack(
    sessions: sessionmaker[Session],
    fulfilment_id: int,
    parcels: Sequence[shipping.ParcelInput],
    present: Callable[[FulfilmentAfter], R],
) -> R:
    """PICKED -> PACKED, into the parcels given."""
    return _run(sessions, lambda s: present(_after(s, shipping.pack(s, fulfilment_id, parcels))))


def create_consignment(
    sessions: sessionmaker[Session],
    booking: shipping.ConsignmentInput,
    present: Callable[[ConsignmentBooked], R],
) -> R:
    """Book a carrier over packed articles; their fulfilments await the courier."""

    def work(session: Session) -> R:
        outcome = shipping.create_consignment(session, booking)
        articles = order_views.articles_by_fulfilment(session, [f.id for f in outcome.fulfilments])
        fulfilments = [FulfilmentAfter(f, articles.get(f.id, ())) for f in outcome.fulfilments]
        return present(ConsignmentBooked(outcome.consignment, fulfilments))

    return _run(sessions, work)


def mark_consignment_delivered(
    sessions: sessionmaker[Session], consignment_id: int, present: Callable[[Consignment], R]
) -> R:
    """The carrier delivered a dispatched consignment."""
    return _run(sessions, lambda s: present(shipping.mark_consignment_delivered(s, consignment_id)))


def cancel_order(
    sessions: sessionmaker[Session],
    cancel: cancellation.CancelInput,
    present: Callable[[OrderAfter[cancellation.CancelOutcome]], R],
) -> R:
    """Cancel the whole order or some units; what to refund comes back."""

    def work(session: Session) -> R:
        outcome = cancellation.cancel_order(session, cancel)
        return present(OrderAfter(outcome, _whole(session, outcome.order)))

    return _run(sessions, work)


def revise_order(
    sessions: sessionmaker[Session],
    revise: revisions.ReviseInput,
    present: Callable[[OrderAfter[revisions.ReviseOutcome]], R],
) -> R:
    """Add, remove or change lines; only the difference is sourced or released."""

    def work(session: Session) -> R:
        outcome = revisions.revise_order(session, revise)
        return present(OrderAfter(outcome, _whole(session, outcome.order)))

    return _run(sessions, work)


def create_return(
    sessions: sessionmaker[Session],
    announced: returns.ReturnInput,
    present: Callable[[returns.ReturnOutcome], R],
) -> R:
    """Announce goods coming back for delivered lines."""
    return _run(sessions, lambda s: present(returns.create_return(s, announced)))


def receive_return(
    sessions: sessionmaker[Session],
    return_ref: str,
    location_ref: str,
    received: Sequence[returns.ReceivedInput],
    present: Callable[[ReturnReceived], R],
) -> R:
    """Record a return's goods arriving; resellable units go back into stock."""

    def work(session: Session) -> R:
        return_order = returns.receive_return(session, return_ref, location_ref, received)
        refund_minor, currency = returns.refund_of(return_order)
        return present(ReturnReceived(return_order, refund_minor, currency))

    return _run(sessions, work)

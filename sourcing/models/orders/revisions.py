"""Changing an order in flight: add a line, remove a line, change a quantity.

Only the difference moves. Added units are sourced with Reassign's rules
(the order's remaining split allowance, never at a location that rejected
it) into new fulfilments; removed units are taken off the fulfilments that
hold them the way a cancellation takes them (escalated first, then the
newest) and their reservations released. Fulfilments the revision does not
touch stay exactly as they were.

A revision is allowed while every fulfilment it touches is in a status the
order's profile lists in ``revisable_statuses`` (by default CREATED and
ACKNOWLEDGED), or ESCALATED; adding units needs every working fulfilment of
the order to be there. The changes of one call apply in order, all or
nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing.models.config.tables import Product
from sourcing.models.db.enums import FulfilmentStatus, OrderStatus
from sourcing.models.db.errors import InvalidField, InvalidState, NotFound
from sourcing.models.orders.cancellation import cancel_units, order_rules, still_wanted, take_units
from sourcing.models.orders.idempotency import (
    outcome_from_json,
    outcome_to_json,
    recall,
    remember,
    request_digest,
)
from sourcing.models.orders.lifecycle import lock_order, refresh_order_status
from sourcing.models.orders.reassign import source_units
from sourcing.models.orders.source_call import LineInput, SourcingOutcome
from sourcing.models.orders.tables import Order, OrderLine
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

_F = FulfilmentStatus
REVISE_OPERATION = "ReviseOrder"


@dataclass(frozen=True, slots=True)
class AddLine:
    """Add a line whose ref is new to the order."""

    line: LineInput


@dataclass(frozen=True, slots=True)
class RemoveLine:
    """Remove a line and every unit of it still wanted."""

    line_ref: str


@dataclass(frozen=True, slots=True)
class SetQuantity:
    """Set the units of a line still wanted (not cancelled) to ``quantity``, at least 1."""

    line_ref: str
    quantity: int


Revision = AddLine | RemoveLine | SetQuantity


@dataclass(frozen=True, slots=True)
class ReviseInput:
    """The changes to an order, applied in order, all or nothing."""

    order_ref: str
    revisions: tuple[Revision, ...]
    request_id: str | None = None
    time_limit_s: float = DEFAULT_TIME_LIMIT_S


@dataclass(frozen=True, slots=True)
class ReviseOutcome:
    """The order after a revision, where added units went, and the change in price."""

    order: Order
    sourced: SourcingOutcome | None
    price_change_minor: int
    currency: str
    replayed: bool = False


class _Revising:
    """One revision call's state: units still to source and the price change so far."""

    def __init__(self, session: Session, order: Order, allowed: Collection[FulfilmentStatus]):
        self.session = session
        self.order = order
        self.allowed = allowed
        self.pending: dict[str, int] = {}  # line ref -> units to source at the end
        self.price_change = 0

    def line(self, ref: str, field: str) -> OrderLine:
        for line in self.order.lines:
            if line.ref == ref:
                return line
        refs = ", ".join(sorted(line.ref for line in self.order.lines))
        raise InvalidField(
            field, f"Expected a line of order {self.order.ref!r} ({refs}), got {ref!r}."
        )

    def check_growth(self) -> None:
        """Adding units needs every working fulfilment in a revisable status."""
        may = {*self.allowed, _F.ESCALATED, _F.REJECTED, _F.CANCELLED}
        for fulfilment in self.order.fulfilments:
            if fulfilment.status not in may:
                raise InvalidState(
                    "fulfilment",
                    fulfilment.status.value,
                    "REVISED",
                    ref=str(fulfilment.id),
                    allowed=tuple(sorted(s.value for s in {*self.allowed, _F.ESCALATED})),
                )

    def add(self, line: LineInput, at: str) -> None:
        if any(existing.ref == line.ref for existing in self.order.lines):
            raise InvalidField(
                f"{at}.ref", f"Expected a line ref new to the order, got {line.ref!r}."
            )
        product = self.session.scalars(
            select(Product).where(Product.ref == line.product_ref)
        ).one_or_none()
        if product is None:
            raise NotFound("product", line.product_ref, field=f"{at}.product_ref")
        self.check_growth()
        self.order.lines.append(
            OrderLine(
                ref=line.ref,
                product_id=product.id,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                currency=line.currency or self.order.lines[0].currency,
                category=line.category,
            )
        )
        self.pending[line.ref] = line.quantity
        self.price_change += line.quantity * line.unit_price_minor

    def set_quantity(self, change: SetQuantity, at: str) -> None:
        line = self.line(change.line_ref, f"{at}.line_ref")
        diff = change.quantity - still_wanted(line)
        if diff > 0:
            self.check_growth()
            line.quantity += diff
            self.pending[line.ref] = self.pending.get(line.ref, 0) + diff
            self.price_change += diff * line.unit_price_minor
        elif diff < 0:
            self.take(line, -diff)
            line.quantity += diff

    def remove(self, ref: str, at: str) -> None:
        line = self.line(ref, at)
        if not any(still_wanted(other) for other in self.order.lines if other is not line):
            raise InvalidField(
                at, "Expected a line other than the last one wanted; cancel the order instead."
            )
        self.take(line, still_wanted(line))
        for fulfilment in self.order.fulfilments:
            for fline in [fl for fl in fulfilment.lines if fl.order_line is line]:
                fulfilment.lines.remove(fline)
        self.order.lines.remove(line)

    def take(self, line: OrderLine, units: int) -> None:
        """Release ``units`` of a line: first those not yet sourced, then from fulfilments."""
        unsourced = min(units, self.pending.get(line.ref, 0))
        if unsourced:
            self.pending[line.ref] -= unsourced
        if units > unsourced:
            wanted = {line.ref: units - unsourced}
            for fulfilment, taken in take_units(self.order, wanted, self.allowed, "REVISED"):
                cancel_units(self.session, fulfilment, taken, "removed by a revision")
        self.price_change -= units * line.unit_price_minor


def revise_order(session: Session, request: ReviseInput) -> ReviseOutcome:
    """Apply the revisions; source what was added and release what was removed.

    Raises
    ------
    NotFound
        For an unknown order (``order_ref``) or product.
    InvalidField
        For a ref that is new or unknown where the other was expected, or
        removing the last line, naming ``revisions[i]...``.
    InvalidState
        When the order or a fulfilment touched is past the statuses the
        profile allows.
    AlreadyExists
        When ``request_id`` was used by a different revision.
    """
    order = lock_order(session, request.order_ref)
    key = f"{order.ref}/{request.request_id}"
    digest = request_digest([order.ref, [[type(r).__name__, asdict(r)] for r in request.revisions]])
    if request.request_id:
        answer = recall(session, REVISE_OPERATION, key, digest)
        if answer is not None:
            return _replayed(order, answer)
    if order.status in (OrderStatus.CANCELLED, OrderStatus.COMPLETE):
        raise InvalidState(
            "order",
            order.status.value,
            "REVISED",
            ref=order.ref,
            allowed=("BOOKED", "IN_PROGRESS", "ESCALATED"),
        )
    state = _Revising(session, order, order_rules(session, order).revisable_statuses)
    for i, revision in enumerate(request.revisions):
        at = f"revisions[{i}]"
        if isinstance(revision, AddLine):
            state.add(revision.line, f"{at}.add_line")
        elif isinstance(revision, SetQuantity):
            state.set_quantity(revision, f"{at}.set_quantity")
        else:
            state.remove(revision.line_ref, f"{at}.remove_line_ref")
    session.flush()
    pending = {ref: units for ref, units in state.pending.items() if units}
    sourced = None
    if pending:
        sourced = source_units(session, order, pending, time_limit_s=request.time_limit_s)
        session.flush()
    currency = order.lines[0].currency if order.lines else "BRL"
    price = {"amount_minor": state.price_change, "currency": currency}
    refresh_order_status(session, order, announce={"change": "REVISED", "price_change": price})
    if request.request_id:
        remember(
            session, REVISE_OPERATION, key, digest, _answer(state.price_change, currency, sourced)
        )
    return ReviseOutcome(order, sourced, state.price_change, currency)


def _answer(price_change: int, currency: str, sourced: SourcingOutcome | None) -> dict[str, object]:
    answer: dict[str, object] = {"price_change_minor": price_change, "currency": currency}
    if sourced is not None:
        answer["sourced"] = outcome_to_json(sourced)
    return answer


def _replayed(order: Order, answer: dict[str, object]) -> ReviseOutcome:
    stored = answer.get("sourced")
    sourced = outcome_from_json(stored, order.type) if isinstance(stored, dict) else None
    price = answer["price_change_minor"]
    assert isinstance(price, int)
    return ReviseOutcome(order, sourced, price, str(answer["currency"]), replayed=True)

"""Cancelling a whole order or some units of some lines, and finding the units to take.

Units are taken from the fulfilments that hold them: first from escalated
fulfilments (nobody is working on them), then from the newest others. Every
fulfilment touched must be in a status the order's sourcing profile lists in
``cancellable_statuses`` (by default CREATED and ACKNOWLEDGED: before anyone
picked) and that the transition table lets go to CANCELLED; otherwise the
call fails with FAILED_PRECONDITION and changes nothing. A fulfilment that
loses every unit is CANCELLED; one that loses some keeps the rest. Released
reservations make the units available again at once; goods already picked
(when a profile allows cancelling then) go back into stock with a CORRECTION.
The refund is the cancelled units at their lines' unit prices.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sourcing.models.config.candidates import active_profile
from sourcing.models.config.profiles import ProfileRules
from sourcing.models.config.tables import SourcingProfile
from sourcing.models.db.enums import FulfilmentStatus, can_transition
from sourcing.models.db.errors import InvalidField, InvalidState
from sourcing.models.inventory.inventory import adjust_stock
from sourcing.models.orders.idempotency import recall, remember, request_digest
from sourcing.models.orders.lifecycle import (
    announce_stock,
    change_status,
    fulfilment_positions,
    held_units,
    lock_order,
    reduce_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders.tables import Fulfilment, Order, OrderLine

_F = FulfilmentStatus
CANCEL_OPERATION = "CancelOrder"


@dataclass(frozen=True, slots=True)
class CancelInput:
    """Units to cancel per order line ref; no lines cancels everything still wanted."""

    order_ref: str
    lines: Mapping[str, int]
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """The order after a cancellation, what this call cancelled and what to refund."""

    order: Order
    cancelled: Mapping[str, int]
    refund_minor: int
    currency: str
    replayed: bool = False


def order_rules(session: Session, order: Order) -> ProfileRules:
    """The lifecycle rules of the profile the order was sourced under (else the active one)."""
    profile = None
    if order.sourcing_profile_id is not None:
        profile = session.get(SourcingProfile, order.sourcing_profile_id)
    profile = profile or active_profile(session, order.type)
    return ProfileRules.from_json(profile.rules or {}) if profile else ProfileRules()


def still_wanted(line: OrderLine) -> int:
    """Units of a line not cancelled."""
    return line.quantity - line.cancelled_qty


def cancel_order(session: Session, request: CancelInput) -> CancelOutcome:
    """Cancel units of an order; see the module docstring for the rules.

    Raises
    ------
    NotFound
        For an unknown order (``order_ref``).
    InvalidField
        For a line the order lacks (``lines[i].line_ref``) or more units than
        are still wanted (``lines[i].quantity``).
    InvalidState
        When nothing is left to cancel, or some units are past the statuses
        the profile allows.
    AlreadyExists
        When ``request_id`` was used by a different cancellation.
    """
    order = lock_order(session, request.order_ref)
    key = f"{order.ref}/{request.request_id}"
    digest = request_digest([order.ref, dict(request.lines), request.reason])
    if request.request_id:
        answer = recall(session, CANCEL_OPERATION, key, digest)
        if answer is not None:
            return CancelOutcome(
                order, answer["cancelled"], answer["refund_minor"], answer["currency"], True
            )
    wanted = _units_to_cancel(order, request.lines)
    rules = order_rules(session, order)
    reason = request.reason or "cancelled"
    for fulfilment, units in take_units(order, wanted, rules.cancellable_statuses, "CANCELLED"):
        cancel_units(session, fulfilment, units, reason)
    lines = {line.ref: line for line in order.lines}
    for ref, quantity in wanted.items():
        lines[ref].cancelled_qty += quantity
    refund = sum(quantity * lines[ref].unit_price_minor for ref, quantity in wanted.items())
    currency = lines[next(iter(wanted))].currency
    session.flush()
    refresh_order_status(
        session,
        order,
        announce={
            "change": "CANCELLED",
            "cancelled_lines": dict(wanted),
            "refund": {"amount_minor": refund, "currency": currency},
            "reason": reason,
        },
    )
    if request.request_id:
        answer = {"cancelled": wanted, "refund_minor": refund, "currency": currency}
        remember(session, CANCEL_OPERATION, key, digest, answer)
    return CancelOutcome(order, wanted, refund, currency)


def _units_to_cancel(order: Order, asked: Mapping[str, int]) -> dict[str, int]:
    lines = {line.ref: line for line in order.lines}
    if not asked:
        wanted = {ref: still_wanted(line) for ref, line in lines.items() if still_wanted(line)}
        if not wanted:
            raise InvalidState(
                "order",
                order.status.value,
                "CANCELLED",
                ref=order.ref,
                allowed=("holding units not yet cancelled",),
            )
        return wanted
    for i, (ref, quantity) in enumerate(asked.items()):
        if ref not in lines:
            raise InvalidField(
                f"lines[{i}].line_ref",
                f"Expected a line of order {order.ref!r} ({', '.join(sorted(lines))}), "
                f"got {ref!r}.",
            )
        if not 0 < quantity <= still_wanted(lines[ref]):
            raise InvalidField(
                f"lines[{i}].quantity",
                f"Expected 1 to {still_wanted(lines[ref])} units of line {ref!r} "
                f"(those not yet cancelled), got {quantity}.",
            )
    return dict(asked)


def take_units(
    order: Order,
    wanted: Mapping[str, int],
    allowed: Collection[FulfilmentStatus],
    requested: str,
) -> list[tuple[Fulfilment, dict[str, int]]]:
    """Which units of which fulfilments to take for ``wanted`` (per line ref).

    Escalated fulfilments first, then the newest of those in ``allowed``
    statuses. Rejected and cancelled fulfilments hold nothing to take.

    Raises
    ------
    InvalidState
        Naming the first fulfilment in the way when the fulfilments in
        ``allowed`` statuses (plus ESCALATED) do not hold enough units;
        ``requested`` names the change in the message.
    """
    may = {*allowed, _F.ESCALATED}

    def usable(fulfilment: Fulfilment) -> bool:
        return fulfilment.status in may and can_transition(fulfilment.status, _F.CANCELLED)

    holders = [f for f in order.fulfilments if f.status not in (_F.REJECTED, _F.CANCELLED)]
    holders.sort(key=lambda f: (f.status is not _F.ESCALATED, not usable(f), -f.id))
    taken: dict[int, dict[str, int]] = {}
    for ref, quantity in wanted.items():
        left = quantity
        for fulfilment in holders:
            for line in fulfilment.lines:
                if left == 0 or line.order_line.ref != ref or not held_units(line):
                    continue
                if not usable(fulfilment):
                    raise InvalidState(
                        "fulfilment",
                        fulfilment.status.value,
                        requested,
                        ref=str(fulfilment.id),
                        allowed=tuple(sorted(s.value for s in may)),
                    )
                take = min(left, held_units(line))
                units = taken.setdefault(fulfilment.id, {})
                units[ref] = units.get(ref, 0) + take
                left -= take
    by_id = {f.id: f for f in holders}
    return [(by_id[fid], units) for fid, units in taken.items()]


def cancel_units(
    session: Session, fulfilment: Fulfilment, units: Mapping[str, int], reason: str
) -> None:
    """Take units (per order line ref) off one fulfilment; cancel it when none are left.

    Picked units can only go all together, back into stock.
    """
    picked = any(line.picked_qty is not None for line in fulfilment.lines)
    held = sum(held_units(line) for line in fulfilment.lines)
    if picked:
        if sum(units.values()) < held:
            raise InvalidState(
                "fulfilment",
                fulfilment.status.value,
                "partly cancelled",
                ref=str(fulfilment.id),
                allowed=("cancelled whole once picked",),
            )
        _restock_picked(session, fulfilment)
    elif reduce_fulfilment(session, fulfilment, units):
        return
    change_status(session, fulfilment, _F.CANCELLED, reason=reason)


def _restock_picked(session: Session, fulfilment: Fulfilment) -> None:
    """Picked goods of a cancelled fulfilment go back on the shelf (a CORRECTION)."""
    positions = fulfilment_positions(session, fulfilment)
    for line in fulfilment.lines:
        if line.picked_qty:
            adjust_stock(
                session,
                positions[line.order_line.product_id],
                line.picked_qty,
                reason="cancelled after pick: back to stock",
                fulfilment_id=fulfilment.id,
            )
    announce_stock(session, positions.values(), "CORRECTION", fulfilment_id=fulfilment.id)

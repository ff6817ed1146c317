"""What a location reports about its fulfilment: a pick (full or short), or a refusal.

Both move stock and may send units elsewhere, all in one transaction:

* A full pick turns the reservation INACTIVE and writes a SALE of the
  picked units (on_hand goes down by them).
* A short pick of 2 of 3 writes SALE 2 and CORRECTION -1 (the missing unit
  is gone from stock), and the missing unit is sourced again under
  Reassign's rules, the picking location excluded. A pick of nothing at all
  leaves the fulfilment REJECTED, its place in the split allowance freed.
* A refusal releases every reservation and sources every unit again,
  excluding the refusing location; the fulfilment is REJECTED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sourcing.models.db.enums import FulfilmentStatus, OrderStatus, check_transition
from sourcing.models.db.errors import InvalidField
from sourcing.models.db.observed import after_commit
from sourcing.models.inventory.inventory import adjust_stock, record_sale, release
from sourcing.models.inventory.tables import InventoryPosition
from sourcing.models.orders.lifecycle import (
    announce_stock,
    change_status,
    fulfilment_positions,
    lock_fulfilment,
    reduce_fulfilment,
    refresh_order_status,
)
from sourcing.models.orders.reassign import source_units
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.models.orders.tables import Fulfilment
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

_F = FulfilmentStatus


@dataclass(frozen=True, slots=True)
class FulfilmentOutcome:
    """A fulfilment after an event, its order's status, and where moved units went."""

    fulfilment: Fulfilment
    order_status: OrderStatus
    reassignment: SourcingOutcome | None = None


def confirm_pick(
    session: Session,
    fulfilment_id: int,
    picked: Mapping[str, int],
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> FulfilmentOutcome:
    """Record what was picked (per order line ref; lines not named were picked in full).

    Raises
    ------
    NotFound
        For an unknown fulfilment.
    InvalidState
        Unless the fulfilment is ACKNOWLEDGED.
    InvalidField
        For a line the fulfilment does not hold (``picked_lines[i].line_ref``)
        or a count outside 0 to its quantity (``picked_lines[i].quantity``).
    """
    fulfilment = lock_fulfilment(session, fulfilment_id)
    check_transition(fulfilment.status, _F.PICKED, ref=str(fulfilment_id))
    counts = _picked_counts(fulfilment, picked)
    short = _book_pick(session, fulfilment, counts)
    nothing = not any(counts.values())
    if nothing:
        change_status(session, fulfilment, _F.REJECTED, reason="nothing could be picked")
    else:
        change_status(session, fulfilment, _F.PICKED)
    outcome = None
    if short:
        missing = sum(short.values())
        after_commit(session, lambda r: r.short_pick(missing))
        outcome = source_units(
            session,
            fulfilment.order,
            short,
            excluded_location_ids={fulfilment.location_id},
            freed_fulfilment_id=fulfilment.id if nothing else None,
            reassigned_from=fulfilment,
            time_limit_s=time_limit_s,
        )
    session.flush()
    return FulfilmentOutcome(fulfilment, refresh_order_status(session, fulfilment.order), outcome)


def _picked_counts(fulfilment: Fulfilment, picked: Mapping[str, int]) -> dict[str, int]:
    """Units picked per line ref, every line of the fulfilment included."""
    asked = {line.order_line.ref: line.quantity for line in fulfilment.lines}
    for i, (ref, count) in enumerate(picked.items()):
        if ref not in asked:
            raise InvalidField(
                f"picked_lines[{i}].line_ref",
                f"Expected a line of fulfilment {fulfilment.id} ({', '.join(sorted(asked))}), "
                f"got {ref!r}.",
            )
        if not 0 <= count <= asked[ref]:
            raise InvalidField(
                f"picked_lines[{i}].quantity",
                f"Expected 0 to {asked[ref]} units picked of line {ref!r}, got {count}.",
            )
    return {ref: picked.get(ref, quantity) for ref, quantity in asked.items()}


def _book_pick(
    session: Session, fulfilment: Fulfilment, counts: Mapping[str, int]
) -> dict[str, int]:
    """Turn the reservations into sales and write-offs; return the missing units per line ref."""
    positions = fulfilment_positions(session, fulfilment)
    release(session, fulfilment.id)
    sold: set[int] = set()
    lost: set[int] = set()
    short: dict[str, int] = {}
    for line in fulfilment.lines:
        ref = line.order_line.ref
        position = positions[line.order_line.product_id]
        line.picked_qty = counts[ref]
        if line.picked_qty:
            record_sale(session, position, line.picked_qty, fulfilment_id=fulfilment.id)
            sold.add(position)
        if line.quantity > line.picked_qty:
            short[ref] = line.quantity - line.picked_qty
            if _write_off(session, position, short[ref], fulfilment.id):
                lost.add(position)
    announce_stock(session, sold, "SALE", fulfilment_id=fulfilment.id)
    announce_stock(session, lost, "CORRECTION", fulfilment_id=fulfilment.id)
    return short


def _write_off(session: Session, position_id: int, missing: int, fulfilment_id: int) -> int:
    """Take units found missing at pick off on_hand with a CORRECTION; return how many.

    A stock count may already have taken them off (on_hand then holds fewer
    than were reserved); only what is still counted goes.
    """
    position = session.get(InventoryPosition, position_id)
    assert position is not None  # it held the reservation
    gone = min(missing, position.on_hand)
    if gone:
        adjust_stock(session, position_id, -gone, reason="short pick", fulfilment_id=fulfilment_id)
    return gone


def reject_fulfilment(
    session: Session,
    fulfilment_id: int,
    location_ref: str,
    reason: str | None = None,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> FulfilmentOutcome:
    """The location refuses its fulfilment: every unit is sourced again elsewhere.

    Raises
    ------
    NotFound
        For an unknown fulfilment.
    InvalidField
        Naming ``location_ref`` when it is not the fulfilment's location.
    InvalidState
        Unless the fulfilment is CREATED or ACKNOWLEDGED.
    """
    fulfilment = lock_fulfilment(session, fulfilment_id)
    if fulfilment.location.ref != location_ref:
        raise InvalidField(
            "location_ref",
            f"Expected the ref of fulfilment {fulfilment_id}'s location, "
            f"{fulfilment.location.ref!r}, got {location_ref!r}.",
        )
    check_transition(fulfilment.status, _F.REJECTED, ref=str(fulfilment_id))
    units = {line.order_line.ref: line.quantity for line in fulfilment.lines}
    reduce_fulfilment(session, fulfilment, units)
    change_status(session, fulfilment, _F.REJECTED, reason=reason or "rejected by the location")
    session.flush()
    outcome = source_units(
        session,
        fulfilment.order,
        units,
        excluded_location_ids={fulfilment.location_id},
        freed_fulfilment_id=fulfilment.id,
        reassigned_from=fulfilment,
        time_limit_s=time_limit_s,
    )
    session.flush()
    return FulfilmentOutcome(fulfilment, refresh_order_status(session, fulfilment.order), outcome)

"""Status and type vocabularies, and the fulfilment status transitions.

Each enum's value is its name, so what is stored in a column, shown in a log
and sent in a webhook is the same word.
"""

from __future__ import annotations

from enum import StrEnum

from sourcing.models.db.errors import InvalidState


class OrderType(StrEnum):
    """How the customer receives the order."""

    HD = "HD"  # home delivery
    CC = "CC"  # click and collect


class LocationType(StrEnum):
    """What kind of place a location is; REJECTION holds units nobody can serve."""

    WAREHOUSE = "WAREHOUSE"
    STORE = "STORE"
    DC = "DC"
    VENDOR = "VENDOR"
    THREE_PL = "THREE_PL"
    REJECTION = "REJECTION"


class CustomerTier(StrEnum):
    """Service tier of a customer."""

    STANDARD = "STANDARD"
    VIP = "VIP"


class QuantityType(StrEnum):
    """What a ledger record says about a position's units.

    RESERVED promises units to a fulfilment without moving them; SALE and
    CORRECTION are movements that changed ``on_hand`` when they were written.
    """

    RESERVED = "RESERVED"
    SALE = "SALE"
    CORRECTION = "CORRECTION"


class QuantityStatus(StrEnum):
    """Whether a ledger record still counts."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class OrderStatus(StrEnum):
    """Where an order is; it follows from the statuses of its fulfilments."""

    CREATED = "CREATED"
    BOOKED = "BOOKED"  # sourced: fulfilments created and stock reserved
    IN_PROGRESS = "IN_PROGRESS"  # at least one fulfilment is being worked
    ESCALATED = "ESCALATED"  # some units wait at the rejection location
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"


class FulfilmentStatus(StrEnum):
    """Where a fulfilment is in its life at one location."""

    CREATED = "CREATED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    PICKED = "PICKED"
    PACKED = "PACKED"
    READY_FOR_COLLECTION = "READY_FOR_COLLECTION"
    AWAITING_COURIER = "AWAITING_COURIER"
    COLLECTED = "COLLECTED"
    DISPATCHED = "DISPATCHED"
    COMPLETE = "COMPLETE"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    ESCALATED = "ESCALATED"


class ConsignmentStatus(StrEnum):
    """Where a carrier's consignment is."""

    CREATED = "CREATED"
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class ReturnStatus(StrEnum):
    """Where a return order is."""

    CREATED = "CREATED"
    RECEIVED = "RECEIVED"
    RESTOCKED = "RESTOCKED"
    CANCELLED = "CANCELLED"


class OutboxState(StrEnum):
    """Delivery state of one webhook outbox row."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    PARKED = "PARKED"  # kept failing; needs someone to look


_F = FulfilmentStatus

# The outer bound of what may happen to a fulfilment. A sourcing profile can
# narrow it further (for example, cancellation only before PICKED), never
# widen it. CC fulfilments go PACKED -> READY_FOR_COLLECTION -> COLLECTED; HD
# ones PACKED -> AWAITING_COURIER -> DISPATCHED, or straight to DISPATCHED
# when the location ships itself (a warehouse). COMPLETE, REJECTED and
# CANCELLED are final; ESCALATED fulfilments (at the rejection location, or
# overdue) can only be cancelled.
FULFILMENT_TRANSITIONS: dict[FulfilmentStatus, frozenset[FulfilmentStatus]] = {
    _F.CREATED: frozenset({_F.ACKNOWLEDGED, _F.REJECTED, _F.CANCELLED, _F.ESCALATED}),
    _F.ACKNOWLEDGED: frozenset({_F.PICKED, _F.REJECTED, _F.CANCELLED, _F.ESCALATED}),
    _F.PICKED: frozenset({_F.PACKED, _F.CANCELLED}),
    _F.PACKED: frozenset(
        {_F.READY_FOR_COLLECTION, _F.AWAITING_COURIER, _F.DISPATCHED, _F.CANCELLED}
    ),
    _F.READY_FOR_COLLECTION: frozenset({_F.COLLECTED, _F.CANCELLED}),
    _F.AWAITING_COURIER: frozenset({_F.DISPATCHED, _F.CANCELLED}),
    _F.COLLECTED: frozenset({_F.COMPLETE}),
    _F.DISPATCHED: frozenset({_F.COMPLETE}),
    _F.COMPLETE: frozenset(),
    _F.REJECTED: frozenset(),
    _F.CANCELLED: frozenset(),
    _F.ESCALATED: frozenset({_F.CANCELLED}),
}


def can_transition(current: FulfilmentStatus, new: FulfilmentStatus) -> bool:
    """Whether a fulfilment may go from ``current`` to ``new``."""
    return new in FULFILMENT_TRANSITIONS[current]


def check_transition(
    current: FulfilmentStatus, new: FulfilmentStatus, *, ref: str | None = None
) -> None:
    """Raise :class:`InvalidState` unless a fulfilment may go from ``current`` to ``new``.

    ``ref`` names the fulfilment in the error, when the caller knows it.

    Raises
    ------
    InvalidState
        Naming both statuses and the ones ``new`` may be reached from.
    """
    if not can_transition(current, new):
        allowed = sorted(s.value for s, targets in FULFILMENT_TRANSITIONS.items() if new in targets)
        raise InvalidState(
            entity="fulfilment",
            ref=ref,
            current=current.value,
            requested=new.value,
            allowed=tuple(allowed),
        )

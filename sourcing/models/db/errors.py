"""Domain errors of the persistence layer.

Each carries, as attributes, what a caller needs to fix the call or to react
(which entity, which value, what was expected), so the gRPC layer can map it
to a status code and field violations in one table without parsing messages.
They are named for what happened, as callers say it, without an Error suffix.
"""

from __future__ import annotations

# Error messages quote a value at most this long, so a huge ref cannot blow
# up the status message (gRPC caps metadata) or a log line.
QUOTE_LIMIT = 64


def shorten(value: object) -> str:
    """``repr(value)``, cut to :data:`QUOTE_LIMIT` characters with its full length said."""
    text = repr(value)
    if len(text) <= QUOTE_LIMIT:
        return text
    return f"{text[: QUOTE_LIMIT - 1]}… ({len(str(value))} characters)"


class SourcingError(Exception):
    """Base of every domain error the persistence layer raises."""


class NotFound(SourcingError):  # noqa: N818 - named as the domain says
    """An entity the call names does not exist.

    ``field`` names the request field that held the reference, when known.
    """

    def __init__(self, entity: str, ref: str | int, *, field: str | None = None) -> None:
        self.entity = entity
        self.ref = ref
        self.field = field
        super().__init__(f"No {entity} with ref {shorten(ref)}.")


class AlreadyExists(SourcingError):  # noqa: N818 - named as the domain says
    """An entity with this reference exists and the call does not match it.

    ``field`` names the request field that differs from the first call's, when known.
    """

    def __init__(
        self, entity: str, ref: str | int, *, detail: str = "", field: str | None = None
    ) -> None:
        self.entity = entity
        self.ref = ref
        self.detail = detail
        self.field = field
        suffix = f": {detail}" if detail else "."
        super().__init__(
            f"{_article(entity)} {entity} with ref {shorten(ref)} already exists{suffix}"
        )


class InvalidState(SourcingError):  # noqa: N818 - named as the domain says
    """The entity's current status does not allow what the call asks for.

    ``allowed`` always lists what the entity must be for the call to succeed
    (the statuses it may be in, or a condition), never where it may go next,
    so every FAILED_PRECONDITION reads the same way.
    """

    def __init__(
        self,
        entity: str,
        current: str,
        requested: str,
        *,
        ref: str | int | None = None,
        allowed: tuple[str, ...] = (),
    ) -> None:
        self.entity = entity
        self.ref = ref
        self.current = current
        self.requested = requested
        self.allowed = allowed
        named = f"{entity} {shorten(ref)}" if ref is not None else entity
        super().__init__(
            f"Cannot move {named} from {current} to {requested}; it must be {_either(allowed)}."
        )


def _either(options: tuple[str, ...]) -> str:
    """``A``, ``A or B``, ``A, B or C``; "in another state" when nothing is known."""
    if not options:
        return "in another state"
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


def _article(noun: str) -> str:
    return "An" if noun[:1].lower() in "aeiou" else "A"


# The gRPC status this maps to; the same error under the name callers use.
FailedPrecondition = InvalidState


class InsufficientStock(SourcingError):  # noqa: N818 - named as the domain says
    """A reservation asked for more units than a position has available.

    Raised before anything is written, so the caller can re-solve with the
    fresh availability in the same transaction or roll back.
    """

    def __init__(self, product_ref: str, location_ref: str, requested: int, available: int) -> None:
        self.product_ref = product_ref
        self.location_ref = location_ref
        self.requested = requested
        self.available = available
        super().__init__(
            f"Product {shorten(product_ref)} at location {shorten(location_ref)}: "
            f"requested {requested}, available {available}."
        )


class CapacityTaken(InsufficientStock):
    """A plan would give a location more fulfilments today than its daily capacity.

    Other orders took the capacity after the plan was solved. Like running
    out of stock it is raised before the transaction commits, and the order
    is solved again on fresh numbers.
    """

    def __init__(self, location_ref: str, kind: str, capacity: int, taken: int) -> None:
        self.location_ref = location_ref
        self.kind = kind
        self.capacity = capacity
        self.taken = taken
        SourcingError.__init__(
            self,
            f"Location {shorten(location_ref)}: {taken} {kind} fulfilment(s) today against a daily "
            f"capacity of {capacity}.",
        )


class ConcurrencyConflict(SourcingError):  # noqa: N818 - named as the domain says
    """A concurrent transaction won the race and the retries ran out.

    The call changed nothing and may be sent again.
    """

    def __init__(self, entity: str, *, attempts: int = 1, detail: str = "") -> None:
        self.entity = entity
        self.attempts = attempts
        self.detail = detail
        suffix = f": {detail}" if detail else "."
        super().__init__(
            f"Concurrent change to {entity}; gave up after {attempts} attempt(s){suffix}"
        )


class InvalidField(SourcingError, ValueError):  # noqa: N818 - named as the domain says
    """A request field holds a value the engine cannot accept.

    ``field`` is the request field's path, e.g. ``order.lines[3].quantity``.
    """

    def __init__(self, field: str, description: str) -> None:
        self.field = field
        self.description = description
        super().__init__(f"{field}: {description}")

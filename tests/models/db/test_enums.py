"""The fulfilment status transition table: what may follow what."""

from __future__ import annotations

import pytest

from sourcing.models import (
    FULFILMENT_TRANSITIONS,
    FulfilmentStatus,
    InvalidState,
    can_transition,
    check_transition,
)

F = FulfilmentStatus


def test_every_status_has_an_entry() -> None:
    """The table names the allowed next statuses of every status, and nothing else."""
    assert set(FULFILMENT_TRANSITIONS) == set(F)
    for allowed in FULFILMENT_TRANSITIONS.values():
        assert allowed <= set(F)


def test_every_status_is_reachable_from_created() -> None:
    """Every status can be reached from CREATED, so none is dead in the table."""
    seen = {F.CREATED}
    frontier = [F.CREATED]
    while frontier:
        for nxt in FULFILMENT_TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(F)


@pytest.mark.parametrize("final", [F.COMPLETE, F.REJECTED, F.CANCELLED])
def test_final_statuses_have_no_way_out(final: FulfilmentStatus) -> None:
    """COMPLETE, REJECTED and CANCELLED are final."""
    assert FULFILMENT_TRANSITIONS[final] == frozenset()


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (F.CREATED, F.ACKNOWLEDGED),
        (F.ACKNOWLEDGED, F.PICKED),
        (F.PICKED, F.PACKED),
        (F.PACKED, F.READY_FOR_COLLECTION),
        (F.READY_FOR_COLLECTION, F.COLLECTED),
        (F.COLLECTED, F.COMPLETE),
        (F.PACKED, F.AWAITING_COURIER),
        (F.AWAITING_COURIER, F.DISPATCHED),
        (F.PACKED, F.DISPATCHED),
        (F.DISPATCHED, F.COMPLETE),
        (F.CREATED, F.REJECTED),
        (F.ACKNOWLEDGED, F.CANCELLED),
        (F.ESCALATED, F.CANCELLED),
    ],
)
def test_journey_steps_are_allowed(current: FulfilmentStatus, new: FulfilmentStatus) -> None:
    """The steps of the CC, store HD and warehouse HD journeys are allowed."""
    assert can_transition(current, new)
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (F.DISPATCHED, F.PICKED),
        (F.DISPATCHED, F.CANCELLED),
        (F.COLLECTED, F.CANCELLED),
        (F.CREATED, F.PICKED),
        (F.PICKED, F.REJECTED),
        (F.COMPLETE, F.CREATED),
        (F.CANCELLED, F.ACKNOWLEDGED),
        (F.READY_FOR_COLLECTION, F.DISPATCHED),
        (F.PICKED, F.PICKED),
    ],
)
def test_forbidden_steps_raise_invalid_state(
    current: FulfilmentStatus, new: FulfilmentStatus
) -> None:
    """A step the table does not allow raises InvalidState naming both statuses."""
    assert not can_transition(current, new)
    with pytest.raises(InvalidState) as caught:
        check_transition(current, new, ref="F-1")
    error = caught.value
    assert (error.entity, error.ref, error.current, error.requested) == (
        "fulfilment",
        "F-1",
        current.value,
        new.value,
    )
    # What the fulfilment must be for the step: the statuses ``new`` is reached from.
    sources = (s.value for s, targets in FULFILMENT_TRANSITIONS.items() if new in targets)
    assert error.allowed == tuple(sorted(sources))
    assert current.value not in error.allowed

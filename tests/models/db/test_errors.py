"""Error messages read one way: what the entity must be, and the right article."""

from __future__ import annotations

import pytest

from sourcing.models.db.enums import FulfilmentStatus, check_transition
from sourcing.models.db.errors import AlreadyExists, InvalidState


def test_a_refused_transition_names_the_statuses_it_is_allowed_from() -> None:
    """COMPLETE -> PICKED is refused naming where PICKED is reached from, not COMPLETE's exits."""
    with pytest.raises(InvalidState) as info:
        check_transition(FulfilmentStatus.COMPLETE, FulfilmentStatus.PICKED, ref="7")
    assert str(info.value) == (
        "Cannot move fulfilment '7' from COMPLETE to PICKED; it must be ACKNOWLEDGED."
    )
    with pytest.raises(InvalidState) as info:
        check_transition(FulfilmentStatus.CREATED, FulfilmentStatus.PACKED)
    assert str(info.value).endswith("it must be PICKED.")


def test_conditions_and_status_lists_read_as_what_it_must_be() -> None:
    """One status, several, or a condition: always 'it must be ...'."""
    one = InvalidState("order", "CANCELLED", "CANCELLED", ref="O1", allowed=("holding units",))
    many = InvalidState("fulfilment", "PICKED", "reassigned", allowed=("CREATED", "ACKNOWLEDGED"))
    none = InvalidState("article", "X", "Y")
    assert str(one).endswith("it must be holding units.")
    assert str(many).endswith("it must be CREATED or ACKNOWLEDGED.")
    assert str(none).endswith("it must be in another state.")


@pytest.mark.parametrize(
    ("entity", "start"), [("order", "An order"), ("location", "A location"), ("article", "An")]
)
def test_already_exists_uses_the_right_article(entity: str, start: str) -> None:
    """'An order', never 'A order'."""
    assert str(AlreadyExists(entity, "R1")).startswith(start)


def test_a_huge_ref_is_quoted_short() -> None:
    """A 100 KB ref is quoted in at most a few dozen characters, its length said."""
    from sourcing.models.db.errors import QUOTE_LIMIT, NotFound

    message = str(NotFound("product", "x" * 100_000))
    assert len(message) < QUOTE_LIMIT + 60
    assert "100000 characters" in message
    assert str(NotFound("product", "SHOE")) == "No product with ref 'SHOE'."

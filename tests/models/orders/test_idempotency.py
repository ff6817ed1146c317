"""Stored forms of answers: what a replay rebuilds is what the first call answered."""

from __future__ import annotations

import json

import pytest

from sourcing import solver
from sourcing.models.db.enums import OrderType
from sourcing.models.db.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    InsufficientStock,
    InvalidField,
    InvalidState,
    NotFound,
)
from sourcing.models.orders.idempotency import (
    error_from_json,
    error_to_json,
    outcome_from_json,
    outcome_to_json,
)
from sourcing.models.orders.source_call import SourcingOutcome
from sourcing.server.errors import field_of, status_code_for

ERRORS = [
    NotFound("product", "SKU_9", field="order.lines[0].product_ref"),
    AlreadyExists("order", "O1", detail="a different order was sourced under this ref"),
    InvalidState("fulfilment", "PICKED", "reassigned", ref=7, allowed=("CREATED",)),
    InsufficientStock("SKU_1", "NEAR", 3, 1),
    ConcurrencyConflict("inventory", attempts=8, detail="stock kept moving"),
    InvalidField("order.lines[0].quantity", "must be positive, got 0"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_a_domain_error_comes_back_as_it_was(error: Exception) -> None:
    """Same class, message, field and status code after a trip through JSON."""
    again = error_from_json(json.loads(json.dumps(error_to_json(error))))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert field_of(again) == field_of(error)
    assert status_code_for(again) is status_code_for(error)
    assert getattr(again, "description", None) == getattr(error, "description", None)


def test_a_bug_comes_back_as_internal_without_its_message() -> None:
    """Anything but a domain error is stored by class name only and stays INTERNAL."""
    stored = error_to_json(KeyError("secret internals"))
    assert "secret" not in json.dumps(stored)
    assert status_code_for(error_from_json(stored)).name == "INTERNAL"


def test_a_stored_plan_comes_back_replayed() -> None:
    """Plan, ids, profile version and order type survive; the copy is marked replayed."""
    plan = solver.Plan(
        order_ref="O1",
        policy="mip",
        fulfilments=(solver.Fulfilment("NEAR", (solver.FulfilmentLine("1", "SKU_1", 2),)),),
        rejected=None,
        objective=solver.ObjectiveBreakdown({"fixed": 100.0, "shipping": 22.5}),
        status=solver.SolveStatus.OPTIMAL,
    )
    outcome = SourcingOutcome(plan, {"NEAR": 12}, 3, OrderType.CC)
    again = outcome_from_json(json.loads(json.dumps(outcome_to_json(outcome))))
    assert again == SourcingOutcome(plan, {"NEAR": 12}, 3, OrderType.CC, replayed=True)


def test_an_answer_stored_without_its_order_type_takes_the_one_given() -> None:
    """ReviseOrder's older answers lack the type; the caller's order supplies it."""
    plan = solver.Plan(
        "O1", "mip", (), None, solver.ObjectiveBreakdown({}), solver.SolveStatus.OPTIMAL
    )
    stored = outcome_to_json(SourcingOutcome(plan, {}, 1, OrderType.HD))
    del stored["order_type"]
    assert outcome_from_json(stored, OrderType.HD).order_type is OrderType.HD
    with pytest.raises(ValueError, match="order_type"):
        outcome_from_json(stored)

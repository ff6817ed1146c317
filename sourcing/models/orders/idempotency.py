"""Replaying the first answer of a create-like call that is sent again.

A call that carries a request id stores a small JSON answer under
``(operation, key)`` in the transaction that made the change. The same call
sent again finds it and answers from it without changing anything; a
different call under the same key is refused. Callers lock the entity the
call changes before :func:`recall`, so two copies of a call arriving
together queue and the second one finds the first one's answer. Where no
one entity can be locked (a SourceBatch, a Rebalance that moves nothing),
the key's uniqueness refuses the second copy's :func:`remember` instead,
and that copy answers from the first one's row.

The answers hold stored plans (:func:`outcome_to_json`) and, where a call
reports errors one by one (SourceBatch), the errors themselves
(:func:`error_to_json`), so a replay answers exactly what the first call did.
The stored form of a bare plan (:func:`plan_to_json`) is here too; Source's
own replay keys, written in ``sourcing.models.orders.source``, use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.db.enums import OrderType
from sourcing.models.db.errors import (
    AlreadyExists,
    CapacityTaken,
    ConcurrencyConflict,
    InsufficientStock,
    InvalidField,
    InvalidState,
    NotFound,
    SourcingError,
)
from sourcing.models.events.tables import IdempotencyKey
from sourcing.models.orders.delivery_options import CHEAPEST
from sourcing.models.orders.delivery_options import NAMES as DELIVERY_OPTIONS
from sourcing.models.orders.source_call import OrderInput, SourcingOutcome
from sourcing.solver.eta import Promise

# The domain errors an answer may report, by name, so a replay reports the same kind.
_ERRORS: dict[str, type[SourcingError]] = {
    kind.__name__: kind
    for kind in (
        NotFound,
        AlreadyExists,
        InvalidState,
        InsufficientStock,
        CapacityTaken,
        ConcurrencyConflict,
        InvalidField,
    )
}


def request_digest(request: Any) -> str:
    """A SHA-256 of a JSON-serialisable request: equal requests, equal digests."""
    raw = json.dumps(request, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def source_digest(order: OrderInput, delivery_option: str | None = None) -> str:
    """What a Source call's replay keys hold: the order's digest, and the option named.

    Without an option, or with ``cheapest`` (the same plan, as the API says),
    it is the order's own digest, as stored before options existed (and as
    SourceBatch keys its orders), so those keys still replay.
    """
    if delivery_option in (None, CHEAPEST):
        return order.digest()
    raw = f"{order.digest()}|delivery_option={delivery_option}".encode()
    return hashlib.sha256(raw).hexdigest()


def source_mismatch(
    entity: str,
    ref: str,
    stored: str,
    order: OrderInput,
    delivery_option: str | None,
    different: str,
) -> AlreadyExists:
    """The refusal of a call whose key holds another request (the option, if only it differs).

    The option names are few, so which one the first call named is found by
    trying each against the stored digest.
    """

    def named(option: str | None) -> str:
        return repr(option) if option not in (None, CHEAPEST) else "'cheapest' (or none)"

    for first in (None, *DELIVERY_OPTIONS):
        if source_digest(order, first) == stored:
            return AlreadyExists(
                entity,
                ref,
                detail=f"this order was sourced under it with delivery_option {named(first)}, "
                f"not {named(delivery_option)}",
                field="delivery_option",
            )
    return AlreadyExists(entity, ref, detail=different)


def recall(session: Session, operation: str, key: str, digest: str) -> dict[str, Any] | None:
    """The stored answer of an earlier call under ``key``, or ``None`` for a first call.

    Raises
    ------
    AlreadyExists
        When the key was used by a different request.
    """
    row = session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.operation == operation, IdempotencyKey.key == key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.request_hash != digest:
        raise AlreadyExists(
            "request", key, detail=f"a different {operation} request was sent under this id"
        )
    answer: dict[str, Any] = json.loads(row.response or b"{}")
    return answer


def remember(
    session: Session, operation: str, key: str, digest: str, answer: dict[str, Any]
) -> None:
    """Store the answer of a first call under ``key``."""
    session.add(
        IdempotencyKey(
            operation=operation,
            key=key,
            request_hash=digest,
            response=json.dumps(answer).encode(),
        )
    )


def plan_to_json(plan: solver.Plan) -> dict[str, Any]:
    """A stored form of a plan, explanation included, so a replay is the first answer."""

    def part(f: solver.Fulfilment) -> dict[str, Any]:
        return {
            "location_ref": f.location_ref,
            "lines": [[ln.line_ref, ln.product_ref, ln.quantity] for ln in f.lines],
            "promise": promise_to_json(f.promise),
        }

    return {
        "order_ref": plan.order_ref,
        "policy": plan.policy,
        "fulfilments": [part(f) for f in plan.fulfilments],
        "rejected": part(plan.rejected) if plan.rejected else None,
        "terms": dict(plan.objective.terms),
        "status": plan.status.value,
        "gap": plan.gap if plan.gap != float("inf") else None,
        "solve_time_s": plan.solve_time_s,
        "explanation": None
        if plan.explanation is None
        else [
            [e.location_ref, e.used, [r.value for r in e.reasons], e.detail, e.distance_km]
            for e in plan.explanation
        ],
    }


def promise_to_json(promise: Promise | None) -> list[Any] | None:
    """A fulfilment's promise as JSON: ISO times, the service, whether it is a transfer."""
    if promise is None:
        return None
    ship_by = promise.ship_by.isoformat() if promise.ship_by else None
    return [
        promise.ready_by.isoformat(),
        promise.promised_at.isoformat(),
        ship_by,
        promise.service,
        promise.transfer,
    ]


def promise_from_json(raw: list[Any] | None) -> Promise | None:
    """The promise of :func:`promise_to_json`."""
    if raw is None:
        return None
    ready, promised, shipped, service, transfer = raw
    return Promise(
        ready_by=datetime.fromisoformat(ready),
        promised_at=datetime.fromisoformat(promised),
        ship_by=datetime.fromisoformat(shipped) if shipped else None,
        service=service,
        transfer=bool(transfer),
    )


def plan_from_json(data: Mapping[str, Any]) -> solver.Plan:
    """A plan from its stored form (:func:`plan_to_json`)."""

    def lines(raw: list[list[Any]]) -> tuple[solver.FulfilmentLine, ...]:
        return tuple(solver.FulfilmentLine(str(a), str(b), int(c)) for a, b, c in raw)

    rejected = data["rejected"]
    return solver.Plan(
        order_ref=data["order_ref"],
        policy=data["policy"],
        fulfilments=tuple(
            solver.Fulfilment(
                f["location_ref"], lines(f["lines"]), promise=promise_from_json(f.get("promise"))
            )
            for f in data["fulfilments"]
        ),
        rejected=solver.RejectedFulfilment(rejected["location_ref"], lines(rejected["lines"]))
        if rejected
        else None,
        objective=solver.ObjectiveBreakdown(data["terms"]),
        status=solver.SolveStatus(data["status"]),
        gap=float("inf") if data["gap"] is None else data["gap"],
        solve_time_s=data["solve_time_s"],
        explanation=None
        if data.get("explanation") is None
        else tuple(
            solver.CandidateExplanation(
                str(ref), bool(used), tuple(solver.CandidateReason(r) for r in reasons), detail, km
            )
            for ref, used, reasons, detail, km in data["explanation"]
        ),
    )


def outcome_to_json(outcome: SourcingOutcome) -> dict[str, Any]:
    """A stored form of a stored plan: the plan, its fulfilments' ids, the profile and type."""
    return {
        "plan": plan_to_json(outcome.plan),
        "fulfilment_ids": dict(outcome.fulfilment_ids),
        "profile_version": outcome.profile_version,
        "order_type": outcome.order_type.value,
    }


def outcome_from_json(
    data: Mapping[str, Any], order_type: OrderType | None = None
) -> SourcingOutcome:
    """The plan of :func:`outcome_to_json`, marked replayed.

    ``order_type`` is for answers stored before the type was (ReviseOrder's).
    """
    stored_type = OrderType(data["order_type"]) if "order_type" in data else order_type
    if stored_type is None:
        raise ValueError("Expected a stored order_type or one given, got neither.")
    return SourcingOutcome(
        plan_from_json(data["plan"]),
        {ref: int(fid) for ref, fid in data["fulfilment_ids"].items()},
        int(data["profile_version"]),
        stored_type,
        replayed=True,
    )


def error_to_json(error: Exception) -> dict[str, Any]:
    """A stored form of an error an answer reports: its kind, message and attributes.

    Anything but a domain error is a bug of ours: only its class name is
    kept, as the caller is told no more than INTERNAL about it anyway.
    """
    kind = type(error).__name__
    if _ERRORS.get(kind) is not type(error):
        return {"kind": None, "message": kind, "attributes": {}}
    attributes = {name: v for name, v in vars(error).items() if not name.startswith("_")}
    return {"kind": kind, "message": str(error), "attributes": attributes}


def error_from_json(data: Mapping[str, Any]) -> Exception:
    """The error of :func:`error_to_json` again, of the same class, message and attributes.

    The domain errors' constructors build their message from their
    attributes; here both are restored as stored instead.
    """
    kind = _ERRORS.get(data["kind"] or "")
    if kind is None:
        return RuntimeError(data["message"])
    error = kind.__new__(kind)
    Exception.__init__(error, data["message"])
    vars(error).update(data["attributes"])
    return error

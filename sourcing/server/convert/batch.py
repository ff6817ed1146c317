"""SourceBatch and Rebalance between the wire and the domain.

A batch's orders are checked one by one: an order with a bad field, or a
ref used twice in the batch, is that order's INVALID_ARGUMENT error in its
``BatchOrderResult``, not the call's. What applies to the whole call (policy,
weights, split limit, time limit) is checked as for Source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import grpc
from google.protobuf import duration_pb2

from sourcing.models.orders.source_call import OrderInput
from sourcing.models.waves.batch import BatchOrderOutcome, BatchOutcome
from sourcing.models.waves.rebalance import RebalanceInput, RebalanceOutcome
from sourcing.server.convert.fields import optional_ref
from sourcing.server.convert.orders import _SOLVE_STATUS, order_from_proto, plan_to_proto
from sourcing.server.errors import FieldError, field_of, status_code_for
from sourcing.v1 import common_pb2, plan_pb2, sourcing_pb2

# A wave larger than this is refused: split it into several calls.
MAX_BATCH_ORDERS = 20_000


def batch_orders(request: sourcing_pb2.SourceBatchRequest) -> list[OrderInput | FieldError]:
    """Each requested order checked, or the error that names its bad field."""
    if not request.orders:
        raise FieldError("orders", "must hold at least one order")
    if len(request.orders) > MAX_BATCH_ORDERS:
        raise FieldError(
            "orders", f"holds {len(request.orders)} orders; at most {MAX_BATCH_ORDERS} are accepted"
        )
    parsed: list[OrderInput | FieldError] = []
    seen: set[str] = set()
    for i, msg in enumerate(request.orders):
        try:
            order = order_from_proto(msg, field=f"orders[{i}]")
        except FieldError as exc:
            parsed.append(exc)
            continue
        if order.ref in seen:
            parsed.append(FieldError(f"orders[{i}].ref", f"{order.ref!r} is used by another order"))
            continue
        seen.add(order.ref)
        parsed.append(order)
    return parsed


def refused_orders(
    request: sourcing_pb2.SourceBatchRequest, parsed: Sequence[OrderInput | FieldError]
) -> tuple[str, ...]:
    """Each order refused before sourcing as its ref and why, for telling retries apart."""
    return tuple(
        f"{msg.ref}: {item}"
        for msg, item in zip(request.orders, parsed, strict=True)
        if isinstance(item, FieldError)
    )


def time_limit(requested: duration_pb2.Duration, budget: float) -> float:
    """The solve time: the request's ``time_limit`` when set, within the call's budget."""
    if requested.seconds < 0 or requested.nanos < 0:
        raise FieldError("time_limit", "must not be negative")
    asked = requested.ToTimedelta().total_seconds()
    return min(asked, budget) if asked > 0 else budget


def error_to_proto(exc: Exception, index: int | None = None) -> common_pb2.Error:
    """The wire form of one order's error: its status code, message and field violations.

    A field the single-order path names under ``order`` is named under
    ``orders[index]``, where the order sits in the batch.
    """
    code = status_code_for(exc)
    if code is grpc.StatusCode.INTERNAL:
        return common_pb2.Error(code=code.value[0], message="internal error; see the server log")
    error = common_pb2.Error(code=code.value[0], message=str(exc) or type(exc).__name__)
    field = field_of(exc)
    if field is not None and index is not None and field.split(".")[0] == "order":
        field = f"orders[{index}]{field[len('order') :]}"
    if field is not None:
        description = getattr(exc, "description", None) or str(exc)
        error.field_violations.add(field=field, description=description)
    return error


def batch_to_proto(
    request: sourcing_pb2.SourceBatchRequest,
    parsed: Sequence[OrderInput | FieldError],
    outcome: BatchOutcome,
) -> sourcing_pb2.SourceBatchResponse:
    """One result per requested order, in request order, and the wave's figures."""
    by_ref = {result.order_ref: result for result in outcome.results}
    results = []
    for index, (msg, item) in enumerate(zip(request.orders, parsed, strict=True)):
        if isinstance(item, FieldError):
            error = error_to_proto(item)
            results.append(sourcing_pb2.BatchOrderResult(order_ref=msg.ref, error=error))
        else:
            results.append(_result(by_ref[item.ref], request.explain, index))
    return sourcing_pb2.SourceBatchResponse(
        results=results,
        objective=plan_pb2.Objective(total=outcome.objective),
        solve_status=_SOLVE_STATUS[outcome.status],
        gap=outcome.gap if math.isfinite(outcome.gap) else -1.0,
        solve_time_ms=outcome.solve_time_s * 1000.0,
    )


def _result(result: BatchOrderOutcome, explain: bool, index: int) -> sourcing_pb2.BatchOrderResult:
    if result.outcome is None:
        assert result.error is not None  # an order has a plan or an error
        return sourcing_pb2.BatchOrderResult(
            order_ref=result.order_ref, error=error_to_proto(result.error, index)
        )
    outcome = result.outcome
    plan = plan_to_proto(
        outcome.plan,
        order_type=outcome.order_type,
        fulfilment_ids=outcome.fulfilment_ids,
        profile_version=outcome.profile_version,
        explain=explain,
    )
    return sourcing_pb2.BatchOrderResult(
        order_ref=result.order_ref, plan=plan, replayed=outcome.replayed
    )


def rebalance_from_proto(
    request: sourcing_pb2.RebalanceRequest, time_limit_s: float
) -> RebalanceInput:
    """The orders to rebalance, checked: refs present and each listed once."""
    refs: list[str] = []
    for i, ref in enumerate(request.order_refs):
        if not ref.strip():
            raise FieldError(f"order_refs[{i}]", "is required")
        if ref in refs:
            raise FieldError(f"order_refs[{i}]", f"{ref!r} is listed twice")
        refs.append(ref)
    return RebalanceInput(
        tuple(refs),
        request.dry_run,
        time_limit_s,
        request_id=optional_ref(request.request_id, "request_id"),
    )


def rebalance_to_proto(outcome: RebalanceOutcome) -> sourcing_pb2.RebalanceResponse:
    """The moved orders' new plans and the saving."""
    plans = [
        plan_to_proto(
            item.plan,
            order_type=item.order_type,
            fulfilment_ids=item.fulfilment_ids,
            profile_version=item.profile_version,
            explain=False,
        )
        for item in outcome.plans
    ]
    return sourcing_pb2.RebalanceResponse(
        plans=plans,
        objective_before=plan_pb2.Objective(total=outcome.objective_before),
        objective_after=plan_pb2.Objective(total=outcome.objective_after),
        fulfilments_before=outcome.fulfilments_before,
        fulfilments_after=outcome.fulfilments_after,
        solve_status=_SOLVE_STATUS[outcome.status],
        gap=outcome.gap if math.isfinite(outcome.gap) else -1.0,
        solve_time_ms=outcome.solve_time_s * 1000.0,
    )

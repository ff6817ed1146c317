"""Orders and plans between the wire and the domain.

Every check of a request field happens here, so a bad field is reported as
INVALID_ARGUMENT naming it (``order.lines[3].quantity``) before anything is
read or written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from sourcing import solver
from sourcing.models.db.enums import CustomerTier, OrderType
from sourcing.models.orders.delivery_options import NAMES as DELIVERY_OPTIONS
from sourcing.models.orders.reassign import ReassignInput
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.server.convert.fields import optional_ref, timestamp
from sourcing.server.errors import FieldError
from sourcing.v1 import common_pb2, domain_pb2, plan_pb2, sourcing_pb2

# An order with more lines than this is refused: no basket is that large,
# and the solver's time grows with it.
MAX_LINES = 500
MAX_QUANTITY = 1_000_000

_ORDER_TYPES = {common_pb2.ORDER_TYPE_HD: OrderType.HD, common_pb2.ORDER_TYPE_CC: OrderType.CC}
_TIERS = {
    common_pb2.CUSTOMER_TIER_UNSPECIFIED: CustomerTier.STANDARD,
    common_pb2.CUSTOMER_TIER_STANDARD: CustomerTier.STANDARD,
    common_pb2.CUSTOMER_TIER_VIP: CustomerTier.VIP,
}
_POLICIES = {
    plan_pb2.SOURCING_POLICY_UNSPECIFIED: "mip",
    plan_pb2.SOURCING_POLICY_MIP: "mip",
    plan_pb2.SOURCING_POLICY_GREEDY: "greedy",
}
_SOLVE_STATUS = {
    solver.SolveStatus.OPTIMAL: plan_pb2.SOLVE_STATUS_OPTIMAL,
    solver.SolveStatus.FEASIBLE: plan_pb2.SOLVE_STATUS_FEASIBLE,
}
_FULFILMENT_STATUS = {
    solver.FulfilmentStatus.CREATED: common_pb2.FULFILMENT_STATUS_CREATED,
    solver.FulfilmentStatus.ESCALATED: common_pb2.FULFILMENT_STATUS_ESCALATED,
}


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise FieldError(field, "is required")
    return value


def order_from_proto(msg: domain_pb2.Order, field: str = "order") -> OrderInput:
    """An ``OrderInput`` from a request's order, every field checked."""
    ref = _required(msg.ref, f"{field}.ref")
    if msg.type not in _ORDER_TYPES:
        raise FieldError(f"{field}.type", "must be ORDER_TYPE_HD or ORDER_TYPE_CC")
    order_type = _ORDER_TYPES[msg.type]
    if not msg.lines:
        raise FieldError(f"{field}.lines", "must hold at least one line")
    if len(msg.lines) > MAX_LINES:
        raise FieldError(
            f"{field}.lines", f"holds {len(msg.lines)} lines; at most {MAX_LINES} are accepted"
        )
    lines = []
    seen: set[str] = set()
    for i, line in enumerate(msg.lines):
        at = f"{field}.lines[{i}]"
        line_ref = _required(line.ref, f"{at}.ref")
        if line_ref in seen:
            raise FieldError(f"{at}.ref", f"{line_ref!r} is used by another line")
        seen.add(line_ref)
        if not 0 < line.quantity <= MAX_QUANTITY:
            raise FieldError(
                f"{at}.quantity", f"must be between 1 and {MAX_QUANTITY}, got {line.quantity}"
            )
        if line.unit_price.amount_minor < 0:
            raise FieldError(f"{at}.unit_price.amount_minor", "must not be negative")
        lines.append(
            LineInput(
                ref=line_ref,
                product_ref=_required(line.product_ref, f"{at}.product_ref"),
                quantity=line.quantity,
                unit_price_minor=line.unit_price.amount_minor,
                currency=line.unit_price.currency or "BRL",
                category=line.category or None,
            )
        )
    point = None
    if order_type is OrderType.HD:
        if not msg.HasField("delivery_point"):
            raise FieldError(f"{field}.delivery_point", "is required for an HD order")
        point = _point(msg.delivery_point, f"{field}.delivery_point")
    elif not msg.collection_location_ref:
        raise FieldError(f"{field}.collection_location_ref", "is required for a CC order")
    if msg.customer.tier not in _TIERS:
        raise FieldError(f"{field}.customer.tier", f"unknown tier {msg.customer.tier}")
    return OrderInput(
        ref=ref,
        type=order_type,
        lines=tuple(lines),
        delivery_point=point,
        collection_location_ref=msg.collection_location_ref or None,
        customer_ref=msg.customer.ref or None,
        customer_tier=_TIERS[msg.customer.tier],
        need_by=msg.need_by.ToDatetime(tzinfo=UTC) if msg.HasField("need_by") else None,
    )


def _point(msg: common_pb2.GeoPoint, field: str) -> solver.GeoPoint:
    for name, value, bound in (
        ("latitude", msg.latitude, 90.0),
        ("longitude", msg.longitude, 180.0),
    ):
        if not math.isfinite(value) or abs(value) > bound:
            raise FieldError(f"{field}.{name}", f"must be within [-{bound}, {bound}], got {value}")
    return solver.GeoPoint(msg.latitude, msg.longitude)


def source_options(
    request: sourcing_pb2.SourceRequest | sourcing_pb2.SourceBatchRequest, time_limit_s: float
) -> SourceOptions:
    """The options of a Source (or SourceBatch) call, checked."""
    if request.policy not in _POLICIES:
        raise FieldError("policy", f"unknown policy {request.policy}")
    overrides = dict(request.weight_overrides)
    try:
        solver.Weights().override(overrides)
    except ValueError as exc:
        raise FieldError("weight_overrides", str(exc)) from None
    split_limit = request.split_limit if request.HasField("split_limit") else None
    if split_limit is not None and split_limit < 1:
        raise FieldError("split_limit", f"must be at least 1, got {split_limit}")
    option = (
        delivery_option(request, overrides)
        if isinstance(request, sourcing_pb2.SourceRequest)
        else None
    )
    return SourceOptions(
        policy=_POLICIES[request.policy],
        weight_overrides=overrides,
        split_limit=split_limit,
        time_limit_s=time_limit_s,
        dry_run=request.dry_run,
        explain=request.explain,
        # A batch's request_id keys the whole call, not each order (see SourceBatch).
        request_id=optional_ref(request.request_id, "request_id")
        if isinstance(request, sourcing_pb2.SourceRequest)
        else None,
        delivery_option=option,
    )


def delivery_option(
    request: sourcing_pb2.SourceRequest, overrides: Mapping[str, float]
) -> str | None:
    """The checkout option a Source asks for, checked against what else it asks; None: none."""
    name = request.delivery_option
    if not name:
        return None
    if name not in DELIVERY_OPTIONS:
        raise FieldError("delivery_option", f"must be one of {', '.join(DELIVERY_OPTIONS)}")
    if request.order.type != common_pb2.ORDER_TYPE_HD:
        raise FieldError("delivery_option", "applies to home-delivery orders only")
    if _POLICIES.get(request.policy) != "mip":
        raise FieldError("delivery_option", "needs the MIP policy")
    if overrides:
        raise FieldError("delivery_option", "cannot be combined with weight_overrides")
    if request.explain:
        raise FieldError("delivery_option", "cannot be combined with explain")
    return name


def fulfilment_id(value: str, field: str) -> int:
    """A fulfilment id from the wire, where ids are decimal strings."""
    if not value.strip():
        raise FieldError(field, "is required")
    if not value.isdigit():
        raise FieldError(field, f"must be a fulfilment id such as '42', got {value!r}")
    return int(value)


def reassign_from_proto(
    request: sourcing_pb2.ReassignRequest, time_limit_s: float
) -> ReassignInput:
    """The units a Reassign call moves, checked."""
    lines: dict[str, int] = {}
    for i, line in enumerate(request.lines):
        ref = _required(line.line_ref, f"lines[{i}].line_ref")
        if ref in lines:
            raise FieldError(f"lines[{i}].line_ref", f"{ref!r} is listed twice")
        if line.quantity <= 0:
            raise FieldError(f"lines[{i}].quantity", f"must be positive, got {line.quantity}")
        lines[ref] = line.quantity
    return ReassignInput(
        fulfilment_id=fulfilment_id(request.fulfilment_id, "fulfilment_id"),
        lines=lines,
        reason=request.reason or None,
        explain=request.explain,
        time_limit_s=time_limit_s,
        request_id=optional_ref(request.request_id, "request_id"),
    )


def promise_fields(promise: solver.Promise | None) -> dict[str, Any]:
    """A fulfilment message's promise fields (none when nothing was promised)."""
    if promise is None:
        return {}
    return {
        "promised_time": timestamp(promise.promised_at),
        "ready_by_time": timestamp(promise.ready_by),
        "carrier_service": promise.service or "",
    }


def plan_to_proto(
    plan: solver.Plan,
    *,
    order_type: OrderType,
    fulfilment_ids: Mapping[str, int],
    profile_version: int,
    explain: bool,
) -> plan_pb2.Plan:
    """The wire form of a plan; fulfilment ids are empty for a dry run."""
    wire_type = common_pb2.ORDER_TYPE_HD if order_type is OrderType.HD else common_pb2.ORDER_TYPE_CC

    def fulfilment(part: solver.Fulfilment) -> domain_pb2.Fulfilment:
        fid = fulfilment_ids.get(part.location_ref)
        return domain_pb2.Fulfilment(
            id=str(fid) if fid is not None else "",
            order_ref=plan.order_ref,
            location_ref=part.location_ref,
            type=wire_type,
            status=_FULFILMENT_STATUS[part.status],
            lines=[
                domain_pb2.FulfilmentLine(
                    line_ref=ln.line_ref, product_ref=ln.product_ref, quantity=ln.quantity
                )
                for ln in part.lines
            ],
            **promise_fields(part.promise),
        )

    out = plan_pb2.Plan(
        order_ref=plan.order_ref,
        fulfilments=[fulfilment(f) for f in plan.fulfilments],
        objective=plan_pb2.Objective(total=plan.objective.total),
        solve_status=_SOLVE_STATUS[plan.status],
        gap=plan.gap if math.isfinite(plan.gap) else -1.0,
        solve_time_ms=plan.solve_time_s * 1000.0,
        policy=plan_pb2.SOURCING_POLICY_GREEDY
        if plan.policy == "greedy"
        else plan_pb2.SOURCING_POLICY_MIP,
        profile_version=profile_version,
    )
    if plan.rejected:
        out.rejected_fulfilment.CopyFrom(fulfilment(plan.rejected))
    if explain:
        out.objective.terms.update(plan.objective.terms)
        for item in plan.explanation or ():
            out.candidates.add(
                location_ref=item.location_ref,
                used=item.used,
                reasons=[
                    plan_pb2.CandidateReason.Value(f"CANDIDATE_REASON_{r.value}")
                    for r in item.reasons
                ],
                detail=item.detail,
                distance_km=item.distance_km,
            )
    return out


def deadline_seconds(remaining: float | None, default: float, reserve: float = 0.05) -> float:
    """The solver's time limit: the call's remaining time less a reserve for storing."""
    if remaining is None:
        return default
    budget = min(default, remaining * 0.8, remaining - reserve)
    if budget <= 0:
        raise TimeoutError("the call's deadline leaves no time to source the order")
    return budget

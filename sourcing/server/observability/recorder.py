"""The server's recorder: what the use cases report, into its metrics and spans."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from opentelemetry import trace

from sourcing.ops.recorder import Recorder
from sourcing.server.observability.metrics import SourcingMetrics
from sourcing.solver import Plan, SolveStatus

ORDER_REF = "sourcing.order_ref"


def outcome_of(plan: Plan) -> str:
    """served, partly_rejected or fully_rejected: what the order's customer sees."""
    if not plan.rejected_units:
        return "served"
    return "partly_rejected" if plan.fulfilments else "fully_rejected"


class ServerRecorder(Recorder):
    """Counts into ``metrics`` (when on) and opens child spans on ``tracer`` (when on)."""

    def __init__(
        self, metrics: SourcingMetrics | None = None, tracer: trace.Tracer | None = None
    ) -> None:
        self.metrics = metrics
        self.tracer = tracer

    def span(self, name: str, order_ref: str | None = None) -> AbstractContextManager[None]:
        """A child of the call's span (or a root span in the housekeeping thread)."""
        if self.tracer is None:
            return nullcontext()
        return self._span(self.tracer, name, order_ref)

    @contextmanager
    def _span(self, tracer: trace.Tracer, name: str, order_ref: str | None) -> Iterator[None]:
        if order_ref is not None:
            trace.get_current_span().set_attribute(ORDER_REF, order_ref)
        attributes = {ORDER_REF: order_ref} if order_ref is not None else None
        with tracer.start_as_current_span(name, attributes=attributes):
            yield

    def solved(self, plan: Plan) -> None:
        """Solve time by policy; for the MIP, its gap and whether time ran out."""
        m = self.metrics
        if m is None:
            return
        m.solve_seconds.labels(plan.policy).observe(plan.solve_time_s)
        if plan.candidates_kept is not None:
            m.candidates_kept.observe(plan.candidates_kept)
        if plan.policy == "mip" and math.isfinite(plan.gap):
            m.gap.observe(plan.gap)
            if plan.status is SolveStatus.FEASIBLE:
                m.time_limit_hits.inc()

    def sourced(self, plan: Plan, order_type: str) -> None:
        """The order's outcome, its rejected units and its fulfilment count."""
        m = self.metrics
        if m is None:
            return
        m.orders_sourced.labels(order_type, outcome_of(plan)).inc()
        if plan.rejected_units:
            m.units_rejected.labels(order_type).inc(plan.rejected_units)
        m.fulfilments_per_order.observe(len(plan.fulfilments))

    def stock_race(self) -> None:
        """One more re-solve."""
        if self.metrics is not None:
            self.metrics.stock_races.inc()

    def fulfilment_moved(self, previous: str, new: str) -> None:
        """One more transition ``previous`` -> ``new``."""
        if self.metrics is not None:
            self.metrics.transitions.labels(previous, new).inc()

    def short_pick(self, units: int) -> None:
        """One more short pick, ``units`` missing."""
        if self.metrics is not None:
            self.metrics.short_picks.inc()
            self.metrics.short_units.inc(units)

    def reassigned(self, units: int) -> None:
        """One more reassignment of ``units``."""
        if self.metrics is not None:
            self.metrics.reassignments.inc()
            self.metrics.reassigned_units.inc(units)

    def overdue_found(self, count: int) -> None:
        """``count`` more overdue fulfilments."""
        if self.metrics is not None and count:
            self.metrics.overdue.inc(count)

    def webhook_delivered(self, outcome: str, seconds: float) -> None:
        """One attempt's outcome and latency."""
        if self.metrics is not None:
            self.metrics.webhook_deliveries.labels(outcome).inc()
            self.metrics.webhook_seconds.observe(seconds)

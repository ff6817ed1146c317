"""The Prometheus metrics a server exports, on a registry of its own.

The gRPC ones use the names and labels of the ecosystem's server
interceptors (go-grpc-prometheus, py-grpc-prometheus), so existing
dashboards and alerts work unchanged. Counters are per process: summed over
replicas, each call and each order counts once. The outbox gauges read the
shared database, so every replica reports the same figure: take their
``max``, not their ``sum``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = ["LATENCY_BUCKETS_S", "SourcingMetrics"]

# A Source takes 1-100 ms when healthy; the tail buckets show what is not.
LATENCY_BUCKETS_S = (
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
)  # fmt: skip
GAP_BUCKETS = (0.0, 0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0)
FULFILMENT_BUCKETS = (1, 2, 3, 4, 5, 7, 10, 20)
CANDIDATE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 3000)
WEBHOOK_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_GRPC = ("grpc_type", "grpc_service", "grpc_method")


class SourcingMetrics:
    """Every metric of one server, registered on :attr:`registry`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.started = Counter(
            "grpc_server_started_total", "RPCs started on the server.", _GRPC, registry=r
        )
        self.handled = Counter(
            "grpc_server_handled_total",
            "RPCs completed on the server, whatever their status code.",
            (*_GRPC, "grpc_code"),
            registry=r,
        )
        self.handling = Histogram(
            "grpc_server_handling_seconds",
            "Seconds from the start of an RPC to its answer.",
            _GRPC,
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self._sourcing(r)
        self._lifecycle(r)

    def _sourcing(self, r: CollectorRegistry) -> None:
        self.orders_sourced = Counter(
            "sourcing_orders_sourced_total",
            "Orders sourced and stored, by order type and outcome "
            "(served, partly_rejected, fully_rejected); replays and dry runs excluded.",
            ("order_type", "outcome"),
            registry=r,
        )
        self.units_rejected = Counter(
            "sourcing_units_rejected_total",
            "Units of sourced orders sent to the rejection location (ESCALATED).",
            ("order_type",),
            registry=r,
        )
        self.fulfilments_per_order = Histogram(
            "sourcing_fulfilments_per_order",
            "Fulfilments (the rejection location's excluded) per sourced order.",
            buckets=FULFILMENT_BUCKETS,
            registry=r,
        )
        self.solve_seconds = Histogram(
            "sourcing_solve_seconds",
            "Solver wall-clock seconds per plan, re-solves included.",
            ("policy",),
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.gap = Histogram(
            "sourcing_solve_gap",
            "Relative gap between a MIP plan and its best proved bound (0: optimal).",
            buckets=GAP_BUCKETS,
            registry=r,
        )
        self.candidates_kept = Histogram(
            "sourcing_reduction_candidates_kept",
            "Candidate locations the MIP's exact reduction kept, per solve.",
            buckets=CANDIDATE_BUCKETS,
            registry=r,
        )
        self.time_limit_hits = Counter(
            "sourcing_solver_time_limit_hits_total",
            "MIP solves stopped by the time limit before optimality was proved.",
            registry=r,
        )
        self.stock_races = Counter(
            "sourcing_stock_race_resolves_total",
            "Plans solved again because their stock was taken before they were written.",
            registry=r,
        )

    def _lifecycle(self, r: CollectorRegistry) -> None:
        self.transitions = Counter(
            "sourcing_fulfilment_transitions_total",
            "Fulfilment status changes, by the status left and the status entered.",
            ("from_status", "to_status"),
            registry=r,
        )
        self.overdue = Counter(
            "sourcing_sla_overdue_found_total",
            "Overdue fulfilments found by the SLA sweep.",
            registry=r,
        )
        self.short_picks = Counter(
            "sourcing_short_picks_total", "Picks that came back short.", registry=r
        )
        self.short_units = Counter(
            "sourcing_short_picked_units_total", "Units found missing at pick.", registry=r
        )
        self.reassignments = Counter(
            "sourcing_reassignments_total",
            "Fulfilments' units sourced again elsewhere (Reassign, short picks, refusals, SLA).",
            registry=r,
        )
        self.reassigned_units = Counter(
            "sourcing_reassigned_units_total", "Units sourced again elsewhere.", registry=r
        )
        self.webhook_deliveries = Counter(
            "sourcing_webhook_deliveries_total",
            "Webhook attempts by what became of the event: "
            "DELIVERED, PENDING (to retry) or PARKED.",
            ("outcome",),
            registry=r,
        )
        self.webhook_seconds = Histogram(
            "sourcing_webhook_delivery_seconds",
            "Seconds one webhook POST took, answered or not.",
            buckets=WEBHOOK_BUCKETS_S,
            registry=r,
        )
        # Read from the database at each scrape (see ``setup``).
        self.outbox_pending = Gauge(
            "sourcing_webhook_outbox_pending",
            "Webhook events waiting to be delivered, in the shared outbox (take the max).",
            registry=r,
        )
        self.outbox_parked = Gauge(
            "sourcing_webhook_outbox_parked",
            "Webhook events parked after their last attempt, for a person (take the max).",
            registry=r,
        )
        self.pool_in_use = Gauge(
            "sourcing_db_pool_connections_in_use",
            "Database connections checked out of this process's pool.",
            registry=r,
        )

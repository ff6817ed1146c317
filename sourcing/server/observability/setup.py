"""One server's observability: which interceptors it runs, its /metrics endpoint, its tracer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIServer

import grpc
from prometheus_client import start_http_server
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from sourcing.models.db.enums import OutboxState
from sourcing.models.events.tables import OutboxEvent
from sourcing.ops.recorder import NO_RECORDING, Recorder
from sourcing.server.interceptors import LoggingInterceptor
from sourcing.server.observability.interceptors import JsonLogInterceptor, MetricsInterceptor
from sourcing.server.observability.metrics import SourcingMetrics
from sourcing.server.observability.recorder import ServerRecorder

if TYPE_CHECKING:  # the SDK is imported only where tracing is on
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)

TRACER_NAME = "sourcing"
LOG_FORMATS = ("text", "json")


@dataclass
class Observability:
    """What a server exports: metrics (on a registry of its own), traces, and log lines.

    With the defaults (no metrics, no tracer provider, text logs) a call runs
    only the text log interceptor, as before any of this existed.
    """

    metrics: SourcingMetrics | None = None
    tracer_provider: TracerProvider | None = None
    log_format: str = "text"
    _http: WSGIServer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.log_format not in LOG_FORMATS:
            raise ValueError(f"Expected log_format in {LOG_FORMATS}, got {self.log_format!r}.")
        tracer = None
        if self.tracer_provider is not None:
            tracer = self.tracer_provider.get_tracer(TRACER_NAME)
        self.recorder: Recorder = (
            ServerRecorder(self.metrics, tracer)
            if self.metrics is not None or tracer is not None
            else NO_RECORDING
        )

    def interceptors(self) -> list[grpc.ServerInterceptor]:
        """Metrics outermost (refused calls count), then the call's span, then its log line."""
        chain: list[grpc.ServerInterceptor] = []
        if self.recorder is not NO_RECORDING:
            chain.append(MetricsInterceptor(self.recorder, self.metrics))
        if self.tracer_provider is not None:
            from opentelemetry.instrumentation.grpc import server_interceptor

            # The library is untyped; its interceptor opens the call span (rpc.* attributes).
            chain.append(server_interceptor(tracer_provider=self.tracer_provider))  # type: ignore[no-untyped-call]
        chain.append(JsonLogInterceptor() if self.log_format == "json" else LoggingInterceptor())
        return chain

    def watch(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        """Read the outbox gauges from the database and the pool gauge from ``engine`` at scrape."""
        if self.metrics is None:
            return
        pool = engine.pool
        in_use = pool.checkedout if isinstance(pool, QueuePool) else (lambda: 0)
        self.metrics.pool_in_use.set_function(in_use)
        self.metrics.outbox_pending.set_function(lambda: _outbox_count(sessions, "PENDING"))
        self.metrics.outbox_parked.set_function(lambda: _outbox_count(sessions, "PARKED"))

    def serve_metrics(self, host: str, port: int) -> int:
        """Serve ``/metrics`` over HTTP on ``host:port`` (0 picks a port); the port."""
        if self.metrics is None:
            raise ValueError("Expected metrics to be on before serving /metrics.")
        self._http, _ = start_http_server(port, host, registry=self.metrics.registry)
        bound: int = self._http.server_port
        log.info("metrics on http://%s:%d/metrics", host, bound)
        return bound

    def close(self) -> None:
        """Stop serving /metrics and flush the spans still buffered."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush()


def _outbox_count(sessions: sessionmaker[Session], state: str) -> float:
    """Outbox rows in ``state``; -1 when the database cannot be read (the scrape still works)."""
    try:
        with sessions() as session:
            query = select(func.count()).where(OutboxEvent.state == OutboxState(state))
            return float(session.scalar(query) or 0)
    except Exception:  # a scrape must answer even while the database is down
        log.warning("could not count the webhook outbox", exc_info=True)
        return -1.0

"""``sourcing serve`` options for metrics, traces and log lines."""

from __future__ import annotations

import argparse

from sourcing.server.observability.logs import configure_logging
from sourcing.server.observability.metrics import SourcingMetrics
from sourcing.server.observability.setup import LOG_FORMATS, Observability
from sourcing.server.observability.tracing import tracer_provider_from_env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--metrics-port``, ``--metrics-host`` and ``--log-format``."""
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve Prometheus metrics on this port at /metrics (default: no metrics)",
    )
    parser.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="address of the metrics endpoint (default loopback only)",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="one text line per call, or one JSON object per line",
    )


def observability_of(
    args: argparse.Namespace,
) -> tuple[Observability, tuple[str, int] | None]:
    """Configure logging; what the server exports and where it serves /metrics.

    Traces follow the OpenTelemetry environment variables
    (see :mod:`sourcing.server.observability.tracing`).
    """
    configure_logging(args.log_format)
    metrics = SourcingMetrics() if args.metrics_port is not None else None
    observability = Observability(metrics, tracer_provider_from_env(), args.log_format)
    address = (args.metrics_host, args.metrics_port) if args.metrics_port is not None else None
    return observability, address

"""``sourcing serve --metrics-port 0 --log-format json`` with OpenTelemetry on, as a process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.server.observability.scrape import scrape, value
from tests.server.processes import serve

METRICS_AT = re.compile(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
HEALTH = {"grpc_type": "unary", "grpc_service": "grpc.health.v1.Health", "grpc_method": "Check"}


def test_serve_exports_metrics_json_logs_and_spans(tmp_path: Path) -> None:
    """One health check: counted at /metrics, one JSON log line, one span on the console."""
    with serve(
        f"sqlite:///{tmp_path / 'served.db'}",
        cwd=tmp_path,
        extra_args=("--metrics-port", "0", "--log-format", "json"),
        env={"OTEL_TRACES_EXPORTER": "console", "OTEL_BSP_SCHEDULE_DELAY": "50"},
    ) as server:
        port = int(server.wait_for(METRICS_AT, 10).group(1))
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert value(scrape(port), "grpc_server_started_total", **HEALTH) == 1
        server.wait_for(re.compile(r'"name": "/grpc.health.v1.Health/Check"'), 10)
        calls = [
            json.loads(line)
            for line in server.output.splitlines()
            if line.startswith("{") and '"logger": "sourcing.rpc"' in line
        ]
    assert [(c["method"], c["code"]) for c in calls] == [("/grpc.health.v1.Health/Check", "OK")]

"""The shipped Grafana dashboard asks only for metrics a real server exports."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sourcing.server.app import create_server
from sourcing.server.observability.metrics import SourcingMetrics
from sourcing.server.observability.setup import Observability

DASHBOARD = Path(__file__).resolve().parents[3] / "ops" / "grafana" / "sourcing.json"
# PromQL's own words: functions, aggregations and their modifiers.
PROMQL_WORDS = frozenset(
    {"sum", "max", "min", "avg", "rate", "increase", "histogram_quantile", "by", "without"}
)
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def expressions() -> list[str]:
    """Every target expression of every panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: what is left once labels, ranges and words go."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)", " ", expr)
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare))
    return words - PROMQL_WORDS


def exported_names(port: int) -> set[str]:
    """The series names /metrics declares, as PromQL sees them (a histogram's _bucket...)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        families = text_string_to_metric_families(response.read().decode())
        return {
            family.name + suffix
            for family in families
            for suffix in SUFFIXES.get(family.type, ("",))
        }


def test_metric_names_are_parsed_out_of_promql() -> None:
    """Labels, ranges and grouping are not taken for metric names."""
    expr = 'histogram_quantile(0.99, sum by (le, m) (rate(a_bucket{code!="OK"}[5m]))) + max(b)'
    assert metric_names(expr) == {"a_bucket", "b"}


def test_every_panel_reads_metrics_the_server_exports(tmp_path: Path) -> None:
    """Each expression's metric names are all in a live server's /metrics, before any call."""
    running = create_server(
        f"sqlite:///{tmp_path / 'dash.db'}",
        observability=Observability(SourcingMetrics()),
        metrics_address=("127.0.0.1", 0),
    )
    try:
        assert running.metrics_port is not None
        exported = exported_names(running.metrics_port)
    finally:
        running.stop(grace_s=1.0)
    exprs = expressions()
    assert len(exprs) >= 13
    missing = {expr: metric_names(expr) - exported for expr in exprs}
    assert {e: m for e, m in missing.items() if m} == {}
    assert all(metric_names(e) for e in exprs)


@pytest.mark.parametrize(
    "panel",
    [
        "Request rate per method",
        "Latency p50 / p99 per method",
        "Errors by code",
        "Orders escalated per day",
        "Orders escalated per week",
        "Units rejected per hour",
        "Solve time p50 / p99 by policy",
        "Proved gap (p90) and time-limit hits",
        "Webhook backlog",
        "Overdue fulfilments found by the SLA sweep",
    ],
)
def test_the_issue_panels_are_there(panel: str) -> None:
    """The panels operators were promised are in the dashboard."""
    titles = {p["title"] for p in json.loads(DASHBOARD.read_text())["panels"]}
    assert panel in titles

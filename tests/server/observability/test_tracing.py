"""Traces: one Source is a span with read, solve and write children carrying the order ref."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sourcing.server.app import RunningServer, create_server
from sourcing.server.observability.setup import Observability
from sourcing.server.observability.tracing import exporter_names, tracer_provider_from_env
from tests.server.conftest import Clients
from tests.server.lifecycle import network, order, source


@pytest.fixture
def spans() -> InMemorySpanExporter:
    """Spans kept in memory, exported as each one ends."""
    return InMemorySpanExporter()


@pytest.fixture
def traced(db_url: str, spans: InMemorySpanExporter) -> Iterator[RunningServer]:
    """A server tracing into ``spans`` (no metrics)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    running = create_server(db_url, observability=Observability(tracer_provider=provider))
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


def test_source_span_tree(traced: RunningServer, spans: InMemorySpanExporter) -> None:
    """The call's span is the parent of read, solve and write, all in one trace with the ref."""
    network(traced, {"S1": {"SKU_1": 3}})
    with grpc.insecure_channel(f"127.0.0.1:{traced.port}") as channel:
        source(Clients(channel), order("O_TRACED", {"SKU_1": 2}))
    finished = spans.get_finished_spans()
    (call,) = [s for s in finished if s.name == "/sourcing.v1.SourcingService/Source"]
    children = [
        s for s in finished if s.parent is not None and s.parent.span_id == call.context.span_id
    ]
    assert [s.name for s in sorted(children, key=lambda s: s.start_time or 0)] == [
        "read",
        "solve",
        "write",
    ]
    for span in (call, *children):
        assert span.context.trace_id == call.context.trace_id
        assert span.attributes is not None
        assert span.attributes["sourcing.order_ref"] == "O_TRACED"
    assert call.parent is None


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "console"}, ["console"]),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, []),
    ],
)
def test_exporters_follow_the_standard_variables(environ: dict[str, str], names: list[str]) -> None:
    """OTEL_TRACES_EXPORTER (or an OTLP endpoint alone) names the exporters; unset is none."""
    assert exporter_names(environ) == names


def test_nothing_configured_loads_no_tracer() -> None:
    """With no OpenTelemetry variable set there is no provider, so no span hook on any call."""
    assert tracer_provider_from_env({}) is None
    assert len(Observability().interceptors()) == 1  # the log line only


def test_an_exporter_not_installed_is_named() -> None:
    """Asking for an exporter no installed package provides fails at start, naming it."""
    with pytest.raises(ValueError, match="'zipkin-nope'"):
        tracer_provider_from_env({"OTEL_TRACES_EXPORTER": "zipkin-nope"})

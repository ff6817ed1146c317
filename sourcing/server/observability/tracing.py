"""OpenTelemetry traces, configured by the standard environment variables.

``OTEL_TRACES_EXPORTER`` names the exporters (``otlp``, ``console``, ...;
``otlp`` needs ``opentelemetry-exporter-otlp`` installed, the service does
not ship it); an ``OTEL_EXPORTER_OTLP_ENDPOINT`` alone means ``otlp``. The
SDK itself reads the rest (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_TRACES_SAMPLER``, the exporter's endpoint, headers and timeouts).
With none of them set, nothing is loaded and calls carry no tracing hook.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the SDK is imported only when the environment asks for traces
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

EXPORTER_GROUP = "opentelemetry_traces_exporter"


def exporter_names(environ: Mapping[str, str]) -> list[str]:
    """The span exporters the environment asks for; empty when tracing is off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if not names and (
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        names = ["otlp"]
    return [n for n in names if n != "none"]


def load_exporter(name: str) -> SpanExporter:
    """The exporter registered under ``name`` by an installed package."""
    found = entry_points(group=EXPORTER_GROUP, name=name)
    if not found:
        raise ValueError(
            f"Expected OTEL_TRACES_EXPORTER to name an installed span exporter, got {name!r}; "
            f"for 'otlp', pip install opentelemetry-exporter-otlp"
        )
    exporter: SpanExporter = next(iter(found)).load()()
    return exporter


def tracer_provider_from_env(environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """A tracer provider exporting where the environment says, or ``None`` when it says nothing."""
    environ = os.environ if environ is None else environ
    names = exporter_names(environ)
    if not names:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = environ.get("OTEL_SERVICE_NAME", "sourcing")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(load_exporter(name)))
    return provider

"""The metrics interceptor (outermost, so refused calls count too) and JSON log lines."""

from __future__ import annotations

import logging
import time
from functools import cache
from typing import Any

import grpc

from sourcing.ops.recorder import Recorder, recording
from sourcing.server.interceptors import UnaryBehaviour, UnaryInterceptor, caller_slot
from sourcing.server.observability.logs import CALL_FIELDS
from sourcing.server.observability.metrics import SourcingMetrics

log = logging.getLogger("sourcing.rpc")


@cache
def split_method(method: str) -> tuple[str, str]:
    """``/pkg.Service/Method`` as (``pkg.Service``, ``Method``)."""
    service, _, name = method.lstrip("/").rpartition("/")
    return service, name


def code_of(context: grpc.ServicerContext, failed: bool) -> str:
    """The status code a call ended with, by name."""
    code = context.code()
    if code is None:
        return "UNKNOWN" if failed else "OK"
    return str(code.name)


class MetricsInterceptor(UnaryInterceptor):
    """Count and time every unary call, and make ``recorder`` current while it runs.

    Put it first in the chain: a call refused by an interceptor after it
    (authentication, the boundary checks) is still counted with its code.
    """

    def __init__(self, recorder: Recorder, metrics: SourcingMetrics | None) -> None:
        self.recorder = recorder
        self.metrics = metrics

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        metrics, recorder = self.metrics, self.recorder
        service, name = split_method(method)
        if metrics is None:

            def recorded(request: Any, context: grpc.ServicerContext) -> Any:
                with recording(recorder):
                    return inner(request, context)

            return recorded
        labels = ("unary", service, name)
        started_total = metrics.started.labels(*labels)
        handling = metrics.handling.labels(*labels)

        def measured(request: Any, context: grpc.ServicerContext) -> Any:
            started_total.inc()
            started = time.perf_counter()
            failed = False
            try:
                with recording(recorder):
                    return inner(request, context)
            except BaseException:
                failed = True
                raise
            finally:
                handling.observe(time.perf_counter() - started)
                metrics.handled.labels(*labels, code_of(context, failed)).inc()

        return measured


def order_ref_of(request: Any) -> str | None:
    """The order a request is about, when it names one (``order.ref`` or ``order_ref``)."""
    order = getattr(request, "order", None)
    ref = getattr(order, "ref", None) if order is not None else getattr(request, "order_ref", None)
    return ref if isinstance(ref, str) and ref else None


def caller_of(context: grpc.ServicerContext) -> str | None:
    """The caller's authenticated identity (a TLS client certificate's), if any."""
    identities = context.peer_identities()
    if not identities:
        return None
    return ",".join(i.decode(errors="replace") for i in identities)


class JsonLogInterceptor(UnaryInterceptor):
    """One JSON line per unary call: method, code, duration, order ref, request id, caller.

    Only those identifiers: never the request body, metadata values or any secret.
    """

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            failed = False
            with caller_slot() as noted:
                try:
                    return inner(request, context)
                except BaseException:
                    failed = True
                    raise
                finally:
                    self._log(method, request, context, failed, started, noted)

        return logged

    def _log(
        self,
        method: str,
        request: Any,
        context: grpc.ServicerContext,
        failed: bool,
        started: float,
        noted: list[str],
    ) -> None:
        line: dict[str, Any] = {
            "method": method,
            "code": code_of(context, failed),
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        for key, value in (
            ("order_ref", order_ref_of(request)),
            ("request_id", getattr(request, "request_id", None) or None),
            ("caller", noted[0] if noted else caller_of(context)),
        ):
            if value:
                line[key] = value
        log.info("%s %s", method, line["code"], extra={CALL_FIELDS: line})

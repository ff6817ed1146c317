"""Server interceptors: the shared unary wrapper, and a log line per call."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import grpc

log = logging.getLogger("sourcing.rpc")

Continuation = Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None]
UnaryBehaviour = Callable[[Any, grpc.ServicerContext], Any]
Deserializer = Callable[[bytes], Any] | None


# The caller's principal, noted by the auth interceptor for the outer log line
# (which runs after the auth interceptor's own context has been reset).
_CALLER_SLOT: ContextVar[list[str] | None] = ContextVar("sourcing_caller_slot", default=None)


@contextmanager
def caller_slot() -> Iterator[list[str]]:
    """Open a slot the inner interceptors fill with the caller's principal."""
    slot: list[str] = []
    token = _CALLER_SLOT.set(slot)
    try:
        yield slot
    finally:
        _CALLER_SLOT.reset(token)


def note_caller(principal: str) -> None:
    """Tell the outer log line who called (a key id or token subject, never a secret)."""
    slot = _CALLER_SLOT.get()
    if slot is not None:
        slot.append(principal)


class UnaryInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Wrap every unary-unary handler; a subclass says how in :meth:`wrap`.

    Streaming handlers (health's Watch, reflection) pass through untouched.
    """

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        return grpc.unary_unary_rpc_method_handler(
            self.wrap(method, handler.unary_unary),
            request_deserializer=self.deserializer(method, handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        """The behaviour that replaces ``inner`` for ``method``."""
        raise NotImplementedError

    def deserializer(self, method: str, deserializer: Deserializer) -> Deserializer:
        """The request deserializer for ``method``: the handler's own unless overridden."""
        return deserializer


class LoggingInterceptor(UnaryInterceptor):
    """Log every unary call: method, peer, status code and milliseconds."""

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = "OK"
            try:
                return inner(request, context)
            except Exception:
                code = context.code().name if context.code() is not None else "UNKNOWN"
                raise
            finally:
                elapsed_ms = (time.perf_counter() - started) * 1000
                log.info("%s %s %.1f ms peer=%s", method, code, elapsed_ms, context.peer())

        return logged

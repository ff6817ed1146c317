"""Server interceptors: a log line per call with its method, status and time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import grpc

log = logging.getLogger("sourcing.rpc")


class LoggingInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Log every unary call: method, peer, status code and milliseconds."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary

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

        return grpc.unary_unary_rpc_method_handler(
            logged,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

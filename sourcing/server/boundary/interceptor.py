"""The boundary interceptor: undecodable bytes and out-of-limit fields never reach a servicer.

gRPC's own deserialization failure is INTERNAL with a traceback in the log;
a caller can cause it, so it must be INVALID_ARGUMENT and one log line. The
limits check runs here, before any servicer, so every RPC applies the same
table the same way. Errors leave through the ErrorInterceptor outside this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message

from sourcing.server.boundary.check import check_request
from sourcing.server.errors import FieldError
from sourcing.server.interceptors import Deserializer, UnaryBehaviour, UnaryInterceptor

log = logging.getLogger(__name__)

CHECKED_PREFIX = "/sourcing.v1."


class Undecodable(FieldError):  # noqa: N818 - named as the caller sees it
    """The request's bytes are not a message of the method's request type.

    No single field is to blame, so the status carries no field violations.
    """

    def __init__(self, description: str) -> None:
        self.field = ""
        self.description = description
        Exception.__init__(self, description)


class _Garbled:
    """What the safe deserializer hands on when the bytes do not decode."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _safe(deserialize: Callable[[bytes], Any] | None, method: str) -> Callable[[bytes], Any]:
    def deserializer(data: bytes) -> Any:
        if deserialize is None:
            return data
        try:
            return deserialize(data)
        except (DecodeError, ValueError, RuntimeError) as exc:
            log.warning("%s: undecodable request of %d bytes: %.100s", method, len(data), exc)
            return _Garbled(type(exc).__name__)

    return deserializer


class BoundaryInterceptor(UnaryInterceptor):
    """Decode requests safely and check them against the limits table."""

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        checked = method.startswith(CHECKED_PREFIX)

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            if isinstance(request, _Garbled):
                raise Undecodable(f"The request's bytes do not decode ({request.reason}).")
            if checked and isinstance(request, Message):
                check_request(request)
            return inner(request, context)

        return guarded

    def deserializer(self, method: str, deserializer: Deserializer) -> Deserializer:
        return _safe(deserializer, method)

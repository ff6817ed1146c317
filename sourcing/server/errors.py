"""The one place where errors become gRPC status codes.

Domain errors carry what the caller needs (the field, the entity, the value);
``abort_for`` turns them into a status with a clear message and, where a
request field is to blame, ``google.rpc.BadRequest`` field violations.
Anything not in the table is a bug of ours: INTERNAL with a generic message,
and the traceback goes to the log, never to the caller.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from sourcing.models.db.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    InsufficientStock,
    InvalidField,
    InvalidState,
    NotFound,
)
from sourcing.server.interceptors import UnaryBehaviour, UnaryInterceptor
from sourcing.server.shutdown import ShuttingDown
from sourcing.solver.errors import InvalidProblem

log = logging.getLogger(__name__)

# A request field is missing or holds a value the engine cannot accept; the
# models layer raises the same error for what only it can check.
FieldError = InvalidField


class Overloaded(Exception):  # noqa: N818 - named as the caller sees it
    """The server is too busy to take the call now; retry with backoff."""


# Exception class -> status code. The first matching class wins, so
# subclasses come before their bases.
STATUS_TABLE: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (FieldError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (InvalidState, grpc.StatusCode.FAILED_PRECONDITION),
    (InsufficientStock, grpc.StatusCode.ABORTED),
    (ConcurrencyConflict, grpc.StatusCode.ABORTED),
    (Overloaded, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (ShuttingDown, grpc.StatusCode.UNAVAILABLE),
    (TimeoutError, grpc.StatusCode.DEADLINE_EXCEEDED),
    # The solver's own validation error; a plain ValueError (numpy, int(), ...)
    # is a bug of ours and stays INTERNAL.
    (InvalidProblem, grpc.StatusCode.INVALID_ARGUMENT),
)


def status_code_for(exc: BaseException) -> grpc.StatusCode:
    """The status code an exception maps to; INTERNAL when it is not a known error."""
    for kind, code in STATUS_TABLE:
        if isinstance(exc, kind):
            return code
    return grpc.StatusCode.INTERNAL


def field_of(exc: BaseException) -> str | None:
    """The request field an error blames, if any."""
    field = getattr(exc, "field", None)
    return field if isinstance(field, str) and field else None


def to_status(exc: BaseException) -> status_pb2.Status:
    """The google.rpc.Status for an exception, with field violations where a field is known."""
    code = status_code_for(exc)
    if code is grpc.StatusCode.INTERNAL:
        generic = "internal error; see the server log"
        return status_pb2.Status(code=code_pb2.INTERNAL, message=generic)
    message = str(exc) or type(exc).__name__
    status = status_pb2.Status(code=code.value[0], message=message)
    field = field_of(exc)
    if field is not None:
        description = getattr(exc, "description", None) or message
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
            ]
        )
        detail = any_pb2.Any()
        detail.Pack(bad_request)
        status.details.append(detail)
    return status


def abort_for(exc: BaseException, context: grpc.ServicerContext) -> NoReturn:
    """End the call with the status ``exc`` maps to."""
    status = to_status(exc)
    if status.code == code_pb2.INTERNAL:
        log.exception("unexpected error in %s", type(exc).__name__, exc_info=exc)
    context.abort_with_status(rpc_status.to_status(status))
    raise AssertionError("abort_with_status returned")  # pragma: no cover


class ErrorInterceptor(UnaryInterceptor):
    """Every error a servicer raises leaves through :func:`abort_for`: the one error table."""

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        def mapped(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return inner(request, context)
            except Exception as exc:
                if _is_abort(exc):
                    raise
                abort_for(exc, context)

        return mapped


def _is_abort(exc: Exception) -> bool:
    # context.abort raises a bare Exception after setting the status; let it through.
    return type(exc) is Exception and not exc.args

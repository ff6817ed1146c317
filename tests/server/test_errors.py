"""One error table: only the project's own validation errors are the caller's fault."""

from __future__ import annotations

import logging

import grpc
import pytest

from sourcing.models.db.errors import InvalidField
from sourcing.models.orders import order_views
from sourcing.server.errors import status_code_for
from sourcing.solver.errors import InvalidProblem
from sourcing.v1 import orders_pb2
from tests.server.conftest import Clients


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidField("order.ref", "too long"), grpc.StatusCode.INVALID_ARGUMENT),
        (InvalidProblem("Expected weights.fixed >= 0, got -1."), grpc.StatusCode.INVALID_ARGUMENT),
        (ValueError("setting an array element with a sequence"), grpc.StatusCode.INTERNAL),
        (KeyError("p1"), grpc.StatusCode.INTERNAL),
    ],
)
def test_status_codes_follow_the_error_type(error: Exception, code: grpc.StatusCode) -> None:
    """A plain ValueError (numpy, int(), ...) is our bug: INTERNAL, not INVALID_ARGUMENT."""
    assert status_code_for(error) is code


def test_an_internal_value_error_reaches_the_caller_as_internal_and_the_log_as_a_traceback(
    clients: Clients, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller gets INTERNAL and a generic message; the traceback goes to the server log."""

    def broken(*_: object, **__: object) -> None:
        raise ValueError("invalid literal for int() with base 10: 'secret-detail'")

    monkeypatch.setattr(order_views, "get_order", broken)
    with (
        caplog.at_level(logging.ERROR, logger="sourcing.server.errors"),
        pytest.raises(grpc.RpcError) as caught,
    ):
        clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref="O-1"), timeout=10)
    assert caught.value.code() is grpc.StatusCode.INTERNAL
    assert "secret-detail" not in (caught.value.details() or "")
    assert "secret-detail" in caplog.text
    assert "Traceback" in caplog.text

"""``--log-format json``: one JSON object per call with its identifiers, never its body."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from sourcing.server.app import RunningServer, create_server
from sourcing.server.observability.logs import JsonFormatter, configure_logging
from sourcing.server.observability.setup import Observability
from sourcing.v1 import config_pb2, sourcing_pb2
from tests.server.auth.conftest import start_secured
from tests.server.conftest import Clients
from tests.server.lifecycle import network, order


@pytest.fixture
def json_logged(db_url: str) -> Iterator[RunningServer]:
    """A server logging its calls as JSON."""
    running = create_server(db_url, observability=Observability(log_format="json"))
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


def _call_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "sourcing.rpc"]


def test_json_line_per_call(json_logged: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    """Method, code, duration, order ref and request id; no product, customer or quantity."""
    network(json_logged, {"S1": {"SKU_SECRET": 3}})
    request = sourcing_pb2.SourceRequest(
        order=order("O_JSON", {"SKU_SECRET": 2}), request_id="req-7"
    )
    with caplog.at_level(logging.INFO, logger="sourcing.rpc"):
        with grpc.insecure_channel(f"127.0.0.1:{json_logged.port}") as channel:
            clients = Clients(channel)
            clients.sourcing.Source(request, timeout=30)
            with pytest.raises(grpc.RpcError):
                clients.sourcing.Source(sourcing_pb2.SourceRequest(), timeout=30)
        ok, refused = _call_lines(caplog)
    assert ok["method"] == refused["method"] == "/sourcing.v1.SourcingService/Source"
    assert (ok["code"], refused["code"]) == ("OK", "INVALID_ARGUMENT")
    assert (ok["order_ref"], ok["request_id"]) == ("O_JSON", "req-7")
    assert isinstance(ok["duration_ms"], float)
    assert "order_ref" not in refused
    # Dev mode (no credentials configured): every caller is the local developer.
    assert ok["caller"] == refused["caller"] == "local-developer"
    for line in (ok, refused):
        assert "SKU_SECRET" not in json.dumps(line) and "C1" not in json.dumps(line)


def test_unknown_log_format_is_refused() -> None:
    """Only text and json are formats."""
    with pytest.raises(ValueError, match="log_format"):
        configure_logging("xml")
    with pytest.raises(ValueError, match="log_format"):
        Observability(log_format="xml")


def test_json_line_names_the_key_not_the_secret(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Behind authentication the line names the key's principal, never the key itself."""
    secured = start_secured(db_url, tmp_path, observability=Observability(log_format="json"))
    try:
        key = secured.key("analyst")
        with caplog.at_level(logging.INFO, logger="sourcing.rpc"):
            with secured.clients(key) as clients:
                clients.config.ListLocations(config_pb2.ListLocationsRequest(), timeout=30)
            (line,) = _call_lines(caplog)
    finally:
        secured.server.stop(grace_s=1.0)
    assert line["code"] == "OK"
    assert str(line["caller"]).startswith("key:")
    assert key not in json.dumps(line) and key not in caplog.text

"""Contract fixes found by the fuzz and fault campaigns (issue 13), each once failing."""

from __future__ import annotations

import grpc
import pytest

from sourcing.server.app import RunningServer
from sourcing.v1 import sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_source import field_violations, hd_order, orders_stored, stock_network


def test_hd_order_naming_an_unknown_collection_location_is_not_found(
    server: RunningServer, clients: Clients
) -> None:
    """It was INTERNAL (NoResultFound); now NOT_FOUND naming the field, and nothing stored."""
    stock_network(server)
    order = hd_order()
    order.collection_location_ref = "NOWHERE"
    with pytest.raises(grpc.RpcError) as raised:
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=10)
    assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    assert field_violations(raised.value) == ["order.collection_location_ref"]
    assert orders_stored(server) == 0

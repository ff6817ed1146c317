"""Store scope through a real TLS server: a store's key acts only on its own stores' records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from sourcing.v1 import common_pb2, inventory_pb2, orders_pb2, sourcing_pb2
from tests.server.auth.conftest import Secured, start_secured, status_of
from tests.server.lifecycle import network, order

ACKNOWLEDGED = common_pb2.FULFILMENT_STATUS_ACKNOWLEDGED


@pytest.fixture
def two_stores(secured: Secured) -> dict[str, str]:
    """Order O1 sourced to store A and O2 to store B; fulfilment ids by store."""
    network(secured.server, {"A": {"SKU_A": 3}, "B": {"SKU_B": 3}}, subscribe=False)
    ids = {}
    with secured.clients(secured.key("order_host")) as clients:
        for ref, sku, store in (("O1", "SKU_A", "A"), ("O2", "SKU_B", "B")):
            request = sourcing_pb2.SourceRequest(order=order(ref, {sku: 1}))
            plan = clients.sourcing.Source(request, timeout=30).plan
            ids[store] = next(f.id for f in plan.fulfilments if f.location_ref == store)
    return ids


def test_a_store_key_cannot_touch_another_stores_fulfilment(
    secured: Secured, two_stores: dict[str, str]
) -> None:
    """Store A acknowledges its own fulfilment; B's is PERMISSION_DENIED and stays unchanged."""
    with secured.clients(secured.key("store", locations=("A",))) as clients:
        before = secured.rows()
        other = orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id=two_stores["B"])
        denied = status_of(lambda: clients.orders.AcknowledgeFulfilment(other, timeout=10))
        assert denied is grpc.StatusCode.PERMISSION_DENIED
        assert secured.rows() == before
        mine = orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id=two_stores["A"])
        clients.orders.AcknowledgeFulfilment(mine, timeout=10)
        reject = orders_pb2.RejectFulfilmentRequest(fulfilment_id=two_stores["B"], reason="x")
        assert status_of(lambda: clients.orders.RejectFulfilment(reject, timeout=10)) is (
            grpc.StatusCode.PERMISSION_DENIED
        )
        get_other = orders_pb2.GetOrderRequest(order_ref="O2")
        assert status_of(lambda: clients.orders.GetOrder(get_other, timeout=10)) is (
            grpc.StatusCode.PERMISSION_DENIED
        )
    with secured.clients(secured.key("admin")) as clients:
        statuses = {
            ref: clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref=ref)).order
            for ref in ("O1", "O2")
        }
    assert [f.status for f in statuses["O1"].fulfilments] == [ACKNOWLEDGED]
    assert [f.status for f in statuses["O2"].fulfilments] == [common_pb2.FULFILMENT_STATUS_CREATED]


def test_list_calls_show_only_the_stores_records(
    secured: Secured, two_stores: dict[str, str]
) -> None:
    """A store's ListOrders and ListReservations see its own orders only; naming B is denied."""
    with secured.clients(secured.key("store", locations=("A",))) as clients:
        listed = clients.orders.ListOrders(orders_pb2.ListOrdersRequest(), timeout=10)
        assert [o.ref for o in listed.orders] == ["O1"]
        elsewhere = orders_pb2.ListOrdersRequest(location_ref="B")
        assert status_of(lambda: clients.orders.ListOrders(elsewhere, timeout=10)) is (
            grpc.StatusCode.PERMISSION_DENIED
        )
    with secured.clients(secured.key("inventory_feed", locations=("A",))) as clients:
        reservations = clients.inventory.ListReservations(
            inventory_pb2.ListReservationsRequest(), timeout=10
        )
        assert {r.location_ref for r in reservations.records} == {"A"}
        stock_at_b = inventory_pb2.SetStockRequest(
            positions=[
                inventory_pb2.StockPosition(location_ref="B", product_ref="SKU_B", on_hand=9)
            ]
        )
        before = secured.rows()
        assert status_of(lambda: clients.inventory.SetStock(stock_at_b, timeout=10)) is (
            grpc.StatusCode.PERMISSION_DENIED
        )
        assert secured.rows() == before


@pytest.fixture
def mutual(db_url: str, tmp_path: Path) -> Iterator[Secured]:
    """A server that requires client certificates (mTLS)."""
    started = start_secured(db_url, tmp_path, mtls=True)
    try:
        yield started
    finally:
        started.server.stop(grace_s=1.0)


def test_mtls_identity_comes_from_the_client_certificate(mutual: Secured) -> None:
    """A mapped certificate acts as its role; an unmapped one is UNAUTHENTICATED; none fails TLS."""
    mapped = mutual.ca.issue("pos-gateway", server=False)
    unmapped = mutual.ca.issue("someone", server=False)
    request = orders_pb2.ListOrdersRequest()
    with mutual.clients(None, client_cert=(mapped.cert_pem, mapped.key_pem)) as clients:
        assert list(clients.orders.ListOrders(request, timeout=10).orders) == []
        stock = inventory_pb2.SetStockRequest(positions=[inventory_pb2.StockPosition()])
        assert status_of(lambda: clients.inventory.SetStock(stock, timeout=10)) is (
            grpc.StatusCode.PERMISSION_DENIED
        )
    with mutual.clients(None, client_cert=(unmapped.cert_pem, unmapped.key_pem)) as clients:
        assert status_of(lambda: clients.orders.ListOrders(request, timeout=10)) is (
            grpc.StatusCode.UNAUTHENTICATED
        )
    with mutual.clients(mutual.key("admin")) as clients:
        assert status_of(lambda: clients.orders.ListOrders(request, timeout=5)) is (
            grpc.StatusCode.UNAVAILABLE
        )

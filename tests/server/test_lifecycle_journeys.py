"""The three journeys end to end over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

from sourcing.models import LocationType
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2
from tests.server.conftest import Clients
from tests.server.lifecycle import (
    Stock,
    assert_stock,
    events,
    get_order,
    network,
    order,
    pack,
    payloads,
    pick,
    source,
)
from tests.server.test_source import field_violations

F = common_pb2.FulfilmentStatus


def statuses(server: RunningServer, fid: str) -> list[str]:
    """The statuses announced for one fulfilment, in order."""
    return [s for _, entity, s in events(server, "FULFILMENT_STATUS_CHANGED") if entity == fid]


def order_statuses(server: RunningServer) -> list[str]:
    """The statuses announced for the order, in order."""
    return [s for _, _, s in events(server, "ORDER_STATUS_CHANGED")]


def test_click_and_collect(server: RunningServer, clients: Clients) -> None:
    """Sourced at the collection store, picked, packed, ready, collected: order COMPLETE."""
    network(server, {"SHOP": {"SKU_1": 3}, "FAR": {"SKU_1": 5}})
    ids = source(clients, order(cc_at="SHOP"))
    assert set(ids) == {"SHOP"}
    fid = ids["SHOP"]
    picked = pick(clients, fid)
    assert picked.fulfilment.status == F.FULFILMENT_STATUS_PICKED
    assert [ln.picked_quantity for ln in picked.fulfilment.lines] == [2]
    assert not picked.HasField("reassignment")
    packed = pack(clients, fid, [{"1": 2}])
    assert [a.fulfilment_id for a in packed.articles] == [fid]
    ready = clients.orders.MarkReadyForCollection(
        orders_pb2.MarkReadyForCollectionRequest(fulfilment_id=fid), timeout=30
    )
    assert ready.fulfilment.status == F.FULFILMENT_STATUS_READY_FOR_COLLECTION
    collected = clients.orders.MarkCollected(
        orders_pb2.MarkCollectedRequest(fulfilment_id=fid), timeout=30
    )
    assert collected.fulfilment.status == F.FULFILMENT_STATUS_COMPLETE
    assert collected.order_status == common_pb2.ORDER_STATUS_COMPLETE
    assert statuses(server, fid) == [
        "ACKNOWLEDGED",
        "PICKED",
        "PACKED",
        "READY_FOR_COLLECTION",
        "COLLECTED",
        "COMPLETE",
    ]
    assert order_statuses(server) == ["BOOKED", "IN_PROGRESS", "COMPLETE"]
    stored = get_order(clients)
    assert stored.status == common_pb2.ORDER_STATUS_COMPLETE
    assert stored.collection_location_ref == "SHOP"
    assert [len(f.articles) for f in stored.fulfilments] == [1]
    assert_stock(server, {("SHOP", "SKU_1"): Stock(1, sold=2), ("FAR", "SKU_1"): Stock(5)})


def test_home_delivery_from_a_store(server: RunningServer, clients: Clients) -> None:
    """Two parcels, a courier booked over both, dispatched: order and consignment move on."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order(lines={"SKU_1": 2}))["SHOP"]
    pick(clients, fid)
    articles = pack(clients, fid, [{"1": 1}, {"1": 1}]).articles
    with pytest.raises(grpc.RpcError) as info:  # a store ships through a booked courier
        clients.orders.MarkDispatched(orders_pb2.MarkDispatchedRequest(fulfilment_id=fid))
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    booked = clients.orders.CreateConsignment(
        orders_pb2.CreateConsignmentRequest(
            carrier="DHL",
            tracking_ref="TRK-1",
            tracking_url="https://track.example/TRK-1",
            article_ids=[a.id for a in articles],
            request_id="book-1",
        ),
        timeout=30,
    )
    assert [f.status for f in booked.fulfilments] == [F.FULFILMENT_STATUS_AWAITING_COURIER]
    again = clients.orders.CreateConsignment(
        orders_pb2.CreateConsignmentRequest(
            carrier="DHL",
            tracking_ref="TRK-1",
            tracking_url="https://track.example/TRK-1",
            article_ids=[a.id for a in articles],
            request_id="book-1",
        ),
        timeout=30,
    )
    assert again.consignment.id == booked.consignment.id
    dispatched = clients.orders.MarkDispatched(
        orders_pb2.MarkDispatchedRequest(fulfilment_id=fid), timeout=30
    )
    assert dispatched.fulfilment.status == F.FULFILMENT_STATUS_COMPLETE
    assert dispatched.order_status == common_pb2.ORDER_STATUS_COMPLETE
    stored = get_order(clients)
    (consignment,) = stored.consignments
    assert consignment.status == domain_pb2.CONSIGNMENT_STATUS_DISPATCHED
    assert sorted(consignment.article_ids) == sorted(a.id for a in articles)
    assert {a.consignment_id for a in stored.fulfilments[0].articles} == {consignment.id}
    assert events(server, "CONSIGNMENT_CREATED") == [
        ("CONSIGNMENT_CREATED", consignment.id, "CREATED")
    ]
    assert statuses(server, fid)[-3:] == ["AWAITING_COURIER", "DISPATCHED", "COMPLETE"]
    deliver = orders_pb2.MarkConsignmentDeliveredRequest(consignment_id=consignment.id)
    delivered = clients.orders.MarkConsignmentDelivered(deliver, timeout=30)
    assert delivered.consignment.status == domain_pb2.CONSIGNMENT_STATUS_DELIVERED
    again_delivered = clients.orders.MarkConsignmentDelivered(deliver, timeout=30)
    assert again_delivered.consignment.status == domain_pb2.CONSIGNMENT_STATUS_DELIVERED
    assert get_order(clients).consignments[0].status == domain_pb2.CONSIGNMENT_STATUS_DELIVERED
    assert events(server, "CONSIGNMENT_STATUS_CHANGED") == [
        ("CONSIGNMENT_STATUS_CHANGED", consignment.id, "DISPATCHED"),
        ("CONSIGNMENT_STATUS_CHANGED", consignment.id, "DELIVERED"),
    ]
    assert_stock(server, {("SHOP", "SKU_1"): Stock(1, sold=2)})


def test_delivery_needs_a_dispatched_consignment(server: RunningServer, clients: Clients) -> None:
    """A booked, undispatched consignment cannot be delivered; an unknown one is NOT_FOUND."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    pick(clients, fid)
    articles = pack(clients, fid, [{"1": 2}]).articles
    booked = clients.orders.CreateConsignment(
        orders_pb2.CreateConsignmentRequest(
            carrier="DHL", tracking_ref="TRK-2", article_ids=[a.id for a in articles]
        ),
        timeout=30,
    )
    with pytest.raises(grpc.RpcError) as info:
        clients.orders.MarkConsignmentDelivered(
            orders_pb2.MarkConsignmentDeliveredRequest(consignment_id=booked.consignment.id)
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert get_order(clients).consignments[0].status == domain_pb2.CONSIGNMENT_STATUS_CREATED
    with pytest.raises(grpc.RpcError) as info:
        clients.orders.MarkConsignmentDelivered(
            orders_pb2.MarkConsignmentDeliveredRequest(consignment_id="999999")
        )
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        clients.orders.MarkConsignmentDelivered(
            orders_pb2.MarkConsignmentDeliveredRequest(consignment_id="")
        )
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "consignment_id" in field_violations(info.value)


def test_home_delivery_from_a_warehouse(server: RunningServer, clients: Clients) -> None:
    """A fulfilment request goes out; the warehouse acknowledges, picks, packs and dispatches."""
    network(server, {"WH": {"SKU_1": 5, "SKU_2": 4}}, types={"WH": LocationType.WAREHOUSE})
    fid = source(clients, order(lines={"SKU_1": 2, "SKU_2": 1}))["WH"]
    (request,) = payloads(server, "FULFILMENT_CREATED")
    assert request["location_type"] == "WAREHOUSE"
    assert request["lines"] == [
        {"line_ref": "1", "product_ref": "SKU_1", "quantity": 2},
        {"line_ref": "2", "product_ref": "SKU_2", "quantity": 1},
    ]
    assert_stock(
        server,
        {("WH", "SKU_1"): Stock(5, reserved=2), ("WH", "SKU_2"): Stock(4, reserved=1)},
    )
    pick(clients, fid)
    pack(clients, fid, [{"1": 2, "2": 1}])
    dispatched = clients.orders.MarkDispatched(
        orders_pb2.MarkDispatchedRequest(fulfilment_id=fid), timeout=30
    )
    assert dispatched.order_status == common_pb2.ORDER_STATUS_COMPLETE
    assert statuses(server, fid) == ["ACKNOWLEDGED", "PICKED", "PACKED", "DISPATCHED", "COMPLETE"]
    moved = [s for _, entity, s in events(server, "INVENTORY_CHANGED") if entity == "SKU_1@WH"]
    assert moved == ["RESERVED", "SALE"]
    assert_stock(server, {("WH", "SKU_1"): Stock(3, sold=2), ("WH", "SKU_2"): Stock(3, sold=1)})


def test_events_out_of_turn_change_nothing(server: RunningServer, clients: Clients) -> None:
    """Picking before acknowledging, or collecting a home delivery, is FAILED_PRECONDITION."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    written = events(server)
    calls: list[Callable[[], object]] = [
        lambda: clients.orders.ConfirmPick(orders_pb2.ConfirmPickRequest(fulfilment_id=fid)),
        lambda: clients.orders.PackFulfilment(
            orders_pb2.PackFulfilmentRequest(
                fulfilment_id=fid,
                articles=[
                    domain_pb2.Article(lines=[common_pb2.LineQuantity(line_ref="1", quantity=2)])
                ],
            )
        ),
        lambda: clients.orders.MarkReadyForCollection(
            orders_pb2.MarkReadyForCollectionRequest(fulfilment_id=fid)
        ),
        lambda: clients.orders.MarkDispatched(orders_pb2.MarkDispatchedRequest(fulfilment_id=fid)),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert events(server) == written
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_CREATED
    assert_stock(server, {("SHOP", "SKU_1"): Stock(3, reserved=2)})


@pytest.mark.parametrize(
    ("parcels", "field"),
    [
        ([{"1": 1}], "articles"),
        ([{"1": 2}, {"1": 1}], "articles"),
        ([{"9": 2}], "articles[0].lines[0].line_ref"),
    ],
)
def test_parcels_must_hold_exactly_the_picked_units(
    server: RunningServer, clients: Clients, parcels: list[dict[str, int]], field: str
) -> None:
    """Too few, too many or foreign units in the parcels are refused, naming the field."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    pick(clients, fid)
    with pytest.raises(grpc.RpcError) as info:
        pack(clients, fid, parcels)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_violations(info.value)
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_PICKED
    assert_stock(server, {("SHOP", "SKU_1"): Stock(1, sold=2)})


def test_list_orders_filters_and_pages(server: RunningServer, clients: Clients) -> None:
    """Newest first, filtered by status and location, two pages of one."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 9}})
    source(clients, order("O1", {"SKU_1": 2}))
    source(clients, order("O2", {"SKU_1": 5}))
    fid = get_order(clients, "O1").fulfilments[0].id
    pick(clients, fid)

    def refs(request: orders_pb2.ListOrdersRequest) -> list[str]:
        reply = clients.orders.ListOrders(request, timeout=30)
        return [o.ref for o in reply.orders]

    assert refs(orders_pb2.ListOrdersRequest()) == ["O2", "O1"]
    in_progress = orders_pb2.ListOrdersRequest(statuses=[common_pb2.ORDER_STATUS_IN_PROGRESS])
    assert refs(in_progress) == ["O1"]
    assert refs(orders_pb2.ListOrdersRequest(location_ref="FAR")) == ["O2"]
    first = clients.orders.ListOrders(orders_pb2.ListOrdersRequest(page_size=1), timeout=30)
    second = clients.orders.ListOrders(
        orders_pb2.ListOrdersRequest(page_size=1, page_token=first.next_page_token), timeout=30
    )
    assert [o.ref for o in (*first.orders, *second.orders)] == ["O2", "O1"]
    assert second.next_page_token == ""
    assert_stock(
        server, {("NEAR", "SKU_1"): Stock(1, sold=2), ("FAR", "SKU_1"): Stock(9, reserved=5)}
    )


def test_article_weights_are_stored_and_read_back(server: RunningServer, clients: Clients) -> None:
    """Each parcel's reported weight comes back on the order; an unknown weight reads 0."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    pick(clients, fid)
    packed = pack(clients, fid, [{"1": 1}, {"1": 1}], weights_grams=[1250, 0])
    assert [a.weight_grams for a in packed.articles] == [1250, 0]
    stored = get_order(clients).fulfilments[0].articles
    assert sorted(a.weight_grams for a in stored) == [0, 1250]


def test_negative_article_weight_is_invalid(server: RunningServer, clients: Clients) -> None:
    """A negative weight is INVALID_ARGUMENT naming the article's field; nothing is packed."""
    network(server, {"SHOP": {"SKU_1": 3}})
    fid = source(clients, order())["SHOP"]
    pick(clients, fid)
    with pytest.raises(grpc.RpcError) as info:
        pack(clients, fid, [{"1": 2}], weights_grams=[-5])
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "articles[0].weight_grams" in field_violations(info.value)
    assert get_order(clients).fulfilments[0].status == F.FULFILMENT_STATUS_PICKED

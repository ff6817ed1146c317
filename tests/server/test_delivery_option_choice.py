"""The shopper's choice at checkout through a real server, both databases.

``Source`` with a named delivery option gets the plan ``GetFulfilmentOptions``
offered under that name; named collection stores that do not exist, or are
not click-and-collect stores, are refused naming the field.
"""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sourcing.v1 import common_pb2, config_pb2, domain_pb2, orders_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_fulfilment_options import CART, HOME, set_up, store


def violation(error: grpc.RpcError) -> str:
    """The one field a refused call blames."""
    status = rpc_status.from_call(error)
    assert status is not None
    details = error_details_pb2.BadRequest()
    status.details[0].Unpack(details)
    [field] = [str(v.field) for v in details.field_violations]
    return field


def parcels(fulfilments: object) -> dict[str, tuple[list[tuple[str, int]], str]]:
    """Each parcel's location -> its lines and carrier service."""
    return {
        f.location_ref: (sorted((ln.line_ref, ln.quantity) for ln in f.lines), f.carrier_service)
        for f in fulfilments  # type: ignore[attr-defined]
    }


def promised(fulfilments: object) -> dict[str, int]:
    """Each parcel's location -> its promised second."""
    return {f.location_ref: f.promised_time.seconds for f in fulfilments}  # type: ignore[attr-defined]


def same_promises(got: object, offered: object) -> bool:
    """The same promises; FAR (no calendar nor carrier) is promised the moment it is ready,
    counted from each call's own now, so the calls' seconds apart are allowed there."""
    a, b = promised(got), promised(offered)
    return a.keys() == b.keys() and all(
        abs(a[ref] - b[ref]) <= (60 if ref == "FAR" else 0) for ref in a
    )


def test_source_with_each_offered_option_gets_the_offered_plan(clients: Clients) -> None:
    """Cheapest splits over A and B, fewest parcels is FAR alone; each Source stores its plan."""
    set_up(clients)
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=CART, customer_position=HOME, radius_km=20.0
    )
    offered = {
        d.name: d for d in clients.sourcing.GetFulfilmentOptions(request, timeout=30).delivery
    }
    assert {"cheapest", "fewest_parcels"} <= set(offered)
    assert set(parcels(offered["cheapest"].fulfilments)) == {"A", "B"}
    assert set(parcels(offered["fewest_parcels"].fulfilments)) == {"FAR"}
    for name, option in offered.items():
        ref = f"SO-{name}"
        order = domain_pb2.Order(
            ref=ref, type=common_pb2.ORDER_TYPE_HD, lines=CART, delivery_point=HOME
        )
        source = sourcing_pb2.SourceRequest(order=order, delivery_option=name)
        plan = clients.sourcing.Source(source, timeout=30).plan
        assert parcels(plan.fulfilments) == parcels(option.fulfilments), name
        assert same_promises(plan.fulfilments, option.fulfilments), name
        stored = clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref=ref)).order
        assert parcels(stored.fulfilments) == parcels(option.fulfilments), name
        assert same_promises(stored.fulfilments, option.fulfilments), name


@pytest.mark.parametrize(
    ("changes", "order_type"),
    [
        ({"delivery_option": "quickest"}, common_pb2.ORDER_TYPE_HD),
        ({"delivery_option": "fastest"}, common_pb2.ORDER_TYPE_CC),
        (
            {"delivery_option": "fastest", "weight_overrides": {"split": 1.0}},
            common_pb2.ORDER_TYPE_HD,
        ),
        ({"delivery_option": "fastest", "explain": True}, common_pb2.ORDER_TYPE_HD),
    ],
)
def test_a_delivery_option_source_cannot_honour_is_invalid_argument(
    clients: Clients, changes: dict[str, object], order_type: int
) -> None:
    """An unknown name, a CC order, weights or explain with an option: refused, nothing stored."""
    set_up(clients)
    order = domain_pb2.Order(
        ref="SO-BAD",
        type=order_type,  # type: ignore[arg-type]
        lines=CART,
        delivery_point=HOME,
        collection_location_ref="A" if order_type == common_pb2.ORDER_TYPE_CC else "",
    )
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=order, **changes),  # type: ignore[arg-type]
            timeout=30,
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violation(info.value) == "delivery_option"
    assert clients.orders.ListOrders(orders_pb2.ListOrdersRequest()).orders == []


def test_an_unknown_named_store_is_not_found(clients: Clients) -> None:
    """The ref is named in the field violation, as Source names an unknown collection store."""
    set_up(clients)
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=CART, customer_position=HOME, collection_location_refs=["A", "NOPE"]
    )
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.GetFulfilmentOptions(request, timeout=30)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert violation(info.value) == "collection_location_refs[1]"


def test_a_named_location_that_is_not_a_collection_store_is_invalid_argument(
    clients: Clients,
) -> None:
    """A DC cannot be a collection store: the field naming it is refused."""
    set_up(clients)
    dc = store("DC1", 3)
    dc.type = config_pb2.LOCATION_TYPE_DC
    clients.config.CreateLocation(config_pb2.CreateLocationRequest(location=dc))
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=CART,
        customer_position=HOME,
        order_types=[common_pb2.ORDER_TYPE_CC],
        collection_location_refs=["DC1"],
    )
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.GetFulfilmentOptions(request, timeout=30)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violation(info.value) == "collection_location_refs[0]"

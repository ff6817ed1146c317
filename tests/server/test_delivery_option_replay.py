"""A Source retried under its keys with another delivery option, through a real server.

The same order under the same request_id (or ref) but another
``delivery_option`` is a different request: refused as every other one is
(ALREADY_EXISTS), naming ``delivery_option``, and nothing more is stored.
The same option again still replays the first answer.
"""

from __future__ import annotations

import grpc
import pytest

from sourcing.v1 import common_pb2, domain_pb2, orders_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_delivery_option_choice import violation
from tests.server.test_fulfilment_options import CART, HOME, set_up


def source(clients: Clients, option: str, request_id: str = "") -> sourcing_pb2.SourceResponse:
    """Source the cart as order SO-1 under ``option`` ('' for none)."""
    order = domain_pb2.Order(
        ref="SO-1", type=common_pb2.ORDER_TYPE_HD, lines=CART, delivery_point=HOME
    )
    request = sourcing_pb2.SourceRequest(order=order, delivery_option=option, request_id=request_id)
    response: sourcing_pb2.SourceResponse = clients.sourcing.Source(request, timeout=30)
    return response


def fulfilment_count(clients: Clients) -> int:
    """Fulfilments stored for SO-1."""
    stored = clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref="SO-1")).order
    return len(stored.fulfilments)


@pytest.mark.parametrize("request_id", ["checkout-1", ""])
@pytest.mark.parametrize("retry", ["cheapest", ""])
def test_another_option_under_the_same_key_is_refused_naming_it(
    clients: Clients, request_id: str, retry: str
) -> None:
    """Fewest parcels first; a retry naming cheapest (or none) is ALREADY_EXISTS on the option."""
    set_up(clients)
    first = source(clients, "fewest_parcels", request_id)
    assert not first.replayed
    assert {f.location_ref for f in first.plan.fulfilments} == {"FAR"}
    stored = fulfilment_count(clients)
    with pytest.raises(grpc.RpcError) as info:
        source(clients, retry, request_id)
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert violation(info.value) == "delivery_option"
    assert "fewest_parcels" in (info.value.details() or "")
    assert fulfilment_count(clients) == stored
    again = source(clients, "fewest_parcels", request_id)
    assert again.replayed
    assert {f.location_ref for f in again.plan.fulfilments} == {"FAR"}
    assert fulfilment_count(clients) == stored


def test_an_option_after_a_source_without_one_is_refused(clients: Clients) -> None:
    """The other way round: first without an option, then fastest under the same request_id."""
    set_up(clients)
    source(clients, "", "checkout-2")
    with pytest.raises(grpc.RpcError) as info:
        source(clients, "fastest", "checkout-2")
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert violation(info.value) == "delivery_option"
    assert source(clients, "", "checkout-2").replayed


def test_cheapest_is_the_same_request_as_no_option(clients: Clients) -> None:
    """Empty means the profile's plan, "cheapest": a retry naming it replays the first answer."""
    set_up(clients)
    first = source(clients, "", "checkout-3")
    again = source(clients, "cheapest", "checkout-3")
    assert again.replayed
    assert again.plan.fulfilments == first.plan.fulfilments

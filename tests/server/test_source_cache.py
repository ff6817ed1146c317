"""Source keeps candidates cached, yet sees every location change made over gRPC at once.

Two servers on one database stand for two replicas: the changes go through
one, the orders through the other, whose cache must notice them.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from sourcing.server.app import RunningServer, create_server
from sourcing.v1 import common_pb2, config_pb2, domain_pb2, inventory_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_config_inventory import location, product, stock

HD = common_pb2.ORDER_TYPE_HD


@pytest.fixture
def other_replica(server: RunningServer, db_url: str) -> Iterator[Clients]:
    """Stubs on a second server over the same database."""
    second = create_server(db_url, address="127.0.0.1:0", migrate=False)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{second.port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=10)
            yield Clients(channel)
    finally:
        second.stop(grace_s=1.0)


def chosen(clients: Clients, ref: str) -> list[str]:
    """Where Source sends one unit of SHOE for a customer in central London."""
    order = domain_pb2.Order(
        ref=ref,
        type=HD,
        lines=[domain_pb2.OrderLine(ref="1", product_ref="SHOE", quantity=1)],
        delivery_point=common_pb2.GeoPoint(latitude=51.5, longitude=-0.1),
        customer=domain_pb2.Customer(ref="C1"),
    )
    reply = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30)
    return [f.location_ref for f in reply.plan.fulfilments]


def create(clients: Clients, message: config_pb2.Location) -> None:
    """Create a location holding 10 SHOE."""
    clients.config.CreateLocation(config_pb2.CreateLocationRequest(location=message), timeout=10)
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(positions=[stock(message.ref, "SHOE", 10)]), timeout=10
    )


def switch_hd(clients: Clients, ref: str, on: bool) -> None:
    """Turn a location's HD switch on or off."""
    clients.config.UpdateLocation(
        config_pb2.UpdateLocationRequest(
            location=config_pb2.Location(ref=ref, hd_enabled=on),
            update_mask=FieldMask(paths=["hd_enabled"]),
        ),
        timeout=10,
    )


def test_locations_changed_on_one_replica_reach_the_next_source_on_the_other(
    clients: Clients, other_replica: Clients
) -> None:
    """Created, switched off and on, left out of the HD network: each is seen by the next order."""
    other_replica.config.CreateProduct(
        config_pb2.CreateProductRequest(product=product("SHOE")), timeout=10
    )
    create(other_replica, location("FAR", latitude=53.48, longitude=-2.24))
    assert chosen(clients, "O1") == ["FAR"]
    create(other_replica, location("NEAR"))
    assert chosen(clients, "O2") == ["NEAR"]
    switch_hd(other_replica, "NEAR", on=False)
    assert chosen(clients, "O3") == ["FAR"]
    switch_hd(other_replica, "NEAR", on=True)
    assert chosen(clients, "O4") == ["NEAR"]
    other_replica.config.CreateNetwork(
        config_pb2.CreateNetworkRequest(
            network=config_pb2.Network(ref="HD", order_type=HD, location_refs=["FAR"])
        ),
        timeout=10,
    )
    assert chosen(clients, "O5") == ["FAR"]

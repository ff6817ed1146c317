"""Setting up from nothing over gRPC: config and stock go in, availability adds up.

Every test drives a real server through the generated client, on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sourcing.v1 import common_pb2, config_pb2, domain_pb2, inventory_pb2, plan_pb2, sourcing_pb2
from tests.server.conftest import Clients

HD, CC = common_pb2.ORDER_TYPE_HD, common_pb2.ORDER_TYPE_CC
CODE = grpc.StatusCode


def fails(call: Callable[..., Any], request: Any) -> tuple[grpc.StatusCode, list[str]]:
    """The status code of a call that must fail, and the fields its BadRequest names."""
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=10)
    error = info.value
    fields: list[str] = []
    status = rpc_status.from_call(error)
    for detail in status.details if status is not None else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            fields += [violation.field for violation in bad_request.field_violations]
    return error.code(), fields


def location(ref: str, kind: int = config_pb2.LOCATION_TYPE_STORE, **fields: Any) -> Any:
    """A location message near London unless ``fields`` say otherwise."""
    values: dict[str, Any] = {"name": ref, "type": kind, "latitude": 51.5, "longitude": -0.1}
    values.update(fields)
    return config_pb2.Location(ref=ref, **values)


def product(ref: str, category: str = "shoes", currency: str = "EUR") -> Any:
    """A product priced 49.99 EUR."""
    price = common_pb2.Money(amount_minor=4999, currency=currency)
    return config_pb2.Product(ref=ref, name=ref, category=category, price=price)


def stock(location_ref: str, product_ref: str, on_hand: int, buffer_qty: int = 0) -> Any:
    """A stock position message."""
    return inventory_pb2.StockPosition(
        location_ref=location_ref, product_ref=product_ref, on_hand=on_hand, buffer_qty=buffer_qty
    )


def set_up_retailer(clients: Clients) -> None:
    """A warehouse and two stores, an HD and a CC network, two products and their stock.

    The CC network exists before its stores (they join it by network_refs);
    the HD network is made after its locations (it names them).
    """
    config = clients.config
    config.CreateNetwork(
        config_pb2.CreateNetworkRequest(network=config_pb2.Network(ref="CC", order_type=CC)),
        timeout=10,
    )
    for message in (
        location("WH_1", config_pb2.LOCATION_TYPE_WAREHOUSE, daily_capacity=500),
        location("STORE_1", network_refs=["CC"], flagship=True, hd_enabled=False),
        location("STORE_2", network_refs=["CC"], latitude=53.48, longitude=-2.24),
    ):
        config.CreateLocation(config_pb2.CreateLocationRequest(location=message), timeout=10)
    config.CreateNetwork(
        config_pb2.CreateNetworkRequest(
            network=config_pb2.Network(ref="HD", order_type=HD, location_refs=["WH_1", "STORE_2"])
        ),
        timeout=10,
    )
    for catalogue in (
        config_pb2.VirtualCatalogue(ref="CC_WEB", network_ref="CC", extra_buffer_qty=1),
        config_pb2.VirtualCatalogue(
            ref="CC_HATS", network_ref="CC", category_buffer_qty={"hats": 3}
        ),
    ):
        config.CreateVirtualCatalogue(
            config_pb2.CreateVirtualCatalogueRequest(virtual_catalogue=catalogue), timeout=10
        )
    for message in (product("SHOE"), product("HAT", category="hats")):
        config.CreateProduct(config_pb2.CreateProductRequest(product=message), timeout=10)
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(
            positions=[
                stock("WH_1", "SHOE", 100, buffer_qty=10),
                stock("STORE_1", "SHOE", 5, buffer_qty=2),
                stock("STORE_2", "SHOE", 1, buffer_qty=1),
                stock("STORE_1", "HAT", 4),
                stock("STORE_2", "HAT", 7),
            ]
        ),
        timeout=10,
    )


def test_set_up_from_nothing_and_availability_adds_up(clients: Clients) -> None:
    """Per location, per network and per catalogue, availability is what was set."""
    set_up_retailer(clients)
    reply = clients.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(
            product_refs=["SHOE", "HAT"],
            network_refs=["HD", "CC"],
            virtual_catalogue_refs=["CC_WEB", "CC_HATS"],
        ),
        timeout=10,
    )
    per_location = {(r.location_ref, r.product_ref): r.available for r in reply.locations}
    assert per_location == {
        ("STORE_1", "SHOE"): 3,
        ("STORE_1", "HAT"): 4,
        ("STORE_2", "SHOE"): 0,
        ("STORE_2", "HAT"): 7,
        ("WH_1", "SHOE"): 90,
        ("WH_1", "HAT"): 0,
    }
    per_network = {(n.network_ref, n.product_ref): n for n in reply.networks}
    for (network, product_ref), row in per_network.items():
        members = {"HD": ("WH_1", "STORE_2"), "CC": ("STORE_1", "STORE_2")}[network]
        expected = [per_location[(m, product_ref)] for m in members]
        assert row.available == sum(expected)
        assert row.locations_with_stock == sum(1 for a in expected if a > 0)
    # CC_WEB holds back 1 more unit per position, CC_HATS 3 more hats.
    catalogues = {
        (c.virtual_catalogue_ref, c.product_ref): c.available for c in reply.virtual_catalogues
    }
    assert catalogues == {
        ("CC_WEB", "SHOE"): 2 + 0,
        ("CC_WEB", "HAT"): 3 + 6,
        ("CC_HATS", "SHOE"): 3 + 0,
        ("CC_HATS", "HAT"): 1 + 4,
    }

    listed = clients.config.ListLocations(
        config_pb2.ListLocationsRequest(network_ref="CC"), timeout=10
    )
    assert [loc.ref for loc in listed.locations] == ["STORE_1", "STORE_2"]
    assert not listed.locations[0].hd_enabled and listed.locations[0].cc_enabled
    records = clients.inventory.ListReservations(
        inventory_pb2.ListReservationsRequest(location_ref="WH_1"), timeout=10
    ).records
    assert [(r.type, r.quantity) for r in records] == [
        (inventory_pb2.QUANTITY_RECORD_TYPE_CORRECTION, 100)
    ]


def test_adjust_stock_and_in_transit(clients: Clients) -> None:
    """Adjustments move on hand through the ledger, once per request id, never below zero."""
    set_up_retailer(clients)
    inventory = clients.inventory
    adjust = inventory_pb2.AdjustStockRequest(
        location_ref="STORE_1", product_ref="SHOE", delta=-3, reason="damaged", request_id="r1"
    )
    assert inventory.AdjustStock(adjust, timeout=10).position.on_hand == 2
    assert inventory.AdjustStock(adjust, timeout=10).position.on_hand == 2  # a retry
    adjust.delta = -2
    assert fails(inventory.AdjustStock, adjust)[0] is CODE.ALREADY_EXISTS
    adjust.request_id = ""
    adjust.delta = -3
    assert fails(inventory.AdjustStock, adjust)[0] is CODE.FAILED_PRECONDITION
    at_rejection = inventory_pb2.AdjustStockRequest(
        location_ref="RJT_1", product_ref="SHOE", delta=1, reason="found"
    )
    assert fails(inventory.AdjustStock, at_rejection) == (CODE.INVALID_ARGUMENT, ["location_ref"])

    when = Timestamp(seconds=1_900_000_000)
    arrivals = inventory.SetInTransit(
        inventory_pb2.SetInTransitRequest(
            location_ref="STORE_1",
            product_ref="SHOE",
            arrivals=[
                inventory_pb2.InTransitArrival(quantity=4, arrival_time=when),
                inventory_pb2.InTransitArrival(quantity=6, arrival_time=Timestamp(seconds=1)),
            ],
        ),
        timeout=10,
    ).arrivals
    assert [a.quantity for a in arrivals] == [6, 4]
    (row,) = inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(product_refs=["SHOE"], location_refs=["STORE_1"]),
        timeout=10,
    ).locations
    assert (row.on_hand, row.buffer_qty, row.available, row.in_transit) == (2, 2, 0, 10)
    corrections = inventory.ListReservations(
        inventory_pb2.ListReservationsRequest(location_ref="STORE_1", product_ref="SHOE"),
        timeout=10,
    ).records
    assert [r.quantity for r in corrections] == [5, -3]


def test_set_stock_with_one_bad_position_writes_none(clients: Clients) -> None:
    """One unknown product among good positions: NOT_FOUND naming it, and nothing stored."""
    set_up_retailer(clients)
    code, fields = fails(
        clients.inventory.SetStock,
        inventory_pb2.SetStockRequest(
            positions=[
                stock("WH_1", "SHOE", 1),
                stock("STORE_1", "HAT", 9),
                stock("WH_1", "NO_SUCH_SKU", 3),
                stock("STORE_2", "HAT", 9),
            ]
        ),
    )
    assert (code, fields) == (CODE.NOT_FOUND, ["positions[2].product_ref"])
    rows = clients.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(product_refs=["SHOE", "HAT"]), timeout=10
    ).locations
    on_hand = {(r.location_ref, r.product_ref): r.on_hand for r in rows if r.on_hand}
    assert on_hand == {
        ("WH_1", "SHOE"): 100,
        ("STORE_1", "SHOE"): 5,
        ("STORE_2", "SHOE"): 1,
        ("STORE_1", "HAT"): 4,
        ("STORE_2", "HAT"): 7,
    }
    assert (
        len(clients.inventory.ListReservations(inventory_pb2.ListReservationsRequest()).records)
        == 5
    )


def test_sourcing_profile_versions_round_trip(clients: Clients) -> None:
    """Set v1 then v2: v2 is active, v1 can still be read, unset weights take defaults."""
    config = clients.config
    first = config_pb2.SourcingProfile(
        order_type=HD,
        weights=config_pb2.SourcingWeights(split=50.0),
        split_limit=2,
        rules=config_pb2.SourcingRules(
            vip_only_product_refs=["HAT"],
            vip_reserve_qty={"SHOE": 2},
            hd_open_order_limit=30,
            cancellable_statuses=[common_pb2.FULFILMENT_STATUS_CREATED],
        ),
    )
    stored = config.SetSourcingProfile(
        config_pb2.SetSourcingProfileRequest(profile=first), timeout=10
    ).profile
    assert (stored.version, stored.active, stored.weights.split) == (1, True, 50.0)
    assert stored.weights.fixed == 1.0  # the solver's default, filled in
    assert stored.rules.rejection_location_ref == "RJT_1"
    assert list(stored.rules.revisable_statuses) == [
        common_pb2.FULFILMENT_STATUS_CREATED,
        common_pb2.FULFILMENT_STATUS_ACKNOWLEDGED,
    ]
    second = config_pb2.SourcingProfile(order_type=HD, weights=config_pb2.SourcingWeights(split=0))
    config.SetSourcingProfile(config_pb2.SetSourcingProfileRequest(profile=second), timeout=10)

    active = config.GetSourcingProfile(
        config_pb2.GetSourcingProfileRequest(order_type=HD), timeout=10
    ).profile
    assert (active.version, active.active, active.split_limit, active.weights.split) == (
        2,
        True,
        1000,
        0.0,
    )
    old = config.GetSourcingProfile(
        config_pb2.GetSourcingProfileRequest(order_type=HD, version=1), timeout=10
    ).profile
    assert (old.active, old.split_limit) == (False, 2)
    assert dict(old.rules.vip_reserve_qty) == {"SHOE": 2}
    assert old.rules.hd_open_order_limit == 30 and old.rules.HasField("hd_open_order_limit")
    assert list(old.rules.cancellable_statuses) == [common_pb2.FULFILMENT_STATUS_CREATED]

    missing = config_pb2.GetSourcingProfileRequest(order_type=HD, version=3)
    assert fails(config.GetSourcingProfile, missing)[0] is CODE.NOT_FOUND
    # A type with no stored profile answers the defaults it is sourced under, as version 0.
    defaults = config.GetSourcingProfile(
        config_pb2.GetSourcingProfileRequest(order_type=CC), timeout=10
    ).profile
    assert (defaults.version, defaults.active, defaults.split_limit) == (0, True, 1000)
    assert defaults.weights.rejection > 0 and not defaults.HasField("create_time")


def _location(ref: str = "X", **fields: Any) -> Any:
    return config_pb2.CreateLocationRequest(location=location(ref, **fields))


def _network(ref: str = "N", **fields: Any) -> Any:
    return config_pb2.CreateNetworkRequest(network=config_pb2.Network(ref=ref, **fields))


def _catalogue(ref: str = "V", **fields: Any) -> Any:
    catalogue = config_pb2.VirtualCatalogue(ref=ref, **fields)
    return config_pb2.CreateVirtualCatalogueRequest(virtual_catalogue=catalogue)


def _profile(**fields: Any) -> Any:
    return config_pb2.SetSourcingProfileRequest(profile=config_pb2.SourcingProfile(**fields))


def _weights(**weights: float) -> Any:
    return _profile(order_type=HD, weights=config_pb2.SourcingWeights(**weights))


def _webhook(**fields: Any) -> Any:
    subscription = config_pb2.WebhookSubscription(**fields)
    return config_pb2.CreateWebhookSubscriptionRequest(subscription=subscription)


def _update(mask: str, ref: str = "WH_1", **fields: Any) -> Any:
    return config_pb2.UpdateLocationRequest(
        location=location(ref, **fields), update_mask=FieldMask(paths=[mask])
    )


def _set_stock(*positions: Any) -> Any:
    return inventory_pb2.SetStockRequest(positions=positions)


def _adjust(**fields: Any) -> Any:
    return inventory_pb2.AdjustStockRequest(location_ref="WH_1", product_ref="SHOE", **fields)


def _availability(**fields: Any) -> Any:
    return inventory_pb2.GetAvailabilityRequest(**fields)


def _product(message: Any) -> Any:
    return config_pb2.CreateProductRequest(product=message)


def _in_transit(location_ref: str, product_ref: str, *arrivals: Any) -> Any:
    return inventory_pb2.SetInTransitRequest(
        location_ref=location_ref, product_ref=product_ref, arrivals=arrivals
    )


def _ledger(**fields: Any) -> Any:
    return inventory_pb2.ListReservationsRequest(**fields)


URL = "https://hooks.example.com/h"
MINUS_ONE = common_pb2.Money(amount_minor=-1)
NO_TYPE = inventory_pb2.QUANTITY_RECORD_TYPE_UNSPECIFIED
LATE = inventory_pb2.InTransitArrival(quantity=1)  # no arrival time
SHOE = stock("WH_1", "SHOE", 1)

# (rpc, request, field) of requests with a bad field: INVALID_ARGUMENT.
INVALID = [
    ("CreateLocation", _location(ref=""), "location.ref"),
    ("CreateLocation", _location(type=0), "location.type"),
    ("CreateLocation", _location(latitude=91.0), "location.latitude"),
    ("CreateLocation", _location(longitude=math.nan), "location.longitude"),
    ("CreateLocation", _location(handling_cost=MINUS_ONE), "location.handling_cost.amount_minor"),
    ("CreateLocation", _location(daily_capacity_cc=-2), "location.daily_capacity_cc"),
    ("CreateNetwork", _network(), "network.order_type"),
    ("CreateProduct", _product(product("P", currency="eur")), "product.price.currency"),
    ("SetSourcingProfile", _weights(split=-1.0), "profile.weights.split"),
    ("SetSourcingProfile", _weights(fixed=math.nan), "profile.weights.fixed"),
    ("SetSourcingProfile", _profile(order_type=HD, split_limit=0), "profile.split_limit"),
    ("SetSourcingProfile", _profile(), "profile.order_type"),
    ("CreateWebhookSubscription", _webhook(url="ftp://x", secret="s"), "subscription.url"),
    ("CreateWebhookSubscription", _webhook(url=URL), "subscription.secret"),
    ("CreateWebhookSubscription", _webhook(url=URL, secret="s", event_types=[0]), "subscription.event_types[0]"),  # noqa: E501
    ("UpdateLocation", _update("ref"), "update_mask.paths[0]"),
    ("UpdateLocation", _update("latitude", latitude=-100.0), "location.latitude"),
    ("ListLocations", config_pb2.ListLocationsRequest(page_token="abc"), "page_token"),
    ("SetStock", _set_stock(), "positions"),
    ("SetStock", _set_stock(SHOE, stock("WH_1", "HAT", -1)), "positions[1].on_hand"),
    ("SetStock", _set_stock(SHOE, stock("WH_1", "SHOE", 2)), "positions[1]"),
    ("SetStock", _set_stock(stock("WH_1", "SHOE", 2**40)), "positions[0].on_hand"),
    # The rejection location holds no stock.
    ("SetStock", _set_stock(SHOE, stock("RJT_1", "SHOE", 1)), "positions[1].location_ref"),
    ("AdjustStock", _adjust(delta=0, reason="x"), "delta"),
    ("AdjustStock", _adjust(delta=1), "reason"),
    ("SetInTransit", _in_transit("", "SHOE", LATE), "location_ref"),
    ("SetInTransit", _in_transit("WH_1", "SHOE", LATE), "arrivals[0].arrival_time"),
    ("GetAvailability", _availability(), "product_refs"),
    ("ListReservations", _ledger(types=[NO_TYPE]), "types[0]"),
]  # fmt: skip

# (rpc, request, field) of requests naming something that does not exist: NOT_FOUND.
UNKNOWN = [
    ("CreateLocation", _location(network_refs=["CC", "NO"]), "location.network_refs[1]"),
    ("CreateNetwork", _network(order_type=HD, location_refs=["NO"]), "network.location_refs[0]"),
    ("CreateVirtualCatalogue", _catalogue(network_ref="NO"), "virtual_catalogue.network_ref"),
    ("SetSourcingProfile", _profile(order_type=CC, rules={"network_ref": "NO"}), "profile.rules.network_ref"),  # noqa: E501
    ("UpdateLocation", _update("name", ref="NO"), "location.ref"),
    ("SetStock", _set_stock(stock("NO", "SHOE", 1)), "positions[0].location_ref"),
    ("GetAvailability", _availability(product_refs=["SHOE"], location_refs=["NO"]), "location_refs[0]"),  # noqa: E501
    ("ListReservations", _ledger(order_ref="NO"), "order_ref"),
]  # fmt: skip


def test_bad_input_gets_the_right_code_naming_the_field(clients: Clients) -> None:
    """Each bad request fails with its code and a BadRequest naming the field; nothing changes."""
    set_up_retailer(clients)
    failures = []
    for code, cases in ((CODE.INVALID_ARGUMENT, INVALID), (CODE.NOT_FOUND, UNKNOWN)):
        for name, request, field in cases:
            stub = clients.config if hasattr(clients.config, name) else clients.inventory
            got = fails(getattr(stub, name), request)
            if got != (code, [field]):
                failures.append(f"{name} {field}: expected {code.name}, got {got}")
    assert not failures, "\n".join(failures)
    locations = clients.config.ListLocations(config_pb2.ListLocationsRequest(), timeout=10)
    # RJT_1 is there from the start, before any rejection.
    assert [loc.ref for loc in locations.locations] == ["RJT_1", "STORE_1", "STORE_2", "WH_1"]
    assert locations.locations[0].type == config_pb2.LOCATION_TYPE_REJECTION
    assert locations.locations[3].latitude == 51.5
    subscriptions = clients.config.ListWebhookSubscriptions(
        config_pb2.ListWebhookSubscriptionsRequest(), timeout=10
    )
    assert not subscriptions.subscriptions
    profile = clients.config.GetSourcingProfile(
        config_pb2.GetSourcingProfileRequest(order_type=HD), timeout=10
    ).profile
    assert profile.version == 0


def test_duplicates_get_already_exists(clients: Clients) -> None:
    """A taken ref is ALREADY_EXISTS for locations, networks, catalogues and products."""
    set_up_retailer(clients)
    config = clients.config
    calls = [
        (config.CreateLocation, _location("WH_1")),
        (config.CreateNetwork, _network("HD", order_type=HD)),
        (config.CreateVirtualCatalogue, _catalogue("CC_WEB", network_ref="CC")),
        (config.CreateProduct, _product(product("SHOE"))),
    ]
    for call, request in calls:
        assert fails(call, request)[0] is CODE.ALREADY_EXISTS
    customer = domain_pb2.Customer(ref="C1", tier=common_pb2.CUSTOMER_TIER_VIP)
    first = config.UpsertCustomer(config_pb2.UpsertCustomerRequest(customer=customer), timeout=10)
    customer.tier = common_pb2.CUSTOMER_TIER_UNSPECIFIED
    again = config.UpsertCustomer(config_pb2.UpsertCustomerRequest(customer=customer), timeout=10)
    assert (first.created, again.created) == (True, False)
    assert again.customer.tier == common_pb2.CUSTOMER_TIER_STANDARD


def test_update_location_changes_only_the_masked_fields(clients: Clients) -> None:
    """The mask decides what changes: network membership, a toggle, a capacity cleared."""
    set_up_retailer(clients)
    update = config_pb2.UpdateLocationRequest(
        location=config_pb2.Location(ref="WH_1", network_refs=["CC"], hd_enabled=False, name="x"),
        update_mask=FieldMask(paths=["network_refs", "hd_enabled", "daily_capacity"]),
    )
    changed = clients.config.UpdateLocation(update, timeout=10).location
    assert list(changed.network_refs) == ["CC"]
    assert (changed.hd_enabled, changed.name, changed.HasField("daily_capacity")) == (
        False,
        "WH_1",
        False,
    )
    hd = clients.config.ListLocations(config_pb2.ListLocationsRequest(network_ref="HD"), timeout=10)
    assert [loc.ref for loc in hd.locations] == ["STORE_2"]


def test_pages_and_webhooks(clients: Clients) -> None:
    """Listing pages through every location; a subscription never gives its secret back."""
    set_up_retailer(clients)
    refs, token = [], ""
    while True:
        page = clients.config.ListLocations(
            config_pb2.ListLocationsRequest(page_size=2, page_token=token), timeout=10
        )
        refs += [loc.ref for loc in page.locations]
        token = page.next_page_token
        if not token:
            break
    assert refs == ["RJT_1", "STORE_1", "STORE_2", "WH_1"]
    subscription = config_pb2.WebhookSubscription(
        url="https://hooks.example.com/sourcing",
        secret="s3cret",
        event_types=[config_pb2.WEBHOOK_EVENT_TYPE_FULFILMENT_CREATED],
    )
    created = clients.config.CreateWebhookSubscription(
        config_pb2.CreateWebhookSubscriptionRequest(subscription=subscription), timeout=10
    ).subscription
    assert created.id and not created.secret
    (listed,) = clients.config.ListWebhookSubscriptions(
        config_pb2.ListWebhookSubscriptionsRequest(), timeout=10
    ).subscriptions
    assert (listed.url, list(listed.event_types), listed.secret) == (
        subscription.url,
        [config_pb2.WEBHOOK_EVENT_TYPE_FULFILMENT_CREATED],
        "",
    )


def test_location_open_order_limit_is_stored_and_sourcing_honours_it(clients: Clients) -> None:
    """A store's own open-order limit round-trips and keeps HD orders away once reached."""
    created = clients.config.CreateLocation(
        config_pb2.CreateLocationRequest(location=location("BUSY", open_order_limit=0)), timeout=10
    ).location
    assert created.HasField("open_order_limit")
    assert created.open_order_limit == 0
    clients.config.CreateLocation(
        config_pb2.CreateLocationRequest(location=location("FREE", latitude=51.6)), timeout=10
    )
    clients.config.CreateProduct(
        config_pb2.CreateProductRequest(product=product("SKU")), timeout=10
    )
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(positions=[stock("BUSY", "SKU", 5), stock("FREE", "SKU", 5)]),
        timeout=10,
    )
    order = domain_pb2.Order(
        ref="O-LIMIT",
        type=common_pb2.ORDER_TYPE_HD,
        lines=[domain_pb2.OrderLine(ref="1", product_ref="SKU", quantity=1)],
        delivery_point=common_pb2.GeoPoint(latitude=51.5, longitude=-0.1),
    )
    request = sourcing_pb2.SourceRequest(order=order, dry_run=True, explain=True)
    plan = clients.sourcing.Source(request, timeout=30).plan
    assert [f.location_ref for f in plan.fulfilments] == ["FREE"]
    reasons = {c.location_ref: list(c.reasons) for c in plan.candidates}
    assert reasons["BUSY"] == [plan_pb2.CANDIDATE_REASON_OUT_OF_CAPACITY]

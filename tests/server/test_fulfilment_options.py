"""Carrier config, fulfilment options and promised dates through a real server, both databases."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sourcing.v1 import (
    common_pb2,
    config_pb2,
    domain_pb2,
    inventory_pb2,
    orders_pb2,
    sourcing_pb2,
)
from tests.server.conftest import Clients

HOME = common_pb2.GeoPoint(latitude=-23.55, longitude=-46.63)


def every_day(opens: int = 0, closes: int = 1439) -> config_pb2.LocationCalendar:
    """Open all week (São Paulo time) between the given minutes."""
    return config_pb2.LocationCalendar(
        time_zone="America/Sao_Paulo",
        hours=[
            config_pb2.OpeningHours(iso_weekday=d, opens_minute=opens, closes_minute=closes)
            for d in range(1, 8)
        ],
        closed_dates=["2026-12-25"],
    )


def standard(prices: tuple[int, int] = (900, 2500)) -> config_pb2.CarrierService:
    """Up to 2 kg at the first price, heavier at the second; 2 transit days, 7 days a week."""
    return config_pb2.CarrierService(
        code="STANDARD",
        cut_off_minute=1430,
        distance_bands=[config_pb2.DistanceBand(lower_km=0, transit_days=2)],
        weight_bands=[
            config_pb2.WeightBand(lower_grams=0, upper_grams=2000),
            config_pb2.WeightBand(lower_grams=2000),
        ],
        prices=[config_pb2.RateCardRow(price_minor=list(prices))],
        delivery_iso_weekdays=[1, 2, 3, 4, 5, 6, 7],
        currency="BRL",
    )


def store(ref: str, km_east: float, **kw: object) -> config_pb2.Location:
    """A store about ``km_east`` km east of HOME."""
    return config_pb2.Location(
        ref=ref,
        name=ref,
        type=config_pb2.LOCATION_TYPE_STORE,
        latitude=HOME.latitude,
        longitude=HOME.longitude + km_east / 102.0,
        fixed_cost=common_pb2.Money(amount_minor=5000),
        **kw,  # type: ignore[arg-type]
    )


def set_up(clients: Clients) -> None:
    """Two rated stores with a 1.5 kg product each, one flat-priced store with everything."""
    config = clients.config
    config.CreateLocation(
        config_pb2.CreateLocationRequest(
            location=store("A", 5, calendar=every_day(), carrier_services=[standard()])
        )
    )
    config.CreateLocation(
        config_pb2.CreateLocationRequest(
            location=store("B", 8, calendar=every_day(), carrier_services=[standard()])
        )
    )
    config.CreateLocation(config_pb2.CreateLocationRequest(location=store("FAR", 300)))
    for ref in ("P1", "P2"):
        config.CreateProduct(
            config_pb2.CreateProductRequest(
                product=config_pb2.Product(
                    ref=ref,
                    name=ref,
                    price=common_pb2.Money(amount_minor=1000, currency="BRL"),
                    weight_grams=1500,
                )
            )
        )
    stock = [("A", "P1", 5), ("B", "P2", 5), ("FAR", "P1", 5), ("FAR", "P2", 5)]
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(
            positions=[
                inventory_pb2.StockPosition(location_ref=loc, product_ref=p, on_hand=n)
                for loc, p, n in stock
            ]
        )
    )


CART = [
    domain_pb2.OrderLine(ref="1", product_ref="P1", quantity=1),
    domain_pb2.OrderLine(ref="2", product_ref="P2", quantity=1),
]


def test_calendar_and_services_round_trip(clients: Clients) -> None:
    """What CreateLocation stored comes back from ListLocations, product weights too."""
    set_up(clients)
    listed = clients.config.ListLocations(config_pb2.ListLocationsRequest(refs=["A"])).locations
    assert listed[0].calendar == every_day()
    assert list(listed[0].carrier_services) == [standard()]


@pytest.mark.parametrize(
    ("location", "field"),
    [
        (
            store(
                "BAD",
                1,
                calendar=config_pb2.LocationCalendar(
                    time_zone="Nowhere/Atlantis",
                    hours=[config_pb2.OpeningHours(iso_weekday=1, closes_minute=60)],
                ),
            ),
            "location.calendar.time_zone",
        ),
        (
            store(
                "BAD",
                1,
                calendar=config_pb2.LocationCalendar(
                    time_zone="UTC",
                    hours=[
                        config_pb2.OpeningHours(iso_weekday=1, opens_minute=600, closes_minute=60)
                    ],
                ),
            ),
            "location.calendar.hours[0].closes_minute",
        ),
        (
            store(
                "BAD",
                1,
                carrier_services=[
                    config_pb2.CarrierService(
                        code="X",
                        distance_bands=[config_pb2.DistanceBand(transit_days=-1)],
                        weight_bands=[config_pb2.WeightBand()],
                        prices=[config_pb2.RateCardRow(price_minor=[1])],
                    )
                ],
            ),
            "location.carrier_services[0].distance_bands[0].transit_days",
        ),
        (
            store(
                "BAD",
                1,
                carrier_services=[
                    config_pb2.CarrierService(
                        code="X",
                        distance_bands=[config_pb2.DistanceBand(transit_days=1)],
                        weight_bands=[
                            config_pb2.WeightBand(upper_grams=10),
                            config_pb2.WeightBand(lower_grams=20),
                        ],
                        prices=[config_pb2.RateCardRow(price_minor=[1, 2])],
                    )
                ],
            ),
            "location.carrier_services[0].weight_bands",
        ),
        (
            store(
                "BAD",
                1,
                carrier_services=[
                    config_pb2.CarrierService(
                        code="X",
                        distance_bands=[config_pb2.DistanceBand(transit_days=1)],
                        weight_bands=[
                            config_pb2.WeightBand(upper_grams=10),
                            config_pb2.WeightBand(lower_grams=10),
                        ],
                        prices=[config_pb2.RateCardRow(price_minor=[1])],
                    )
                ],
            ),
            "location.carrier_services[0].prices",
        ),
    ],
)
def test_bad_carrier_config_is_invalid_argument_and_stores_nothing(
    clients: Clients, location: config_pb2.Location, field: str
) -> None:
    """An unknown zone, inverted hours, negative transit, a gap, a band without price."""
    with pytest.raises(grpc.RpcError) as info:
        clients.config.CreateLocation(config_pb2.CreateLocationRequest(location=location))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(info.value)
    assert status is not None
    details = error_details_pb2.BadRequest()
    status.details[0].Unpack(details)
    assert [v.field for v in details.field_violations] == [field]
    listed = clients.config.ListLocations(config_pb2.ListLocationsRequest(refs=["BAD"]))
    assert not listed.locations


def test_options_are_read_only_and_honoured_by_source(clients: Clients) -> None:
    """Cheapest HD splits the 3 kg cart into two 1.5 kg parcels (900 each, under the flat
    5000); Source a moment later makes the same parcels with the same promised dates."""
    set_up(clients)
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=CART, customer_position=HOME, radius_km=20.0
    )
    answer = clients.sourcing.GetFulfilmentOptions(request, timeout=30)
    assert clients.orders.ListOrders(orders_pb2.ListOrdersRequest()).orders == []
    delivery = {d.name: d for d in answer.delivery}
    cheapest = delivery["cheapest"]
    assert cheapest.price.amount_minor == 1800
    assert cheapest.parcels == 2
    assert cheapest.unserved_units == 0
    assert delivery["fewest_parcels"].parcels == 1  # FAR has everything, at 5000
    assert all(f.carrier_service == "STANDARD" for f in cheapest.fulfilments)
    assert cheapest.latest_delivery_time.seconds > 0
    stores = {c.location_ref: c for c in answer.collection}
    assert set(stores) == {"A", "B"}  # FAR is beyond 20 km
    assert stores["A"].whole_cart and stores["A"].needs_transfer  # P2 comes from B
    assert not stores["A"].missing

    order = domain_pb2.Order(
        ref="SO-1", type=common_pb2.ORDER_TYPE_HD, lines=CART, delivery_point=HOME
    )
    plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30).plan
    promised = {f.location_ref: f.promised_time for f in plan.fulfilments}
    assert promised == {f.location_ref: f.promised_time for f in cheapest.fulfilments}
    stored = clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref="SO-1")).order
    assert {f.location_ref: f.promised_time for f in stored.fulfilments} == promised
    assert all(f.carrier_service == "STANDARD" for f in stored.fulfilments)


def test_a_store_that_cannot_have_everything_says_what_it_lacks(clients: Clients) -> None:
    """20 of P1 with 10 in the network: every store lacks 10 units of line 1; nothing stored."""
    set_up(clients)
    request = sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=[domain_pb2.OrderLine(ref="1", product_ref="P1", quantity=20)],
        customer_position=HOME,
        order_types=[common_pb2.ORDER_TYPE_CC],
        collection_location_refs=["A"],
    )
    answer = clients.sourcing.GetFulfilmentOptions(request, timeout=30)
    assert not answer.delivery
    [store] = answer.collection
    assert store.location_ref == "A" and not store.whole_cart
    assert [(m.line_ref, m.quantity) for m in store.missing] == [("1", 10)]
    reservations = clients.inventory.ListReservations(inventory_pb2.ListReservationsRequest())
    assert all(r.type != inventory_pb2.QUANTITY_RECORD_TYPE_RESERVED for r in reservations.records)

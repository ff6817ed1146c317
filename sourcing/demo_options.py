"""The demo's checkout step: carriers and opening hours, then fulfilment options for a cart.

Before the orders are placed, the demo gives the warehouse and the stores
São Paulo opening hours and a STANDARD and an EXPRESS carrier with rate
cards, weighs the products, and asks ``GetFulfilmentOptions`` what the HD
order's cart would cost and when it would arrive, and where it could be
collected.
"""

from __future__ import annotations

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from rich.table import Table

from sourcing.v1 import (
    common_pb2,
    config_pb2,
    config_pb2_grpc,
    domain_pb2,
    sourcing_pb2,
    sourcing_pb2_grpc,
)

WEIGHTS_G = {"TSHIRT": 250, "JEANS": 700, "CAP": 150}


def _calendar(opens: int, closes: int, days: int) -> config_pb2.LocationCalendar:
    return config_pb2.LocationCalendar(
        time_zone="America/Sao_Paulo",
        hours=[
            config_pb2.OpeningHours(iso_weekday=d, opens_minute=opens, closes_minute=closes)
            for d in range(1, days + 1)
        ],
        closed_dates=["2026-12-25", "2027-01-01"],
    )


def _service(
    code: str, cut_off: int, transit: tuple[int, int], prices: list[list[int]]
) -> config_pb2.CarrierService:
    return config_pb2.CarrierService(
        code=code,
        cut_off_minute=cut_off,
        distance_bands=[
            config_pb2.DistanceBand(lower_km=0, upper_km=30, transit_days=transit[0]),
            config_pb2.DistanceBand(lower_km=30, transit_days=transit[1]),
        ],
        weight_bands=[
            config_pb2.WeightBand(lower_grams=0, upper_grams=1000),
            config_pb2.WeightBand(lower_grams=1000),
        ],
        prices=[config_pb2.RateCardRow(price_minor=row) for row in prices],
        delivery_iso_weekdays=[1, 2, 3, 4, 5, 6],
        currency="BRL",
    )


SERVICES = [
    _service("STANDARD", 16 * 60, (2, 3), [[990, 1490], [1490, 2190]]),
    _service("EXPRESS", 12 * 60, (1, 1), [[1990, 2490], [2490, 3290]]),
]
# The warehouse ships in volume: its STANDARD contract is cheaper and a day slower.
WAREHOUSE_SERVICES = [
    _service("STANDARD", 18 * 60, (3, 4), [[390, 590], [390, 590]]),
    SERVICES[1],
]


def add_carriers(channel: grpc.Channel, location_refs: list[str]) -> None:
    """Give every location opening hours and the two carriers (UpdateLocation, masked)."""
    config = config_pb2_grpc.ConfigServiceStub(channel)
    for ref in location_refs:
        warehouse = ref.startswith("WH")
        location = config_pb2.Location(
            ref=ref,
            calendar=_calendar(6 * 60, 22 * 60, 5) if warehouse else _calendar(10 * 60, 22 * 60, 7),
            carrier_services=WAREHOUSE_SERVICES if warehouse else SERVICES,
        )
        config.UpdateLocation(
            config_pb2.UpdateLocationRequest(
                location=location, update_mask=FieldMask(paths=["calendar", "carrier_services"])
            ),
            timeout=10,
        )


def options_tables(
    channel: grpc.Channel, lines: list[domain_pb2.OrderLine], point: common_pb2.GeoPoint
) -> tuple[Table, Table]:
    """Ask for the cart's options and show them: home delivery, then collection stores."""
    stub = sourcing_pb2_grpc.SourcingServiceStub(channel)
    answer = stub.GetFulfilmentOptions(
        sourcing_pb2.GetFulfilmentOptionsRequest(
            lines=lines, customer_position=point, radius_km=30.0, max_options=5
        ),
        timeout=30,
    )
    delivery = Table(title="Fulfilment options: home delivery", title_justify="left")
    for column in ("option", "price", "parcels", "from", "arrives by"):
        delivery.add_column(column)
    for option in answer.delivery:
        sources = ", ".join(
            f"{f.location_ref} ({f.carrier_service or 'flat costs'})" for f in option.fulfilments
        )
        delivery.add_row(
            option.name,
            f"R$ {option.price.amount_minor / 100:,.2f}",
            str(option.parcels),
            sources,
            option.latest_delivery_time.ToDatetime().strftime("%a %d %b"),
        )
    collection = Table(title="Fulfilment options: click and collect", title_justify="left")
    for column in ("store", "km", "whole cart", "transfer", "price", "ready (UTC)", "lacks"):
        collection.add_column(column)
    for store in answer.collection:
        lacks = ", ".join(f"line {m.line_ref} x{m.quantity}" for m in store.missing)
        collection.add_row(
            store.location_ref,
            f"{store.distance_km:,.1f}",
            "yes" if store.whole_cart else "no",
            "yes" if store.needs_transfer else "no",
            f"R$ {store.price.amount_minor / 100:,.2f}",
            store.ready_time.ToDatetime().strftime("%a %d %b %H:%M"),
            lacks,
        )
    return delivery, collection

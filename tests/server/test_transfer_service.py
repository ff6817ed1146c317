"""Click and collect restocked from another location: the transfer carrier service prices and
dates it, in the fulfilment options and in Source, through a real server on both databases.

Store S (the collection store) holds nothing; store D, 30 km away, holds the
product and moves stock with a TRUCK transfer service: a 23:00 cut-off
(São Paulo time), one transit day at any distance, every day, 700 up to
2 kg and 1,900 above. A unit weighs 1.5 kg. D's fixed cost (5,000) no longer
prices the transfer: its rate card does. The units are ready to collect at
S's first opening (00:00) on the arrival date.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sourcing.v1 import common_pb2, config_pb2, domain_pb2, inventory_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_fulfilment_options import HOME, every_day, store

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
CUT_OFF = time(23)
TRUCK = config_pb2.CarrierService(
    code="TRUCK",
    cut_off_minute=23 * 60,
    distance_bands=[config_pb2.DistanceBand(lower_km=0, transit_days=1)],
    weight_bands=[
        config_pb2.WeightBand(lower_grams=0, upper_grams=2000),
        config_pb2.WeightBand(lower_grams=2000),
    ],
    prices=[config_pb2.RateCardRow(price_minor=[700, 1900])],
    delivery_iso_weekdays=[1, 2, 3, 4, 5, 6, 7],
    transfer=True,
    currency="BRL",
)


def set_up(clients: Clients, s_km: float = 1, d_km: float = 30) -> None:
    """S to collect at, D with stock and the TRUCK transfer service, each so far east of HOME."""
    config = clients.config
    config.CreateLocation(
        config_pb2.CreateLocationRequest(location=store("S", s_km, calendar=every_day()))
    )
    config.CreateLocation(
        config_pb2.CreateLocationRequest(
            location=store("D", d_km, calendar=every_day(), carrier_services=[TRUCK])
        )
    )
    config.CreateProduct(
        config_pb2.CreateProductRequest(
            product=config_pb2.Product(
                ref="P1",
                name="P1",
                price=common_pb2.Money(amount_minor=1000, currency="BRL"),
                weight_grams=1500,
            )
        )
    )
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(
            positions=[inventory_pb2.StockPosition(location_ref="D", product_ref="P1", on_hand=5)]
        )
    )


def collectable(ready: datetime) -> datetime:
    """S's opening on the day after the first 23:00 cut-off at or after ``ready``."""
    local = ready.astimezone(SAO_PAULO)
    shipped = local.date() if local.time() <= CUT_OFF else local.date() + timedelta(days=1)
    return datetime.combine(shipped + timedelta(days=1), time(0), tzinfo=SAO_PAULO).astimezone(UTC)


@pytest.mark.parametrize(("units", "price"), [(1, 700), (2, 1900)])
def test_the_transfer_is_priced_and_dated_by_its_service(
    clients: Clients, units: int, price: int
) -> None:
    """The option's price is the rate card's for the weight; Source promises the same date."""
    set_up(clients)
    line = [domain_pb2.OrderLine(ref="1", product_ref="P1", quantity=units)]
    options = clients.sourcing.GetFulfilmentOptions(
        sourcing_pb2.GetFulfilmentOptionsRequest(
            lines=line,
            customer_position=HOME,
            order_types=[common_pb2.ORDER_TYPE_CC],
            collection_location_refs=["S"],
        ),
        timeout=30,
    )
    [option] = options.collection
    assert option.needs_transfer and option.whole_cart
    assert (option.price.amount_minor, option.price.currency) == (price, "BRL")

    order = domain_pb2.Order(
        ref="CC-1", type=common_pb2.ORDER_TYPE_CC, lines=line, collection_location_ref="S"
    )
    plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30).plan
    [fulfilment] = plan.fulfilments
    assert (fulfilment.location_ref, fulfilment.carrier_service) == ("D", "TRUCK")
    expected = collectable(fulfilment.ready_by_time.ToDatetime(tzinfo=UTC))
    assert fulfilment.promised_time.ToDatetime(tzinfo=UTC) == expected
    assert option.ready_time.ToDatetime(tzinfo=UTC) == expected


def test_each_collection_store_prices_its_own_transfers(clients: Clients) -> None:
    """D nearest: collected at D no transfer (its flat 5,000); at S, D's transfer costs 700.

    The options solve the nearest store first and derive the others from it
    where nothing is rate-priced; D's transfer service must still price S's.
    """
    set_up(clients, s_km=3, d_km=0.5)
    line = [domain_pb2.OrderLine(ref="1", product_ref="P1", quantity=1)]
    options = clients.sourcing.GetFulfilmentOptions(
        sourcing_pb2.GetFulfilmentOptionsRequest(
            lines=line,
            customer_position=HOME,
            order_types=[common_pb2.ORDER_TYPE_CC],
            collection_location_refs=["S", "D"],
        ),
        timeout=30,
    )
    answers = {o.location_ref: (o.needs_transfer, o.price.amount_minor) for o in options.collection}
    assert answers == {"D": (False, 5000), "S": (True, 700)}

"""The ready-by inside a location's remaining daily capacity, through a real server.

Store A (open every day 00:00-23:59 São Paulo time, no pick-and-pack time)
takes one fulfilment a day. A first order is due at A today; its intake is
then moved to yesterday, as if it had been taken yesterday evening for
today: A still takes orders today (its intake counter is free), but the day
the first order is due has no room left, so the next order's ready-by, in
the fulfilment options, in Source's plan and in the stored fulfilment, is
A's next day with room: the first opening of the following day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from sourcing.models.db.engine import make_engine
from sourcing.v1 import common_pb2, config_pb2, domain_pb2, inventory_pb2, orders_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_fulfilment_options import HOME, every_day, standard, store

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LONG_AGO = date(2000, 1, 3)
LINE = [domain_pb2.OrderLine(ref="1", product_ref="P1", quantity=1)]


def set_up(clients: Clients) -> None:
    """Store A with a daily capacity of one and five units of P1."""
    location = store("A", 5, calendar=every_day(), carrier_services=[standard()], daily_capacity=1)
    clients.config.CreateLocation(config_pb2.CreateLocationRequest(location=location))
    clients.config.CreateProduct(
        config_pb2.CreateProductRequest(
            product=config_pb2.Product(
                ref="P1", name="P1", price=common_pb2.Money(amount_minor=1000, currency="BRL")
            )
        )
    )
    clients.inventory.SetStock(
        inventory_pb2.SetStockRequest(
            positions=[inventory_pb2.StockPosition(location_ref="A", product_ref="P1", on_hand=5)]
        )
    )


def source(clients: Clients, ref: str) -> datetime:
    """Source one unit of P1 as order ``ref``; the ready-by of its one fulfilment."""
    order = domain_pb2.Order(
        ref=ref, type=common_pb2.ORDER_TYPE_HD, lines=LINE, delivery_point=HOME
    )
    plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30).plan
    [fulfilment] = plan.fulfilments
    assert fulfilment.location_ref == "A"
    ready: datetime = fulfilment.ready_by_time.ToDatetime(tzinfo=UTC)
    return ready


def test_a_day_without_room_moves_the_ready_by_to_the_next_one(
    clients: Clients, db_url: str
) -> None:
    """Options, Source and the stored fulfilment all promise the next local day's opening."""
    set_up(clients)
    first = source(clients, "SO-1")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            # Its intake now counts on another day: today's counter is free again.
            connection.execute(text("UPDATE location_day_loads SET day = :day"), {"day": LONG_AGO})
    finally:
        engine.dispose()
    next_day = first.astimezone(SAO_PAULO).date() + timedelta(days=1)
    expected = datetime.combine(next_day, time(0), tzinfo=SAO_PAULO).astimezone(UTC)

    options = clients.sourcing.GetFulfilmentOptions(
        sourcing_pb2.GetFulfilmentOptionsRequest(
            lines=LINE, customer_position=HOME, radius_km=20.0
        ),
        timeout=30,
    )
    [cheapest] = [d for d in options.delivery if d.name == "cheapest"]
    assert [f.ready_by_time.ToDatetime(tzinfo=UTC) for f in cheapest.fulfilments] == [expected]
    [collection] = options.collection
    assert collection.ready_time.ToDatetime(tzinfo=UTC) == expected

    assert source(clients, "SO-2") == expected
    stored = clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref="SO-2")).order
    assert [f.ready_by_time.ToDatetime(tzinfo=UTC) for f in stored.fulfilments] == [expected]

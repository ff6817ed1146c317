"""source_order's write: customers are created once and keep the latest order's tier."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import Customer, CustomerTier, Order, OrderType
from sourcing.models.orders.source import source_order
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.solver import GeoPoint
from tests.models.builders import add_location, add_position, add_product


def order(ref: str, tier: CustomerTier, customer: str | None = "C1") -> OrderInput:
    """A one-unit HD order of SKU_1 by ``customer``."""
    return OrderInput(
        ref=ref,
        type=OrderType.HD,
        lines=(LineInput("1", "SKU_1", 1),),
        delivery_point=GeoPoint(0.0, 0.0),
        customer_ref=customer,
        customer_tier=tier,
    )


def test_customer_is_created_once_and_takes_the_latest_tier(
    sessions: sessionmaker[Session],
) -> None:
    """Three orders by C1 (standard, VIP, VIP) and one anonymous: one customer row, now VIP."""
    with sessions.begin() as session:
        add_position(session, add_product(session, "SKU_1"), add_location(session, "S1"), 10)
    for ref, tier in [("O1", CustomerTier.STANDARD), ("O2", CustomerTier.VIP)]:
        source_order(sessions, order(ref, tier), SourceOptions())
    with sessions() as session:
        (customer,) = session.scalars(select(Customer)).all()
        assert (customer.ref, customer.tier) == ("C1", CustomerTier.VIP)
    source_order(sessions, order("O3", CustomerTier.VIP), SourceOptions())
    source_order(sessions, order("O4", CustomerTier.STANDARD, customer=None), SourceOptions())
    with sessions() as session:
        assert session.scalars(select(Customer.id)).all() == [customer.id]
        by_order = dict(session.execute(select(Order.ref, Order.customer_id)).tuples().all())
        assert by_order == {"O1": customer.id, "O2": customer.id, "O3": customer.id, "O4": None}

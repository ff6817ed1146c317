"""Rows of the main entities survive a round trip, and the schema's constraints hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import (
    Article,
    ArticleLine,
    Consignment,
    Customer,
    CustomerTier,
    Fulfilment,
    FulfilmentStatus,
    IdempotencyKey,
    InTransit,
    InventoryPosition,
    Location,
    LocationType,
    Network,
    Order,
    OrderStatus,
    OrderType,
    OutboxEvent,
    OutboxState,
    ReturnLine,
    ReturnOrder,
    SourcingProfile,
    VirtualCatalogue,
    WebhookSubscription,
)
from tests.models.builders import add_fulfilment, add_location, add_position, add_product


def test_location_and_network_round_trip(sessions: sessionmaker[Session]) -> None:
    """A location's attributes, its networks and a catalogue come back as stored."""
    with sessions.begin() as session:
        store = add_location(
            session,
            "ST_1",
            type=LocationType.STORE,
            latitude=-23.55,
            longitude=-46.63,
            fixed_cost_minor=250,
            shipping_cost_per_unit_km=1.5,
            capacity_hd=40,
            flagship=True,
        )
        network = Network(ref="CC_NET", name="Click and collect", order_type=OrderType.CC)
        network.locations.append(store)
        session.add(VirtualCatalogue(ref="CC_CAT", name="CC", network=network, extra_buffer_qty=2))
    with sessions() as session:
        store = session.scalars(select(Location).where(Location.ref == "ST_1")).one()
        assert store.type is LocationType.STORE
        assert (store.latitude, store.longitude) == (-23.55, -46.63)
        assert store.shipping_cost_per_unit_km == 1.5
        assert (store.capacity_total, store.capacity_hd) == (None, 40)
        assert store.hd_enabled and store.flagship and not store.vip_service
        assert store.created_at.tzinfo is UTC
        assert [n.ref for n in store.networks] == ["CC_NET"]
        assert [c.ref for c in store.networks[0].catalogues] == ["CC_CAT"]


def test_order_fulfilment_article_consignment_round_trip(sessions: sessionmaker[Session]) -> None:
    """An order with a fulfilment packed into an article on a consignment reads back whole."""
    with sessions.begin() as session:
        location = add_location(session)
        product = add_product(session, category="shoes")
        fulfilment = add_fulfilment(session, location, product, quantity=3)
        fulfilment.order.customer = Customer(ref="C_1", tier=CustomerTier.VIP)
        fulfilment.due_at = datetime(2026, 1, 2, 15, 0, tzinfo=timezone(timedelta(hours=-3)))
        article = Article(
            fulfilment=fulfilment,
            label="PARCEL-1",
            lines=[ArticleLine(fulfilment_line=fulfilment.lines[0], quantity=3)],
        )
        session.add(Consignment(carrier="Correios", tracking_ref="BR123", articles=[article]))
    with sessions() as session:
        order = session.scalars(select(Order).where(Order.ref == "O_1")).one()
        assert order.status is OrderStatus.CREATED
        assert order.customer is not None and order.customer.tier is CustomerTier.VIP
        assert [(line.ref, line.quantity, line.currency) for line in order.lines] == [
            ("1", 3, "EUR")
        ]
        (fulfilment,) = order.fulfilments
        assert fulfilment.status is FulfilmentStatus.CREATED
        assert fulfilment.attempt == 1 and fulfilment.reassigned_from is None
        # Stored in UTC, returned aware: 15:00 at UTC-3 is 18:00 UTC.
        assert fulfilment.due_at == datetime(2026, 1, 2, 18, 0, tzinfo=UTC)
        assert fulfilment.due_at is not None and fulfilment.due_at.tzinfo is UTC
        (article,) = session.scalars(select(Article)).all()
        assert article.lines[0].fulfilment_line.order_line.product.category == "shoes"
        assert [c.tracking_ref for c in article.consignments] == ["BR123"]


def test_reassigned_fulfilment_links_to_its_origin(sessions: sessionmaker[Session]) -> None:
    """A fulfilment made by reassignment points at the one it replaces."""
    with sessions.begin() as session:
        first = add_fulfilment(session, add_location(session), add_product(session), 2)
        other = add_location(session, "ST_2", type=LocationType.STORE)
        second = Fulfilment(
            order=first.order,
            location=other,
            type=OrderType.HD,
            attempt=2,
            reassigned_from=first,
        )
        session.add(second)
    with sessions() as session:
        second = session.scalars(select(Fulfilment).where(Fulfilment.attempt == 2)).one()
        assert second.reassigned_from is not None
        assert second.reassigned_from.location.ref == "WH_1"


def test_return_order_round_trip(sessions: sessionmaker[Session]) -> None:
    """A return line keeps its reason, resellable flag and receiving location."""
    received = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with sessions.begin() as session:
        location = add_location(session)
        fulfilment = add_fulfilment(session, location, add_product(session), 2)
        session.add(
            ReturnOrder(
                ref="R_1",
                order=fulfilment.order,
                lines=[
                    ReturnLine(
                        order_line=fulfilment.order.lines[0],
                        quantity=1,
                        reason="too small",
                        resellable=False,
                        received_at=received,
                        location=location,
                    )
                ],
            )
        )
    with sessions() as session:
        (line,) = session.scalars(select(ReturnOrder)).one().lines
        assert (line.quantity, line.reason, line.resellable) == (1, "too small", False)
        assert line.received_at == received
        assert line.location is not None and line.location.ref == "WH_1"


def test_stock_profile_webhook_and_idempotency_round_trip(sessions: sessionmaker[Session]) -> None:
    """Positions with in-transit stock, JSON columns, the outbox and idempotency keys read back."""
    event_id = str(uuid.uuid4())
    arrives = datetime(2026, 5, 1, tzinfo=UTC)
    with sessions.begin() as session:
        position = add_position(session, add_product(session), add_location(session), on_hand=7)
        position.markdown = 0.3
        position.in_transit.append(InTransit(quantity=4, arrives_at=arrives))
        session.add(
            SourcingProfile(
                order_type=OrderType.HD,
                version=1,
                active=True,
                weights={"fixed_cost": 1.0, "split": 500.0},
                split_limit=2,
                rules={"excluded_categories": ["knives"]},
            )
        )
        subscription = WebhookSubscription(
            url="http://localhost:9/hook", secret="s3cret", event_types=["fulfilment.status"]
        )
        session.add(
            OutboxEvent(
                event_id=event_id,
                subscription=subscription,
                event_type="fulfilment.status",
                entity_type="fulfilment",
                entity_id="17",
                status="PICKED",
                payload={"fulfilment_id": 17},
            )
        )
        session.add(
            IdempotencyKey(
                operation="Source", key="O_1", request_hash="a" * 64, response=b"\x00\x01"
            )
        )
    with sessions() as session:
        position = session.scalars(select(InventoryPosition)).one()
        assert (position.on_hand, position.markdown) == (7, 0.3)
        assert [(t.quantity, t.arrives_at) for t in position.in_transit] == [(4, arrives)]
        profile = session.scalars(select(SourcingProfile)).one()
        assert profile.weights == {"fixed_cost": 1.0, "split": 500.0}
        assert profile.rules == {"excluded_categories": ["knives"]}
        event = session.scalars(select(OutboxEvent)).one()
        assert (event.event_id, event.state, event.attempts) == (event_id, OutboxState.PENDING, 0)
        assert event.subscription is not None
        assert event.subscription.event_types == ["fulfilment.status"]
        key = session.scalars(select(IdempotencyKey)).one()
        assert key.response == b"\x00\x01"


def test_location_ref_is_unique(sessions: sessionmaker[Session]) -> None:
    """Two locations cannot share a ref."""
    with sessions() as session:
        add_location(session, "WH_1")
        session.add(
            Location(ref="WH_1", name="again", type=LocationType.STORE, latitude=0, longitude=0)
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_one_active_profile_per_order_type(sessions: sessionmaker[Session]) -> None:
    """A second active profile for an order type is refused; an inactive one is fine."""
    with sessions.begin() as session:
        session.add(SourcingProfile(order_type=OrderType.HD, version=1, active=True))
        session.add(SourcingProfile(order_type=OrderType.HD, version=2, active=False))
        session.add(SourcingProfile(order_type=OrderType.CC, version=1, active=True))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(SourcingProfile(order_type=OrderType.HD, version=3, active=True))


def test_hd_order_needs_a_delivery_point(sessions: sessionmaker[Session]) -> None:
    """The database refuses an HD order without delivery coordinates."""
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Order(ref="O_X", type=OrderType.HD, request_hash="0" * 64))


def test_naive_datetimes_are_refused(sessions: sessionmaker[Session]) -> None:
    """A naive datetime is an error, not silently taken as UTC or local time."""
    with sessions() as session:
        location = add_location(session)
        location.created_at = datetime(2026, 1, 1)
        with pytest.raises(StatementError, match="timezone-aware"):
            session.flush()


def test_position_version_counts_updates(sessions: sessionmaker[Session]) -> None:
    """Every update of a position bumps its version."""
    with sessions.begin() as session:
        position = add_position(session, add_product(session), add_location(session), on_hand=0)
        assert position.version == 1
        position.ideal_qty = 5
        session.flush()
        assert position.version == 2


def test_unknown_status_is_refused(sessions: sessionmaker[Session]) -> None:
    """A status outside the enum cannot be written."""
    with sessions() as session:
        session.add(
            OutboxEvent(
                event_id="e", event_type="t", entity_type="order", entity_id="1", state="LOST"
            )
        )
        with pytest.raises(StatementError):
            session.flush()

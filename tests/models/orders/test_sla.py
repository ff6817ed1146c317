"""The SLA sweep: overdue fulfilments are escalated or reassigned, the rest left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.cli import main
from sourcing.models import (
    Fulfilment,
    FulfilmentStatus,
    Location,
    Order,
    OrderStatus,
    OrderType,
    OutboxEvent,
    Product,
    SourcingProfile,
)
from sourcing.models.config.setup import WebhookSpec, create_webhook_subscription
from sourcing.models.inventory.availability import available_by_position
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.inventory import reserve
from sourcing.models.inventory.ledger import ledger_check
from sourcing.models.orders.sla import sweep
from tests.models.builders import add_fulfilment, add_location, add_position, add_product

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def late_fulfilment(
    sessions: sessionmaker[Session],
    due_in: timedelta,
    status: FulfilmentStatus = FulfilmentStatus.CREATED,
    overdue_action: str | None = None,
) -> int:
    """Two stocked warehouses; a fulfilment of 2 units at WH_1, reserved, due ``due_in`` from NOW.

    ``overdue_action`` goes into an active HD profile's rules when given.
    """
    with sessions.begin() as session:
        product = add_product(session)
        near = add_location(session, "WH_1")
        far = add_location(session, "WH_2", longitude=0.5)
        position = add_position(session, product, near, 5)
        add_position(session, product, far, 5)
        fulfilment = add_fulfilment(session, near, product, 2)
        fulfilment.status = status
        fulfilment.due_at = NOW + due_in
        reserve(session, fulfilment.id, position.id, 2)
        fulfilment.order.status = OrderStatus.BOOKED
        if overdue_action is not None:
            session.add(
                SourcingProfile(
                    order_type=OrderType.HD,
                    version=1,
                    active=True,
                    rules={"overdue_action": overdue_action},
                )
            )
        create_webhook_subscription(session, WebhookSpec("http://127.0.0.1:9/hook", "s"))
        return fulfilment.id


def available_at(session: Session, location_ref: str) -> int:
    """Units of the one product available at a location."""
    location = session.scalars(select(Location).where(Location.ref == location_ref)).one()
    product = session.scalars(select(Product)).one()
    key = (product.id, location.id)
    return available_by_position(session, [product.id], [location.id])[key].available


@pytest.mark.parametrize("status", [FulfilmentStatus.CREATED, FulfilmentStatus.ACKNOWLEDGED])
def test_overdue_fulfilment_is_escalated(
    sessions: sessionmaker[Session], status: FulfilmentStatus
) -> None:
    """Past its due time and unpicked, a fulfilment is ESCALATED, its stock freed, and announced."""
    fid = late_fulfilment(sessions, timedelta(minutes=-1), status)
    report = sweep(sessions, NOW)
    assert (report.escalated, dict(report.reassigned), report.skipped) == ((fid,), {}, ())
    with sessions() as session:
        fulfilment = session.get(Fulfilment, fid)
        assert fulfilment is not None
        assert fulfilment.status is FulfilmentStatus.ESCALATED
        assert fulfilment.status_reason == "overdue: due at 2030-01-01 11:59 UTC"
        assert fulfilment.order.status is OrderStatus.ESCALATED
        assert available_at(session, "WH_1") == 5  # the reservation was released
        assert ledger_check(session) == []
        assert load_check(session) == []
        events = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert [(e.event_type, e.entity_id, e.status) for e in events] == [
        ("FULFILMENT_STATUS_CHANGED", str(fid), "ESCALATED"),
        ("INVENTORY_CHANGED", "SKU_1@WH_1", "RELEASED"),
        ("ORDER_STATUS_CHANGED", "O_1", "ESCALATED"),
    ]
    assert events[0].payload["location_ref"] == "WH_1"
    assert events[0].payload["previous_status"] == status.value
    assert events[1].payload["available"] == 5
    assert events[2].payload["previous_status"] == "BOOKED"
    assert sweep(sessions, NOW + timedelta(hours=1)) == type(report)()  # nothing left to do


@pytest.mark.parametrize(
    ("due_in", "status"),
    [
        (timedelta(minutes=1), FulfilmentStatus.CREATED),  # not yet due
        (timedelta(0), FulfilmentStatus.CREATED),  # due this very moment: not past it
        (timedelta(minutes=-1), FulfilmentStatus.PICKED),  # late, but being worked
    ],
)
def test_fulfilment_not_overdue_is_untouched(
    sessions: sessionmaker[Session], due_in: timedelta, status: FulfilmentStatus
) -> None:
    """A fulfilment not yet due, or already picked, is left as it is."""
    fid = late_fulfilment(sessions, due_in, status, overdue_action="REASSIGN")
    report = sweep(sessions, NOW)
    assert (report.escalated, dict(report.reassigned)) == ((), {})
    with sessions() as session:
        fulfilment = session.get(Fulfilment, fid)
        assert fulfilment is not None and fulfilment.status is status
        assert available_at(session, "WH_1") == 3
        assert session.scalars(select(OutboxEvent)).all() == []


def test_overdue_fulfilment_is_reassigned_when_the_profile_says(
    sessions: sessionmaker[Session],
) -> None:
    """With overdue_action REASSIGN, the late location's units are sourced from the other one."""
    fid = late_fulfilment(sessions, timedelta(minutes=-5), overdue_action="REASSIGN")
    report = sweep(sessions, NOW)
    assert report.escalated == ()
    ((moved, (new_id,)),) = report.reassigned.items()
    assert moved == fid
    with sessions() as session:
        old = session.get(Fulfilment, fid)
        new = session.get(Fulfilment, new_id)
        assert old is not None and new is not None
        assert old.status is FulfilmentStatus.REJECTED
        assert old.status_reason is not None and old.status_reason.startswith("overdue")
        assert (new.location.ref, new.status, new.attempt) == ("WH_2", FulfilmentStatus.CREATED, 2)
        assert [ln.quantity for ln in new.lines] == [2]
        assert available_at(session, "WH_1") == 5
        assert available_at(session, "WH_2") == 3
        order = session.scalars(select(Order)).one()
        assert order.status is OrderStatus.BOOKED
        assert ledger_check(session) == []
        assert load_check(session) == []


def test_sweep_command_prints_what_it_did(
    sessions: sessionmaker[Session], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sourcing sweep --db URL`` sweeps once at the current time and reports each fulfilment."""
    fid = late_fulfilment(sessions, datetime.now(UTC) - NOW - timedelta(minutes=1))
    assert main(["sweep", "--db", db_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"fulfilment {fid}: escalated", "sweep: 1 escalated, 0 reassigned, 0 skipped"]

"""Daily capacity counters follow the fulfilments they count, and sourcing reads them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import FulfilmentStatus, Location, LocationDayLoad, OrderType
from sourcing.models.db.base import utcnow
from sourcing.models.db.errors import CapacityTaken
from sourcing.models.inventory.day_load import (
    LoadDiscrepancy,
    check_capacity,
    count_new,
    load_check,
    used_on,
)
from sourcing.models.orders.lifecycle import change_status
from sourcing.models.orders.source import source_order
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.models.orders.tables import Fulfilment
from sourcing.solver import GeoPoint
from tests.models.builders import add_location, add_position, add_product


def two_stores(sessions: sessionmaker[Session]) -> None:
    """SKU_1 at NEAR (capacity 2 a day) and FAR (no capacity), 10 units each."""
    with sessions.begin() as session:
        product = add_product(session, "SKU_1")
        near = add_location(session, "NEAR", longitude=0.1, capacity_total=2)
        far = add_location(session, "FAR", longitude=0.5)
        add_position(session, product, near, 10)
        add_position(session, product, far, 10)


def source(sessions: sessionmaker[Session], ref: str) -> dict[str, int]:
    """Source a one-unit HD order near NEAR; the fulfilment ids by location ref."""
    order = OrderInput(
        ref=ref,
        type=OrderType.HD,
        lines=(LineInput("1", "SKU_1", 1),),
        delivery_point=GeoPoint(0.0, 0.0),
    )
    return dict(source_order(sessions, order, SourceOptions()).fulfilment_ids)


def loads(session: Session) -> dict[str, int]:
    """Today's counters by location ref."""
    names = {loc.id: loc.ref for loc in session.query(Location)}
    return {names[loc]: n for loc, _, n in used_on(session, utcnow().date())}


def test_sourcing_counts_and_closing_frees_the_slot(sessions: sessionmaker[Session]) -> None:
    """Two orders fill NEAR's 2 slots, the third goes FAR; a cancellation frees one at NEAR."""
    two_stores(sessions)
    assert list(source(sessions, "O1")) == ["NEAR"]
    assert list(source(sessions, "O2")) == ["NEAR"]
    assert list(source(sessions, "O3")) == ["FAR"]
    first_id = source(sessions, "O1")["NEAR"]  # a replay: nothing more is counted
    with sessions.begin() as session:
        assert loads(session) == {"NEAR": 2, "FAR": 1}
        first = session.get_one(Fulfilment, first_id)
        change_status(session, first, FulfilmentStatus.CANCELLED, reason="customer")
    with sessions() as session:
        assert loads(session) == {"NEAR": 1, "FAR": 1}
        assert load_check(session) == []
    assert list(source(sessions, "O4")) == ["NEAR"]


def test_status_changes_between_open_statuses_count_nothing(
    sessions: sessionmaker[Session],
) -> None:
    """Acknowledging keeps the count; escalating (a closed status) takes one off."""
    two_stores(sessions)
    fulfilment_id = source(sessions, "O1")["NEAR"]
    with sessions.begin() as session:
        fulfilment = session.get_one(Fulfilment, fulfilment_id)
        change_status(session, fulfilment, FulfilmentStatus.ACKNOWLEDGED)
        assert loads(session) == {"NEAR": 1}
        change_status(session, fulfilment, FulfilmentStatus.ESCALATED, reason="late")
        assert loads(session) == {}
        assert load_check(session) == []


def test_a_fulfilment_of_another_day_counts_on_its_own_day(
    sessions: sessionmaker[Session],
) -> None:
    """Yesterday's fulfilment takes none of today's capacity, and closing it frees yesterday's."""
    two_stores(sessions)
    fulfilment_id = source(sessions, "O1")["NEAR"]
    yesterday = utcnow() - timedelta(days=1)
    with sessions.begin() as session:
        # Move it to yesterday, counters included, as if it had been stored then.
        session.execute(
            update(LocationDayLoad).values(day=yesterday.date()),
            execution_options={"synchronize_session": False},
        )
        session.execute(
            update(Fulfilment).where(Fulfilment.id == fulfilment_id).values(created_at=yesterday),
            execution_options={"synchronize_session": False},
        )
    with sessions.begin() as session:
        assert loads(session) == {}
        assert load_check(session) == []
        fulfilment = session.get_one(Fulfilment, fulfilment_id)
        change_status(session, fulfilment, FulfilmentStatus.CANCELLED, reason="customer")
    with sessions() as session:
        assert load_check(session) == []


def test_load_check_reports_a_fulfilment_the_counters_missed(
    sessions: sessionmaker[Session],
) -> None:
    """A counter moved outside day_load shows up with what it counted and what is there."""
    two_stores(sessions)
    source(sessions, "O1")
    with sessions.begin() as session:
        fulfilment = session.query(Fulfilment).one()
        count_new(session, [(fulfilment.location_id, fulfilment.created_at, OrderType.HD)])
        assert load_check(session) == [
            LoadDiscrepancy(
                fulfilment.location_id, fulfilment.created_at.date(), OrderType.HD, 2, 1
            )
        ]


def test_orders_racing_for_the_last_slot_never_exceed_capacity(
    sessions: sessionmaker[Session],
) -> None:
    """Six orders solved at once all want NEAR's one slot: one gets it, the rest go FAR."""
    with sessions.begin() as session:
        product = add_product(session, "SKU_1")
        near = add_location(session, "NEAR", longitude=0.1, capacity_total=1)
        far = add_location(session, "FAR", longitude=0.5)
        add_position(session, product, near, 10)
        add_position(session, product, far, 10)
    start = threading.Barrier(6)

    def place(i: int) -> list[str]:
        start.wait()
        return list(source(sessions, f"O{i}"))

    with ThreadPoolExecutor(6) as pool:
        placed = list(pool.map(place, range(6)))
    assert sorted(placed) == [["FAR"]] * 5 + [["NEAR"]]
    with sessions() as session:
        assert loads(session) == {"NEAR": 1, "FAR": 5}
        assert load_check(session) == []


def test_check_capacity_names_the_limit_a_plan_would_break(
    sessions: sessionmaker[Session],
) -> None:
    """HD capacity 1 taken: one more HD is refused, a CC is not; nothing unlimited is checked."""
    with sessions.begin() as session:
        shop = add_location(session, "SHOP", capacity_hd=1)
        free = add_location(session, "FREE")
        ids = (shop.id, free.id)
    source_at = utcnow()
    with sessions.begin() as session:
        count_new(session, [(ids[0], source_at, OrderType.HD)])
    with sessions.begin() as session:
        check_capacity(session, [(ids[0], OrderType.CC), (ids[1], OrderType.HD)], source_at.date())
        with pytest.raises(CapacityTaken) as caught:
            check_capacity(session, [(ids[0], OrderType.HD)], source_at.date())
    assert (caught.value.location_ref, caught.value.kind) == ("SHOP", "HD")
    assert (caught.value.capacity, caught.value.taken) == (1, 1)

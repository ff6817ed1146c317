"""Availability, reservations and stock movements keep the ledger right, also under concurrency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import (
    InsufficientStock,
    InvalidState,
    InventoryPosition,
    InventoryQuantity,
    Network,
    NotFound,
    OrderType,
    QuantityStatus,
    QuantityType,
    VirtualCatalogue,
)
from sourcing.models.db.engine import make_engine, session_factory, upgrade
from sourcing.models.inventory.availability import available_by_position, available_in_catalogue
from sourcing.models.inventory.inventory import (
    ReservationRequest,
    adjust_stock,
    get_or_create_position,
    record_sale,
    release,
    reserve,
    reserve_many,
    set_stock,
    shrink_reservations,
)
from sourcing.models.inventory.ledger import ledger_check
from tests.models.builders import add_fulfilment, add_location, add_position, add_product


def _one_position(
    sessions: sessionmaker[Session], on_hand: int, buffer_qty: int = 0, fulfilments: int = 1
) -> tuple[int, list[int]]:
    """A position with ``on_hand`` units and ``fulfilments`` one-unit orders at its location."""
    with sessions.begin() as session:
        location = add_location(session)
        product = add_product(session)
        position = add_position(session, product, location, on_hand, buffer_qty)
        ids = [
            add_fulfilment(session, location, product, 1, ref=f"O_{i}").id
            for i in range(fulfilments)
        ]
        return position.id, ids


def _active_reserved(session: Session, position_id: int) -> int:
    return sum(
        session.scalars(
            select(InventoryQuantity.quantity).where(
                InventoryQuantity.position_id == position_id,
                InventoryQuantity.type == QuantityType.RESERVED,
                InventoryQuantity.status == QuantityStatus.ACTIVE,
            )
        )
    )


def test_available_is_on_hand_less_reserved_less_buffer(sessions: sessionmaker[Session]) -> None:
    """Active reservations and the buffer count against availability; released ones do not."""
    position_id, (f1, f2) = _one_position(sessions, on_hand=10, buffer_qty=2, fulfilments=2)
    with sessions.begin() as session:
        reserve(session, f1, position_id, 3)
        reserve(session, f2, position_id, 4)
        release(session, f2)
    with sessions() as session:
        position = session.get_one(InventoryPosition, position_id)
        (found,) = available_by_position(session, [position.product_id]).values()
        assert (found.on_hand, found.reserved, found.buffer_qty, found.available) == (10, 3, 2, 5)


def test_available_never_goes_below_zero(sessions: sessionmaker[Session]) -> None:
    """A buffer larger than the stock leaves nothing available, not a negative number."""
    position_id, _ = _one_position(sessions, on_hand=2, buffer_qty=5)
    with sessions() as session:
        position = session.get_one(InventoryPosition, position_id)
        (found,) = available_by_position(session, [position.product_id]).values()
        assert found.available == 0


def test_available_filters_by_location_and_skips_missing_positions(
    sessions: sessionmaker[Session],
) -> None:
    """Only the asked locations appear; a product with no position there is absent."""
    with sessions.begin() as session:
        wh, st = add_location(session, "WH_1"), add_location(session, "ST_1")
        shoe, hat = add_product(session, "SHOE"), add_product(session, "HAT")
        add_position(session, shoe, wh, 4)
        add_position(session, shoe, st, 1)
        st_id, shoe_id, hat_id = st.id, shoe.id, hat.id
    with sessions() as session:
        found = available_by_position(session, [shoe_id, hat_id], [st_id])
        assert {key: a.available for key, a in found.items()} == {(shoe_id, st_id): 1}
        assert len(available_by_position(session, [shoe_id])) == 2
        assert available_by_position(session, [], None) == {}
        assert available_by_position(session, [shoe_id], []) == {}


def test_catalogue_adds_its_buffers_and_keeps_to_its_network(
    sessions: sessionmaker[Session],
) -> None:
    """A virtual catalogue sees only its network's locations, less its extra buffers."""
    with sessions.begin() as session:
        wh, st = add_location(session, "WH_1"), add_location(session, "ST_1")
        shoe = add_product(session, "SHOE", category="shoes")
        add_position(session, shoe, wh, 10, buffer_qty=1)
        add_position(session, shoe, st, 10)
        network = Network(ref="HD", name="HD", order_type=OrderType.HD, locations=[wh])
        catalogue = VirtualCatalogue(
            ref="WEB",
            name="Web shop",
            network=network,
            extra_buffer_qty=2,
            category_buffers={"shoes": 3},
        )
        session.add(catalogue)
        session.flush()
        ids = (catalogue.id, shoe.id, wh.id)
    catalogue_id, shoe_id, wh_id = ids
    with sessions() as session:
        found = available_in_catalogue(session, catalogue_id, [shoe_id])
        assert list(found) == [(shoe_id, wh_id)]
        assert (found[shoe_id, wh_id].buffer_qty, found[shoe_id, wh_id].available) == (6, 4)
        with pytest.raises(NotFound):
            available_in_catalogue(session, catalogue_id + 1, [shoe_id])


def test_reserve_writes_an_active_reservation(sessions: sessionmaker[Session]) -> None:
    """A reservation within availability is stored ACTIVE against the fulfilment."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=5)
    with sessions.begin() as session:
        record = reserve(session, fulfilment_id, position_id, 5)
        assert (record.type, record.status, record.quantity) == (
            QuantityType.RESERVED,
            QuantityStatus.ACTIVE,
            5,
        )
        assert record.fulfilment_id == fulfilment_id


def test_reserve_beyond_availability_raises_and_writes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    """Asking for more than is available names product, location, requested and available."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=5, buffer_qty=1)
    with sessions() as session:
        with pytest.raises(InsufficientStock) as caught:
            reserve(session, fulfilment_id, position_id, 5)
        error = caught.value
        assert (error.product_ref, error.location_ref, error.requested, error.available) == (
            "SKU_1",
            "WH_1",
            5,
            4,
        )
        assert _active_reserved(session, position_id) == 0


def test_reserve_many_is_all_or_nothing(sessions: sessionmaker[Session]) -> None:
    """When one position is short, no reservation of the plan is written."""
    with sessions.begin() as session:
        location = add_location(session)
        shoe, hat = add_product(session, "SHOE"), add_product(session, "HAT")
        shoes = add_position(session, shoe, location, 5).id
        hats = add_position(session, hat, location, 1).id
        fulfilment_id = add_fulfilment(session, location, shoe, 2).id
    plan = [
        ReservationRequest(fulfilment_id, shoes, 2),
        ReservationRequest(fulfilment_id, hats, 1),
        ReservationRequest(fulfilment_id, hats, 1),  # together 2 > 1 available
    ]
    with sessions() as session:
        with pytest.raises(InsufficientStock, match="HAT"):
            reserve_many(session, plan)
        assert _active_reserved(session, shoes) == 0


def test_reserve_unknown_position_is_not_found(sessions: sessionmaker[Session]) -> None:
    """A position id that does not exist raises NotFound naming it."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=1)
    with sessions() as session, pytest.raises(NotFound) as caught:
        reserve(session, fulfilment_id, position_id + 100, 1)
    assert caught.value.ref == position_id + 100


@pytest.mark.parametrize("quantity", [0, -1])
def test_reservation_quantity_must_be_positive(quantity: int) -> None:
    """A reservation of nothing or of negative units is a caller error."""
    with pytest.raises(ValueError, match="positive integer"):
        ReservationRequest(fulfilment_id=1, position_id=1, quantity=quantity)


def test_release_returns_units_once(sessions: sessionmaker[Session]) -> None:
    """Release reports the units it freed; a second release frees nothing."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=5)
    with sessions.begin() as session:
        reserve(session, fulfilment_id, position_id, 3)
    with sessions.begin() as session:
        assert release(session, fulfilment_id, [position_id + 1]) == 0
        assert release(session, fulfilment_id) == 3
        assert release(session, fulfilment_id) == 0
        assert _active_reserved(session, position_id) == 0


def test_full_and_short_picks_keep_the_ledger(sessions: sessionmaker[Session]) -> None:
    """Pick 3 of 3 and 2 of 3: reservations end, sales and the missing unit leave on_hand."""
    position_id, (full, short) = _one_position(sessions, on_hand=10, fulfilments=2)
    with sessions.begin() as session:
        reserve(session, full, position_id, 3)
        reserve(session, short, position_id, 3)
    with sessions.begin() as session:
        release(session, full)
        record_sale(session, position_id, 3, fulfilment_id=full)
        release(session, short)
        record_sale(session, position_id, 2, fulfilment_id=short)
        adjust_stock(session, position_id, -1, reason="missing at pick", fulfilment_id=short)
    with sessions() as session:
        assert session.get_one(InventoryPosition, position_id).on_hand == 4
        assert _active_reserved(session, position_id) == 0
        assert ledger_check(session) == []


def test_stock_cannot_go_negative(sessions: sessionmaker[Session]) -> None:
    """Removing more than is on hand raises InvalidState and changes nothing."""
    position_id, _ = _one_position(sessions, on_hand=2)
    with sessions() as session:
        with pytest.raises(InvalidState, match="on_hand=-1"):
            adjust_stock(session, position_id, -3)
        with pytest.raises(ValueError, match="non-zero"):
            adjust_stock(session, position_id, 0)
        assert session.get_one(InventoryPosition, position_id).on_hand == 2


def test_set_stock_writes_the_difference(sessions: sessionmaker[Session]) -> None:
    """Setting a counted level writes a CORRECTION of the difference, or nothing if unchanged."""
    position_id, _ = _one_position(sessions, on_hand=5)
    with sessions.begin() as session:
        record = set_stock(session, position_id, 3, reason="stocktake")
        assert record is not None and record.quantity == -2
        assert set_stock(session, position_id, 3) is None
        assert ledger_check(session) == []


def test_get_or_create_position_returns_the_same_row(sessions: sessionmaker[Session]) -> None:
    """A position is created empty once and found afterwards."""
    with sessions.begin() as session:
        location, product = add_location(session), add_product(session)
        first = get_or_create_position(session, product.id, location.id)
        assert get_or_create_position(session, product.id, location.id) is first
        assert first.on_hand == 0


def test_ledger_check_reports_what_does_not_add_up(sessions: sessionmaker[Session]) -> None:
    """A stock change without a record, and a count below what is promised, are both reported."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=5)
    with sessions.begin() as session:
        reserve(session, fulfilment_id, position_id, 4)
        set_stock(session, position_id, 3, reason="stocktake")
        assert [d.problems for d in ledger_check(session)] == [("over_reserved",)]
        session.get_one(InventoryPosition, position_id).on_hand = 9  # bypasses the ledger
        session.flush()
        (found,) = ledger_check(session, [position_id])
        assert found.problems == ("movements",)
        assert (found.on_hand, found.reserved, found.corrected, found.sold) == (9, 4, 3, 0)


def test_reserved_counter_follows_every_reservation_change(
    sessions: sessionmaker[Session],
) -> None:
    """The position's reserved counter equals its active reservations after each change."""
    position_id, (first, second) = _one_position(sessions, on_hand=10, fulfilments=2)

    def reserve_both(session: Session) -> None:
        reserve_many(
            session,
            [ReservationRequest(first, position_id, 3), ReservationRequest(second, position_id, 2)],
        )

    def shrink_first(session: Session) -> None:
        shrink_reservations(session, first, {position_id: 1})

    def release_second(session: Session) -> None:
        release(session, second)

    def release_first(session: Session) -> None:
        release(session, first)

    steps = [reserve_both, shrink_first, release_second, release_first]
    expected = [5, 3, 1, 0]
    for step, reserved in zip(steps, expected, strict=True):
        with sessions.begin() as session:
            step(session)
        with sessions() as session:
            position = session.get_one(InventoryPosition, position_id)
            assert position.reserved == _active_reserved(session, position_id) == reserved
            assert ledger_check(session) == []


def test_ledger_check_reports_a_reservation_written_around_the_counter(
    sessions: sessionmaker[Session],
) -> None:
    """A RESERVED record the counter does not know of is reported, and availability ignores it."""
    position_id, (fulfilment_id,) = _one_position(sessions, on_hand=5)
    with sessions.begin() as session:
        session.add(
            InventoryQuantity(
                position_id=position_id,
                type=QuantityType.RESERVED,
                quantity=2,
                fulfilment_id=fulfilment_id,
            )
        )
        session.flush()
        (found,) = ledger_check(session)
        assert (found.problems, found.reserved) == (("reserved_counter",), 2)


def test_concurrent_reservations_never_oversell(sessions: sessionmaker[Session]) -> None:
    """8 threads reserving 1 of 5 units at once: exactly 5 succeed and the ledger adds up."""
    threads = 8
    position_id, fulfilment_ids = _one_position(sessions, on_hand=5, fulfilments=threads)
    start = threading.Barrier(threads)

    def attempt(fulfilment_id: int) -> InsufficientStock | None:
        start.wait()
        try:
            with sessions.begin() as session:
                # Read first, as a sourcing call does, then reserve.
                available_by_position(session, [1])
                reserve(session, fulfilment_id, position_id, 1)
        except InsufficientStock as error:
            return error
        return None

    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(attempt, fulfilment_ids))

    refused = [o for o in outcomes if o is not None]
    assert len(refused) == threads - 5
    assert all((e.requested, e.available) == (1, 0) for e in refused)
    with sessions() as session:
        assert _active_reserved(session, position_id) == 5
        assert ledger_check(session) == []


def test_crossing_plans_do_not_deadlock(sessions: sessionmaker[Session]) -> None:
    """Plans naming the same positions in opposite orders lock them in one order, so all finish."""
    with sessions.begin() as session:
        location = add_location(session)
        shoe, hat = add_product(session, "SHOE"), add_product(session, "HAT")
        a = add_position(session, shoe, location, 100).id
        b = add_position(session, hat, location, 100).id
        fulfilment_id = add_fulfilment(session, location, shoe, 1).id
    rounds = 10
    start = threading.Barrier(2)

    def run(order: tuple[int, int]) -> None:
        start.wait()
        for _ in range(rounds):
            with sessions.begin() as session:
                reserve_many(session, [ReservationRequest(fulfilment_id, p, 1) for p in order])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, [(a, b), (b, a)]))
    with sessions() as session:
        assert _active_reserved(session, a) == _active_reserved(session, b) == 2 * rounds
        assert ledger_check(session) == []


def test_sqlite_serialises_a_plain_read_check_write(tmp_path: Path) -> None:
    """On SQLite, even code that checks and writes without locking cannot oversell.

    BEGIN IMMEDIATE makes each transaction wait for the previous one, so the
    slow check below always sees the reservations committed before it.
    """
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    threads = 6
    position_id, fulfilment_ids = _one_position(sessions, on_hand=3, fulfilments=threads)
    start = threading.Barrier(threads)

    def attempt(fulfilment_id: int) -> bool:
        start.wait()
        with sessions.begin() as session:
            position = session.get_one(InventoryPosition, position_id)
            (found,) = available_by_position(session, [position.product_id]).values()
            time.sleep(0.02)  # a slow solve between the check and the write
            if found.available < 1:
                return False
            session.add(
                InventoryQuantity(
                    position_id=position_id,
                    type=QuantityType.RESERVED,
                    quantity=1,
                    fulfilment_id=fulfilment_id,
                )
            )
            position.reserved += 1  # as reserve_many keeps the counter
            return True

    try:
        with ThreadPoolExecutor(threads) as pool:
            assert sum(pool.map(attempt, fulfilment_ids)) == 3
        with sessions() as session:
            assert _active_reserved(session, position_id) == 3
    finally:
        engine.dispose()

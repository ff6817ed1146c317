"""Cached candidates: reused while nothing changes, rebuilt after any change, same numbers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models import InventoryPosition, Location, Network, OrderType, Product
from sourcing.models.config.candidate_cache import (
    candidate_set,
    read_candidates,
    share_stock_reads,
)
from sourcing.models.config.candidates import start_of_today
from sourcing.models.config.config_version import bump_config_version, config_version
from sourcing.models.db.engine import make_engine, session_factory
from sourcing.models.inventory.day_load import count_new
from sourcing.models.inventory.inventory import reserve
from sourcing.solver.instance import SourcingArrays
from tests.models.builders import add_fulfilment, add_location, add_position, add_product


def network_of_two(sessions: sessionmaker[Session]) -> None:
    """SKU_1 at two stores; the near one holds 3 units, the far one 5."""
    with sessions.begin() as session:
        product = add_product(session, "SKU_1")
        near = add_location(session, "NEAR", longitude=0.1, capacity_total=2)
        far = add_location(session, "FAR", longitude=0.5)
        add_position(session, product, near, 3)
        add_position(session, product, far, 5)


def refs(sessions: sessionmaker[Session]) -> tuple[str, ...]:
    """Refs of the HD candidates as the cache holds them now."""
    with sessions.begin() as session:
        return tuple(loc.ref for loc in candidate_set(session, OrderType.HD, None).locations)


def test_the_same_tuple_serves_order_after_order(sessions: sessionmaker[Session]) -> None:
    """While no location or network changes, every read returns the very same candidate tuple."""
    network_of_two(sessions)
    with sessions.begin() as session:
        first = candidate_set(session, OrderType.HD, None)
    with sessions.begin() as session:
        assert candidate_set(session, OrderType.HD, None) is first
        add_product(session, "SKU_2")  # not a location: the version stays
    with sessions.begin() as session:
        assert candidate_set(session, OrderType.HD, None) is first


def _create(session: Session) -> None:
    add_location(session, "NEW", longitude=0.3)


def _switch_off(session: Session) -> None:
    near = session.query(Location).filter_by(ref="NEAR").one()
    near.hd_enabled = False


def _network(session: Session) -> None:
    far = session.query(Location).filter_by(ref="FAR").one()
    session.add(Network(ref="HD", name="HD", order_type=OrderType.HD, locations=[far]))


def _join(session: Session) -> None:
    _network(session)
    session.flush()
    near = session.query(Location).filter_by(ref="NEAR").one()
    hd = session.query(Network).filter_by(ref="HD").one()
    near.networks.append(hd)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_create, ("NEAR", "FAR", "NEW")),
        (_network, ("FAR",)),
        (_join, ("NEAR", "FAR")),
    ],
)
def test_a_change_to_locations_or_networks_is_seen_by_the_next_read(
    sessions: sessionmaker[Session],
    change: Callable[[Session], None],
    expected: tuple[str, ...],
) -> None:
    """Creating a location, a network or joining one moves the version and rebuilds the set."""
    network_of_two(sessions)
    assert refs(sessions) == ("NEAR", "FAR")
    with sessions.begin() as session:
        before = config_version(session)
        change(session)
    with sessions.begin() as session:
        assert config_version(session) != before
    assert refs(sessions) == expected


def test_an_attribute_change_is_seen_by_the_next_read(sessions: sessionmaker[Session]) -> None:
    """Switching a store's HD off reaches the solver's candidates at once."""
    network_of_two(sessions)
    with sessions.begin() as session:
        assert candidate_set(session, OrderType.HD, None).locations[0].hd_enabled
        _switch_off(session)
    with sessions.begin() as session:
        assert not candidate_set(session, OrderType.HD, None).locations[0].hd_enabled


def test_a_change_made_through_another_engine_is_seen(engine: Engine) -> None:
    """Two replicas: what one changes, the other's cache notices on its next read."""
    ours = session_factory(engine)
    network_of_two(ours)
    assert refs(ours) == ("NEAR", "FAR")
    other_engine = make_engine(engine.url)
    try:
        with session_factory(other_engine).begin() as session:
            _create(session)
    finally:
        other_engine.dispose()
    assert refs(ours) == ("NEAR", "FAR", "NEW")


def test_writes_beside_the_orm_are_seen_once_they_bump_the_version(
    sessions: sessionmaker[Session],
) -> None:
    """A bulk UPDATE bypasses the flush hook; bump_config_version makes it visible."""
    network_of_two(sessions)
    with sessions.begin() as session:
        assert candidate_set(session, OrderType.HD, None).locations[1].fixed_cost == 0.0
        session.execute(
            update(Location).where(Location.ref == "FAR").values(fixed_cost_minor=700),
            execution_options={"synchronize_session": False},
        )
        bump_config_version(session)
    with sessions.begin() as session:
        assert candidate_set(session, OrderType.HD, None).locations[1].fixed_cost == 700.0


def test_state_holds_what_moves_net_of_reservations_capacity_and_open_orders(
    sessions: sessionmaker[Session],
) -> None:
    """Stock net of reservations and buffers, capacity used today and open orders, per candidate."""
    network_of_two(sessions)
    with sessions.begin() as session:
        product = session.query(Product).filter_by(ref="SKU_1").one()
        near = session.query(Location).filter_by(ref="NEAR").one()
        far = session.query(Location).filter_by(ref="FAR").one()
        add_position(session, add_product(session, "SKU_2"), far, 4, buffer_qty=4)
        fulfilment = add_fulfilment(session, near, product, 1)
        at_far = session.query(InventoryPosition).filter_by(product=product, location=far).one()
        reserve(session, fulfilment.id, at_far.id, 2)
    with sessions.begin() as session:
        products = {p.id: p.ref for p in session.query(Product)}
        fast = read_candidates(session, OrderType.HD, None, products, profile_open_order_limit=1)
    state = fast.state
    assert state.stock["SKU_1"].index.tolist() == [0, 1]
    assert state.stock["SKU_1"].reserved.tolist() == [0, 2]
    assert state.stock["SKU_2"].index.tolist() == [1]
    assert state.stock["SKU_2"].buffer_qty.tolist() == [4]
    assert state.capacity_total.tolist() == [1, -1]  # NEAR: 2 a day, 1 used today
    assert state.open_orders.tolist() == [1, 0]
    order = solver.Order(
        "O1",
        solver.OrderType.HD,
        (solver.OrderLine("1", "SKU_1", 2), solver.OrderLine("2", "SKU_2", 1)),
        solver.GeoPoint(0.0, 0.0),
    )
    profile = solver.SourcingProfile(rules=solver.Rules(hd_open_order_limit=1))
    arrays = SourcingArrays.build(
        solver.SourcingProblem(order, fast.candidates.locations, profile, state)
    )
    assert arrays.eligible.tolist() == [False, True]  # NEAR reached its open-order limit
    assert arrays.stock.tolist() == [[0, 0], [3, 0]]
    assert arrays.surplus.tolist() == [[3, 0], [3, 4]]


def test_equal_calendars_and_services_are_one_object(sessions: sessionmaker[Session]) -> None:
    """Locations configured alike share their calendar and services once loaded, so the
    solver merges their rate cards once (it groups services by identity)."""
    from sourcing.models.config.carriers import calendar_to_json, service_to_json
    from tests.solver.calendars import service, store_calendar

    network_of_two(sessions)
    calendar = calendar_to_json(store_calendar())
    services = [service_to_json(service(), "BRL")]
    with sessions.begin() as session:
        session.execute(update(Location).values(calendar=calendar, carrier_services=services))
        bump_config_version(session)
    with sessions.begin() as session:
        near, far = candidate_set(session, OrderType.HD, None).locations
    assert near.carrier_services == (service(),)
    assert near.carrier_services is far.carrier_services
    assert near.calendar == store_calendar() and near.calendar is far.calendar


def test_shared_stock_reads_query_once_and_give_the_same_state(
    sessions: sessionmaker[Session],
) -> None:
    """A session sharing stock reads asks the database once for the same products and for
    the day's capacity use, and the HD and CC candidates it builds from those rows equal
    those of separate reads."""
    network_of_two(sessions)
    with sessions.begin() as session:
        near = session.query(Location).filter_by(ref="NEAR").one()
        count_new(session, [(near.id, start_of_today(), OrderType.HD)])  # one taken today
    engine = sessions.kw["bind"]
    stock_queries: list[str] = []
    load_queries: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "inventory_quantit" in statement or "inventory_position" in statement:
            stock_queries.append(statement)
        if "location_day_loads" in statement:
            load_queries.append(statement)

    def read_both(session: Session) -> list[solver.CandidateState]:
        products = {p.id: p.ref for p in session.query(Product)}
        return [
            read_candidates(session, kind, None, products, profile_open_order_limit=None).state
            for kind in (OrderType.HD, OrderType.CC)
        ]

    with sessions.begin() as session:
        separate = read_both(session)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions.begin() as session:
            share_stock_reads(session)
            shared = read_both(session)
        assert len(stock_queries) == 1
        assert len(load_queries) == 1
        stock_queries.clear()
        load_queries.clear()
        with sessions.begin() as session:
            read_both(session)
        assert len(stock_queries) == 2  # without sharing, each read asks
        assert len(load_queries) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for mine, theirs in zip(shared, separate, strict=True):
        assert mine.stock.keys() == theirs.stock.keys()
        for ref in mine.stock:
            assert mine.stock[ref].index.tolist() == theirs.stock[ref].index.tolist()
            assert mine.stock[ref].on_hand.tolist() == theirs.stock[ref].on_hand.tolist()
        assert mine.capacity_total.tolist() == theirs.capacity_total.tolist()
        assert mine.capacity_hd.tolist() == theirs.capacity_hd.tolist()
        assert mine.capacity_cc.tolist() == theirs.capacity_cc.tolist()
    assert 1 in separate[0].capacity_total.tolist()  # NEAR took one of its two today

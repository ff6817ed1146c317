"""Scarce-stock prices through a real server, on SQLite and PostgreSQL.

NEAR (at 0.1 degrees east) and FAR (at 0.5) hold SKU_1 and ship at 1 per
unit and km. Three past orders right at NEAR took three of its four units;
with the prices refreshed over a horizon as long as that history, NEAR's
neighbourhood is expected to want three more, so its last unit is worth the
44 km more FAR would ship it. An order at 0.28 degrees east (NEAR 20 km,
FAR 24.5 km) then goes to FAR with the prices on, to NEAR with them off.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pytest
from sqlalchemy import func, select

from sourcing.cli import main
from sourcing.models.config.tables import Location
from sourcing.models.db.engine import session_factory
from sourcing.models.db.enums import LocationType
from sourcing.models.inventory.scarcity import PriceSettings
from sourcing.models.inventory.tables import ScarcityPrice
from sourcing.server.app import RunningServer, create_server
from sourcing.v1 import common_pb2, config_pb2, domain_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients

HD = common_pb2.ORDER_TYPE_HD


def scarce_network(server: RunningServer) -> None:
    """NEAR with 4 units of SKU_1 and FAR with 20, both shipping at 1 per unit and km."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        for ref, longitude, units in (("NEAR", 0.1, 4), ("FAR", 0.5, 20)):
            store = add_location(session, ref, longitude=longitude, shipping_cost_per_unit_km=1.0)
            add_position(session, product, store, units)


def order_at(ref: str, longitude: float) -> domain_pb2.Order:
    """One unit of SKU_1 delivered on the equator at ``longitude``."""
    return domain_pb2.Order(
        ref=ref,
        type=HD,
        lines=[domain_pb2.OrderLine(ref="1", product_ref="SKU_1", quantity=1)],
        delivery_point=common_pb2.GeoPoint(latitude=0.0, longitude=longitude),
        customer=domain_pb2.Customer(ref="C1"),
    )


def history(clients: Clients) -> None:
    """Three one-unit orders right at NEAR, which NEAR serves."""
    for i in range(3):
        reply = clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=order_at(f"PAST_{i}", 0.1)), timeout=30
        )
        assert [f.location_ref for f in reply.plan.fulfilments] == ["NEAR"]


def price_on(clients: Clients) -> None:
    """A home-delivery profile that weighs the scarce-stock prices at 1."""
    profile = config_pb2.SourcingProfile(
        order_type=HD, weights=config_pb2.SourcingWeights(scarcity_price=1.0)
    )
    clients.config.SetSourcingProfile(
        config_pb2.SetSourcingProfileRequest(profile=profile), timeout=10
    )


def steered_to_far(clients: Clients) -> tuple[plan_pb2.Plan, plan_pb2.Plan]:
    """Order NEW goes to NEAR with the prices off and to FAR once they are on, at the real cost.

    Returns the unpriced (dry-run) and the priced plans.
    """
    unpriced = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=order_at("NEW", 0.28), dry_run=True, explain=True),
        timeout=30,
    ).plan
    assert [f.location_ref for f in unpriced.fulfilments] == ["NEAR"]

    price_on(clients)
    priced = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(order=order_at("NEW", 0.28), explain=True), timeout=30
    ).plan
    assert [f.location_ref for f in priced.fulfilments] == ["FAR"]
    assert not priced.HasField("rejected_fulfilment")
    # The reported cost is the real one: FAR's shipping, about 24.5 km, without the price.
    assert "scarcity_price" not in priced.objective.terms
    assert priced.objective.total == pytest.approx(24.5, rel=0.02)
    return unpriced, priced


def stored_prices(server: RunningServer) -> dict[str, float]:
    """The stored prices by location ref."""
    with session_factory(server.engine)() as session:
        rows = session.execute(
            select(Location.ref, ScarcityPrice.price).join(
                Location, Location.id == ScarcityPrice.location_id
            )
        ).all()
    return {row.ref: row.price for row in rows}


def test_priced_order_spares_the_last_units_of_a_scarce_store(
    server: RunningServer, db_url: str, clients: Clients
) -> None:
    """After `sourcing prices refresh`, the order goes to FAR; the plan reports FAR's real cost."""
    scarce_network(server)
    history(clients)
    assert main(["prices", "refresh", "--db", db_url, "--horizon-days", "28"]) == 0
    prices = stored_prices(server)
    assert set(prices) == {"NEAR"}
    assert prices["NEAR"] == pytest.approx(44.0, rel=0.02)

    unpriced, priced = steered_to_far(clients)
    assert priced.objective.total == pytest.approx(priced.objective.terms["shipping"], rel=1e-9)
    assert priced.objective.total > unpriced.objective.total

    # The per-call override switches the prices off again.
    off = clients.sourcing.Source(
        sourcing_pb2.SourceRequest(
            order=order_at("NEW_2", 0.28), dry_run=True, weight_overrides={"scarcity_price": 0.0}
        ),
        timeout=30,
    ).plan
    assert [f.location_ref for f in off.fulfilments] == ["NEAR"]


def test_refreshed_prices_are_the_mean_over_resampled_histories(
    server: RunningServer, db_url: str, clients: Clients
) -> None:
    """NEAR keeps 1 of 3 units after two past orders at it; a third ordered at FAR.

    One LP over the window sees two units wanted near NEAR's one: 44. A
    history drawn from the three orders with replacement holds 0 to 3 of
    NEAR's, and wants NEAR's unit only with two or more: the mean over 32
    draws lies strictly between 0 and 44, and a second refresh stores the same.
    """
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        for ref, longitude, units in (("NEAR", 0.1, 3), ("FAR", 0.5, 20)):
            store = add_location(session, ref, longitude=longitude, shipping_cost_per_unit_km=1.0)
            add_position(session, product, store, units)
    for ref, longitude, served_by in (("P1", 0.1, "NEAR"), ("P2", 0.1, "NEAR"), ("P3", 0.5, "FAR")):
        reply = clients.sourcing.Source(
            sourcing_pb2.SourceRequest(order=order_at(ref, longitude)), timeout=30
        )
        assert [f.location_ref for f in reply.plan.fulfilments] == [served_by]
    refresh = ["prices", "refresh", "--db", db_url, "--horizon-days", "28"]
    assert main([*refresh, "--samples", "0"]) == 0
    assert stored_prices(server)["NEAR"] == pytest.approx(44.0, rel=0.02)
    assert main([*refresh, "--samples", "32"]) == 0
    drawn = stored_prices(server).get("NEAR", 0.0)
    assert 0.0 < drawn < 44.0 * 0.98
    assert main([*refresh, "--samples", "32"]) == 0
    assert stored_prices(server).get("NEAR", 0.0) == drawn


def test_a_negative_number_of_samples_is_refused() -> None:
    """A refresh averages ``samples`` LPs: below 0 is an error naming the field."""
    with pytest.raises(ValueError, match="samples"):
        PriceSettings(samples=-1)


def test_a_refresh_without_history_stores_no_prices(server: RunningServer, db_url: str) -> None:
    """No orders in the window: nothing is scarce, every old price is gone."""
    scarce_network(server)
    assert main(["prices", "refresh", "--db", db_url]) == 0
    with session_factory(server.engine)() as session:
        assert session.scalar(select(func.count()).select_from(ScarcityPrice)) == 0


@pytest.fixture
def refreshing_server(db_url: str) -> Iterator[RunningServer]:
    """A server refreshing the prices every 50 ms, over a horizon as long as its history."""
    running = create_server(
        db_url,
        address="127.0.0.1:0",
        scarcity_refresh_s=0.05,
        scarcity_settings=PriceSettings(window_days=28.0, horizon_days=28.0),
    )
    try:
        yield running
    finally:
        running.stop(grace_s=1.0)


def test_serve_refreshes_the_prices_in_the_background(refreshing_server: RunningServer) -> None:
    """Orders sourced through the server become NEAR's price without any command."""
    scarce_network(refreshing_server)
    with grpc.insecure_channel(f"127.0.0.1:{refreshing_server.port}") as channel:
        history(Clients(channel))
    assert refreshing_server.price_refresh is not None
    # Waits for a refresh that saw the whole history (not a timing assertion).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        last = refreshing_server.price_refresh.last
        if last is not None and last.orders == 3:
            break
        time.sleep(0.05)
    last = refreshing_server.price_refresh.last
    assert last is not None and last.orders == 3
    assert last.positions == 2
    assert set(stored_prices(refreshing_server)) == {"NEAR"}


def test_click_and_collect_history_prices_its_collection_store(
    server: RunningServer, db_url: str, clients: Clients
) -> None:
    """Three orders collected at NEAR count as NEAR's neighbourhood's demand, as deliveries do."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_1")
        for ref, longitude, units in (("NEAR", 0.1, 4), ("FAR", 0.5, 20)):
            store = add_location(
                session,
                ref,
                type=LocationType.STORE,
                longitude=longitude,
                shipping_cost_per_unit_km=1.0,
            )
            add_position(session, product, store, units)
    for i in range(3):
        collected = domain_pb2.Order(
            ref=f"PAST_CC_{i}",
            type=common_pb2.ORDER_TYPE_CC,
            lines=[domain_pb2.OrderLine(ref="1", product_ref="SKU_1", quantity=1)],
            collection_location_ref="NEAR",
            customer=domain_pb2.Customer(ref="C1"),
        )
        reply = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=collected), timeout=30)
        assert [f.location_ref for f in reply.plan.fulfilments] == ["NEAR"]
    assert main(["prices", "refresh", "--db", db_url, "--horizon-days", "28"]) == 0
    prices = stored_prices(server)
    assert set(prices) == {"NEAR"}
    assert prices["NEAR"] == pytest.approx(44.0, rel=0.02)
    steered_to_far(clients)

"""Set-up by ref keeps the ledger right and leaves one active profile per order type."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import FulfilmentStatus, LocationType, OrderType, SourcingProfile
from sourcing.models.config.profiles import (
    OverdueAction,
    ProfileRules,
    ProfileSpec,
    get_sourcing_profile,
    set_sourcing_profile,
)
from sourcing.models.config.setup import LocationSpec, ProductSpec, create_location, create_product
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.inventory.ledger import ledger_check
from sourcing.models.inventory.positions import (
    StockAdjustment,
    StockLevel,
    adjust_stock,
    set_stock_positions,
)


def test_profile_rules_survive_their_json() -> None:
    """Rules written with to_json read back equal with from_json; missing keys take defaults."""
    rules = ProfileRules(
        vip_only_products=("A",),
        vip_reserve_qty={"B": 2},
        excluded_locations=("RJT_2",),
        hd_open_order_limit=30,
        network="HD",
        overdue_action=OverdueAction.REASSIGN,
        cancellable_statuses=(FulfilmentStatus.CREATED,),
    )
    assert ProfileRules.from_json(rules.to_json()) == rules
    assert rules.to_json()["cancellable_statuses"] == ["CREATED"]
    assert ProfileRules.from_json({}) == ProfileRules()


def test_concurrent_profile_versions_leave_one_active(sessions: sessionmaker[Session]) -> None:
    """Profiles set at once get distinct versions and exactly one stays active."""
    run_in_transaction(sessions, lambda s: set_sourcing_profile(s, ProfileSpec(OrderType.HD)))

    def set_one(split: float) -> int:
        spec = ProfileSpec(OrderType.HD, weights={"split": split})
        return run_in_transaction(sessions, lambda s: set_sourcing_profile(s, spec).version)

    with ThreadPoolExecutor(4) as pool:
        versions = sorted(pool.map(set_one, [1.0, 2.0, 3.0, 4.0]))
    assert versions == [2, 3, 4, 5]
    with sessions.begin() as session:
        active = session.scalars(select(SourcingProfile).where(SourcingProfile.active)).all()
        assert [p.version for p in active] == [5]
        assert get_sourcing_profile(session, OrderType.HD, 1).active is False


def _warehouse_and_product(session: Session) -> None:
    create_location(session, LocationSpec("WH_1", "WH", LocationType.WAREHOUSE, 0.0, 0.0))
    create_product(session, ProductSpec("SKU_1", "Shoe", 1000, "EUR"))


def test_stock_set_and_adjusted_by_ref_keeps_the_ledger(sessions: sessionmaker[Session]) -> None:
    """Set then adjust (retried once): on hand matches the ledger and moved once."""
    with sessions.begin() as session:
        _warehouse_and_product(session)
        (view,) = set_stock_positions(session, [StockLevel("WH_1", "SKU_1", 10, buffer_qty=3)])
        assert (view.on_hand, view.available) == (10, 7)
    adjustment = StockAdjustment("WH_1", "SKU_1", -4, "damaged", request_id="r-1")
    for _ in range(2):
        with sessions.begin() as session:
            view = adjust_stock(session, adjustment)
    assert (view.on_hand, view.available) == (6, 3)
    with sessions.begin() as session:
        assert ledger_check(session) == []


@pytest.mark.parametrize("on_hand", [0, 5])
def test_setting_the_same_level_twice_writes_nothing_new(
    sessions: sessionmaker[Session], on_hand: int
) -> None:
    """Setting a position to the level it has changes nothing and stays consistent."""
    with sessions.begin() as session:
        _warehouse_and_product(session)
        for _ in range(2):
            (view,) = set_stock_positions(session, [StockLevel("WH_1", "SKU_1", on_hand)])
        assert view.on_hand == on_hand
        assert ledger_check(session) == []

"""Each constraint family on small instances whose optimal plan is known by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from sourcing.solver import (
    FAMILIES,
    CandidateReason,
    Capacity,
    FulfilmentStatus,
    InTransit,
    OrderType,
    Plan,
    Rules,
    ScarcityPrices,
    SolveStatus,
    StockPosition,
    solve,
)
from sourcing.solver import constraints as cf
from tests.solver.builders import loc, order, problem


def served(plan: Plan) -> dict[str, dict[str, int]]:
    """Units per line ref per location ref, for compact assertions."""
    return plan.served()


def rejected(plan: Plan) -> dict[str, int]:
    """Rejected units per line ref."""
    return {ln.line_ref: ln.quantity for ln in plan.rejected.lines} if plan.rejected else {}


def reasons(plan: Plan, ref: str) -> tuple[CandidateReason, ...]:
    """The explanation's reasons for one candidate."""
    assert plan.explanation is not None
    return next(e.reasons for e in plan.explanation if e.location_ref == ref)


def test_families_have_stable_names() -> None:
    """The family names are part of the contract and must not drift."""
    assert FAMILIES == (
        "coverage_with_rejection",
        "stock",
        "split_limit",
        "store_capacity",
        "fulfilment_type_switch",
        "network",
        "ideal_stock",
        "in_transit",
        "preferences",
        "vip_rules",
        "exclusions",
        "scarcity_price",
    )


# --- coverage with rejection -------------------------------------------------


def test_single_location_happy_path() -> None:
    """A location holding the whole order serves it alone, with nothing rejected."""
    p = problem(
        order({"p1": 2, "p2": 1}),
        [loc("NEAR", 5, {"p1": 5}), loc("FAR", 10, {"p1": 5, "p2": 5})],
        distance=1.0,
        split=100.0,
    )
    plan = solve(p, explain=True)
    assert served(plan) == {"FAR": {"L1": 2, "L2": 1}}
    assert plan.rejected is None
    assert plan.status is SolveStatus.OPTIMAL and plan.gap == 0.0
    assert reasons(plan, "NEAR") == (CandidateReason.MORE_EXPENSIVE,)
    assert plan.objective["distance"] == pytest.approx(10.0, rel=1e-3)


def test_split_when_no_location_holds_everything() -> None:
    """Each line goes to the only location that has its product."""
    p = problem(
        order({"p1": 2, "p2": 3}), [loc("A", 1, {"p1": 2}), loc("B", 2, {"p2": 3})], distance=1.0
    )
    plan = solve(p)
    assert served(plan) == {"A": {"L1": 2}, "B": {"L2": 3}}
    assert plan.split_count == 2 and plan.rejected is None


def test_unservable_units_are_rejected_to_rjt1_as_escalated() -> None:
    """Units no location holds go to RJT_1 with status ESCALATED; the rest are served."""
    plan = solve(problem(order({"p1": 3}), [loc("A", 1, {"p1": 1})]))
    assert served(plan) == {"A": {"L1": 1}}
    assert plan.rejected is not None
    assert plan.rejected.location_ref == "RJT_1"
    assert plan.rejected.status is FulfilmentStatus.ESCALATED
    assert rejected(plan) == {"L1": 2}


def test_rejection_location_is_configurable() -> None:
    """The profile names the rejection location."""
    p = problem(order({"p1": 1}), [loc("A", 1, {})])
    p = type(p)(
        p.order, p.locations, type(p.profile)(p.profile.weights, rejection_location_ref="RJT_9")
    )
    assert solve(p).rejected is not None
    assert solve(p).rejected.location_ref == "RJT_9"  # type: ignore[union-attr]


def test_rejection_dominates_every_other_cost() -> None:
    """However dear a fulfilment, serving a unit beats rejecting it."""
    p = problem(
        order({"p1": 1}),
        [loc("A", 1, {"p1": 1}, fixed_cost=5_000_000.0)],
        fixed=10.0,
        rejection=1.0,
    )
    plan = solve(p)
    assert served(plan) == {"A": {"L1": 1}}
    assert plan.objective["rejection"] == 0.0


# --- stock ---------------------------------------------------------------------


def test_available_is_on_hand_less_reserved_less_buffer() -> None:
    """5 on hand, 2 reserved, buffer 2 leaves 1 unit; the second comes from elsewhere."""
    near = loc("NEAR", 1, {"p1": StockPosition(on_hand=5, reserved=2, buffer_qty=2)})
    far = loc("FAR", 9, {"p1": 1})
    plan = solve(problem(order({"p1": 2}), [near, far], distance=1.0))
    assert served(plan) == {"NEAR": {"L1": 1}, "FAR": {"L1": 1}}


def test_lines_of_one_product_share_the_stock() -> None:
    """Two lines of p1 cannot both be served from 3 units; a location holding 4 serves both."""
    p = problem(
        order([("p1", 2), ("p1", 2)]),
        [loc("A", 1, {"p1": 3}), loc("B", 5, {"p1": 4})],
        distance=1.0,
        split=100.0,
    )
    assert served(solve(p)) == {"B": {"L1": 2, "L2": 2}}
    only_a = problem(order([("p1", 2), ("p1", 2)]), [loc("A", 1, {"p1": 3})])
    plan = solve(only_a)
    assert sum(served(plan)["A"].values()) == 3 and plan.rejected_units == 1


def test_no_stock_is_explained() -> None:
    """A candidate with nothing usable is reported as NO_STOCK."""
    plan = solve(
        problem(order({"p1": 1}), [loc("A", 1, {"p1": 1}), loc("B", 1, {"p2": 9})]), explain=True
    )
    assert reasons(plan, "B") == (CandidateReason.NO_STOCK,)
    assert reasons(plan, "A") == (CandidateReason.USED,)


# --- split limit -----------------------------------------------------------------


def test_split_limit_reached_rejects_the_remainder() -> None:
    """With a split limit of 2 and three single-product locations, the smallest line is rejected."""
    p = problem(
        order({"p1": 2, "p2": 2, "p3": 1}),
        [loc("A", 1, {"p1": 2}), loc("B", 2, {"p2": 2}), loc("C", 3, {"p3": 1})],
        split_limit=2,
        distance=1.0,
    )
    plan = solve(p)
    assert served(plan) == {"A": {"L1": 2}, "B": {"L2": 2}}
    assert plan.rejected is not None
    assert plan.rejected.location_ref == "RJT_1"
    assert plan.rejected.status is FulfilmentStatus.ESCALATED
    assert rejected(plan) == {"L3": 1}


def test_split_penalty_prefers_fewer_shipments() -> None:
    """A split penalty makes one farther location beat two nearer ones."""
    locations = [loc("A", 1, {"p1": 1}), loc("B", 1, {"p2": 1}), loc("C", 50, {"p1": 1, "p2": 1})]
    cheap = solve(problem(order({"p1": 1, "p2": 1}), locations, distance=1.0))
    assert set(served(cheap)) == {"A", "B"}
    penalised = solve(problem(order({"p1": 1, "p2": 1}), locations, distance=1.0, split=100.0))
    assert set(served(penalised)) == {"C"}


# --- store capacity ------------------------------------------------------------------


def test_capacity_exhausted_sends_the_order_elsewhere() -> None:
    """The nearest store has no orders left today, so the farther one serves."""
    full = loc("FULL", 1, {"p1": 5}, capacity=Capacity(total=0))
    plan = solve(
        problem(order({"p1": 1}), [full, loc("OTHER", 9, {"p1": 5})], distance=1.0), explain=True
    )
    assert served(plan) == {"OTHER": {"L1": 1}}
    assert reasons(plan, "FULL") == (CandidateReason.OUT_OF_CAPACITY,)


@pytest.mark.parametrize(
    ("capacity", "order_type", "usable"),
    [
        (Capacity(hd=0), OrderType.HD, False),
        (Capacity(hd=0), OrderType.CC, True),
        (Capacity(cc=0), OrderType.CC, False),
        (Capacity(total=1, hd=3), OrderType.HD, True),
        (Capacity(total=0, cc=3), OrderType.CC, False),
    ],
)
def test_capacity_per_fulfilment_type(
    capacity: Capacity, order_type: OrderType, usable: bool
) -> None:
    """Capacity counts per order type and in total."""
    store = loc("S1", 1, {"p1": 5}, capacity=capacity)
    plan = solve(
        problem(order({"p1": 1}, type=order_type), [store, loc("S2", 9, {"p1": 5})], distance=1.0)
    )
    assert ("S1" in served(plan)) is usable


def test_busy_store_takes_only_cc_orders() -> None:
    """Above the open-order limit a store takes CC orders but no HD orders."""
    busy = loc("S1", 1, {"p1": 5}, open_orders=8)
    other = loc("S2", 9, {"p1": 5})
    rules = Rules(hd_open_order_limit=8)
    hd = solve(problem(order({"p1": 1}), [busy, other], rules=rules, distance=1.0), explain=True)
    assert served(hd) == {"S2": {"L1": 1}}
    assert reasons(hd, "S1") == (CandidateReason.OUT_OF_CAPACITY,)
    cc = solve(
        problem(order({"p1": 1}, type=OrderType.CC), [busy, other], rules=rules, distance=1.0)
    )
    assert served(cc) == {"S1": {"L1": 1}}


# --- HD / CC switches ------------------------------------------------------------------


def test_location_switched_off_for_cc() -> None:
    """A store switched off for CC serves HD orders but not CC ones."""
    off = loc("S1", 1, {"p1": 5}, cc_enabled=False)
    other = loc("S2", 9, {"p1": 5})
    cc = solve(
        problem(order({"p1": 1}, type=OrderType.CC), [off, other], distance=1.0), explain=True
    )
    assert served(cc) == {"S2": {"L1": 1}}
    assert reasons(cc, "S1") == (CandidateReason.SWITCHED_OFF,)
    hd = solve(problem(order({"p1": 1}), [off, other], distance=1.0))
    assert served(hd) == {"S1": {"L1": 1}}


# --- networks --------------------------------------------------------------------------


def test_orders_source_only_from_their_network() -> None:
    """HD orders use the HD network and CC orders the CC network."""
    warehouse = loc("WH", 50, {"p1": 5}, networks=frozenset({"HDN"}))
    store = loc("S1", 1, {"p1": 5}, networks=frozenset({"CCN"}))
    rules = Rules(hd_network="HDN", cc_network="CCN")
    hd = solve(
        problem(order({"p1": 1}), [warehouse, store], rules=rules, distance=1.0), explain=True
    )
    assert served(hd) == {"WH": {"L1": 1}}
    assert reasons(hd, "S1") == (CandidateReason.OUTSIDE_NETWORK,)
    cc = solve(problem(order({"p1": 1}, type=OrderType.CC), [warehouse, store], rules=rules))
    assert served(cc) == {"S1": {"L1": 1}}


# --- ideal stock -------------------------------------------------------------------------


@pytest.mark.parametrize("a_first", [True, False])
def test_ideal_stock_picks_the_largest_surplus(a_first: bool) -> None:
    """Store A holds 12 with ideal 15, store B 11 with ideal 10: the order sources from B."""
    a = loc("A", 5, {"p1": StockPosition(on_hand=12, ideal_qty=15)})
    b = loc("B", 5, {"p1": StockPosition(on_hand=11, ideal_qty=10)})
    locations = [a, b] if a_first else [b, a]
    plan = solve(problem(order({"p1": 1}), locations, ideal_stock=1.0, distance=1.0))
    assert served(plan) == {"B": {"L1": 1}}
    assert plan.objective["ideal_stock"] == 0.0


def test_ideal_stock_penalty_counts_units_below_ideal() -> None:
    """Taking 3 units where only 1 is above ideal costs 2 units of penalty."""
    only = loc("A", 1, {"p1": StockPosition(on_hand=11, ideal_qty=10)})
    plan = solve(problem(order({"p1": 3}), [only], ideal_stock=4.0))
    assert plan.objective["ideal_stock"] == pytest.approx(8.0)


# --- in transit ----------------------------------------------------------------------------


@pytest.mark.parametrize(("arrives_day", "usable"), [(3, True), (10, False)])
def test_in_transit_counts_when_it_arrives_before_need_by(arrives_day: int, usable: bool) -> None:
    """Stock on its way is usable only if it arrives before the need-by date."""
    inbound = StockPosition(on_hand=0, in_transit=(InTransit(2, datetime(2026, 12, arrives_day)),))
    near = loc("NEAR", 1, {"p1": inbound})
    far = loc("FAR", 20, {"p1": 2})
    the_order = order({"p1": 2}, need_by=datetime(2026, 12, 5))
    plan = solve(problem(the_order, [near, far], distance=1.0))
    assert served(plan) == ({"NEAR": {"L1": 2}} if usable else {"FAR": {"L1": 2}})


# --- preferences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "preferred", "other"),
    [
        ("markdown", StockPosition(on_hand=5, markdown=0.4), StockPosition(on_hand=5)),
        (
            "stock_age",
            StockPosition(on_hand=5, stock_age_days=300),
            StockPosition(on_hand=5, stock_age_days=10),
        ),
        (
            "sell_through",
            StockPosition(on_hand=5, sell_through=0.1),
            StockPosition(on_hand=5, sell_through=0.9),
        ),
        (
            "overstock",
            StockPosition(on_hand=30, ideal_qty=10),
            StockPosition(on_hand=11, ideal_qty=10),
        ),
    ],
)
def test_preferences_steer_between_equal_locations(
    weight: str, preferred: StockPosition, other: StockPosition
) -> None:
    """With other costs equal, the marked-down, old, slow or overstocked position wins."""
    for first, second in ((preferred, other), (other, preferred)):
        locations = [loc("X", 3, {"p1": first}), loc("Y", 3, {"p1": second})]
        weights: dict[str, Any] = {weight: 10.0}
        plan = solve(problem(order({"p1": 1}), locations, **weights))
        winner = "X" if first is preferred else "Y"
        assert served(plan) == {winner: {"L1": 1}}


# --- scarcity price ---------------------------------------------------------------------------


@pytest.mark.parametrize(("weight", "winner"), [(0.0, "NEAR"), (1.0, "FAR")])
def test_scarcity_price_keeps_the_last_units_of_a_scarce_position(
    weight: float, winner: str
) -> None:
    """A priced position is passed over when another serves for less than its price.

    NEAR ships 1 km and FAR 5 km at 1 per km; NEAR's unit is priced 10, so
    with the weight on FAR serves, and the reported cost is FAR's real cost.
    """
    prices = ScarcityPrices({"p1": {"NEAR": 10.0}})
    base = problem(order({"p1": 1}), [loc("NEAR", 1, {"p1": 1}), loc("FAR", 5, {"p1": 1})])
    profile = replace(
        base.profile, weights=replace(base.profile.weights, shipping=1.0, scarcity_price=weight)
    )
    locations = tuple(replace(location, shipping_cost_per_km=1.0) for location in base.locations)
    plan = solve(replace(base, locations=locations, profile=profile, scarcity_prices=prices))
    assert served(plan) == {winner: {"L1": 1}}
    assert plan.objective.total == pytest.approx(1.0 if winner == "NEAR" else 5.0, rel=1e-3)
    assert "scarcity_price" not in plan.objective.terms
    assert plan.objective.steering.get("scarcity_price", 0.0) == 0.0


# --- VIP rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("vip", "served_units"), [(False, 0), (True, 1)])
def test_vip_only_products(vip: bool, served_units: int) -> None:
    """Only VIP customers may order a VIP-only product."""
    rules = Rules(vip_only_products=frozenset({"p1"}))
    plan = solve(problem(order({"p1": 1}, vip=vip), [loc("A", 1, {"p1": 5})], rules=rules))
    assert plan.rejected_units == 1 - served_units


@pytest.mark.parametrize(("vip", "usable"), [(False, 1), (True, 4)])
def test_vip_reserve_level(vip: bool, usable: int) -> None:
    """Below the reserve level of 3 only VIPs may take stock: others get 1 of 4 on hand."""
    rules = Rules(vip_reserve_qty={"p1": 3})
    plan = solve(problem(order({"p1": 4}, vip=vip), [loc("A", 1, {"p1": 4})], rules=rules))
    assert plan.served().get("A", {}).get("L1", 0) == usable


def test_vip_service_stores_preferred_for_vips() -> None:
    """A VIP is served from the VIP service store even though it is farther."""
    plain = loc("PLAIN", 1, {"p1": 5})
    vip_store = loc("VIPS", 5, {"p1": 5}, vip_service=True)
    vip_plan = solve(
        problem(order({"p1": 1}, vip=True), [plain, vip_store], distance=1.0, vip_service=100.0)
    )
    assert served(vip_plan) == {"VIPS": {"L1": 1}}
    standard = solve(problem(order({"p1": 1}), [plain, vip_store], distance=1.0, vip_service=100.0))
    assert served(standard) == {"PLAIN": {"L1": 1}}


@pytest.mark.parametrize(("order_type", "rejected_units"), [(OrderType.HD, 1), (OrderType.CC, 0)])
def test_cc_only_items(order_type: OrderType, rejected_units: int) -> None:
    """A CC-only item is never sourced for home delivery."""
    rules = Rules(cc_only_products=frozenset({"p1"}))
    plan = solve(problem(order({"p1": 1}, type=order_type), [loc("S1", 1, {"p1": 5})], rules=rules))
    assert plan.rejected_units == rejected_units


# --- exclusions -------------------------------------------------------------------------------


def test_excluded_location_is_never_used() -> None:
    """A location that already rejected the fulfilment is skipped."""
    rules = Rules(excluded_locations=frozenset({"A"}))
    plan = solve(
        problem(
            order({"p1": 1}),
            [loc("A", 1, {"p1": 5}), loc("B", 9, {"p1": 5})],
            rules=rules,
            distance=1.0,
        ),
        explain=True,
    )
    assert served(plan) == {"B": {"L1": 1}}
    assert reasons(plan, "A") == (CandidateReason.EXCLUDED,)


def test_excluded_products_and_categories_are_rejected() -> None:
    """Lines of excluded products or categories are rejected; others are served."""
    rules = Rules(excluded_products=frozenset({"p1"}), excluded_categories=frozenset({"knives"}))
    the_order = order({"p1": 1, "p2": 2, "p3": 3}, categories={"p2": "knives"})
    plan = solve(problem(the_order, [loc("A", 1, {"p1": 9, "p2": 9, "p3": 9})], rules=rules))
    assert served(plan) == {"A": {"L3": 3}}
    assert rejected(plan) == {"L1": 1, "L2": 2}


def test_every_rule_keeping_a_candidate_out_is_explained() -> None:
    """A candidate kept out by several rules lists them all."""
    rules = Rules(excluded_locations=frozenset({"A"}), hd_network="HDN")
    bad = loc("A", 1, {"p1": 5}, hd_enabled=False, capacity=Capacity(total=0))
    plan = solve(problem(order({"p1": 1}), [bad], rules=rules), explain=True)
    assert set(reasons(plan, "A")) == {
        CandidateReason.OUT_OF_CAPACITY,
        CandidateReason.SWITCHED_OFF,
        CandidateReason.OUTSIDE_NETWORK,
        CandidateReason.EXCLUDED,
    }
    assert plan.rejected_units == 1


def test_a_location_own_open_order_limit_overrides_the_profile() -> None:
    """A store's own limit applies before the profile's, which applies to the rest."""
    strict = loc("STRICT", 1, {"p1": 5}, open_orders=2, hd_open_order_limit=2)
    lenient = loc("LENIENT", 2, {"p1": 5}, open_orders=6, hd_open_order_limit=10)
    default = loc("DEFAULT", 3, {"p1": 5}, open_orders=6)
    rules = Rules(hd_open_order_limit=5)
    plan = solve(problem(order({"p1": 1}), [strict, lenient, default], rules=rules), explain=True)
    assert reasons(plan, "STRICT") == (CandidateReason.OUT_OF_CAPACITY,)
    assert reasons(plan, "DEFAULT") == (CandidateReason.OUT_OF_CAPACITY,)
    assert served(plan) == {"LENIENT": {"L1": 1}}


# Each family and the tests above that pin it on a hand-built instance.
FAMILY_TESTS = {
    "coverage_with_rejection": test_unservable_units_are_rejected_to_rjt1_as_escalated,
    "stock": test_available_is_on_hand_less_reserved_less_buffer,
    "split_limit": test_split_limit_reached_rejects_the_remainder,
    "store_capacity": test_capacity_exhausted_sends_the_order_elsewhere,
    "fulfilment_type_switch": test_location_switched_off_for_cc,
    "network": test_orders_source_only_from_their_network,
    "ideal_stock": test_ideal_stock_penalty_counts_units_below_ideal,
    "in_transit": test_in_transit_counts_when_it_arrives_before_need_by,
    "preferences": test_preferences_steer_between_equal_locations,
    "vip_rules": test_vip_only_products,
    "exclusions": test_excluded_location_is_never_used,
    "scarcity_price": test_scarcity_price_keeps_the_last_units_of_a_scarce_position,
}


def test_every_registered_family_has_its_function_and_its_test() -> None:
    """The registry is built from the functions: each name is a function, each has a test."""
    assert set(cf.REGISTRY) == set(FAMILY_TESTS)
    for name, function in cf.REGISTRY.items():
        assert function.__name__ == name
        assert callable(getattr(cf, name))


def test_a_family_cannot_be_registered_twice() -> None:
    """Two functions under one name would make the registry ambiguous."""

    def stock() -> None: ...

    with pytest.raises(ValueError, match="registered twice"):
        cf.family(stock)

"""Scarce-stock prices: LP duals on hand-built networks, and the priced per-order solve."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sourcing.solver import (
    Customer,
    GeoPoint,
    Order,
    OrderLine,
    OrderType,
    ScarcityPrices,
    SourcingProblem,
    solve,
)
from sourcing.solver import scarcity as scarcity_module
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from sourcing.solver.scarcity import (
    ExpectedDemand,
    Supply,
    expected_demand,
    mean_prices,
    scarcity_prices,
)
from tests.solver.test_properties import (
    PRODUCTS,
    Enumerated,
    allocation_of,
    assert_plan_is_valid,
    problems,
)

KM_PER_DEGREE = 111.195
PENALTY = 100.0


def supply(
    km_east: list[float],
    stock: list[int],
    unit_cost: list[float],
    capacity_orders: list[float] | None = None,
) -> Supply:
    """Locations on the equator, one product ``p1``, shipping 1 per km."""
    n = len(km_east)
    return Supply(
        location_refs=tuple(f"S{i}" for i in range(n)),
        latitude=np.zeros(n),
        longitude=np.array(km_east) / KM_PER_DEGREE,
        unit_cost=np.array(unit_cost, dtype=float),
        shipping_per_km=np.ones(n),
        products=("p1",),
        stock=np.array(stock, dtype=np.int64).reshape(n, 1),
        capacity_orders=None if capacity_orders is None else np.array(capacity_orders, dtype=float),
        units_per_fulfilment=1.0,
    )


def demand(km_east: list[float], units: list[float]) -> ExpectedDemand:
    """Regions on the equator wanting ``units`` of ``p1`` each."""
    n = len(km_east)
    return ExpectedDemand(
        np.zeros(n), np.array(km_east) / KM_PER_DEGREE, ("p1",), np.array(units).reshape(n, 1)
    )


def test_plentiful_stock_is_free() -> None:
    """Stock beyond the horizon's demand has no opportunity cost."""
    prices = scarcity_prices(supply([0.0], [5], [3.0]), demand([0.0], [2.0]), PENALTY)
    assert prices.of("p1", "S0") == 0.0


def test_the_last_unit_is_worth_the_rejection_it_avoids() -> None:
    """One unit for two wanted: its price is the penalty less its cost to serve."""
    prices = scarcity_prices(supply([0.0], [1], [3.0]), demand([0.0], [2.0]), PENALTY)
    assert prices.of("p1", "S0") == pytest.approx(PENALTY - 3.0)


def test_the_lp_stops_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LP solver gets the caller's time limit, and none without one."""
    seen: list[dict[str, float]] = []
    solve = linprog

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(dict(kwargs.get("options") or {}))
        return solve(*args, **kwargs)

    monkeypatch.setattr(scarcity_module, "linprog", spy)
    timed = scarcity_prices(
        supply([0.0], [1], [3.0]), demand([0.0], [2.0]), PENALTY, time_limit_s=2.5
    )
    scarcity_prices(supply([0.0], [1], [3.0]), demand([0.0], [2.0]), PENALTY)
    assert seen == [{"time_limit": 2.5}, {}]
    assert timed.of("p1", "S0") == pytest.approx(PENALTY - 3.0)


def test_a_cheap_position_is_worth_what_the_next_one_costs_more() -> None:
    """With a dearer location left over, the cheap one's unit saves the difference."""
    prices = scarcity_prices(supply([0.0, 0.0], [1, 10], [1.0, 4.0]), demand([0.0], [3.0]), PENALTY)
    assert prices.of("p1", "S0") == pytest.approx(3.0)
    assert prices.of("p1", "S1") == 0.0


def test_distance_sets_which_region_the_unit_is_worth_most_to() -> None:
    """S0 at 0 km serves region A (0 km) and B (10 km); S1 at 30 km backs B up.

    Two units wanted at A, one at B, S0 holds 2 and S1 holds 5: A takes S0's
    units (S1 would cost 30 there), B takes S1's at 20; one more unit at S0
    saves B 20 - 10 = 10.
    """
    prices = scarcity_prices(
        supply([0.0, 30.0], [2, 5], [0.0, 0.0]), demand([0.0, 10.0], [2.0, 1.0]), PENALTY
    )
    assert prices.of("p1", "S0") == pytest.approx(10.0)
    assert prices.of("p1", "S1") == 0.0


def test_binding_capacity_prices_a_fulfilment_at_the_location() -> None:
    """A slot of capacity at S0 is worth what S1 costs more per unit; its stock is not scarce."""
    prices = scarcity_prices(
        supply([0.0, 0.0], [10, 10], [1.0, 6.0], capacity_orders=[1.0, -1.0]),
        demand([0.0], [2.0]),
        PENALTY,
    )
    assert prices.per_fulfilment == {"S0": pytest.approx(5.0)}
    assert prices.of("p1", "S0") == 0.0


def test_no_demand_prices_nothing() -> None:
    """An empty history gives no prices."""
    prices = scarcity_prices(supply([0.0], [1], [1.0]), expected_demand([]), PENALTY)
    assert prices.by_product == {}


def test_expected_demand_counts_units_by_cell_and_scales_them() -> None:
    """Two orders in one cell add up; the region sits at their unit-weighted mean."""
    orders = [
        Order("A", OrderType.HD, (OrderLine("L1", "p1", 1),), GeoPoint(0.1, 0.1), Customer("C")),
        Order("B", OrderType.HD, (OrderLine("L1", "p1", 3),), GeoPoint(0.3, 0.1), Customer("C")),
        Order("C", OrderType.HD, (OrderLine("L1", "p2", 2),), GeoPoint(5.0, 5.0), Customer("C")),
    ]
    found = expected_demand(orders, scale=0.5, cell_deg=1.0)
    assert found.products == ("p1", "p2")
    assert found.units.tolist() == [[2.0, 0.0], [0.0, 1.0]]
    assert found.latitude[0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"scale": -1.0}, "scale"), ({"cell_deg": 0.0}, "cell_deg")],
)
def test_expected_demand_rejects_bad_settings(arguments: dict[str, float], field: str) -> None:
    """Settings out of range name themselves."""
    with pytest.raises(ValueError, match=field):
        expected_demand([], **arguments)


def test_mean_prices_average_every_position_counting_the_missing_as_zero() -> None:
    """A position priced by one of two draws gets half its price; one priced by both, the mean."""
    first = ScarcityPrices({"p1": {"A": 10.0, "B": 4.0}}, {"A": 6.0})
    second = ScarcityPrices({"p1": {"A": 20.0}, "p2": {"B": 8.0}})
    mean = mean_prices([first, second])
    assert mean.of("p1", "A") == pytest.approx(15.0)
    assert mean.of("p1", "B") == pytest.approx(2.0)
    assert mean.of("p2", "B") == pytest.approx(4.0)
    assert mean.per_fulfilment == pytest.approx({"A": 3.0})


def test_a_negative_price_is_refused() -> None:
    """Prices are opportunity costs: never below zero."""
    with pytest.raises(ValueError, match=r"scarcity_prices\['p1'\]\['S0'\]"):
        ScarcityPrices({"p1": {"S0": -1.0}})


@st.composite
def priced_problems(draw: st.DrawFn) -> tuple[SourcingProblem, SourcingProblem]:
    """A random small problem with random prices on, and the same problem with them off."""
    base = draw(problems())
    price = st.sampled_from([0.0, 5.0, 50.0, 1e4])
    prices = ScarcityPrices(
        {
            product: {location.ref: draw(price) for location in base.locations}
            for product in PRODUCTS
        },
        {location.ref: draw(price) for location in base.locations},
    )
    weight = draw(st.sampled_from([0.5, 1.0, 3.0]))
    weights = replace(base.profile.weights, scarcity_price=weight)
    priced = replace(base, profile=replace(base.profile, weights=weights), scarcity_prices=prices)
    return priced, base


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_problems())
def test_priced_mip_matches_brute_force_and_reports_the_real_cost(
    pair: tuple[SourcingProblem, SourcingProblem],
) -> None:
    """The priced plan serves the most units, is cheapest at cost plus price, reports real cost.

    The brute force prices every allocation itself: the real cost from the
    unpriced arrays, plus weight x price per unit from ``ScarcityPrices.of``;
    among allocations rejecting the fewest units it takes the cheapest.
    """
    priced, base = pair
    real = SourcingArrays.build(base)
    plan = solve(priced)
    x = allocation_of(plan, real)
    assert_plan_is_valid(plan, real)
    lines = priced.order.lines
    price = np.array(
        [
            [priced.scarcity_prices.of(line.product_ref, loc.ref) for line in lines]  # type: ignore[union-attr]
            for loc in priced.locations
        ]
    )
    weight = priced.profile.weights.scarcity_price
    per_fulfilment = weight * np.array(
        [priced.scarcity_prices.per_fulfilment.get(loc.ref, 0.0) for loc in priced.locations]  # type: ignore[union-attr]
    )
    best_rejected, best_cost = _lexicographic_optimum(real, weight * price, per_fulfilment)
    assert plan.rejected_units == best_rejected
    assert plan.rejected_units == solve(base).rejected_units
    reported = evaluate(real, x)
    assert plan.objective.total == pytest.approx(reported.total, rel=1e-9, abs=1e-6)
    steering = plan.objective.steering.get("scarcity_price", 0.0)
    unit_price = weight * float((price * x).sum()) + float(per_fulfilment[x.sum(axis=1) > 0].sum())
    plan_cost = reported.total - reported["rejection"] + unit_price
    assert plan_cost == pytest.approx(best_cost, rel=1e-6, abs=1e-6)
    if plan.rejected_units == 0:
        assert steering == pytest.approx(unit_price, rel=1e-9, abs=1e-6)


def _lexicographic_optimum(
    arrays: SourcingArrays, price: np.ndarray, per_fulfilment: np.ndarray
) -> tuple[int, float]:
    """Fewest rejected units, then the least real cost plus the prices, by enumeration."""
    every = Enumerated.of(arrays)
    cost = (
        (every.x * (arrays.unit_cost + price)).sum(axis=(1, 2))
        + (every.used * (arrays.fulfilment_cost + per_fulfilment)).sum(axis=1)
        + every.split_and_ideal_cost(arrays)
    )
    fewest = int(every.rejected[every.valid].min())
    return fewest, float(cost[every.valid & (every.rejected == fewest)].min())

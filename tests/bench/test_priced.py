"""The ``mip_priced`` policy: prices from history and stock steer the sequence of decisions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sourcing.bench.policies import PolicyOptions, PricedMipPolicy, make_policy
from sourcing.bench.priced import network_prices, units_per_line
from sourcing.bench.simulation import Instance, NetworkState, simulate
from sourcing.solver import Capacity, GeoPoint, SourcingProblem
from tests.solver.builders import loc, order, problem

KM_PER_DEGREE = 111.195


# NEAR (11 km east) holds one unit, FAR (55 km east) ten; shipping costs 1 per km.
# One tuple for every order, as the simulation wants.
LOCATIONS = (
    loc("NEAR", 11.0, {"p1": 1}, shipping_cost_per_km=1.0),
    loc("FAR", 55.0, {"p1": 10}, shipping_cost_per_km=1.0),
)


def at(ref: str, km_east: float) -> SourcingProblem:
    """One unit of p1 delivered ``km_east`` km east of the origin, over NEAR and FAR."""
    the_order = replace(
        order({"p1": 1}), ref=ref, delivery_point=GeoPoint(0.0, km_east / KM_PER_DEGREE)
    )
    return problem(the_order, LOCATIONS, shipping=1.0)


# A first order between the stores (NEAR 20 km, FAR 24.5 km), then one at NEAR's door;
# the history says NEAR's neighbourhood orders.
INSTANCE = Instance(
    "near-far",
    (at("BETWEEN", 31.0), at("DOOR", 11.0)),
    (0, 0),
    history=(at("PAST", 11.0),),
)


def test_the_last_unit_near_demand_is_priced_at_what_far_costs_more() -> None:
    """Two orders to come near NEAR, one unit there: it is worth FAR's 44 km more."""
    state = NetworkState(LOCATIONS)
    prices = network_prices(INSTANCE, state, 0)
    assert prices.of("p1", "NEAR") == pytest.approx(44.0, rel=1e-3)
    assert prices.of("p1", "FAR") == 0.0


def test_prices_are_the_mean_over_resampled_histories() -> None:
    """Two of three past orders near NEAR: one LP prices its unit at 44, the draws 44 x a share.

    Two orders to come make each past order 2/3 of a unit: a draw with two
    or three near NEAR wants more than its unit (44), a draw with one or
    none leaves the unit free (FAR holds plenty). ELSEWHERE is a region of its own.
    """
    instance = Instance(
        "near-far-2",
        (at("BETWEEN", 31.0), at("DOOR", 11.0)),
        (0, 0),
        history=(at("PAST", 11.0), at("PAST-2", 11.0), at("ELSEWHERE", 80.0)),
    )
    state = NetworkState(LOCATIONS)
    assert network_prices(instance, state, 0, samples=0).of("p1", "NEAR") == pytest.approx(
        44.0, rel=1e-3
    )
    drawn = network_prices(instance, state, 0, samples=32).of("p1", "NEAR")
    assert 0.0 < drawn < 44.0 * (1 - 1e-3)
    assert (drawn / (44.0 / 32)) == pytest.approx(round(drawn / (44.0 / 32)), abs=1e-2)
    assert network_prices(instance, state, 0, samples=32).of("p1", "NEAR") == drawn


def test_a_negative_number_of_samples_is_refused() -> None:
    """Samples count LPs: below 0 is an error naming the field."""
    with pytest.raises(ValueError, match="samples"):
        network_prices(INSTANCE, NetworkState(LOCATIONS), 0, samples=-1)


def test_priced_mip_keeps_the_unit_for_the_order_that_needs_it() -> None:
    """Unpriced, the first order takes NEAR's unit; priced, it goes to FAR and costs less in all."""
    options = PolicyOptions()
    unpriced = simulate(make_policy("mip", options), INSTANCE)
    priced = simulate(PricedMipPolicy(options, refresh_orders=1), INSTANCE)
    assert [r.rejected_units for r in priced.records] == [0, 0]
    assert sum(r.cost for r in priced.records) < sum(r.cost for r in unpriced.records)
    assert sum(r.cost for r in priced.records) == pytest.approx(24.0 + 0.0, abs=1.0)
    assert "scarcity_price" not in priced.records[0].terms


# NEAR takes one order a day; both stores hold plenty of p1 and p2.
CAPPED = (
    loc("NEAR", 11.0, {"p1": 10, "p2": 10}, shipping_cost_per_km=1.0, capacity=Capacity(total=1)),
    loc("FAR", 55.0, {"p1": 10, "p2": 10}, shipping_cost_per_km=1.0),
)


def at_near(ref: str) -> SourcingProblem:
    """One unit each of p1 and p2 at NEAR's door: two lines, one unit a line."""
    the_order = replace(
        order({"p1": 1, "p2": 1}), ref=ref, delivery_point=GeoPoint(0.0, 11.0 / KM_PER_DEGREE)
    )
    return problem(the_order, CAPPED, shipping=1.0)


def test_a_slot_is_priced_for_the_units_a_fulfilment_carries() -> None:
    """NEAR's one slot is short for the 4 units expected: 44 per unit it carries.

    By default a fulfilment carries the history's units per line (1), not per
    order (2): the slot is worth 44. When the plans so far carried 2 units a
    fulfilment, it is worth 88.
    """
    instance = Instance("capped", (at_near("A"), at_near("B")), (0, 0), (at_near("PAST"),))
    state = NetworkState(CAPPED)
    assert units_per_line(instance.history) == 1.0
    prices = network_prices(instance, state, 0)
    assert prices.per_fulfilment["NEAR"] == pytest.approx(44.0, rel=1e-3)
    assert "FAR" not in prices.per_fulfilment
    measured = network_prices(instance, state, 0, units_per_fulfilment=2.0)
    assert measured.per_fulfilment["NEAR"] == pytest.approx(88.0, rel=1e-3)

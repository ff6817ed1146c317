"""One order decided with the demand expected after it: hand-built networks with known answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sourcing.solver import GeoPoint, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.scarcity import ExpectedDemand, Supply
from sourcing.solver.scarcity_joint import joint_allocation
from tests.solver.builders import loc, order, problem

KM_PER_DEGREE = 111.195
PENALTY = 1_000_000.0

# NEAR (11 km east) holds one unit of p1, FAR (55 km east) ten; shipping 1 per km.
LOCATIONS = (
    loc("NEAR", 11.0, {"p1": 1}, shipping_cost_per_km=1.0),
    loc("FAR", 55.0, {"p1": 10}, shipping_cost_per_km=1.0),
)


def between(locations: tuple = LOCATIONS) -> SourcingProblem:
    """One unit of p1 delivered 31 km east: NEAR is 20 km away, FAR 24."""
    the_order = replace(order({"p1": 1}), delivery_point=GeoPoint(0.0, 31.0 / KM_PER_DEGREE))
    return problem(the_order, locations, shipping=1.0)


def supply_of(arrays: SourcingArrays, stock: list[int]) -> Supply:
    """The candidates' p1 stock left, a unit costing 1 per km and nothing else."""
    refs = tuple(loc.ref for loc in arrays.problem.locations)
    return Supply(
        location_refs=refs,
        latitude=np.array([loc.point.latitude for loc in arrays.problem.locations]),
        longitude=np.array([loc.point.longitude for loc in arrays.problem.locations]),
        unit_cost=np.zeros(len(refs)),
        shipping_per_km=np.ones(len(refs)),
        products=arrays.products,
        stock=np.array(stock, dtype=np.int64).reshape(len(refs), 1),
    )


def future(km_east: float, units: float) -> ExpectedDemand:
    """``units`` of p1 wanted ``km_east`` km east of the origin."""
    return ExpectedDemand(
        np.zeros(1), np.array([km_east / KM_PER_DEGREE]), ("p1",), np.array([[units]])
    )


def test_the_order_leaves_the_last_unit_to_the_demand_at_its_door() -> None:
    """Alone, the order takes NEAR's unit (20 km); with a unit wanted at NEAR's door, FAR's.

    NEAR for the order and FAR for the door costs 20 + 44; FAR for the
    order and NEAR for the door 24 + 0.
    """
    arrays = SourcingArrays.build(between())
    supply = supply_of(arrays, [1, 10])
    alone = joint_allocation(arrays, supply, [], PENALTY)
    assert alone is not None and alone.tolist() == [[1], [0]]
    joint = joint_allocation(arrays, supply, [future(11.0, 1.0)], PENALTY)
    assert joint is not None and joint.tolist() == [[0], [1]]


def test_futures_weigh_by_their_share() -> None:
    """Each future counts its share: 44 / 4 = 11 keeps NEAR's unit, 44 x 0.05 = 2.2 does not.

    FAR costs the order 4 more than NEAR; the door's unit costs 44 more from FAR.
    """
    arrays = SourcingArrays.build(between())
    supply = supply_of(arrays, [1, 10])
    quarter = joint_allocation(
        arrays, supply, [future(11.0, 1.0)] + [future(11.0, 0.0)] * 3, PENALTY
    )
    assert quarter is not None and quarter.tolist() == [[0], [1]]
    little = joint_allocation(arrays, supply, [future(11.0, 0.05)], PENALTY)
    assert little is not None and little.tolist() == [[1], [0]]


def test_the_order_is_served_whatever_the_future_would_pay() -> None:
    """NEAR's unit is the only one and the future wants five: the order still gets it."""
    only = (loc("NEAR", 11.0, {"p1": 1}, shipping_cost_per_km=1.0),)
    arrays = SourcingArrays.build(between(only))
    joint = joint_allocation(arrays, supply_of(arrays, [1]), [future(11.0, 5.0)], PENALTY)
    assert joint is not None and joint.tolist() == [[1]]


def test_a_supply_of_other_products_is_refused() -> None:
    """The supply must be over the order's products: a ValueError naming it."""
    arrays = SourcingArrays.build(between())
    supply = replace(supply_of(arrays, [1, 10]), products=("p9",))
    with pytest.raises(ValueError, match=r"supply\.products"):
        joint_allocation(arrays, supply, [], PENALTY)

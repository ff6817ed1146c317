"""The benchmark's policies: valid plans under the solver's rules, each doing what it says."""

from __future__ import annotations

import numpy as np
import pytest

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import make_network, order_stream
from sourcing.bench.policies import DEFAULT_POLICIES, POLICIES, make_policy
from sourcing.solver import LocationType, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import violations
from tests.solver.builders import loc, order, problem


def allocate(policy: str, the_problem: SourcingProblem) -> dict[str, dict[int, int]]:
    """Units per line index per location ref, as the policy allocates them."""
    [allocation] = make_policy(policy).decide([the_problem])
    refs = [location.ref for location in the_problem.locations]
    return {
        refs[i]: {int(k): int(allocation[i, k]) for k in np.flatnonzero(allocation[i])}
        for i in np.flatnonzero(allocation.sum(axis=1))
    }


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("policy", DEFAULT_POLICIES)
def test_policies_give_valid_plans_on_every_family(family: str, policy: str) -> None:
    """No allocation breaks stock, what the rules allow, or the order's split limit."""
    network = make_network(FAMILIES[family].config(30, 6, seed=4))
    for the_problem in order_stream(network, 6):
        [allocation] = make_policy(policy).decide([the_problem])
        arrays = SourcingArrays.build(the_problem)
        assert violations(arrays, allocation) == []
        assert allocation.shape == arrays.cap.shape


def test_priority_takes_warehouses_first_by_reference() -> None:
    """A near store loses to the warehouses, and of those the lower reference goes first."""
    locations = [
        loc("ST1", 1.0, {"P1": 5}),
        loc("WH2", 50.0, {"P1": 5}, type=LocationType.WAREHOUSE),
        loc("WH1", 90.0, {"P1": 1}, type=LocationType.WAREHOUSE),
    ]
    assert allocate("priority", problem(order({"P1": 2}), locations)) == {
        "WH1": {0: 1},
        "WH2": {0: 1},
    }


def test_priority_rejects_what_is_left_at_the_split_limit() -> None:
    """With one shipment allowed, priority takes what the first location has, rejects the rest."""
    locations = [
        loc("WH1", 90.0, {"P1": 1}, type=LocationType.WAREHOUSE),
        loc("ST1", 1.0, {"P1": 5}),
    ]
    assert allocate("priority", problem(order({"P1": 2}), locations, split_limit=1)) == {
        "WH1": {0: 1}
    }


def test_fewest_splits_prefers_one_far_location_to_two_near_ones() -> None:
    """A single far location serving everything beats a near pair."""
    locations = [
        loc("S1", 1.0, {"P1": 1}),
        loc("S2", 2.0, {"P2": 1}),
        loc("W", 300.0, {"P1": 1, "P2": 1}),
    ]
    assert allocate("fewest_splits", problem(order({"P1": 1, "P2": 1}), locations)) == {
        "W": {0: 1, 1: 1}
    }


def test_fewest_splits_breaks_ties_by_average_distance() -> None:
    """Of the pairs that serve the order, the nearest on average wins."""
    locations = [
        loc("P1-far", 100.0, {"P1": 1}),
        loc("P1-near", 5.0, {"P1": 1}),
        loc("P2-near", 10.0, {"P2": 1}),
        loc("P2-far", 200.0, {"P2": 1}),
    ]
    assert allocate("fewest_splits", problem(order({"P1": 1, "P2": 1}), locations)) == {
        "P1-near": {0: 1},
        "P2-near": {1: 1},
    }


def test_fewest_splits_searches_three_shipments_when_pairs_fail() -> None:
    """Three lines held at three different places take three shipments."""
    locations = [loc(f"S{i}", float(i), {f"P{i}": 1}) for i in (1, 2, 3)]
    plan = allocate("fewest_splits", problem(order({"P1": 1, "P2": 1, "P3": 1}), locations))
    assert plan == {"S1": {0: 1}, "S2": {1: 1}, "S3": {2: 1}}


def test_fewest_splits_serves_what_it_can_beyond_the_split_limit() -> None:
    """When no combination within the limit serves the order, it serves as much as one can."""
    locations = [loc("S1", 1.0, {"P1": 1}), loc("S2", 2.0, {"P2": 2})]
    the_problem = problem(order({"P1": 1, "P2": 2}), locations, split_limit=1)
    assert allocate("fewest_splits", the_problem) == {"S2": {1: 2}}


@pytest.mark.parametrize(
    ("policy", "wave_size"),
    [("batch", None), ("batch_10", 10), ("batch_50", 50), ("batch_200", 200)],
)
def test_batch_policies_decide_a_wave_jointly(policy: str, wave_size: int | None) -> None:
    """A wave's allocations respect the stock the orders share, one allocation per order."""
    network = make_network(FAMILIES["stockout"].config(30, 8, seed=2))
    problems = list(order_stream(network, 8))
    batch = make_policy(policy)
    assert batch.wave_size == wave_size and policy in POLICIES
    allocations = batch.decide(problems)
    assert len(allocations) == len(problems)
    shared: dict[tuple[int, str], int] = {}
    for the_problem, allocation in zip(problems, allocations, strict=True):
        assert violations(SourcingArrays.build(the_problem), allocation) == []
        for i, k in zip(*np.nonzero(allocation), strict=True):
            key = (int(i), the_problem.order.lines[int(k)].product_ref)
            shared[key] = shared.get(key, 0) + int(allocation[i, k])
    for (i, product), units in shared.items():
        assert units <= network.locations[i].stock[product].available


def test_unknown_policy_names_the_choices() -> None:
    """Asking for a policy that does not exist lists those that do."""
    with pytest.raises(ValueError, match="fewest_splits"):
        make_policy("cheapest")

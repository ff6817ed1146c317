"""Derived arrays (another split weight, another destination) equal a fresh build exactly."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import OrderType, SourcingProblem, solve
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.solve import solve_arrays
from sourcing.solver.variants import with_destination, with_destinations, with_split
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import service
from tests.solver.test_properties import problems
from tests.solver.test_rates import rated_problems
from tests.solver.test_scarcity import priced_problems

SPLITS = st.sampled_from([0.0, 3.0, 250.0, 1e7])


def same(a: Any, b: Any) -> bool:
    """Equal values, arrays elementwise and exactly, dataclasses and containers recursively."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        fields = [f.name for f in dataclasses.fields(a)]
        return type(a) is type(b) and all(same(getattr(a, f), getattr(b, f)) for f in fields)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check(problem: SourcingProblem, split: float) -> None:
    weights = problem.profile.weights.override({"split": split})
    derived = with_split(SourcingArrays.build(problem), split)
    built = SourcingArrays.build(problem, weights)
    for field in dataclasses.fields(SourcingArrays):
        assert same(getattr(derived, field.name), getattr(built, field.name)), field.name
    plan = solve_arrays(derived)
    reference = solve(problem, weight_overrides={"split": split})
    assert plan.fulfilments == reference.fulfilments
    assert plan.objective.total == reference.objective.total


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rated_problems(), SPLITS)
def test_with_split_equals_a_fresh_build_with_rate_cards(
    problem: SourcingProblem, split: float
) -> None:
    """Rate cards: the rejection penalty counts the dearest band, as the build does."""
    check(problem, split)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_problems(), SPLITS)
def test_with_split_equals_a_fresh_build_with_scarce_stock_prices(
    pair: tuple[SourcingProblem, SourcingProblem], split: float
) -> None:
    """Scarce-stock prices: the steering part of the penalty is recomputed too."""
    check(pair[0], split)


def to_cc(problem: SourcingProblem, at: int) -> SourcingProblem:
    """The problem's order as click and collect at candidate ``at``."""
    store = problem.locations[at]
    order = replace(
        problem.order,
        type=OrderType.CC,
        collection_location_ref=store.ref,
        delivery_point=store.point,
    )
    return replace(problem, order=order)


def check_destination(problem: SourcingProblem, at: int) -> None:
    base = SourcingArrays.build(to_cc(problem, 0))
    there = replace(base.problem, order=to_cc(problem, at).order)
    derived = with_destination(base, there)
    built = SourcingArrays.build(there)
    for field in dataclasses.fields(SourcingArrays):
        assert same(getattr(derived, field.name), getattr(built, field.name)), field.name
    assert solve_arrays(derived).fulfilments == solve(there).fulfilments


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_with_destination_equals_a_fresh_build(problem: SourcingProblem, at: int) -> None:
    """The same cart collected at another store: distance-priced terms and penalty redone."""
    check_destination(problem, at % len(problem.locations))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_problems(), st.integers(0, 3))
def test_with_destination_equals_a_fresh_build_with_scarce_stock_prices(
    pair: tuple[SourcingProblem, SourcingProblem], at: int
) -> None:
    """Scarce-stock prices: the steering part of the penalty is redone too."""
    check_destination(pair[0], at % len(pair[0].locations))


def check_destinations(problem: SourcingProblem, ats: list[int]) -> None:
    base = SourcingArrays.build(to_cc(problem, 0))
    there = [replace(base.problem, order=to_cc(problem, at).order) for at in ats]
    for derived, one in zip(with_destinations(base, there), there, strict=True):
        built = SourcingArrays.build(one)
        for field in dataclasses.fields(SourcingArrays):
            assert same(getattr(derived, field.name), getattr(built, field.name)), field.name


def scaled(problem: SourcingProblem, scale: float) -> SourcingProblem:
    """``problem`` with every weight times ``scale`` (sums that round) and no rejection
    weight (the penalty is then the build's bound, from the costs)."""
    weights = problem.profile.weights
    scaled_weights = weights.override(
        {name: getattr(weights, name) * scale for name in weights.names()} | {"rejection": 0.0}
    )
    return replace(problem, profile=replace(problem.profile, weights=scaled_weights))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.lists(st.integers(0, 3), max_size=4), st.sampled_from([1.0, 0.1, 1 / 3]))
def test_with_destinations_equal_fresh_builds(
    problem: SourcingProblem, ats: list[int], scale: float
) -> None:
    """Many stores at once (their sums stacked): each as a fresh build of its own."""
    problem = problem if scale == 1.0 else scaled(problem, scale)
    check_destinations(problem, [at % len(problem.locations) for at in ats])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_problems(), st.lists(st.integers(0, 3), max_size=4))
def test_with_destinations_equal_fresh_builds_with_scarce_stock_prices(
    pair: tuple[SourcingProblem, SourcingProblem], ats: list[int]
) -> None:
    """Scarce-stock prices: each store's steering part as its own build's."""
    check_destinations(pair[0], [at % len(pair[0].locations) for at in ats])


def test_with_destination_refuses_rate_cards_and_other_changes() -> None:
    """Rate cards price by distance band; any change but the destination needs a build."""
    rated = problem(order([("P1", 1)]), [loc("A", 1, {"P1": 1}, carrier_services=(service(),))])
    arrays = SourcingArrays.build(rated)
    with pytest.raises(ValueError, match="rate cards"):
        with_destination(arrays, rated)
    flat = problem(order([("P1", 1)]), [loc("A", 1, {"P1": 1})])
    arrays = SourcingArrays.build(flat)
    other = replace(
        flat, order=replace(flat.order, lines=(replace(flat.order.lines[0], quantity=2),))
    )
    with pytest.raises(ValueError, match="destination"):
        with_destination(arrays, other)

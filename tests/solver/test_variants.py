"""``with_split``: the arrays under another split weight equal a fresh build, field for field."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem, solve
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.solve import solve_arrays
from sourcing.solver.variants import with_split
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

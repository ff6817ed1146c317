"""Rate cards solved without the MIP: best-first subsets, pairs and larger plans.

The search is exact when it says so: hand-built orders whose optimum is a
split that the weight bands make cheaper (and the reverse) come back
OPTIMAL at their known cost, and random ones match brute force, both by the
subset enumeration and by the pair search the benchmark's 1,000 locations
need (forced here by lowering the enumeration's limit).
"""

from __future__ import annotations

import importlib
import itertools
import time
from dataclasses import replace
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SolveStatus, SourcingProblem, bands, solve
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.options import Backend
from sourcing.solver.rated_enum import (
    MAX_SPLITS,
    RatedOutcome,
    _compositions_one_by_one,
    compositions,
)
from sourcing.solver.rates import under_line
from sourcing.solver.reduction import MAX_ENUMERATED
from sourcing.solver.types import FloatArray
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import service
from tests.solver.test_rates import brute_force, rated_problems

# The module, not the function ``sourcing.solver`` exports under the same name.
solve_module = importlib.import_module("sourcing.solver.solve")


@pytest.fixture(params=["subsets", "pairs"])
def search(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Solve by the subset enumeration, or force the pair search (no enumeration)."""
    if request.param == "pairs":
        monkeypatch.setattr(solve_module, "MAX_ENUMERATED", 0)
    return str(request.param)


def banded(
    products: int, prices: tuple[int, ...], starts: tuple[int, ...], stores: int
) -> SourcingProblem:
    """``products`` lines of one 900 g unit; ``stores`` stores holding all, one rate card."""
    card = service(prices=(prices, prices), weights_g=starts)
    names = [f"p{i + 1}" for i in range(products)]
    the_order = order([(name, 1) for name in names])
    lines = tuple(replace(line, weight_g=900) for line in the_order.lines)
    located = [
        loc(f"S{i + 1}", 5 + i, dict.fromkeys(names, 2), carrier_services=(card,))
        for i in range(stores)
    ]
    return problem(replace(the_order, lines=lines), located, fixed=1.0, shipping=1.0)


def test_two_light_parcels_beat_one_heavy(search: str) -> None:
    """1.8 kg costs 1500 in one parcel; two 900 g parcels cost 500 + 500."""
    plan = solve(banded(2, (500, 1500), (0, 1000), stores=20))
    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.fulfilments) == 2
    assert plan.objective["shipping"] == 1000.0


def test_one_parcel_beats_two_when_the_band_is_cheap(search: str) -> None:
    """1.8 kg costs 800 in one parcel; two 900 g parcels would cost 500 + 500."""
    plan = solve(banded(2, (500, 800), (0, 1000), stores=20))
    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.fulfilments) == 1
    assert plan.objective["shipping"] == 800.0


def test_three_light_parcels_beat_one_or_two(search: str) -> None:
    """2.7 kg: 1600 in one parcel, 1500 + 300 in two, 300 x 3 in three."""
    plan = solve(banded(3, (300, 1500, 1600), (0, 1000, 2000), stores=15))
    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.fulfilments) == 3
    assert plan.objective["shipping"] == 900.0


@st.composite
def split_problems(draw: st.DrawFn) -> SourcingProblem:
    """Three to five rated stores with part of the order each, where splits may pay."""
    products = ["p1", "p2", "p3"][: draw(st.integers(2, 3))]
    the_order = order([(p, draw(st.integers(1, 2))) for p in products])
    lines = tuple(
        replace(line, weight_g=draw(st.sampled_from([200, 600, 900, 1400])))
        for line in the_order.lines
    )
    stores = []
    for i in range(draw(st.integers(3, 5))):
        prices = draw(st.lists(st.sampled_from([100, 400, 900, 1600]), min_size=3, max_size=3))
        card = service(f"C{i}", prices=(tuple(prices), tuple(prices)), weights_g=(0, 800, 2000))
        stock = {p: draw(st.integers(0, 2)) for p in products}
        stores.append(loc(f"S{i}", draw(st.integers(1, 90)), stock, carrier_services=(card,)))
    return problem(
        replace(the_order, lines=lines),
        stores,
        split_limit=draw(st.integers(2, 4)),
        fixed=1.0,
        shipping=1.0,
        handling=draw(st.sampled_from([0.0, 1.0])),
        split=draw(st.sampled_from([0.0, 50.0])),
    )


def search_every_candidate(
    arrays: SourcingArrays, pairs: bool, price_floor: tuple[float, FloatArray] | None = None
) -> RatedOutcome:
    """``_rated`` on every usable candidate from the greedy's plan: by the subset
    enumeration, or (``pairs``) by the pair and larger-plan searches."""
    usable = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    allocation = greedy_allocation(arrays)
    limit = 0 if pairs else MAX_ENUMERATED
    with patch.object(solve_module, "MAX_ENUMERATED", limit):  # a fixture cannot wrap an example
        outcome: RatedOutcome = solve_module._rated(
            arrays,
            usable,
            min(arrays.split_limit, len(usable)),
            allocation,
            evaluate(arrays, allocation),
            time.perf_counter() + 60.0,
            Backend.SCIP,
            price_floor,
        )
    return outcome


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rated_problems(), split_problems()), st.booleans())
def test_search_on_every_candidate_matches_brute_force(
    problem: SourcingProblem, pairs: bool
) -> None:
    """Every usable candidate searched (no reduction first): subsets, or pairs and larger
    plans, prove the brute-force optimum from the greedy's plan."""
    arrays = SourcingArrays.build(problem)
    optimum = brute_force(problem, arrays)
    outcome = search_every_candidate(arrays, pairs)
    assert outcome.proved
    assert not violations(arrays, outcome.allocation)
    assert abs(outcome.objective.total - optimum) <= 1e-6 * max(1.0, abs(optimum))


@settings(max_examples=100, deadline=None)
@given(rated_problems())
def test_subset_search_proves_the_optimum(problem: SourcingProblem) -> None:
    """The default path is OPTIMAL (not left to a timed-out MIP) and at the brute-force cost."""
    arrays = SourcingArrays.build(problem)
    optimum = brute_force(problem, arrays)
    plan = solve(problem)
    assert plan.status is SolveStatus.OPTIMAL
    assert abs(plan.objective.total - optimum) <= 1e-6 * max(1.0, abs(optimum))


@given(
    st.lists(st.integers(1, 5000), min_size=0, max_size=4, unique=True),
    st.lists(st.integers(0, 3000), min_size=5, max_size=5),
    st.integers(0, 20000),
)
def test_under_line_stays_under_the_steps(cuts: list[int], prices: list[int], total: int) -> None:
    """alpha + beta W never exceeds the step function's price on [0, total]."""
    starts = np.array([0, *sorted(cuts)], dtype=np.int64)
    steps = np.array(prices[: len(starts)], dtype=float)
    alpha, beta = under_line(starts, steps, total)
    assert beta >= 0
    for weight in np.linspace(0, total, 41).astype(int):
        band = int(np.searchsorted(starts, weight, side="right")) - 1
        assert alpha + beta * weight <= steps[band] + 1e-6


@given(st.integers(0, 6), st.lists(st.integers(0, 4), min_size=1, max_size=4))
def test_compositions_are_every_split(total: int, caps: list[int]) -> None:
    """Every way to place ``total`` units within the caps, each once, in lexicographic
    order (the order ``exact_subset`` takes the first of equally priced splits in)."""
    found = compositions(total, np.array(caps)).tolist()
    expected = [
        list(split)
        for split in itertools.product(*[range(c + 1) for c in caps])
        if sum(split) == total
    ]
    assert found == expected


@given(st.integers(0, 40), st.lists(st.integers(0, 40), min_size=1, max_size=5))
def test_compositions_at_once_are_the_recursions(total: int, caps: list[int]) -> None:
    """The numpy listing gives the recursion's rows in its order; past ``MAX_SPLITS``
    both give more than ``MAX_SPLITS`` rows (the caller then gives up)."""
    at_once = compositions(total, np.array(caps))
    one_by_one = _compositions_one_by_one(total, np.array(caps))
    if len(one_by_one) > MAX_SPLITS:
        assert len(at_once) > MAX_SPLITS
    else:
        assert at_once.tolist() == one_by_one.tolist()


@pytest.mark.parametrize("disaggregated", [False, True])
def test_both_band_models_price_the_full_model_exactly(disaggregated: bool) -> None:
    """The full MIP, with (8)-(9) or the per-band weights, finds the known optima."""
    with patch.object(bands, "DISAGGREGATED", disaggregated):
        split = solve(banded(3, (300, 1500, 1600), (0, 1000, 2000), stores=4), reduce=False)
        whole = solve(banded(2, (500, 800), (0, 1000), stores=4), reduce=False)
    assert split.status is whole.status is SolveStatus.OPTIMAL
    assert (split.objective["shipping"], len(split.fulfilments)) == (900.0, 3)
    assert (whole.objective["shipping"], len(whole.fulfilments)) == (800.0, 1)

"""Waves over locations with rate cards: parcels priced exactly, bound below the optimum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sourcing.solver.wave import BatchProblem, solve_batch
from sourcing.solver.wave.steps import PRIORITY_WEIGHT
from tests.solver.calendars import service
from tests.solver.wave.test_solve import _brute_force, sequential_greedy, tiny_waves

PRICES = st.sampled_from([0, 40, 150, 400])


@st.composite
def rated_waves(draw: st.DrawFn) -> BatchProblem:
    """A tiny wave where some locations ship with a rate card and every unit weighs something."""
    base = draw(tiny_waves())
    starts = draw(st.sampled_from([(0, 1000), (0, 500, 2000)]))
    locations = []
    for location in base.locations:
        if draw(st.booleans()):
            row = st.tuples(*[PRICES] * len(starts))
            card = service(prices=(draw(row), draw(row)), weights_g=starts)
            location = replace(location, carrier_services=(card,))
        locations.append(location)
    orders = tuple(
        replace(
            o,
            lines=tuple(
                replace(line, weight_g=draw(st.sampled_from([0, 300, 700, 1200])))
                for line in o.lines
            ),
        )
        for o in base.orders
    )
    return BatchProblem(orders, tuple(locations), base.profile)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rated_waves())
def test_rated_wave_bound_is_valid_and_plan_priced_exactly(problem: BatchProblem) -> None:
    """The bound is below the brute-force optimum; the plan rejects no more and costs no more."""
    best, rejected = _brute_force(problem)
    assume(np.isfinite(best))
    wave = solve_batch(problem, gap_target=0.0, time_limit_s=5.0)
    assert wave.bound <= best + 1e-6 * max(1.0, abs(best))
    assert wave.rejected_units == rejected
    slack = PRIORITY_WEIGHT * problem.profile.weights.rejection * rejected
    assert best - 1e-6 * abs(best) <= wave.objective
    assert wave.objective <= best + slack + 1e-6 * abs(best)
    assert wave.objective <= sequential_greedy(problem) + 1e-6

"""Applying given plans on the locations they use alone gives the plans of the whole network."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProfile, StockPosition, Weights
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import violations
from sourcing.solver.plan import Plan
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.sequence import Cell, Given, NetworkState, apply, fitting, settles
from tests.solver.builders import loc
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import order, tiny_waves


def _state(problem: BatchProblem, settled: set[int]) -> NetworkState:
    return NetworkState(problem.locations, problem.state, problem.table, None, settled)


def _applied(problem: BatchProblem, cells: dict[int, dict[Cell, int]], settled: set[int]):  # type: ignore[no-untyped-def]
    """The plans (their timing left out) and the network they leave."""
    state = _state(problem, settled)
    profiles = [problem.profile_of(o) for o in range(len(problem.orders))]
    sequence = list(range(len(problem.orders)))[::-1]
    plans = apply(state, problem.orders, profiles, sequence, Given(cells), "batch")
    untimed = {o: replace(p, solve_time_s=0.0) for o, p in plans.items()}
    taken = {p: t.tolist() for p, t in state.taken.items() if t.any()}
    return untimed, taken, state.total.tolist(), state.hd.tolist(), state.cc.tolist()


@st.composite
def _waves_and_cells(draw: st.DrawFn) -> tuple[BatchProblem, dict[int, dict[Cell, int]]]:
    """A tiny wave, its weights sometimes with overstock or a penalty too small to hold, and
    allocations of every kind: empty, valid, over the stock or the split limit."""
    problem = draw(st.one_of(scarce_waves(), tiny_waves()))
    weights = replace(
        problem.profile.weights,
        overstock=float(draw(st.sampled_from([0, 40]))),
        rejection=float(draw(st.sampled_from([1_000_000, 500]))),
    )
    problem = replace(problem, profile=replace(problem.profile, weights=weights))
    cells: dict[int, dict[Cell, int]] = {}
    for o, wanted in enumerate(problem.orders):
        mine: dict[Cell, int] = {}
        for k in range(len(wanted.lines)):
            for location in range(len(problem.locations)):
                units = draw(st.sampled_from([0, 0, 0, 1, 2]))
                if units:
                    mine[(location, k)] = units
        cells[o] = mine
    return problem, cells


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_waves_and_cells())
def test_given_plans_on_their_locations_match_the_whole_network(
    case: tuple[BatchProblem, dict[int, dict[Cell, int]]],
) -> None:
    """Same plans, objectives and network left, settled orders on the short path or not."""
    problem, cells = case
    settled = {
        o
        for o in range(len(problem.orders))
        if settles(SourcingArrays.build(problem.problem_of(o)))
    }
    assert _applied(problem, cells, settled) == _applied(problem, cells, set())


def test_a_penalty_that_may_rise_is_not_settled() -> None:
    """A profile penalty below the order's units times its costs is raised: never settled.

    Raised over the whole network, it would be priced wrong on the locations used alone.
    """
    stock = {"p1": StockPosition(on_hand=1)}
    locations = tuple(loc(f"S{i}", 100 * i, stock, shipping_cost_per_km=1.0) for i in range(3))
    wanted = order("O0", 0, {"p1": 2})
    for rejection, expected in ((1_000_000.0, True), (300.0, False)):
        weights = Weights(fixed=1.0, shipping=1.0, overstock=10.0, rejection=rejection)
        problem = BatchProblem((wanted,), locations, SourcingProfile(weights))
        assert settles(SourcingArrays.build(problem.problem_of(0))) is expected
    one_unit = {0: {(0, 0): 1}}
    whole = _applied(problem, one_unit, set())[0][0].objective.terms["rejection"]
    short = _applied(problem, one_unit, {0})[0][0].objective.terms["rejection"]
    assert whole > 300.0 == short


def test_an_order_rejecting_everything_is_priced_as_on_the_whole_network() -> None:
    """No units given: every unit rejected at the profile's penalty, nothing taken."""
    stock = {"p1": StockPosition(on_hand=1)}
    locations = tuple(loc(f"S{i}", 100 * i, stock, shipping_cost_per_km=1.0) for i in range(3))
    problem = BatchProblem((order("O0", 0, {"p1": 2}),), locations, SourcingProfile(Weights()))
    plans, taken, *_ = _applied(problem, {0: {}}, {0})
    plan: Plan = plans[0]
    assert plan.rejected_units == 2 and not plan.fulfilments and not taken
    assert np.isclose(plan.objective.total, 2 * Weights().rejection)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_waves_and_cells(), st.sampled_from([1, 2, 1000]))
def test_what_fits_of_a_broken_allocation_breaks_no_rule(
    case: tuple[BatchProblem, dict[int, dict[Cell, int]]], split_limit: int
) -> None:
    """``fitting`` keeps within every rule, and only ever takes units off."""
    problem, cells = case
    problem = replace(problem, profile=replace(problem.profile, split_limit=split_limit))
    for o in range(len(problem.orders)):
        arrays = SourcingArrays.build(problem.problem_of(o))
        allocation = Given(cells)(o, arrays)
        kept = fitting(arrays, allocation)
        assert not violations(arrays, kept)
        assert (kept >= 0).all() and (kept <= allocation).all()
        if not violations(arrays, allocation):
            assert (kept == allocation).all()


def test_past_the_deadline_a_broken_allocation_falls_back_to_the_greedy() -> None:
    """A unit given where there is no stock is served where there is, without the exact solver."""
    locations = (
        loc("S0", 0, {"p1": StockPosition(on_hand=0)}, shipping_cost_per_km=1.0),
        loc("S1", 100, {"p1": StockPosition(on_hand=1)}, shipping_cost_per_km=1.0),
    )
    problem = BatchProblem((order("O0", 0, {"p1": 1}),), locations, SourcingProfile(Weights()))
    state = _state(problem, {0})
    profiles = [problem.profile_of(0)]
    given_cells = Given({0: {(0, 0): 1}})
    plan = apply(state, problem.orders, profiles, [0], given_cells, "batch", deadline=0.0)[0]
    assert plan.rejected_units == 0
    assert [part.location_ref for part in plan.fulfilments] == ["S1"]

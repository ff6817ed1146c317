"""An order's arrays built from its statics are the arrays built from scratch, as stock moves."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sourcing.solver.wave.neighbourhood as neighbourhood_module
from sourcing.solver import rates as rc
from sourcing.solver.instance import OrderStatics, SourcingArrays
from sourcing.solver.sums import row_sums
from sourcing.solver.wave import BatchProblem, sequential_greedy
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.neighbourhood import Neighbourhoods, cells_of
from sourcing.solver.wave.sequence import Cell, NetworkState, arrays_at
from tests.solver.wave.test_exchange import _spread_waves
from tests.solver.wave.test_rate_cards import rated_waves
from tests.solver.wave.test_served import scarce_waves
from tests.solver.wave.test_solve import tiny_waves


def _same(x: Any, y: Any, where: str = "arrays") -> None:
    """``x`` and ``y`` hold the same numbers (and dtypes), field by field, term by term."""
    if isinstance(x, np.ndarray):
        assert isinstance(y, np.ndarray) and x.dtype == y.dtype, where
        assert np.array_equal(x, y), where
    elif isinstance(x, dict):
        assert list(x) == list(y), where
        for key in x:
            _same(x[key], y[key], f"{where}[{key}]")
    elif isinstance(x, tuple | list):
        assert len(x) == len(y), where
        for i, (a, b) in enumerate(zip(x, y, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif dataclasses.is_dataclass(x) and not isinstance(x, type):
        for field in dataclasses.fields(x):
            if field.name != "problem":  # the same problem is handed to both
                _same(getattr(x, field.name), getattr(y, field.name), f"{where}.{field.name}")
    else:
        assert x == y, where


def _check(network: Exchanger, o: int, at: np.ndarray) -> None:
    """Order o's arrays from the exchanger's statics, over all and over ``at``, as from scratch."""
    state, order, profile = network.state, network.orders[o], network.profiles[o]
    whole = state.problem(order, profile)
    _same(SourcingArrays.build(whole, statics=network.statics(o)), SourcingArrays.build(whole))
    part = state.problem(order, profile, at)
    _same(SourcingArrays.build(part, statics=network.statics(o).at(at)), SourcingArrays.build(part))
    cells = network.held.get(o)
    if cells is not None and cells.cells:
        kept = arrays_at(state, order, profile, cells.cells, network.statics(o))
        fresh = arrays_at(state, order, profile, cells.cells)
        _same(kept[0], fresh[0])
        _same(kept[1], fresh[1])


WAVES = st.one_of(scarce_waves(), tiny_waves(), _spread_waves(), rated_waves())


def _network(problem: BatchProblem) -> tuple[Exchanger, dict[int, dict[Cell, int]]]:
    """An exchanger holding the greedy's plans over ``problem``, and those plans' cells."""
    n = len(problem.orders)
    profiles = [problem.profile_of(o) for o in range(n)]
    state = NetworkState(problem.locations, problem.state, problem.table)
    network = Exchanger(
        state,
        problem.orders,
        profiles,
        lambda o: SourcingArrays.build(problem.problem_of(o)),
        np.ones(n),
    )
    plans = dict(enumerate(sequential_greedy(problem).plans))
    network.load(plans)
    return network, cells_of(problem, plans)


def _move(network: Exchanger, cells: dict[int, dict[Cell, int]], data: st.DataObject) -> None:
    """Release some orders, hold them again, some on other orders' cells: stock and slots move."""
    n = len(network.orders)
    released = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    network.release(released)
    for o in released:
        other = cells[data.draw(st.sampled_from(range(n)))]
        lines = len(network.orders[o].lines)
        taken = {c: q for c, q in other.items() if c[1] < lines}
        network._hold(o, taken if data.draw(st.booleans()) else cells[o])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WAVES, st.data())
def test_arrays_from_statics_match_arrays_from_scratch_after_moves(
    problem: BatchProblem, data: st.DataObject
) -> None:
    """Statics taken at the start build every order's arrays exactly, whatever the others hold."""
    network, cells = _network(problem)
    n = len(problem.orders)
    for o in range(n):
        network.statics(o)  # taken on the starting network, kept as the others move
    locations = st.lists(st.integers(0, len(problem.locations) - 1), min_size=1, unique=True).map(
        lambda found: np.array(sorted(found), dtype=np.int64)
    )
    for _ in range(data.draw(st.integers(1, 4))):
        released = data.draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True))
        held = network.release(released)
        for o in range(n):
            _check(network, o, data.draw(locations))
        for o in released:
            network._hold(o, held[o])
        _move(network, cells, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WAVES, st.data())
def test_settled_orders_arrays_over_their_superset_match_arrays_from_scratch(
    problem: BatchProblem, data: st.DataObject
) -> None:
    """A settled order's neighbourhood arrays (superset and cells, kept tables) are exact."""
    n = len(problem.orders)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(neighbourhood_module, "SUPERSET_FROM", 0)
        patch.setattr(neighbourhood_module, "SUPERSET", 0)  # superset: the cheapest location
        network, cells = _network(problem)
        search = Neighbourhoods(problem, network.profiles, np.ones(n), np.arange(n), range(n))
        for _ in range(data.draw(st.integers(1, 4))):
            for o in range(n):
                uses = cells[data.draw(st.sampled_from(range(n)))]
                arrays, at = search._arrays(network, o, uses)
                order, profile = problem.orders[o], network.profiles[o]
                fresh = SourcingArrays.build(network.state.problem(order, profile, at))
                _same(arrays, fresh)
            _move(network, cells, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tiny_waves(), rated_waves()))
def test_rate_steps_are_skipped_only_where_no_candidate_has_a_card(problem: BatchProblem) -> None:
    """An order's rate steps are those of its usable candidates, none without carrier services."""
    for o in range(len(problem.orders)):
        single = problem.problem_of(o)
        arrays = SourcingArrays.build(single)
        usable = np.flatnonzero(row_sums(arrays.cap) > 0)
        expected = rc.rate_steps(single, arrays.distance_km, usable, arrays.weights)
        _same(arrays.rates, expected, "rates")
        _same(arrays, SourcingArrays.build(single, statics=OrderStatics.of(single)))

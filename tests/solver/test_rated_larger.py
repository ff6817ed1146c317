"""The larger-plan search: the pairs that leave room for a third member, and the parcels'
floor that drops the subsets whose bands cannot carry the order cheaply enough."""

from __future__ import annotations

import itertools
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem, rated_larger
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.rated_larger import (
    _banded_parcels,
    _pairs_leaving_room,
    _parcels,
    _subsets_below,
    _used_floors,
)
from sourcing.solver.rated_pairs import CardTable, floors
from sourcing.solver.types import IntArray
from tests.solver.test_rated_search import banded, split_problems
from tests.solver.test_rates import allocation_costs, rated_problems

# Few distinct values and thirds: many ties and sums that round.
values = st.sampled_from([0.0, 0.1, 1 / 3, 0.7, 1.0, 2.0, 2.1, 5.0])


@given(
    st.lists(values, max_size=25),
    st.floats(-1.0, 20.0, allow_nan=False),
    st.sampled_from([0.0, 0.5, 1 / 3]),
)
def test_pairs_leaving_room_equal_every_pair_filtered(
    fixed: list[float], room: float, split: float
) -> None:
    """The binary search lists the same pairs, in the same order, as testing every one."""
    ranked = np.sort(np.array(fixed, dtype=float))
    first, second = np.triu_indices(max(len(ranked) - 1, 0), k=1)
    fits = ranked[first] + ranked[second] + split + ranked[second + 1] + split < room
    got_first, got_second = _pairs_leaving_room(ranked, room, split)
    assert np.array_equal(got_first, first[fits])
    assert np.array_equal(got_second, second[fits])


def test_pairs_leaving_room_hand_built() -> None:
    """Costs 1, 2, 3, 4, split 1, room 10: (0, 1) costs 1+2+1 and leaves 3+1 for a third."""
    first, second = _pairs_leaving_room(np.array([1.0, 2.0, 3.0, 4.0]), 10.0, 1.0)
    # (0,1): 1+2+1+3+1 = 8; (0,2): 1+3+1+4+1 = 10, not below; (1,2): 2+3+1+4+1 = 11.
    assert first.tolist() == [0]
    assert second.tolist() == [1]


@st.composite
def cards_and_parcels(
    draw: st.DrawFn,
) -> tuple[CardTable, list[int], list[int], float]:
    """Three or four members, each with a card of its own (padded as ``card_table`` pads),
    and a parcel of one to three units; what each holds beyond its parcel."""
    size = draw(st.integers(3, 4))
    width = 4
    starts = np.full((size, width), np.inf)
    prices = np.full((size, width), np.inf)
    units: list[list[int]] = []
    for member in range(size):
        cuts = draw(st.lists(st.sampled_from([500, 1000, 2000, 4000]), max_size=3, unique=True))
        bands = [0, *sorted(cuts)]
        starts[member, : len(bands)] = bands
        prices[member, : len(bands)] = draw(
            st.lists(st.integers(0, 3000), min_size=len(bands), max_size=len(bands))
        )
        units.append(
            draw(st.lists(st.sampled_from([200, 600, 900, 1400, 2600]), min_size=1, max_size=3))
        )
    parcels = [sum(u) for u in units]
    held = [w + draw(st.sampled_from([0, 300, 5000])) for w in parcels]
    table: CardTable = (np.zeros(size), np.zeros(size), starts, prices)
    return table, parcels, held, float(min(min(u) for u in units))


@given(cards_and_parcels())
def test_banded_parcels_never_exceed_a_real_split(
    drawn: tuple[CardTable, list[int], list[int], float],
) -> None:
    """The floor stays at or under what the members' cards charge for any parcels of at
    least the lightest unit, within what each holds, that carry the served grams."""
    table, parcels, held, lightest = drawn
    starts, prices = table[2], table[3]
    charged = sum(
        prices[m, int(np.searchsorted(starts[m], w, side="right")) - 1]
        for m, w in enumerate(parcels)
    )
    index = np.arange(len(parcels))[None, :]
    floor = _banded_parcels(
        table, index, np.array([float(sum(parcels))]), np.array(held, dtype=float), lightest
    )
    assert floor[0] <= charged


def test_banded_parcels_see_the_bands_the_weight_needs() -> None:
    """5 kg over three members, units of 900 g, bands from 0 / 1 kg / 2 kg at 100 / 400 /
    900: the parcels' band ends must reach 5 kg, so two parcels in the second band (ends
    2 + 2 + 1 kg): 400 + 400 + 100. The mean-weight floor of ``_parcels`` sees only the
    least prices and the heaviest parcel's rise (at least 1.67 kg): 3 x 100 + 300."""
    starts = np.tile(np.array([0.0, 1000.0, 2000.0]), (3, 1))
    prices = np.tile(np.array([100.0, 400.0, 900.0]), (3, 1))
    table: CardTable = (np.zeros(3), np.zeros(3), starts, prices)
    index = np.arange(3)[None, :]
    served = np.array([5000.0])
    banded = _banded_parcels(table, index, served, np.full(3, 5000.0), 900.0)
    assert banded.tolist() == [900.0]
    assert _parcels(table, index, served).tolist() == [600.0]
    # Holding 1 kg at most each, no choice of bands carries 5 kg: nothing can serve it so.
    assert _banded_parcels(table, index, served, np.full(3, 1000.0), 900.0).tolist() == [np.inf]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rated_problems(), split_problems()))
def test_used_floors_stay_under_every_plan(problem: SourcingProblem) -> None:
    """Both floors of the members a plan uses (each parcel at least the lightest unit, at
    most what its member holds) plus the split penalties and the units' floor stay at or
    under the plan's brute-force cost, for every valid plan; and never under ``floors``."""
    arrays = SourcingArrays.build(problem)
    usable = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    if not len(usable):
        return
    every, cost = allocation_costs(problem, arrays)
    used = every.used[:, usable]
    plans = every.valid & (every.used.sum(axis=1) == used.sum(axis=1)) & used.any(axis=1)
    split = arrays.weights.split
    for (fixed, units), (was, was_units) in zip(
        _used_floors(arrays, usable), floors(arrays, usable), strict=True
    ):
        assert units == was_units
        assert (fixed >= was).all()
        floor = used[plans] @ np.where(np.isfinite(fixed), fixed, 1e18)
        floor += split * (used[plans].sum(axis=1) - 1) + units
        assert (floor <= cost[plans] + 1e-6 * np.maximum(1.0, np.abs(cost[plans]))).all()


def test_used_floors_skip_the_bands_no_unit_fits() -> None:
    """900 g units, bands from 0 / 500 g / 2 kg at 100 / 900 / 1600: a used member's parcel
    is past the first band, so its least price is 900, not 100. (Its under-line's
    intercept stays: steep enough, the line touches the last band's price at the 5.4 kg a
    store holds.)"""
    arrays = SourcingArrays.build(banded(3, (100, 900, 1600), (0, 500, 2000), stores=4))
    usable = np.flatnonzero(arrays.cap.sum(axis=1) > 0)
    (under, _), (plain, _) = _used_floors(arrays, usable)
    (was_under, _), (was_plain, _) = floors(arrays, usable)
    assert np.allclose(plain - was_plain, 800.0)
    assert np.allclose(under, was_under)


@given(
    st.lists(values, min_size=3, max_size=9),
    st.floats(0.0, 20.0, allow_nan=False),
    st.sampled_from([0.0, 0.5]),
    st.integers(3, 5),
    st.integers(0, 7),
)
def test_subsets_below_drop_as_listed_and_count_what_is_kept(
    fixed: list[float], room: float, split: float, limit: int, drop: int
) -> None:
    """The levels are every subset of three to ``limit`` under ``room``, combinations'
    order by rank, less those ``floored`` drops; only what it keeps counts against
    ``MAX_LARGER``."""
    costs = np.array(fixed)
    order = np.argsort(costs, kind="stable")

    def floored(index: IntArray) -> IntArray:
        kept: IntArray = index[index.sum(axis=1) % 8 >= drop]
        return kept

    with patch.object(rated_larger, "MAX_LARGER", 2):
        levels = _subsets_below(costs, room, split, limit, floored)
    wanted = [
        np.array(
            [
                order[list(c)]
                for c in itertools.combinations(range(len(costs)), size)
                if costs[order[list(c)]].sum() + split * (size - 1) < room
            ],
            dtype=np.int64,
        ).reshape(-1, size)
        for size in range(3, min(limit, len(costs)) + 1)
    ]
    kept = [floored(level) for level in wanted]
    if sum(map(len, kept)) > 2:
        assert levels is None
        return
    assert levels is not None
    for got, want in zip(levels, kept, strict=False):
        assert np.array_equal(got, want)
    assert sum(map(len, levels)) == sum(map(len, kept))

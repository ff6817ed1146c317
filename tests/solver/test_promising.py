"""The reduction's trial candidates (``_promising``): the best-ranked by the prices' g,
completed line by line, as the first version chose them; with the room (``Room``) a cart's
orders share; and whether the trial searched every plan a solve would enumerate again."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.reduction import MAX_ENUMERATED, Reduction, Room, _promising
from tests.solver.builders import loc, order, problem


def _promising_first(arrays: SourcingArrays, usable: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The first version: what the chosen hold of a line summed afresh for each line."""
    ranked = usable[np.argsort(g[usable], kind="stable")]
    count = min(len(ranked), max(int((g[usable] < 0).sum()), 4), MAX_ENUMERATED - 4)
    chosen = list(ranked[:count])
    for k in np.flatnonzero(arrays.cap.sum(axis=0) > 0):
        held = arrays.cap[chosen, k].sum() if chosen else 0
        if held < arrays.quantity[k] and len(chosen) < MAX_ENUMERATED:
            missing = ranked[(arrays.cap[ranked, k] > 0) & ~np.isin(ranked, chosen)]
            chosen.extend(missing[:1])
    return np.sort(np.array(chosen, dtype=np.int64))


BASE = SourcingArrays.build(problem(order({"p1": 1}), [loc("S1", 1, {"p1": 1})]))


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 16), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_trial_candidates_are_the_first_versions(locations: int, lines: int, seed: int) -> None:
    """Any room per line (lines short after the best-ranked, a candidate completing several),
    any prices (ties, all negative, none): the same candidates."""
    rng = np.random.default_rng(seed)
    cap = rng.integers(0, 3, size=(locations, lines)) * (rng.random((locations, lines)) < 0.4)
    quantity = rng.integers(1, 4, size=lines)
    arrays = replace(BASE, cap=cap, quantity=quantity)  # all ``_promising`` reads
    usable = np.flatnonzero(cap.sum(axis=1) > 0)
    g = rng.choice([-2.0, -1.0, 0.0, 1.0, 3.0], size=locations)
    assert np.array_equal(_promising(arrays, usable, g), _promising_first(arrays, usable, g))
    room = Room.of(arrays)
    assert np.array_equal(room.usable, usable)
    assert np.array_equal(_promising(arrays, usable, g, room.lines), _promising(arrays, usable, g))


@settings(max_examples=400, deadline=None)
@given(
    st.sets(st.integers(0, 20), max_size=12),
    st.sets(st.integers(0, 20), max_size=12),
    st.integers(0, 5),
    st.integers(0, 5),
)
def test_searched_all_is_every_kept_candidate_among_the_searched(
    kept: set[int], searched: set[int], most: int, searched_most: int
) -> None:
    """Any kept and searched candidates (disjoint, nested, equal, empty) and sizes: as
    ``np.isin`` tells it."""
    keep = np.array(sorted(kept), dtype=np.int64)
    candidates = np.array(sorted(searched), dtype=np.int64)
    reduction = Reduction(keep, 0.0, BASE.cap, 0.0, (candidates, searched_most))
    expected = most <= searched_most and bool(np.isin(keep, candidates).all())
    assert reduction.searched_all(keep, most) == expected
    assert not Reduction(keep, 0.0, BASE.cap, 0.0).searched_all(keep, most)

"""The reduction's trial candidates (``_promising``): the best-ranked by the prices' g,
completed line by line, as the first version chose them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.reduction import MAX_ENUMERATED, _promising
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

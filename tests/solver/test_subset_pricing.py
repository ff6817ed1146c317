"""Pricing every subset of candidates with all products at once gives, bit for bit, what
pricing each product on its own gives (the one-product pass the reduction used before)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem, subset_pricing
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.product_units import all_product_terms, product_terms, servable_lines
from sourcing.solver.small_plans import _sorted_segments
from sourcing.solver.subset_pricing import (
    enumerate_plans,
    enumerate_small_plans,
    price_largest,
    price_subsets,
)
from sourcing.solver.subset_table import subset_members
from sourcing.solver.types import BoolArray, FloatArray, IntArray
from tests.solver.test_properties import problems


def one_product(
    arrays: SourcingArrays, candidates: IntArray, member: BoolArray, product: int
) -> tuple[FloatArray, IntArray]:
    """One product's cost for every subset and units per candidate, priced on its own."""
    ordered, wanted, stock, unit, cheap = product_terms(arrays, candidates, product)
    n = len(candidates)
    seg_loc = np.concatenate([np.arange(n), np.arange(n)])
    seg_cap = np.concatenate([cheap, stock - cheap])
    seg_cost = np.concatenate([unit, unit + arrays.weights.ideal_stock])
    order = np.argsort(seg_cost, kind="stable")
    seg_loc, seg_cap, seg_cost = seg_loc[order], seg_cap[order], seg_cost[order]
    caps = member[:, seg_loc] * seg_cap[None, :]
    before = np.cumsum(caps, axis=1) - caps
    take = np.clip(wanted - before, 0, caps)
    cost = take @ seg_cost + (ordered - take.sum(axis=1)) * arrays.rejection_penalty
    unsorted = np.empty_like(take)
    unsorted[:, order] = take
    return cost, unsorted[:, :n] + unsorted[:, n:]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data(), st.booleans())
def test_all_products_at_once_equal_one_at_a_time(
    problem: SourcingProblem, data: st.DataObject, held_only: bool
) -> None:
    """Totals and units per candidate are equal, float for float, on every subset, at the
    full width and when only the segments with units are filled (as on wide tables)."""
    arrays = SourcingArrays.build(problem)
    n = arrays.cap.shape[0]
    picked = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)) if n else []
    candidates = np.array(sorted(picked), dtype=np.int64)
    with patch.object(
        subset_pricing, "HELD_ONLY_FROM", 0 if held_only else subset_pricing.HELD_ONLY_FROM
    ):
        subsets = price_subsets(arrays, candidates, None)
    sizes = subsets.member.sum(axis=1)
    total = subsets.member @ arrays.fulfilment_cost[candidates] + arrays.weights.split * np.maximum(
        sizes - 1, 0
    )
    for product in range(len(arrays.products)):
        cost, take = one_product(arrays, candidates, subsets.member, product)
        total = total + cost
        assert np.array_equal(subsets.takes[product], take)
    assert np.array_equal(subsets.total, total)
    expected_rows = sum(
        1
        for size in range(min(arrays.split_limit, len(candidates)) + 1)
        for _ in itertools.combinations(range(len(candidates)), size)
    )
    assert len(subsets.total) == expected_rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_the_largest_subset_priced_alone_has_its_spread_among_all(
    problem: SourcingProblem, data: st.DataObject
) -> None:
    """``price_largest`` spreads the units as ``price_subsets``' last subset does, candidate
    for candidate and line for line (what ``exact_subset`` prices), with the same members."""
    arrays = SourcingArrays.build(problem)
    n = arrays.cap.shape[0]
    picked = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)) if n else []
    candidates = np.array(sorted(picked), dtype=np.int64)
    every = price_subsets(arrays, candidates, len(candidates))
    alone = price_largest(arrays, candidates)
    last = len(every.total) - 1
    assert len(alone.total) == 1
    assert np.array_equal(alone.member[0], every.member[last])
    assert np.array_equal(alone.allocation(arrays, 0), every.allocation(arrays, last))
    for mine, theirs in zip(alone.taken(0), every.taken(last), strict=True):
        assert np.array_equal(mine, theirs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_small_plans_priced_alone_equal_the_enumeration(
    problem: SourcingProblem, data: st.DataObject
) -> None:
    """Pricing each plan of at most m candidates over its own members finds the plan the
    masked enumeration finds: the same cost, and the same allocation unless another plan
    costs the same to the last few bits."""
    arrays = SourcingArrays.build(problem)
    n = arrays.cap.shape[0]
    picked = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)) if n else []
    candidates = np.array(sorted(picked), dtype=np.int64)
    most = data.draw(st.integers(0, 3))
    small, small_cost = enumerate_small_plans(arrays, candidates, most)
    full, full_cost = enumerate_plans(arrays, candidates, max_size=most)
    slack = 1e-9 * max(1.0, abs(full_cost))
    assert abs(small_cost - full_cost) <= slack
    totals = np.sort(price_subsets(arrays, candidates, most).total)
    if len(totals) < 2 or totals[1] - totals[0] > slack:  # a clear winner: the same plan
        assert np.array_equal(small, full)


def test_held_segments_come_first_in_cost_order() -> None:
    """Each product's segments with units, in their order, padded with ones without."""
    seg_cap = np.array([[0, 2, 0, 1], [3, 0, 0, 0]])
    held, counts = subset_pricing._held_segments(seg_cap, subset_pricing.HELD_ONLY_FROM)
    assert held is not None
    assert held.tolist() == [[1, 3], [0, 1]]
    assert counts.tolist() == [2, 1]
    assert subset_pricing._held_segments(seg_cap, subset_pricing.HELD_ONLY_FROM - 1)[0] is None


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_sorted_segments_equal_each_rows_stable_sort(data: st.DataObject) -> None:
    """The global-rank sort gives each row's stable sort of its segments, ties included."""
    n = data.draw(st.integers(1, 7))
    products = data.draw(st.integers(1, 3))
    limit = data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    unit = rng.integers(0, 3, (products, n)).astype(float)  # few values: many ties
    stock = rng.integers(0, 4, (products, n))
    cheap = np.minimum(stock, rng.integers(0, 4, (products, n)))
    ideal = float(data.draw(st.sampled_from([0.0, 1.0, 2.5])))
    idx = subset_members(n, limit)
    cap, cost = _sorted_segments(stock, unit, cheap, ideal, idx)
    # The row-wise stable sort, as cheapest_subset did it.
    pad = ((0, 0), (0, 1))
    row_unit = np.pad(unit, pad)[:, idx]
    row_cap = np.concatenate(
        [np.pad(cheap, pad)[:, idx], np.pad(stock - cheap, pad)[:, idx]], axis=2
    )
    row_cost = np.concatenate([row_unit, row_unit + ideal], axis=2)
    order = np.argsort(row_cost, axis=2, kind="stable")
    assert np.array_equal(cap, np.take_along_axis(row_cap, order, axis=2))
    assert np.array_equal(cost, np.take_along_axis(row_cost, order, axis=2))


def test_within_runs_numbers_each_element_within_its_run() -> None:
    """Runs of 2, 0 and 3 elements laid end to end are numbered 0, 1 then 0, 1, 2."""
    from sourcing.solver.reduction import within_runs

    assert within_runs(np.array([2, 0, 3])).tolist() == [0, 1, 0, 1, 2]
    assert within_runs(np.zeros(0, dtype=np.int64)).tolist() == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_servable_lines_are_each_products_lines_some_candidate_has_room_for(
    problem: SourcingProblem,
) -> None:
    """Sorted by product in Python, the lines a numpy pass per product finds, in line order
    and as index arrays (they index the arrays' columns)."""
    arrays = SourcingArrays.build(problem)
    servable = arrays.cap.sum(axis=0) > 0
    lines = servable_lines(arrays)
    assert len(lines) == len(arrays.products)
    for product, mine in enumerate(lines):
        expected = np.flatnonzero((arrays.line_product == product) & servable)
        assert mine.dtype == expected.dtype and np.array_equal(mine, expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_all_product_terms_are_each_products_terms(
    problem: SourcingProblem, data: st.DataObject
) -> None:
    """All products' terms at once are each product's own (``product_terms``), for any
    candidates and lines some candidate cannot serve (no room, or a rule keeps them out)."""
    arrays = SourcingArrays.build(problem)
    n = len(arrays.cap)
    candidates = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1)))), dtype=np.int64)
    room = np.array(data.draw(st.lists(st.booleans(), min_size=arrays.cap.shape[1])))
    arrays = replace(arrays, cap=arrays.cap * room[: arrays.cap.shape[1]])
    lines = servable_lines(arrays)
    together = all_product_terms(arrays, candidates, lines)
    for product in range(len(lines)):
        alone = product_terms(arrays, candidates, product, lines[product])
        for mine, expected in zip(together, alone, strict=True):
            assert np.array_equal(np.asarray(mine)[product], np.asarray(expected))

"""Integer row and column sums by a product with ones, and ``evaluate``'s shortcut for terms
whose costs are all zero: both give, bit for bit, what they replace."""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import SourcingProblem
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import _priced_units, evaluate
from sourcing.solver.sums import column_sums, row_sums
from tests.solver.test_properties import problems


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 8), st.integers(0, 2**32 - 1), st.integers(1, 62))
def test_sums_equal_numpy_sums(rows: int, columns: int, seed: int, bits: int) -> None:
    """Any integers, negative and large ones too (wrapping alike on overflow)."""
    rng = np.random.default_rng(seed)
    table = rng.integers(-(2**bits), 2**bits, size=(rows, columns), dtype=np.int64)
    assert np.array_equal(row_sums(table), table.sum(axis=1))
    assert np.array_equal(column_sums(table), table.sum(axis=0))
    assert row_sums(table).dtype == column_sums(table).dtype == np.int64


def test_float_tables_are_refused() -> None:
    """Float sums depend on their order: they are not this helper's."""
    with pytest.raises(ValueError, match="integer"):
        row_sums(np.ones((3, 2)))  # type: ignore[arg-type]  # the refusal is the point
    with pytest.raises(ValueError, match="integer"):
        column_sums(np.ones((3, 2), dtype=bool))


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2**32 - 1))
def test_each_term_is_the_sum_of_its_costs_times_the_units(
    problem: SourcingProblem, seed: int
) -> None:
    """Terms of all +0.0, all -0.0, mixed-sign zeros and real costs: each is
    ``float((cost * allocation).sum())`` to the bit, on the greedy's plan and on a random one."""
    arrays = SourcingArrays.build(problem)
    rng = np.random.default_rng(seed)
    shape = arrays.cap.shape
    mixed = np.where(rng.random(shape) < 0.5, -0.0, 0.0)
    parts = {
        "handling": np.zeros(shape),
        "shipping": np.full(shape, -0.0),
        "markdown": mixed,
        "overstock": rng.normal(size=shape) * 100.0,
        "stock_age": np.zeros((shape[1], shape[0])).T,  # a transposed view, as built
        "sell_through": arrays.unit_cost_parts["shipping"],
    }
    zeroed = replace(arrays, unit_cost_parts=parts)
    random_plan = rng.integers(0, 3, size=shape) * (arrays.cap > 0)
    for allocation in (greedy_allocation(arrays), random_plan):
        terms = evaluate(zeroed, allocation).terms
        for term, cost in parts.items():
            assert bits(terms[term]) == bits(float((cost * allocation).sum())), term


@pytest.mark.parametrize(
    "cost",
    [
        np.zeros((4, 3)),
        np.full((4, 3), -0.0),
        np.array([[0.0, np.nan, 0.0]] * 4),
        np.array([[0.0, np.inf, 0.0]] * 4),
        np.array([[0.0, 5e-324, 0.0]] * 4),  # the least subnormal: bits but one
        np.zeros((4, 3), dtype=np.float32),
        np.array([[0.0, -0.0, 1.5]] * 4, dtype=np.float32),
        np.zeros((3, 4)).T,  # a transposed view
    ],
)
def test_priced_units_is_the_sum_it_replaces(cost: np.ndarray) -> None:
    """Zeros of either sign, NaN, infinity, the least subnormal, float32 and views: the bits
    of ``float((cost * allocation).sum())``."""
    allocation = np.array([[0, 1, 2]] * 4, dtype=np.int64)[: cost.shape[0], : cost.shape[1]]
    assert bits(_priced_units(cost, allocation)) == bits(float((cost * allocation).sum()))

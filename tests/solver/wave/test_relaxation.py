"""The wave model's LP relaxation, its duals as prices, and an order's priced bound."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.wave_optimum import everywhere, priced_bound_at_lp
from sourcing.solver import Order, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.refine import priced_bound
from sourcing.solver.wave.relaxation import lp_relaxation
from tests.solver.wave.test_solve import PROFILE, order, store


def _short_wave() -> BatchProblem:
    """Two orders want 2 units of A each; the near store has 2, the far one 1: a unit is lost."""
    near = store("NEAR", 1.0, {"A": 2})
    far = store("FAR", 50.0, {"A": 1})
    orders: list[Order] = [order("O1", 0.0, {"A": 2}), order("O2", 0.0, {"A": 2})]
    return BatchProblem.from_problems([SourcingProblem(o, (near, far), PROFILE) for o in orders])


def test_the_lp_prices_scarce_stock_and_bound_the_wave_at_least_as_well_as_the_lp() -> None:
    """At the LP's duals, the orders solved exactly less the prices' worth are >= the LP value."""
    problem = _short_wave()
    wave, capacity, products = everywhere(problem)
    relaxed = lp_relaxation(wave, capacity, wave.plan_penalty, 10.0)
    assert relaxed is not None
    value, prices = relaxed
    # Both stores' stock of A is short: each is priced.
    assert (prices.stock > 0).sum() == 2
    lp, bound = priced_bound_at_lp(problem, wave, capacity, products, 10.0)
    assert lp == pytest.approx(value)
    assert value >= float(wave.plan_penalty[0])  # one unit is rejected in any plan
    assert bound >= value - 1e-6 * abs(value)


def test_an_orders_priced_bound_counts_the_prices_on_stock() -> None:
    """A price on the only stock an order can use is in its priced bound."""
    problem = _short_wave()
    arrays = SourcingArrays.build(problem.problem_of(0))
    unit = np.where(arrays.cap > 0, 1_000.0, 0.0)
    fixed = np.zeros(arrays.cap.shape[0])
    plain, _ = priced_bound(arrays, np.zeros(arrays.cap.shape), fixed, 5.0)
    priced, _ = priced_bound(arrays, unit, fixed, 5.0)
    # Both units are served (rejecting one costs far more than 1,000), each at its price.
    assert priced == pytest.approx(plain + 2 * 1_000.0, rel=1e-9)

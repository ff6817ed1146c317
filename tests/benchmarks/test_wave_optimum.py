"""benchmarks/wave_optimum.py: the joint MIP over every location on a tiny short wave."""

from __future__ import annotations

import pytest

from benchmarks.batch_scale import wave_instance
from benchmarks.wave_optimum import applied_cost, everywhere, joint_optimum, priced_bound_at_lp
from sourcing.solver.wave import solve_batch


def test_the_joint_optimum_is_priced_as_applied_and_bounds_the_wave() -> None:
    """The MIP's plan costs what its model says once applied; its bounds are below every plan."""
    problem, _ = wave_instance("uniform", "scarce", 8, 6, 0, "flat")
    wave = solve_batch(problem, time_limit_s=5.0)
    full, capacity, products = everywhere(problem)
    joint = joint_optimum(problem, full, capacity, wave.plans, 30.0)
    assert joint.assignment is not None
    applied = applied_cost(problem, joint)
    assert applied == pytest.approx(joint.assignment.estimate, rel=1e-9)
    assert applied <= wave.objective + 1e-6 * abs(wave.objective)  # the wave's plan is its hint
    lp, priced = priced_bound_at_lp(problem, full, capacity, products, 30.0)
    assert lp <= priced + 1e-6 * abs(lp)
    assert max(joint.bound, priced) <= applied + 1e-6 * abs(applied)
    assert wave.stats.rejection_floor <= lp

"""A store whose kept candidates are too many to enumerate is settled without its MIP when
the reduction's prices leave few plans below the incumbent (``Reduction.plans_below``)."""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcing.bench.instances import InstanceConfig, make_problems
from sourcing.solver import solve
from sourcing.solver.plan import SolveStatus
from sourcing.solver.reduction import Reduction

solve_module = importlib.import_module("sourcing.solver.solve")  # the package exports solve()

# Quarters: every sum below is exact, so the brute force and the search agree on the edge.
QUARTERS = st.integers(-400, 400).map(lambda q: q / 4)


def _brute_force(
    g: np.ndarray, lines: float, keep: np.ndarray, most: int, upper: float, split: float
) -> list[tuple[int, ...]]:
    room = upper - 1e-9 * max(1.0, abs(upper))
    return [
        subset
        for size in range(most + 1)
        for subset in itertools.combinations(range(len(keep)), size)
        if lines + sum(g[keep[j]] for j in subset) + split * max(size - 1, 0) < room
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(QUARTERS, min_size=1, max_size=14),
    QUARTERS,
    QUARTERS,
    st.integers(0, 5),
    st.integers(0, 8).map(lambda q: q / 4),
    st.data(),
)
def test_plans_below_are_every_plan_the_bound_leaves(
    g_values: list[float],
    lines: float,
    upper: float,
    most: int,
    split: float,
    data: st.DataObject,
) -> None:
    """The rows are the subsets whose bound stays below the incumbent, and only those, in
    ``subset_members``' order (smaller first, then as ``itertools.combinations``)."""
    g = np.array(g_values)
    picked = data.draw(st.lists(st.integers(0, len(g) - 1), unique=True, min_size=1))
    keep = np.array(sorted(picked), dtype=np.int64)
    most = min(most, len(keep))
    lower = lines + float(np.minimum(g, 0.0).sum())
    reduction = Reduction(keep, lower, np.zeros((len(g), 1), dtype=np.int64), upper, None, g)
    rows = reduction.plans_below(keep, most, upper, split)
    expected = _brute_force(g, lines, keep, most, upper, split)
    assert rows is not None
    got = [tuple(int(j) for j in row if j < len(keep)) for row in rows]
    assert got == expected


def test_plans_below_without_prices_or_with_too_many_plans_is_none() -> None:
    keep = np.arange(30, dtype=np.int64)
    incumbent = np.zeros((30, 1), dtype=np.int64)
    assert Reduction(keep, 0.0, incumbent, 10.0).plans_below(keep, 3, 10.0, 0.0) is None
    flat = Reduction(keep, 0.0, incumbent, 10.0, None, np.zeros(30))
    rows = flat.plans_below(keep, 3, 10.0, 0.0)  # every plan of at most 3: 4,526
    assert rows is not None and len(rows) == 4526
    assert flat.plans_below(keep, 4, 10.0, 0.0) is None  # 31,931: the MIP's


# Orders whose kept candidates are too many to enumerate every plan of (found by search).
CASES = [("uniform", 100, 8, 0), ("uniform", 100, 8, 5), ("clustered", 300, 5, 19)]


@pytest.mark.parametrize(("family", "locations", "lines", "order"), CASES)
def test_bounded_plans_settle_the_order_as_the_full_model_does(
    family: str, locations: int, lines: int, order: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the MIP the plan is proved optimal and costs what the full model's costs."""
    config = InstanceConfig(
        family=family, n_locations=locations, n_products=60, lines_per_order=lines, seed=0
    )
    problem = make_problems(config, 20)[order]
    reference = solve(problem, reduce=False)

    def no_mip(*args: object, **kwargs: object) -> None:
        raise AssertionError("the MIP ran")

    used: list[int] = []
    plans_below = Reduction.plans_below

    def counted(self: Reduction, *args: object) -> object:
        rows = plans_below(self, *args)  # type: ignore[arg-type]
        used.append(-1 if rows is None else len(rows))
        return rows

    monkeypatch.setattr(solve_module, "solve_mip", no_mip)
    monkeypatch.setattr(Reduction, "plans_below", counted)
    plan = solve(problem)
    assert used and used[0] > 0  # the bounded plans settled it
    assert plan.status == SolveStatus.OPTIMAL
    assert plan.objective.priced_total == pytest.approx(reference.objective.priced_total, rel=1e-9)

"""The rejection floor: the units no integer plan avoids, proved by a MIP, lift the LP bound."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.bench import bound as bound_module
from sourcing.bench.bound import FLOOR_TOLERANCE, lp_bound
from sourcing.solver import Capacity, SourcingProblem
from tests.bench.floor_brute import min_over_plans
from tests.solver.builders import loc, order, problem


def orders_at_one_store(
    lines: list[dict[str, int]],
    stock: dict[str, int],
    store_capacity: int,
    split_limit: int = 1000,
) -> list[SourcingProblem]:
    """One order per entry of ``lines``, all on one store taking ``store_capacity`` orders a day."""
    store = loc("S1", 1.0, stock, fixed_cost=10.0, capacity=Capacity(total=store_capacity))
    problems = []
    for o, wanted in enumerate(lines):
        base = problem(order(wanted), [store], fixed=1.0, split_limit=split_limit)
        problems.append(replace(base, order=replace(base.order, ref=f"O{o + 1}")))
    return problems


def three_orders_two_slots() -> list[SourcingProblem]:
    """Seven units over three orders, five in stock, and the store takes two of the orders.

    Fractionally the store opens to each order two thirds of the way and only
    the stock binds (2 rejected); any two whole orders leave 3 units out.
    """
    return orders_at_one_store(
        [{"P1": 1, "P2": 2}, {"P2": 2}, {"P1": 2}], {"P1": 2, "P2": 3}, store_capacity=2
    )


def test_floor_is_the_integer_minimum_where_the_lp_spreads_capacity() -> None:
    """The LP rejects 2 units, every plan 3: the floor is 3 and the bound rises by a penalty."""
    problems = three_orders_two_slots()
    old = lp_bound(problems, [0, 0, 0])
    new = lp_bound(problems, [0, 0, 0], mip_time_limit_s=30.0)
    assert old.rejected_units == pytest.approx(2.0)
    assert old.rejected_floor == 0.0
    assert new.rejected_floor == 3.0
    assert new.rejected_units == pytest.approx(3.0)
    assert min_over_plans(problems, [0, 0, 0], rejections=True) == pytest.approx(3.0)
    assert new.value >= old.value + 999_000.0  # a penalty more, a few units of service less
    assert new.value <= min_over_plans(problems, [0, 0, 0], rejections=False) + 1e-6


def test_no_budget_no_floor() -> None:
    """A zero budget leaves the MIP out: the LP alone, as before."""
    problems = three_orders_two_slots()
    off = lp_bound(problems, [0, 0, 0], mip_time_limit_s=0.0)
    assert off.rejected_floor == 0.0
    assert off.floor_s == 0.0
    assert off.rejected_units == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("proved", "floor"),
    [
        (2.0 + 0.4 * FLOOR_TOLERANCE, 2.0),  # a tolerance above a whole unit is that unit
        (2.0 - 0.4 * FLOOR_TOLERANCE, 2.0),
        (2.5, 3.0),
        (-35_233.0, 0.0),  # SCIP's bound before its root LP: nothing proved
        (-math.inf, 0.0),
    ],
)
def test_floor_is_the_proved_bound_rounded_up(
    monkeypatch: pytest.MonkeyPatch, proved: float, floor: float
) -> None:
    """The floor is the solver's dual bound, never its plan, rounded up after the tolerance.

    The true minimum here is 3 (the incumbent SCIP finds), so a floor taken
    from the incumbent, or a ceil without the tolerance, would differ.
    """
    monkeypatch.setattr(bound_module, "best_bound", lambda solver: proved)
    result = lp_bound(three_orders_two_slots(), [0, 0, 0], mip_time_limit_s=30.0)
    assert result.rejected_floor == floor
    assert result.rejected_units >= floor - 1e-6


def small_waves() -> st.SearchStrategy[tuple[list[SourcingProblem], list[int]]]:
    """Two or three orders of one or two products at one or two stores taking 1-2 orders a day."""
    stock = st.fixed_dictionaries({"P1": st.integers(0, 3), "P2": st.integers(0, 3)})
    lines = st.dictionaries(st.sampled_from(["P1", "P2"]), st.integers(1, 3), min_size=1)

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[SourcingProblem], list[int]]:
        stores = [
            loc(
                f"S{i + 1}",
                1.0 + 3 * i,
                draw(stock),
                fixed_cost=10.0 * (i + 1),
                capacity=Capacity(total=draw(st.integers(1, 2))),
            )
            for i in range(draw(st.integers(1, 2)))
        ]
        problems = []
        for o in range(draw(st.integers(2, 3))):
            base = problem(
                order(draw(lines)),
                stores,
                fixed=1.0,
                shipping=1.0,
                split_limit=draw(st.integers(1, 2)),
            )
            problems.append(replace(base, order=replace(base.order, ref=f"O{o + 1}")))
        days = [draw(st.integers(0, 1)) for _ in problems]
        return problems, days

    return build()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_waves())
def test_floor_and_bound_against_brute_force(wave: tuple[list[SourcingProblem], list[int]]) -> None:
    """Floor <= the fewest units any plan rejects; LP bound <= new bound <= the least plan cost."""
    problems, days = wave
    old = lp_bound(problems, days)
    new = lp_bound(problems, days, mip_time_limit_s=30.0)
    fewest = min_over_plans(problems, days, rejections=True)
    cheapest = min_over_plans(problems, days, rejections=False)
    assert math.ceil(old.rejected_units - FLOOR_TOLERANCE) <= new.rejected_floor <= fewest + 1e-6
    assert old.value - 1e-6 * max(1.0, abs(old.value)) <= new.value
    assert new.value <= cheapest + 1e-6 * max(1.0, cheapest)

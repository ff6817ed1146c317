"""A per-order ``CandidateState`` over a reused candidate tuple: same plans, only what moved."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sourcing.bench.instances import InstanceConfig, make_network, order_stream
from sourcing.solver import (
    CandidateState,
    Capacity,
    Location,
    Plan,
    ProductColumn,
    Rules,
    SourcingProblem,
    solve,
)
from sourcing.solver.table import candidate_state
from tests.solver.builders import loc, order, problem
from tests.solver.test_properties import problems


def static(locations: tuple[Location, ...]) -> tuple[Location, ...]:
    """The candidates without what moves: no stock, unlimited capacity, no open orders."""
    return tuple(replace(x, stock={}, capacity=Capacity(), open_orders=0) for x in locations)


def with_state(source: SourcingProblem, bare: tuple[Location, ...]) -> SourcingProblem:
    """``source`` over the bare candidates, its stock, capacity and open orders as a state."""
    state = candidate_state(source.locations)
    return SourcingProblem(source.order, bare, source.profile, state)


def summary(plan: Plan) -> tuple[Any, ...]:
    """What a plan decides and what it costs."""
    rejected = plan.rejected.lines if plan.rejected else ()
    return plan.fulfilments, rejected, round(plan.objective.total, 6), plan.status


def column(index: list[int], on_hand: list[int]) -> ProductColumn:
    """A product stocked at candidates ``index`` with ``on_hand`` units, nothing else set."""
    n = len(index)
    zeros = np.zeros(n, dtype=np.int64)
    return ProductColumn(
        index=np.array(index, dtype=np.int64),
        on_hand=np.array(on_hand, dtype=np.int64),
        reserved=zeros,
        buffer_qty=zeros,
        ideal_qty=zeros,
        markdown=np.zeros(n),
        sell_through=np.zeros(n),
        stock_age_days=np.zeros(n),
        in_transit=(),
    )


def state(n: int, stock: dict[str, ProductColumn], **arrays: list[int]) -> CandidateState:
    """A state over ``n`` candidates: unlimited capacity and no open orders unless given."""
    unlimited = np.full(n, -1, dtype=np.int64)
    return CandidateState(
        stock=stock,
        capacity_total=np.array(arrays.get("capacity_total", unlimited), dtype=np.int64),
        capacity_hd=np.array(arrays.get("capacity_hd", unlimited), dtype=np.int64),
        capacity_cc=np.array(arrays.get("capacity_cc", unlimited), dtype=np.int64),
        open_orders=np.array(arrays.get("open_orders", [0] * n), dtype=np.int64),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_state_gives_the_plan_of_the_candidates_it_was_taken_from(
    source: SourcingProblem,
) -> None:
    """Moving stock, capacity and open orders into a state changes no plan of any policy."""
    moved = with_state(source, static(source.locations))
    for policy in ("mip", "greedy"):
        assert summary(solve(moved, policy=policy)) == summary(solve(source, policy=policy))


def test_unchecked_state_holds_what_the_checked_one_does_and_skips_its_checks() -> None:
    """A state the solver derives without the checks holds the same fields and gives the
    same plan as the checked one."""
    candidates = (loc("NEAR", 1, {"p1": 5}), loc("FAR", 9, {"p1": 5}))
    base = problem(order({"p1": 2}), candidates, shipping=1.0)
    checked = state(2, {"p1": column([1], [5])}, capacity_total=[0, 3])
    fields = ("stock", "capacity_total", "capacity_hd", "capacity_cc", "open_orders")
    unchecked = CandidateState.unchecked(*(getattr(checked, name) for name in fields))
    for name in fields[1:]:
        assert np.array_equal(getattr(unchecked, name), getattr(checked, name))
    assert unchecked.stock is checked.stock
    assert summary(solve(replace(base, state=unchecked))) == summary(
        solve(replace(base, state=checked))
    )
    assert solve(replace(base, state=unchecked)).fulfilments[0].location_ref == "FAR"


@pytest.mark.parametrize("binding_capacity", [False, True])
def test_one_tuple_serves_a_stream_of_orders_with_their_own_states(
    binding_capacity: bool,
) -> None:
    """At 300 candidates, each order over one shared bare tuple gets its own plan."""
    network = make_network(
        InstanceConfig(n_locations=300, n_products=40, binding_capacity=binding_capacity)
    )
    bare = static(network.locations)
    for source in order_stream(network, 8):
        assert summary(solve(with_state(source, bare))) == summary(solve(source))


def test_state_replaces_the_candidates_own_stock_capacity_and_open_orders() -> None:
    """The near store holds stock itself but not in the state, so the far one serves."""
    candidates = (loc("NEAR", 1, {"p1": 5}), loc("FAR", 9, {"p1": 5}))
    base = problem(order({"p1": 2}), candidates, shipping=1.0)
    assert solve(base).fulfilments[0].location_ref == "NEAR"
    moved = replace(base, state=state(2, {"p1": column([1], [5])}))
    assert solve(moved).fulfilments[0].location_ref == "FAR"
    full = replace(base, state=state(2, {"p1": column([0, 1], [5, 5])}, capacity_total=[0, -1]))
    assert solve(full).fulfilments[0].location_ref == "FAR"
    limited = replace(
        base,
        profile=replace(base.profile, rules=Rules(hd_open_order_limit=3)),
        state=state(2, {"p1": column([0, 1], [5, 5])}, open_orders=[3, 0]),
    )
    assert solve(limited).fulfilments[0].location_ref == "FAR"
    assert solve(replace(base, state=state(2, {}))).rejected_units == 2


def bad_column(**changes: Any) -> ProductColumn:
    """A valid two-position column with ``changes`` applied."""
    return replace(column([0, 1], [1, 1]), **changes)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: state(2, {}, open_orders=[0]), "open_orders to hold one entry per candidate"),
        (lambda: state(2, {}, capacity_hd=[-2, 0]), "capacity_hd to be >= -1"),
        (lambda: state(2, {}, open_orders=[-1, 0]), "open_orders to be >= 0"),
        (lambda: state(2, {"p": column([0, 2], [1, 1])}), r"index to be ascending"),
        (lambda: state(2, {"p": column([1, 0], [1, 1])}), r"index to be ascending"),
        (
            lambda: state(2, {"p": bad_column(on_hand=np.array([1, -1]))}),
            r"on_hand to be non-negative",
        ),
        (
            lambda: state(2, {"p": bad_column(markdown=np.array([0.5, 1.5]))}),
            r"markdown to be fractions",
        ),
        (
            lambda: state(2, {"p": bad_column(reserved=np.array([0]))}),
            r"reserved to hold one entry per index",
        ),
    ],
)
def test_state_refuses_what_does_not_fit(make: Any, message: str) -> None:
    """Arrays of the wrong length, negative counts and bad indices name the field."""
    with pytest.raises(ValueError, match=message):
        make()


def test_problem_refuses_a_state_of_another_size() -> None:
    """A state must describe exactly the problem's candidates."""
    with pytest.raises(ValueError, match="Expected a state of 1 candidates, got one of 2"):
        SourcingProblem(order({"p1": 1}), (loc("S1", 1, {}),), state=state(2, {}))

"""The arrays of an order delivered by a date, derived from its arrays, equal a fresh build."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import ServiceChoice, SourcingProblem, solve
from sourcing.solver.clock import Clock
from sourcing.solver.deliver_by import delivered_by
from sourcing.solver.inputs import InTransit
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.solve import solve_arrays
from tests.models.orders.test_delivery_options import NOW, timed_problems
from tests.solver.builders import loc, order, problem
from tests.solver.calendars import service
from tests.solver.test_rates import rated_problems
from tests.solver.test_scarcity import priced_problems
from tests.solver.test_variants import same

NEED_BY = st.sampled_from(
    [None, *(NOW + timedelta(days=d, hours=h) for d in range(4) for h in (0, 11))]
)


@st.composite
def orders_and_dates(draw: st.DrawFn) -> tuple[SourcingProblem, SourcingProblem]:
    """A timed order (rate cards, calendars, scarce-stock prices, stock in transit, some
    locations already excluded) and the same order by a need-by with more kept out."""
    base = draw(
        st.one_of(timed_problems(), rated_problems(), priced_problems().map(lambda p: p[0]))
    )
    refs = [location.ref for location in base.locations]
    if draw(st.booleans()):  # stock in transit somewhere: the need-by decides what counts
        first = base.locations[0]
        arriving = (InTransit(2, NOW + timedelta(days=draw(st.integers(0, 3)))),)
        stock = {p: replace(s, in_transit=arriving) for p, s in first.stock.items()}
        base = replace(base, locations=(replace(first, stock=stock), *base.locations[1:]))
    already = frozenset(draw(st.lists(st.sampled_from(refs), max_size=1)))
    rules = replace(base.profile.rules, excluded_locations=already)
    base = replace(
        base,
        order=replace(base.order, need_by=draw(NEED_BY)),
        profile=replace(base.profile, rules=rules),
        now=NOW,
        clock=Clock(NOW) if draw(st.booleans()) else None,
    )
    late = frozenset(draw(st.lists(st.sampled_from(refs), max_size=len(refs))))
    fast = replace(
        base,
        order=replace(base.order, need_by=draw(NEED_BY)),
        profile=replace(
            base.profile,
            rules=replace(rules, excluded_locations=already | late),
            service_choice=draw(st.sampled_from(list(ServiceChoice))),
        ),
    )
    return base, fast


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders_and_dates())
def test_delivered_by_equals_a_fresh_build(pair: tuple[SourcingProblem, SourcingProblem]) -> None:
    """Field for field, and the plan solved on them is the plain solve's."""
    base, fast = pair
    derived = delivered_by(SourcingArrays.build(base), fast)
    built = SourcingArrays.build(fast)
    for field in dataclasses.fields(SourcingArrays):
        assert same(getattr(derived, field.name), getattr(built, field.name)), field.name
    plan, reference = solve_arrays(derived), solve(fast)
    assert plan.fulfilments == reference.fulfilments
    assert plan.objective.total == reference.objective.total


def test_delivered_by_refuses_other_changes() -> None:
    """Anything but the need-by, the service choice and more exclusions needs a build."""
    stores = [loc("S1", 1, {"P1": 2}, carrier_services=(service(),)), loc("S2", 9, {"P1": 1})]
    base = replace(problem(order([("P1", 2)]), stores, fixed=1.0), now=NOW)
    arrays = SourcingArrays.build(base)
    fewer = replace(base.profile.rules, excluded_locations=frozenset({base.locations[0].ref}))
    narrowed = replace(base, profile=replace(base.profile, rules=fewer))
    assert same(delivered_by(arrays, narrowed).cap, SourcingArrays.build(narrowed).cap)
    others = [
        replace(base, order=replace(base.order, ref="O2")),
        replace(base, profile=replace(base.profile, split_limit=1)),
        replace(base, now=NOW + timedelta(hours=1)),
    ]
    for other in others:
        with pytest.raises(ValueError, match="need-by"):
            delivered_by(arrays, other)
    with pytest.raises(ValueError, match="weights"):
        delivered_by(SourcingArrays.build(base, base.profile.weights.override({"split": 9})), base)

"""The simulation's CandidateState gives every policy exactly the plans rebuilt locations gave.

Until the simulation passed its state to the solver as a ``CandidateState``,
it baked each order's stock and capacity into new ``Location`` objects.
``_RebuiltLocations`` below is that construction, kept as the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import arrival_times, make_network, order_stream
from sourcing.bench.policies import Policy, PolicyOptions, make_policy
from sourcing.bench.simulation import Instance, simulate, waves
from sourcing.solver import Capacity, Location, OrderType, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.types import IntArray

POLICIES = ("greedy", "priority", "fewest_splits", "mip", "batch", "batch_10")


class _RebuiltLocations:
    """The network as new locations holding what the orders so far left (the old construction)."""

    def __init__(self, locations: tuple[Location, ...]) -> None:
        self.initial = locations
        self.current = list(locations)
        self.day: int | None = None

    def start_day(self, day: int) -> None:
        if day != self.day:
            self.day = day
            self.current = [
                replace(now, capacity=then.capacity)
                for now, then in zip(self.current, self.initial, strict=True)
            ]

    def problem(self, the_problem: SourcingProblem) -> SourcingProblem:
        return replace(the_problem, locations=tuple(self.current), table=None)

    def take(self, the_problem: SourcingProblem, allocation: IntArray) -> None:
        for i in np.flatnonzero(allocation.sum(axis=1)):
            location = self.current[i]
            stock = dict(location.stock)
            for k in np.flatnonzero(allocation[i]):
                product = the_problem.order.lines[k].product_ref
                taken = int(allocation[i, k])
                stock[product] = replace(stock[product], reserved=stock[product].reserved + taken)
            self.current[i] = replace(
                location, stock=stock, capacity=_less(location.capacity, the_problem.order.type)
            )


def _less(capacity: Capacity, order_type: OrderType) -> Capacity:
    def less(value: int | None) -> int | None:
        return None if value is None else value - 1

    hd, cc = order_type is OrderType.HD, order_type is OrderType.CC
    return Capacity(
        less(capacity.total),
        less(capacity.hd) if hd else capacity.hd,
        less(capacity.cc) if cc else capacity.cc,
    )


class _Recording(Policy):
    """A policy that keeps what it was given and every allocation it returned.

    With ``replay``, it returns those allocations instead of deciding: the
    wave policies stop on the clock, so only a replay sees the same states.
    """

    def __init__(self, policy: Policy, replay: Sequence[IntArray] = ()) -> None:
        self.policy = policy
        self.name, self.wave_size = policy.name, policy.wave_size
        self.replay = list(replay)
        self.given: list[SourcingProblem] = []
        self.allocations: list[IntArray] = []

    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        if self.replay:
            allocations = [self.replay.pop(0) for _ in problems]
        else:
            allocations = self.policy.decide(problems)
        self.given.extend(problems)
        self.allocations.extend(allocations)
        return allocations


def _reference(policy: Policy, instance: Instance) -> list[tuple[int, int, dict[str, float]]]:
    """Shipments, rejected units and cost terms per order, over rebuilt locations."""
    state = _RebuiltLocations(instance.problems[0].locations)
    result = []
    for wave in waves(instance, policy.wave_size):
        state.start_day(instance.days[wave.start])
        allocations = policy.decide([state.problem(instance.problems[i]) for i in wave])
        for i, allocation in zip(wave, allocations, strict=True):
            arrays = SourcingArrays.build(state.problem(instance.problems[i]))
            if violations(arrays, allocation):
                allocation = np.zeros_like(allocation)
            state.take(arrays.problem, allocation)
            served = allocation.sum(axis=0)
            shipments = int((allocation.sum(axis=1) > 0).sum())
            rejected = int((arrays.quantity - served).sum())
            result.append((shipments, rejected, dict(evaluate(arrays, allocation).terms)))
    return result


def _what_a_policy_reads(the_problem: SourcingProblem) -> list[object]:
    """The order's arrays and the capacity left, as the solver and the wave solver read them."""
    arrays = SourcingArrays.build(the_problem)
    table = the_problem.candidate_table()
    return [
        *(a.tolist() for a in (arrays.stock, arrays.cap, arrays.surplus, arrays.eligible)),
        *(a.tolist() for a in (arrays.unit_cost, arrays.fulfilment_cost)),
        *(a.tolist() for a in (table.capacity_total, table.capacity_hd, table.capacity_cc)),
        arrays.split_limit,
        arrays.rejection_penalty,
        [loc.ref for loc in the_problem.locations],
    ]


def _instance(family: str) -> Instance:
    """40 orders over 20 locations of ``family``, arriving over two days."""
    config = replace(FAMILIES[family].config(20, 40, seed=1), days=2)
    network = make_network(config)
    times = arrival_times(network, 40)
    days = tuple((t.date() - times[0].date()).days for t in times)
    return Instance(family, tuple(order_stream(network, 40)), days)


@pytest.mark.parametrize("family", ["capacity", "baskets"])
@pytest.mark.parametrize("policy", POLICIES)
def test_every_policy_reads_what_rebuilt_locations_gave(family: str, policy: str) -> None:
    """Replaying the same decisions, every order is given and priced on the same numbers."""
    instance = _instance(family)
    assert len(set(instance.days)) == 2  # capacity comes back once
    now = _Recording(make_policy(policy, PolicyOptions(mip_time_limit_s=2.0)))
    run = simulate(now, instance)
    before = _Recording(make_policy(policy), replay=now.allocations)
    assert [(r.shipments, r.rejected_units, r.terms) for r in run.records] == _reference(
        before, instance
    )
    for a, b in zip(now.given, before.given, strict=True):
        assert _what_a_policy_reads(a) == _what_a_policy_reads(b)
    if now.wave_size != 1:  # the wave solver is handed one state for the wave
        assert len({id(p.state) for p in now.given}) < len(now.given)
    assert not any(r.error for r in run.records)


@pytest.mark.parametrize("family", ["capacity", "baskets"])
@pytest.mark.parametrize("policy", ["greedy", "priority", "fewest_splits", "mip"])
def test_per_order_policies_make_the_plans_rebuilt_locations_gave(family: str, policy: str) -> None:
    """The per-order policies, which do not stop on the clock here, decide exactly as before."""
    instance = _instance(family)
    now, before = _Recording(make_policy(policy)), _Recording(make_policy(policy))
    simulate(now, instance)
    _reference(before, instance)
    assert len(now.allocations) == len(before.allocations) == len(instance.problems)
    for a, b in zip(now.allocations, before.allocations, strict=True):
        assert np.array_equal(a, b)

"""Sequential simulation: the same orders, in arrival order, each consuming what it takes.

Every policy sees the same orders in the same sequence. Before each decision
the order's problem is rebuilt from the network's current state, so a unit
or a day's capacity that an earlier order took is gone for the later ones:
taking stock adds to the position's ``reserved`` units (as sourcing does in
the engine), and each location an order uses takes one order off its
remaining capacity for that day. Capacity comes back at the start of each
day; stock does not.

Each decision is checked against the state it is applied to
(``objective.violations``) and priced there with ``objective.evaluate``, so
every policy's costs come from the same function on the same rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.bench.instances import IntArray
from sourcing.bench.policies import Policy
from sourcing.solver import Capacity, Location, OrderType, SourcingProblem, StockPosition
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Instance:
    """Orders in arrival order over one network, and the day each arrives on.

    Every problem holds the network's locations as they are before the first
    order; ``days[i]`` counts days from the first order's day.
    """

    name: str
    problems: tuple[SourcingProblem, ...]
    days: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.problems) != len(self.days):
            raise ValueError(
                f"Expected one day per order, got {len(self.days)} days "
                f"for {len(self.problems)} orders."
            )
        if list(self.days) != sorted(self.days):
            raise ValueError("Expected days in arrival order (non-decreasing).")


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """What one policy did with one order, priced on the state it was applied to."""

    index: int
    order_ref: str
    day: int
    lines: int
    units: int
    split_limit: int
    shipments: int
    rejected_units: int
    latency_s: float
    terms: dict[str, float]
    error: str = ""

    @property
    def cost(self) -> float:
        """The order's objective value."""
        return float(sum(self.terms.values()))


@dataclass(frozen=True, slots=True)
class PolicyRun:
    """One policy over one instance: a record per order and the capacity it used.

    ``capacity_used`` counts fulfilments at locations with a daily capacity;
    ``capacity_offered`` is those locations' capacity summed over the days
    orders arrived on. ``max_rejection_penalty`` is the dearest per-unit
    rejection penalty any order was priced with.
    """

    policy: str
    records: tuple[OrderRecord, ...]
    capacity_used: int
    capacity_offered: int
    max_rejection_penalty: float


class NetworkState:
    """Stock and daily capacity the orders so far have left at each location."""

    def __init__(self, locations: Sequence[Location]) -> None:
        self._initial = tuple(locations)
        self._current = list(locations)
        self._stock: dict[int, dict[str, StockPosition]] = {}  # copied when first taken from
        self._index = {loc.ref: i for i, loc in enumerate(locations)}
        self._tuple: tuple[Location, ...] | None = self._initial
        self._day: int | None = None
        self.capacity_used = 0
        self.capacity_offered = 0

    @property
    def locations(self) -> tuple[Location, ...]:
        """The locations as the next order sees them."""
        if self._tuple is None:
            self._tuple = tuple(self._current)
        return self._tuple

    def start_day(self, day: int) -> None:
        """Give every location its daily capacity back when ``day`` is a new day."""
        if day == self._day:
            return
        self._day = day
        for i, initial in enumerate(self._initial):
            if self._current[i].capacity != initial.capacity:
                self._current[i] = replace(self._current[i], capacity=initial.capacity)
                self._tuple = None
            self.capacity_offered += initial.capacity.total or 0

    def problem(self, problem: SourcingProblem) -> SourcingProblem:
        """``problem`` over the locations as they are now."""
        return replace(problem, locations=self.locations)

    def take(self, problem: SourcingProblem, allocation: IntArray) -> None:
        """Reserve the units of ``allocation`` (L, K) over ``problem``'s candidates."""
        lines = problem.order.lines
        for i in np.flatnonzero(allocation.sum(axis=1)):
            g = self._index[problem.locations[int(i)].ref]
            stock = self._stock.get(g)
            if stock is None:
                stock = self._stock[g] = dict(self._current[g].stock)
            for k in np.flatnonzero(allocation[i]):
                product = lines[int(k)].product_ref
                position = stock[product]
                stock[product] = replace(
                    position, reserved=position.reserved + int(allocation[i, k])
                )
            location = self._current[g]
            if location.capacity.total is not None:
                self.capacity_used += 1
            self._current[g] = replace(
                location,
                stock=stock.copy(),
                capacity=_one_order_less(location.capacity, problem.order.type),
            )
        self._tuple = None


def _one_order_less(capacity: Capacity, order_type: OrderType) -> Capacity:
    def less(value: int | None) -> int | None:
        return None if value is None else value - 1

    return Capacity(
        total=less(capacity.total),
        hd=less(capacity.hd) if order_type is OrderType.HD else capacity.hd,
        cc=less(capacity.cc) if order_type is OrderType.CC else capacity.cc,
    )


def waves(instance: Instance, wave_size: int | None) -> list[range]:
    """Consecutive orders decided together: ``wave_size`` at a time, never across a day."""
    result: list[range] = []
    start = 0
    n = len(instance.problems)
    while start < n:
        end = start + 1
        limit = n if wave_size is None else start + wave_size
        while end < min(limit, n) and instance.days[end] == instance.days[start]:
            end += 1
        result.append(range(start, end))
        start = end
    return result


def simulate(policy: Policy, instance: Instance, progress: Progress | None = None) -> PolicyRun:
    """Run ``policy`` over ``instance``'s orders in sequence; ``progress(n)`` after each wave."""
    state = NetworkState(instance.problems[0].locations if instance.problems else ())
    records: list[OrderRecord] = []
    max_penalty = 0.0
    for wave in waves(instance, policy.wave_size):
        state.start_day(instance.days[wave.start])
        problems = [state.problem(instance.problems[i]) for i in wave]
        started = time.perf_counter()
        allocations = policy.decide(problems)
        latency = (time.perf_counter() - started) / len(wave)
        for i, allocation in zip(wave, allocations, strict=True):
            # A wave's later orders are checked and priced after the earlier ones took theirs.
            problem = state.problem(instance.problems[i])
            arrays = SourcingArrays.build(problem)
            max_penalty = max(max_penalty, arrays.rejection_penalty)
            errors = violations(arrays, allocation)
            if errors:
                allocation = np.zeros_like(allocation)
            state.take(problem, allocation)
            records.append(_record(i, instance, arrays, allocation, latency, "; ".join(errors)))
        if progress is not None:
            progress(len(wave))
    return PolicyRun(
        policy.name, tuple(records), state.capacity_used, state.capacity_offered, max_penalty
    )


def _record(
    index: int,
    instance: Instance,
    arrays: SourcingArrays,
    allocation: IntArray,
    latency_s: float,
    error: str,
) -> OrderRecord:
    order = arrays.problem.order
    served = allocation.sum(axis=0)
    return OrderRecord(
        index=index,
        order_ref=order.ref,
        day=instance.days[index],
        lines=len(order.lines),
        units=order.total_units,
        split_limit=arrays.split_limit,
        shipments=int((allocation.sum(axis=1) > 0).sum()),
        rejected_units=int((arrays.quantity - served).sum()),
        latency_s=latency_s,
        terms=dict(evaluate(arrays, allocation).terms),
        error=error,
    )

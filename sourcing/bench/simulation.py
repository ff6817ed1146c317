"""Sequential simulation: the same orders, in arrival order, each consuming what it takes.

Every policy sees the same orders in the same sequence. Before each decision
the order's problem is given the network's current state, so a unit or a
day's capacity that an earlier order took is gone for the later ones: taking
stock adds to the position's ``reserved`` units (as sourcing does in the
engine), and each location an order uses takes one order off its remaining
capacity for that day. Capacity comes back at the start of each day; stock
does not. The locations themselves are one tuple for the whole run and the
state goes to the solver as a ``CandidateState``, as in the service, so the
solver's table of the locations is built once, not once per order.

Each decision is checked against the state it is applied to
(``objective.violations``) and priced there with ``objective.evaluate``, so
every policy's costs come from the same function on the same rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.bench.policies import Policy
from sourcing.solver import CandidateState, Location, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.table import candidate_state
from sourcing.solver.types import IntArray
from sourcing.solver.wave.sequence import NetworkState as SolverNetworkState

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Instance:
    """Orders in arrival order over one network, and the day each arrives on.

    Every problem holds the network's locations as they are before the first
    order; ``days[i]`` counts days from the first order's day. ``history``
    holds earlier orders over the same network (drawn independently of these),
    from which a policy may forecast demand as a service would from its past.
    """

    name: str
    problems: tuple[SourcingProblem, ...]
    days: tuple[int, ...]
    history: tuple[SourcingProblem, ...] = ()

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


class NetworkState(SolverNetworkState):
    """The network as the orders so far left it: one candidate tuple, and the rest as a state.

    The locations keep their initial stock and capacity and are one tuple for
    the whole run, so the solver builds its ``LocationTable`` of them once;
    what the orders took is handed to it per order as a ``CandidateState``,
    as the service does. Taking units and capacity is the wave solver's own
    ``NetworkState``; this adds daily capacity coming back and the count of
    capacity offered and used.
    """

    def __init__(self, locations: Sequence[Location]) -> None:
        locations = tuple(locations)
        super().__init__(locations, candidate_state(locations))
        self._limited = self.base.capacity_total >= 0
        self._day: int | None = None
        self.capacity_used = 0
        self.capacity_offered = 0

    def start_day(self, day: int) -> None:
        """Give every location its daily capacity back when ``day`` is a new day."""
        if day == self._day:
            return
        self._day = day
        self.total = self.base.capacity_total.copy()
        self.hd = self.base.capacity_hd.copy()
        self.cc = self.base.capacity_cc.copy()
        self.capacity_offered += int(self.base.capacity_total[self._limited].sum())

    def wave(self, problems: Sequence[SourcingProblem]) -> list[SourcingProblem]:
        """``problems`` over the network as it is now, sharing one state (as a wave needs)."""
        alone = [self.problem(p.order, p.profile) for p in problems]
        if len(alone) == 1:
            return alone
        # solve_batch wants one state for the wave: every order's products, one capacity.
        stock = {ref: column for p in alone if p.state for ref, column in p.state.stock.items()}
        state = CandidateState.unchecked(stock, self.total, self.hd, self.cc, self.base.open_orders)
        return [replace(p, state=state) for p in alone]

    def take(self, arrays: SourcingArrays, allocation: IntArray) -> None:
        """Reserve ``allocation``'s units and one order's capacity at each location it uses."""
        used = allocation.sum(axis=1) > 0
        self.capacity_used += int((used & self._limited).sum())
        super().take(arrays, allocation)


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
        policy.prepare(instance, state, wave.start)
        problems = state.wave([instance.problems[i] for i in wave])
        started = time.perf_counter()
        allocations = policy.decide(problems)
        latency = (time.perf_counter() - started) / len(wave)
        for i, allocation in zip(wave, allocations, strict=True):
            # A wave's later orders are checked and priced after the earlier ones took theirs.
            given = instance.problems[i]
            arrays = SourcingArrays.build(state.problem(given.order, given.profile))
            max_penalty = max(max_penalty, arrays.rejection_penalty)
            errors = violations(arrays, allocation)
            if errors:
                allocation = np.zeros_like(allocation)
            state.take(arrays, allocation)
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

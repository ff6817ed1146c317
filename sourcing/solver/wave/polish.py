"""The steps that improve an applied wave plan: the transport flow, augmenting paths, exchanges.

``steps.WaveSolver`` applies its best assignments order by order; under
shortage the plan it gets may reject more units than it must. These steps
work on applied plans (each checked and priced by the single-order
objective) and keep a new plan only when it lowers (rejected units, cost):

* the transport flow's units (``served``) applied as a plan;
* rejected units served by augmenting paths (``rescue``);
* neighbourhoods of competing orders solved jointly (``neighbourhood``),
  from the greedy's plan when it is the better one;
* orders re-solved and exchanged until the time limit (``exchange``).

They are a mixin of ``WaveSolver``, separate so the solver's loop reads
without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import Order, SourcingProfile
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.capped import Cells, transport_plans
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.neighbourhood import Neighbourhoods, cells_of
from sourcing.solver.wave.problem import BatchProblem
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.rescue import augment, decide_from
from sourcing.solver.wave.sequence import Given, NetworkState, apply
from sourcing.solver.wave.served import Served, plan_key

# Share of the time left the transport flow's plan may take to apply (its orders solved
# exactly) when the greedy's plan already serves the most.
TRANSPORT_SHARE = 0.3
# Applying the transport plan (its orders checked on the locations they use) takes about
# this share of the greedy's application (full-size ``batch_scale --variant scarce``: 0.3).
TRANSPORT_APPLY_SHARE = 0.4


class Polishing:
    """The steps on applied plans; ``WaveSolver`` provides what they read."""

    problem: BatchProblem
    orders: Sequence[Order]
    profiles: list[SourcingProfile]
    deadline: float
    served: Served
    greedy_plans: dict[int, Plan]
    capacity: IntArray
    penalty_raise: FloatArray
    rank: IntArray
    rescued: dict[str, int]
    settled: set[int]
    ordered: IntArray
    seconds: dict[str, float]
    _arrays: Callable[[int], SourcingArrays]
    _state: Callable[[], NetworkState]
    _timed: Callable[[str, float], float]
    _application_time: Callable[[], float]
    given_s: float  # the slowest application of a given plan so far (``_apply_given``)
    _left: Callable[[], float]

    transport_cells: Future[list[Cells]] | None = None

    def _seed_transport(self) -> None:
        """Start the transport flow seeded with the greedy's plan (``capped``), when short.

        It runs beside the steps that follow (the flow solver releases the
        interpreter); ``_transport`` applies it.
        """
        graph = self.served.graph
        if graph is None or self.served.max_served >= self.served.demanded:
            return
        seed = cells_of(self.problem, self.greedy_plans)
        pool = ThreadPoolExecutor(max_workers=1)
        self.transport_cells = pool.submit(transport_plans, graph, seed, self.capacity)
        pool.shutdown(wait=False)

    def _transport(
        self, plans: dict[int, Plan], sequence: list[int], key: tuple[int, float], explain: bool
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        """The transport flow's units applied as a plan, kept when it rejects fewer units.

        The flow keeps the (order, location) pairs of the greedy's plan and
        opens others only where order slots and split limits are left, so
        its allocations hold together when applied (``capped``); on a small
        graph the flow without the greedy's pairs is tried too, the better kept.
        """
        if self.transport_cells is None:
            return plans, sequence, key[0], key[1]
        mark = time.perf_counter()
        # Wait for the flow while the time left still covers applying its plan.
        apply_time = TRANSPORT_APPLY_SHARE * self.seconds.get("greedy", 0.0)
        try:
            tried = self.transport_cells.result(timeout=max(self._left() - apply_time, 0.0))
        except TimeoutError:
            self._timed("transport", mark)
            return plans, sequence, key[0], key[1]
        self._timed("transport", mark)
        deadline = self.deadline
        if self._greedy_at_floor():
            # The flow's plan can only be cheaper then: its exact re-solves (seconds on large
            # waves) get a share of the time, the neighbourhoods the rest.
            deadline = time.perf_counter() + TRANSPORT_SHARE * max(
                self.deadline - time.perf_counter(), 0.0
            )
        order = np.argsort(self.rank, kind="stable").tolist()
        best, best_key, before = plans, key, key
        for cells in tried:
            if self._rejects_more(cells, best_key[0]):
                continue
            applied = self._apply_given(order, decide_from(cells), explain, deadline)
            after = plan_key(applied.values())
            if after < best_key:
                best, best_key, sequence = applied, after, order
        if best is not plans and plans:  # units it serves beyond the plan it replaces
            self.rescued["transport"] = before[0] - best_key[0]
        return best, sequence, best_key[0], best_key[1]

    def _rejects_more(self, cells: Cells, rejected: int) -> bool:
        """Whether ``cells`` leave more than ``rejected`` units unserved: not worth applying.

        Applied, a plan serves the units of its cells (an order whose cells
        break a rule is solved again, rarely for more): on the scarce_capacity
        bench waves every flow's plan rejected, applied, what its cells left,
        and at 1,000-3,000 locations, short of the orders solved at the wave's
        prices, its two applications took 0.5-1.4 s of the neighbourhoods' time.
        """
        units = sum(q for mine in cells.values() for q in mine.values())
        return int(self.ordered.sum()) - units > rejected

    def _augmented(
        self, plans: dict[int, Plan], sequence: list[int], key: tuple[int, float], explain: bool
    ) -> tuple[dict[int, Plan], int, float]:
        """The plans with rejected units served by augmenting paths, when that rejects fewer.

        Not tried when the greedy's plan already serves the most: the
        neighbourhoods start from it instead.
        """
        if self._greedy_at_floor():
            return plans, key[0], key[1]
        mark = time.perf_counter()
        p = self.problem
        # The paths found are applied again after the search: that takes an application.
        deadline = max(self.deadline - self._application_time(), mark + 1.0)
        allocation, moved = augment(
            self.orders, p.locations, plans, self._arrays, self.capacity, deadline
        )
        if moved:
            applied = self._apply_given(sequence, decide_from(allocation), explain)
            after = plan_key(applied.values())
            if after < key:
                self.rescued["augment"] = key[0] - after[0]
                plans, key = applied, after
        self._timed("augment", mark)
        return plans, key[0], key[1]

    def _exchanged(
        self,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
        room: float,
    ) -> tuple[dict[int, Plan], int, float]:
        """The plans improved by re-solving and exchanging orders until the limit (``exchange``)."""
        mark = time.perf_counter()
        exchanger = Exchanger(
            self._state(), self.orders, self.profiles, self._arrays, self.penalty_raise
        )
        exchanger.load(plans)
        exchanger.improve(self.deadline - room)
        if sum(exchanger.moves.values()):
            applied = self._apply_given(sequence, decide_from(exchanger.allocation()), explain)
            after = plan_key(applied.values())
            if after < key:
                self.rescued["exchange"] = key[0] - after[0]
                plans, key = applied, after
        self._timed("exchange", mark)
        return plans, key[0], key[1]

    def _apply_given(
        self, sequence: list[int], given: Given, explain: bool, deadline: float | None = None
    ) -> dict[int, Plan]:
        """``given`` applied in ``sequence``; its time bounds what ``_application_time`` keeps.

        Orders whose allocation breaks a rule are solved again until ``deadline`` (the
        wave's by default), so the time measured is the most an application takes.
        """
        mark = time.perf_counter()
        applied = apply(
            self._state(),
            self.orders,
            self.profiles,
            sequence,
            given,
            "batch",
            explain=explain,
            deadline=self.deadline if deadline is None else deadline,
        )
        self.given_s = max(self.given_s, time.perf_counter() - mark)
        return applied

    def _neighbourhoods(
        self,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
        deadline: float,
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        """The plans improved by joint MIPs over neighbourhoods until ``deadline``."""
        mark = time.perf_counter()
        start, first = plans, sequence
        if plan_key(self.greedy_plans.values()) < key:  # the greedy's plan is the better start
            start, first = self.greedy_plans, list(range(len(self.orders)))
        unavoidable = int(self.ordered.sum()) - self.served.max_served
        at_floor = plan_key(start.values())[0] <= unavoidable
        search = Neighbourhoods(
            self.problem, self.profiles, self.penalty_raise, self.rank, self.settled, at_floor
        )
        better, order = search.run(start, first, deadline, self._application_time())
        if search.moves:
            applied = better  # applied in ``order`` by the search, as here without explanations
            if explain:
                applied = apply(
                    self._state(),
                    self.orders,
                    self.profiles,
                    order,
                    decide_from(cells_of(self.problem, better)),
                    "batch",
                    explain=True,
                )
            after = plan_key(applied.values())
            if after < key:
                self.rescued["neighbourhood"] = key[0] - after[0]
                plans, sequence, key = applied, order, after
        self._timed("neighbourhood", mark)
        return plans, sequence, key[0], key[1]

    def _greedy_at_floor(self) -> bool:
        """Whether the greedy's plan rejects only the units no plan serves."""
        return self._serves_most(plan_key(self.greedy_plans.values())[0], greedy=False)

    def _serves_most(self, rejected: int, greedy: bool = True) -> bool:
        """Whether a plan rejecting ``rejected`` units serves the most any plan serves.

        With ``greedy``, also when the greedy's plan does (the neighbourhoods start from it).
        """
        unavoidable = int(self.ordered.sum()) - self.served.max_served
        return rejected <= unavoidable or (greedy and self._greedy_at_floor())


def assignment_of(problem: BatchProblem, plans: dict[int, Plan]) -> Assignment:
    """Applied plans as an ``Assignment`` (for a hint: its estimate is not computed)."""
    index = {location.ref: i for i, location in enumerate(problem.locations)}
    cells: list[tuple[int, int, int, int]] = []
    for o in sorted(plans):
        lines = {line.ref: k for k, line in enumerate(problem.orders[o].lines)}
        for part in plans[o].fulfilments:
            for line in part.lines:
                cells.append((o, index[part.location_ref], lines[line.line_ref], line.quantity))
    table = np.array(cells, dtype=np.int64).reshape(-1, 4)
    n = len(problem.orders)
    none = np.zeros(n, dtype=bool)
    return Assignment(
        table[:, 0], table[:, 1], table[:, 2], table[:, 3], np.arange(n), none, none, np.inf
    )

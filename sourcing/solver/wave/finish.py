"""The wave's last step: its plans applied order by order, improved, and the best returned.

``Finishing`` is a mixin of ``steps.WaveSolver``: it applies the plans the
earlier steps found (under shortage the orders solved at the wave's own
prices where capacity binds, then the transport flow's; then the repaired
assignments and the joint MIP's), rescues short plans by augmenting paths,
improves the best by neighbourhoods and exchanges while the time lasts,
and returns it or the greedy's, whichever rejects fewer units, then costs
less.
"""

from __future__ import annotations

import math
import time

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.joint import JointStep
from sourcing.solver.wave.layout import Baseline
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.priced_sequence import (
    capacity_binds,
    priced_sequence,
    units_per_fulfilment,
    wave_prices,
)
from sourcing.solver.wave.prices import Dual
from sourcing.solver.wave.problem import BatchPlan
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.sequence import Cell, Given, apply, greedy
from sourcing.solver.wave.served import plan_key
from sourcing.solver.wave.shortage import SHORT_CELLS, ShortWave

# Share of the time left after the plans are applied that the exchanges keep (the
# neighbourhoods' joint MIPs take the rest). A short wave serving the most keeps none for
# them: no unit is left to win, and re-solving orders one at a time gained about a tenth of
# what the neighbourhoods gain in the same time on the scarce bench waves.
EXCHANGE_SHARE = 0.25
# The least time beyond an application worth starting the neighbourhoods with (their MIPs
# take 10-100 ms each on the scarce bench waves).
LEAST_SEARCH_S = 0.3
# Under shortage, the share of the time left (less an application's) the orders solved
# one by one at the wave's own prices may take (``priced_sequence``).
PRICED_SHARE = 0.85


class Finishing(JointStep, ShortWave):
    """The steps that apply and polish the plans; ``WaveSolver`` provides what they read."""

    ordered: IntArray
    baseline: Baseline
    wave: Wave
    dual: Dual
    repairs: int
    refits: int
    penalty_raise: FloatArray

    def _rescue(self, assignment: Assignment) -> tuple[list[int], set[int]]:
        """The order to apply an assignment in, and the orders to solve again over every location.

        An order that leaves more units unserved than it would alone goes
        last, where the per-order solver may serve them from what the
        others left.
        """
        served = np.bincount(assignment.order, assignment.units, minlength=len(self.orders))
        short = assignment.rescue | (self.ordered - served > self.baseline.rejected)
        sequence = assignment.sequence
        first = sequence[~short[sequence]]
        last = sequence[short[sequence]]
        return [*first.tolist(), *last.tolist()], set(np.flatnonzero(short).tolist())

    def _finish(self, explain: bool) -> BatchPlan:
        """Apply the best plans order by order; keep the cheapest, the greedy's included."""
        mark = time.perf_counter()
        n = len(self.orders)
        best, total, rejected = self.best, math.inf, 2**62
        plans: dict[int, Plan] = {}
        order: list[int] = []
        # Each further plan is applied only while the time left covers an application.
        room = self._application_time()
        short = self.served.max_served < int(self.ordered.sum())
        priced = False  # whether the orders solved at the wave's prices gave a plan
        if short:
            # Under shortage the transport flow's units serve the most: they go first, the
            # assignments (over a dozen candidates, their short orders solved again) after.
            # Where capacity binds the orders solved at the wave's prices come first.
            plans, order, rejected, total = self._priced_first(
                plans, order, (rejected, total), explain
            )
            priced = bool(plans)
            plans, order, rejected, total = self._transport(
                plans, order, (rejected, total), explain
            )
        for assignment in (self.best, *self.others):
            if short and self._left() <= room:
                break
            if short and assignment is not self.joint and (priced or self._serves_most(rejected)):
                # Over a dozen candidates per order, short orders solved again one by one: it
                # takes seconds (25 of 40 on 1,000 x 300) and loses to a plan serving the most,
                # and where capacity binds to the orders solved at the wave's prices (on the
                # scarce_capacity bench waves 1,973, 1,604 and 1,168 rejected units against
                # 1,791, 1,422 and 1,063, in 0.6-2.2 s the neighbourhoods use better).
                continue
            sequence, rescue = self._rescue(assignment)
            if assignment is self.joint:
                # The MIP left those units out for the wave's sake: re-solving its short orders
                # one by one would take what the others were given (``exchange`` comes after).
                rescue = set()
                sequence = assignment.sequence.tolist()
            applied = apply(
                self._state(),
                self.orders,
                self.profiles,
                sequence,
                _decide(assignment),
                "batch",
                rescue=rescue,
                explain=explain,
                deadline=self.deadline,
            )
            key = plan_key(applied.values())
            # On a tie the assignment wins over the flow's plan: it gave out units by priority.
            if key < (rejected, total) or (key == (rejected, total) and assignment is self.best):
                best, plans, order = assignment, applied, sequence
                rejected, total = key
        self._timed("apply", mark)
        plans, order, rejected, total = self._polished(plans, order, (rejected, total), explain)
        policy, sequence = "batch", order
        # On a tie the greedy's plan stands: it serves the orders in arrival order, which the
        # wave's plans (the flow's, the MIP's) need not when nothing else tells them apart.
        if plan_key(self.greedy_plans.values()) <= (rejected, total):
            policy, sequence, total = "greedy", list(range(n)), self.greedy_total
            plans = self.greedy_plans
            if explain:
                plans = apply(
                    self._state(),
                    self.orders,
                    self.profiles,
                    sequence,
                    decide_greedy,
                    "greedy",
                    explain=True,
                )
        served = self.served
        bound = max(self.dual.best, self.mip_bound, served.floor, served.transport_bound)
        counts = (
            len(self.wave.cand_order),
            self.dual.steps,
            self.repairs,
            self.refits,
            int(best.fallback.sum()),
        )
        return self._result(plans, list(sequence), policy, total, bound, counts)

    def _left(self) -> float:
        return self.deadline - time.perf_counter()

    def _polished(
        self, plans: dict[int, Plan], order: list[int], key: tuple[int, float], explain: bool
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        """The applied plan improved until the limit: paths, neighbourhoods, then exchanges."""
        rejected, total = key
        short = self.served.max_served < int(self.ordered.sum())
        room = self._application_time()  # measured now, if a given plan was applied
        binds = self._slots_bind()
        # Where stores' capacity in orders binds, paths moving units one at a time rarely find a
        # free slot (0-2 units in 0.4-1.1 s on the scarce_capacity bench waves): the
        # neighbourhoods' first MIP over the rejecting orders serves more in that time.
        if (
            rejected > int(self.ordered.sum()) - self.served.max_served
            and self._left() > room
            and not (short and binds)
        ):
            plans, rejected, total = self._augmented(plans, order, (rejected, total), explain)
        room = self._application_time()
        if self._left() > room + LEAST_SEARCH_S:  # neighbourhoods, then exchanges
            until = self.deadline - room - EXCHANGE_SHARE * max(self._left() - room, 0.0)
            # Serving the most already, a short wave's plan gains more from neighbourhoods, and so
            # it does where capacity binds (on the scarce_capacity bench waves the exchanges served
            # 0-2 units in 0.9-2.5 s, the neighbourhoods 23-48 in 2.5-5.4 s); with too little
            # time for both, the neighbourhoods gain more units per second.
            slots = short and binds
            if (short and self._serves_most(rejected)) or slots or self._left() < 3 * room:
                # The search keeps the time its last application takes; without explanations
                # its applied plans are the result, so nothing else needs time after it.
                until = self.deadline if not explain else self.deadline - room
            key = (rejected, total)
            plans, order, rejected, total = self._neighbourhoods(plans, order, key, explain, until)
        if self._left() > 2 * room:
            plans, rejected, total = self._exchanged(plans, order, (rejected, total), explain, room)
        return plans, order, rejected, total

    def _priced_first(
        self, plans: dict[int, Plan], order: list[int], key: tuple[int, float], explain: bool
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        """Where the greedy fills some store's capacity in orders, ``_priced``'s plan if better.

        The transport flow counts units, not orders, and breaks on that
        capacity; elsewhere the flow and the other plans do better in the time.
        """
        if not self._slots_bind():
            return plans, order, key[0], key[1]
        return self._priced(plans, order, key, explain)

    def _slots_bind(self) -> bool:
        """Whether the greedy's plan fills some store's capacity in orders (``capacity_binds``)."""
        table = self.problem.table
        assert table is not None  # BatchProblem builds its table
        ran = list(self.greedy_plans.values())
        return capacity_binds(ran, self.capacity, table, self.orders)

    def _priced(
        self,
        plans: dict[int, Plan],
        sequence: list[int],
        key: tuple[int, float],
        explain: bool,
    ) -> tuple[dict[int, Plan], list[int], int, float]:
        """The orders solved one by one at the prices of the wave's own demand, kept if better."""
        mark = time.perf_counter()
        if len(self.orders) * len(self.problem.locations) >= SHORT_CELLS:
            # Solving every order of a wave that large exactly does not fit in its time, and
            # the LP of its demand alone would take seconds: the other plans get them.
            return plans, sequence, key[0], key[1]
        # The LP and the orders' solves share the step's time: with none left, the sequence
        # would give every order its greedy allocation. Untimed, the LP of a 5,000 x 500
        # scarce wave took 51 s of a 55 s wave's last 31 (batch_scale, load 3.4).
        room = self._application_time()
        budget = PRICED_SHARE * max(self._left() - room, 0.0)
        if budget <= 0.0:
            return plans, sequence, key[0], key[1]
        try:
            prices = wave_prices(
                self._state(),
                self.orders,
                self.problem.profile.weights,
                self.capacity,
                units_per_fulfilment(list(self.greedy_plans.values())),
                time_limit_s=budget,
            )
        except RuntimeError:  # no optimum in the time: there are no prices to steer by
            self._timed("priced", mark)
            return plans, sequence, key[0], key[1]
        order = np.argsort(self.rank, kind="stable").tolist()
        until = mark + PRICED_SHARE * max(self._left() - room, 0.0)
        applied = priced_sequence(
            self._state(), self.orders, self.profiles, order, prices, until, explain
        )
        if applied is None:  # too many orders to solve in the time
            self._timed("priced", mark)
            return plans, sequence, key[0], key[1]
        after = plan_key(applied.values())
        self._timed("priced", mark)
        if after < key:
            if plans:  # units it serves beyond the plan it replaces
                self.rescued["priced"] = key[0] - after[0]
            return applied, order, after[0], after[1]
        return plans, sequence, key[0], key[1]


def decide_greedy(_: int, arrays: SourcingArrays) -> IntArray:
    """The reference greedy as a ``Decide``: each order's allocation by ``greedy``."""
    return greedy(arrays)


def _decide(assignment: Assignment) -> Given:
    """The units the assignment gives each order, by (location, line of the order)."""
    cells: dict[int, dict[Cell, int]] = {}
    a = assignment
    columns = (a.order, a.location, a.line, a.units)
    rows = zip(*(column.tolist() for column in columns), strict=True)
    for o, location, line, units in rows:
        mine = cells.setdefault(o, {})
        mine[(location, line)] = mine.get((location, line), 0) + units
    return Given(cells)

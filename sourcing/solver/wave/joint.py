"""The joint MIP step of the wave: the whole wave over its candidates as one MIP.

A mixin of ``steps.WaveSolver`` (which provides what it reads), separate so
the solver's loop stays short. On a wave of at most ``ALL_CANDIDATE_CELLS``
orders x locations the MIP is fitted over every location, so its plan may
use any and its bound holds for the wave; its stopping gap is absolute, on
the cost above the rejection floor; its hint is the better of the best
repaired plan and the greedy's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import Order
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.mip import solve_wave_mip
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.polish import assignment_of
from sourcing.solver.wave.prices import Dual
from sourcing.solver.wave.problem import BatchProblem
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.served import Served


class JointStep:
    """The joint MIP; ``WaveSolver`` provides what it reads."""

    problem: BatchProblem
    orders: Sequence[Order]
    wave: Wave
    dual: Dual
    served: Served
    best: Assignment
    others: list[Assignment]
    joint: Assignment | None
    upper: float
    greedy_total: float
    greedy_plans: dict[int, Plan]
    capacity: IntArray
    penalty: FloatArray
    rank: IntArray
    products: dict[str, int]
    everywhere: bool
    mip_bound: float
    deadline: float
    _arrays: Callable[[int], SourcingArrays]
    _timed: Callable[[str, float], float]
    _note: Callable[[], None]

    def _joint(self, gap_target: float, reserve: float) -> None:
        """Solve the wave over the candidates as one MIP, when the gap is still open."""
        floor = self.served.floor
        lower = max(self.dual.best, floor, self.served.transport_bound)
        if relative_gap(self.best.estimate - floor, lower - floor) <= gap_target:
            return
        mark = time.perf_counter()
        wave = self.wave
        if self.everywhere:  # every location a candidate (subsets of them are priced no more)
            everywhere = len(self.problem.locations)
            orders = range(len(self.orders))
            wave = Wave.of(fit(self._arrays, orders, self.products, candidates=everywhere))
        left = self.deadline - reserve - time.perf_counter()
        # The gap is on what the plan controls: relative to the whole cost, the penalty of the
        # units no plan serves would let the MIP stop on a poor plan.
        above = gap_target * max(self.upper - floor, 1.0)
        hint = self.best
        if self.greedy_total < self.best.estimate:  # the greedy's plan is the better start
            hint = assignment_of(self.problem, self.greedy_plans)
        joint = solve_wave_mip(wave, self.capacity, self.penalty, self.rank, hint, left, 0.0, above)
        if joint.assignment is not None:
            self.joint = joint.assignment
            # Estimates count a unit a plan leaves unserved at the full penalty, though the
            # per-order solver may serve it when the plan is applied: both plans are applied.
            self.others.append(self.best)
            if joint.assignment.estimate < self.best.estimate:
                self.best = joint.assignment
            else:
                self.others[-1] = joint.assignment
            self.upper = min(self.upper, self.best.estimate)
        if (wave.outside_location < 0).all() and np.isinf(wave.outside_floor).all():
            # Every allowed location is a candidate: the MIP's bound holds for the wave, once
            # the priorities' raise of the rejection penalty is taken back out.
            raise_most = float((self.penalty / wave.penalty).max())
            self.mip_bound = joint.bound / raise_most
        self._timed("mip", mark)
        self._note()


def relative_gap(objective: float, bound: float) -> float:
    """``(objective - bound) / |objective|``, at least 0; infinite without a finite bound."""
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))

"""The steps of ``solve_batch``, run by ``WaveSolver``, and the tuning they share.

``sourcing.solver.wave`` holds the public entry points and the overview of
the method; this module holds the anytime loop itself: fit the orders'
models and apply the greedy, raise the bound with prices and repair now and
then, refit the orders bounded from outside their candidates, solve a
small wave as one MIP, and apply the best plans in sequence (``finish``,
a mixin of ``WaveSolver``). It is separate so the entry points read without
the loop's bookkeeping.
"""

from __future__ import annotations

import math
import time

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import SolveStatus
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.data import MAX_CANDIDATES, fit
from sourcing.solver.wave.finish import Finishing, decide_greedy
from sourcing.solver.wave.joint import relative_gap
from sourcing.solver.wave.layout import layout
from sourcing.solver.wave.mip import MAX_ENTRIES
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.prices import Dual
from sourcing.solver.wave.problem import BatchPlan, BatchProblem, BatchStats, default_priorities
from sourcing.solver.wave.refine import refine
from sourcing.solver.wave.repair import Assignment, repair
from sourcing.solver.wave.sequence import (
    GIVEN_FACTOR,
    GIVEN_MARGIN_S,
    NetworkState,
    apply,
    settles,
)
from sourcing.solver.wave.served import ServedCollector, plan_key
from sourcing.solver.wave.shortage import SHORT_CELLS, surely_short

# Share of the rejection penalty a priority of 1 adds: enough to decide who
# gets the last unit, far too little to make anyone reject a servable unit.
PRIORITY_WEIGHT = 0.004
# Subgradient steps between two repairs, and between two refits of the
# orders whose bound comes from locations outside their candidates.
REPAIR_EVERY = 10
REFIT_EVERY = 30
# Share of the time left a wave small enough for the joint MIP keeps for it (over every
# location: more), and for the exchanges on the MIP's applied plan.
MIP_SHARE = 0.6
EVERYWHERE_MIP_SHARE = 0.8
POLISH_SHARE = 0.1
# Under shortage the Lagrangian's prices never price the shortage (benchmarks/README.md):
# it keeps this share of the time before the MIP; the time left is kept for applying and
# improving the plans (on a wave whose MIP sees every location, SHORTAGE_POLISH_SHARE of
# it: the neighbourhoods improve the 40 x 30 scarce wave's plan faster than the MIP).
SHORTAGE_LAGRANGIAN_SHARE = 0.05
SHORTAGE_RESERVE = 0.95
SHORTAGE_POLISH_SHARE = 0.6
# The bound has stalled when this many steps raised it by less than STALL_RISE (relative):
# the time left then goes to improving the plan (``exchange``) instead.
STALL_STEPS = 60
STALL_RISE = 1e-5
# Times an order's candidates may be refitted.
MAX_REFITS = 2
# A wave of at most this many orders x locations keeps more candidates per order.
SMALL_WAVE_CELLS = 20_000
SMALL_WAVE_CANDIDATES = 20
# A wave of at most this many orders x locations has every location as a candidate.
ALL_CANDIDATE_CELLS = 6_000


class WaveSolver(Finishing):
    """The steps of ``solve_batch`` and what they share."""

    def __init__(self, problem: BatchProblem, started: float, deadline: float) -> None:
        self.problem = problem
        self.started, self.deadline = started, deadline
        self.orders = problem.orders
        self.profiles = [problem.profile_of(o) for o in range(len(problem.orders))]
        self.seconds: dict[str, float] = {}
        self.trace: list[tuple[float, float, float]] = []
        self.repairs = self.refits = 0
        self.rank, self.penalty_raise = _priority(problem)
        self.capacity = _capacity(problem)
        self.products: dict[str, int] = {}
        cells = len(problem.orders) * len(problem.locations)
        self.candidates = SMALL_WAVE_CANDIDATES if cells <= SMALL_WAVE_CELLS else MAX_CANDIDATES
        # The joint MIP of a wave this small sees every location (it then bounds the wave).
        self.everywhere = cells <= ALL_CANDIDATE_CELLS
        self.refitted = np.zeros(len(problem.orders), dtype=np.int64)
        self.mip_bound = -math.inf
        self.others: list[Assignment] = []  # plans applied besides the best, to compare
        self.joint: Assignment | None = None  # the joint MIP's plan, applied as it is
        self.ordered = np.array([o.total_units for o in problem.orders], dtype=np.int64)
        self.collector: ServedCollector | None = ServedCollector(len(problem.locations))
        self.rescued: dict[str, int] = {}
        # Orders whose plans ``apply`` may check and price on the locations they use alone.
        self.settled: set[int] = set()
        self.given_s = 0.0  # the slowest application of a given plan so far (0: none yet)

    def _arrays(self, o: int) -> SourcingArrays:
        p = self.problem
        arrays = SourcingArrays.build(p.problem_of(o))
        if self.collector is not None:  # the first fit: every order in the starting state
            self.collector.add(o, arrays, float(self.penalty_raise[o]))
            if settles(arrays):
                self.settled.add(o)
        return arrays

    def _application_time(self) -> float:
        """Seconds to set aside for applying a plan, with a margin.

        Applying an order's allocation over the whole network costs about
        what the greedy's application did; a settled order's given plan is
        checked and priced on the locations it uses alone, about 0.6 of that
        (full-size ``batch_scale``: 15.7 s against the greedy's 25.5 s). Once
        a given plan has been applied on the wave (``_apply_given``), what
        that took bounds the estimate.
        """
        settled = len(self.settled) / max(len(self.orders), 1)
        estimate = (1.5 - 0.5 * settled) * self.seconds.get("greedy", 0.0) + 0.5
        if self.given_s > 0.0:
            # A given plan's application measured on this wave: on the scarce_capacity bench
            # waves 0.14-0.27 s against an estimate of 1.06-1.61 s, time the search may use.
            return min(estimate, GIVEN_FACTOR * self.given_s + GIVEN_MARGIN_S)
        return estimate

    def _timed(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - since
        return now

    def _state(self) -> NetworkState:
        p = self.problem
        return NetworkState(p.locations, p.state, p.table, p.scarcity_prices, self.settled)

    def run(self, gap_target: float, explain: bool) -> BatchPlan:
        """Every step in turn; the cheaper of the wave's plan and the greedy's."""
        if not self.orders:
            stats = BatchStats(0, 0, 0, 0, 0, 0.0, 0, 0, {}, ())
            return BatchPlan((), 0.0, 0.0, 0.0, SolveStatus.OPTIMAL, 0.0, (), "batch", stats)
        # A wave surely short of stock whose MIP would not see every location skips the
        # candidate models and prices: under shortage the Lagrangian's bound ignores the units
        # no plan serves (on the scarce bench waves 1.0M against a rejection floor of 537M, after
        # 0 or 1 steps), and its repaired plans lose to the flow's, the priced sequence's and the
        # greedy's; the 4-5 s its models and first prices took at 100-300 locations (load 7) go
        # to the neighbourhoods.
        large = len(self.orders) * len(self.problem.locations) >= SHORT_CELLS
        if (large or not self.everywhere) and surely_short(self.problem):
            return self._run_short(explain, decide_greedy)
        self._start()
        # Each further plan is applied only while the time left covers an application.
        reserve = room = self._application_time()
        short = self.served.max_served < int(self.ordered.sum())
        if short and self._left() > room:
            # Under shortage the bound stalls early and applying the plans (the transport
            # plan and the rescues, solved exactly) takes many times the greedy's time.
            left = self.deadline - time.perf_counter()
            reserve = max(reserve, SHORTAGE_RESERVE * left)
        # Under shortage a MIP over a dozen candidates per order rejects more units than the
        # plans applied later: its time goes to the neighbourhoods' MIPs over every location.
        small = len(self.wave.entry_cand) <= MAX_ENTRIES and (self.everywhere or not short)
        if small:
            share = MIP_SHARE
            if self.everywhere:
                # The MIP over every location is the best plan there is, and its plan needs
                # no rescue: most of the time goes to it, a share to exchanges after it.
                reserve, share = room + POLISH_SHARE * self._left(), EVERYWHERE_MIP_SHARE
                if short:  # the bound stalls at once: the time goes to the plan
                    reserve, share = (
                        room + SHORTAGE_POLISH_SHARE * self._left(),
                        1.0 - SHORTAGE_LAGRANGIAN_SHARE,
                    )
            share *= max(self.deadline - reserve - time.perf_counter(), 0.0)
            self._improve(gap_target, reserve + share)
            self._joint(gap_target, reserve)
        else:
            self._improve(gap_target, reserve)
        return self._finish(explain)

    def _start(self) -> None:
        """The orders' models, the greedy's plans, the first bound and the first repair."""
        mark = time.perf_counter()
        self.models = fit(
            self._arrays, range(len(self.orders)), self.products, candidates=self.candidates
        )
        self.wave = Wave.of(self.models)
        self.groups = layout(self.wave)
        mark = self._timed("fit", mark)
        assert self.collector is not None
        self.served = self.collector.served(self.capacity)
        self.collector = None
        mark = self._timed("served", mark)
        self.greedy_plans = apply(
            self._state(),
            self.orders,
            self.profiles,
            range(len(self.orders)),
            decide_greedy,
            "greedy",
        )
        # What the wave minimises: the cost plus any scarce-stock steering (plan_key's).
        self.greedy_total = plan_key(self.greedy_plans.values())[1]
        self._seed_transport()
        mark = self._timed("greedy", mark)
        self.penalty = self.wave.plan_penalty * self.penalty_raise
        self.dual = Dual(self.wave, self.groups, self.capacity, self.penalty)
        self.baseline = self.dual.baseline()
        self.best = repair(
            self.wave, self.groups, self.capacity, self.penalty, self.rank, None, self.baseline
        )
        self.repairs = 1
        self.upper = min(self.best.estimate, self.greedy_total)
        self._timed("lagrangian", mark)
        self._note()

    def _note(self) -> None:
        self.trace.append((time.perf_counter() - self.started, self.upper, self.dual.best))

    def _improve(self, gap_target: float, reserve: float) -> None:
        """Raise the bound and repair now and then, until the gap, the time or the steps end."""
        mark = time.perf_counter()
        dual, last_refit = self.dual, 0
        checked = (dual.steps, dual.best)
        while time.perf_counter() + reserve < self.deadline and self._gap() > gap_target:
            if dual.steps - checked[0] >= STALL_STEPS:
                if dual.best - checked[1] <= STALL_RISE * max(abs(dual.best), 1.0):
                    break
                checked = (dual.steps, dual.best)
            if dual.converged or dual.steps - last_refit >= REFIT_EVERY:
                if dual.steps > last_refit and self._refit(reserve):
                    last_refit = dual.steps
                elif dual.converged:
                    break
            dual.step(self.upper)
            if dual.steps % REPAIR_EVERY == 0:
                candidate = repair(
                    self.wave,
                    self.groups,
                    self.capacity,
                    self.penalty,
                    self.rank,
                    dual.prices,
                    self.baseline,
                )
                self.repairs += 1
                if candidate.estimate < self.best.estimate:
                    self.best = candidate
                self.upper = min(self.upper, self.best.estimate)
                self._note()
        self._timed("lagrangian", mark)

    def _gap(self) -> float:
        """The gap the loop stops on: on what the plan controls, above the rejection floor."""
        floor = self.served.floor
        lower = max(self.dual.best, floor, self.served.transport_bound)
        return relative_gap(self.upper - floor, lower - floor)

    def _refit(self, reserve: float) -> bool:
        """Solve exactly, and give new candidates to, the orders bounded from outside them."""
        again = self.dual.outside_limited() & (self.refitted < MAX_REFITS)
        limited = np.flatnonzero(again).tolist()
        if not limited or time.perf_counter() + reserve >= self.deadline:
            return False
        refined = refine(
            self._arrays,
            limited,
            self.products,
            self.dual.surcharge(),
            self.best.locations_of(len(self.orders)),
            {o: self.models[o].line_price for o in limited},
            self.deadline - reserve,
            self.candidates,
        )
        self.refitted[refined.orders] += 1
        self.dual.lift(np.array(refined.orders, dtype=np.int64), refined.bounds)
        for o, model in zip(refined.orders, refined.models, strict=True):
            self.models[o] = model
        self.wave = Wave.of(self.models)
        self.groups = layout(self.wave)
        self.dual.rebase(self.wave, self.groups)
        self.refits += 1
        return True


def _priority(problem: BatchProblem) -> tuple[IntArray, FloatArray]:
    """Each order's place in priority (0 first) and the factor on its rejection penalty."""
    values = np.array(problem.priorities or default_priorities(problem.orders), dtype=float)
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(-values, kind="stable")] = np.arange(len(values))
    top = float(values.max()) if len(values) else 0.0
    share = values / top if top > 0 else np.zeros(len(values))
    if len(values) and float(values.min()) == top:  # one priority for all: no one goes first
        share = np.zeros(len(values))
    return rank, 1.0 + PRIORITY_WEIGHT * share


def _capacity(problem: BatchProblem) -> IntArray:
    """Orders each location can still take today: (L, 3) total, HD, CC; -1 unlimited."""
    source = problem.state or problem.table
    assert source is not None  # BatchProblem builds its table
    return np.stack([source.capacity_total, source.capacity_hd, source.capacity_cc], axis=1).astype(
        np.int64
    )

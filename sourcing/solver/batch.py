"""Wave sourcing: many orders sourced together against shared stock and capacity.

The model is the single-order one (every order's ``SourcingArrays``, so
every rule applies as it does to one order) for each order of the wave,
plus what the orders share: each position's stock and surplus above ideal
stock, and each location's capacity left today, in total and per order
type (see ``batch_prices`` for the model written out).

How it is solved, anytime:

1. ``batch_data``: each order keeps a dozen candidate locations, chosen by
   prices on its lines, with a bound on every plan using other locations.
2. The sequential greedy (the reference of rule-based systems, order after
   order) is the first plan.
3. ``batch_prices``: prices on shared stock and capacity split the wave
   into per-order problems, each solved by pricing the subsets of its
   candidates (``batch_subsets``); their sum, less the prices' worth, is a
   proved lower bound, raised by subgradient steps.
4. ``batch_repair``: now and then the prices are turned into a feasible
   plan, orders taking what is left by priority.
5. ``batch_refine``: orders whose best priced plan may lie outside their
   candidates are solved exactly by the single-order solver at the prices
   (lifting the bound) and get new candidates.
6. ``batch_mip``: a wave small enough is solved over the candidates as one
   MIP, the best repaired plan as its hint.
7. ``batch_sequence``: the best plan is applied order by order on the
   network as the orders before left it, checked and priced by the
   single-order objective; an order it cannot place is solved exactly.

The plan returned is the cheaper of the wave's and the sequential greedy's,
with its gap to the best bound proved.

Priorities: when stock or capacity is short, VIP orders go first, then
older ones (earlier in the wave). Each order's rejection penalty is raised
by a small share (``PRIORITY_WEIGHT``) of its priority, so the model gives
the last unit to the order that ranks higher, and the repair accepts
proposals in that rank.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from sourcing.solver.batch_data import MAX_CANDIDATES, fit
from sourcing.solver.batch_layout import layout
from sourcing.solver.batch_mip import MAX_ENTRIES, solve_wave_mip
from sourcing.solver.batch_prices import Dual
from sourcing.solver.batch_problem import BatchPlan, BatchProblem, BatchStats, default_priorities
from sourcing.solver.batch_refine import refine
from sourcing.solver.batch_repair import Assignment, repair
from sourcing.solver.batch_sequence import (
    Decide,
    NetworkState,
    allocation_of,
    apply,
    greedy,
    with_gap,
)
from sourcing.solver.batch_wave import Wave
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.table import FloatArray, IntArray, LocationTable

__all__ = [
    "DEFAULT_GAP_TARGET",
    "DEFAULT_TIME_LIMIT_S",
    "PRIORITY_WEIGHT",
    "BatchPlan",
    "BatchProblem",
    "BatchStats",
    "default_priorities",
    "price_batch",
    "sequential_greedy",
    "solve_batch",
]

# Share of the rejection penalty a priority of 1 adds: enough to decide who
# gets the last unit, far too little to make anyone reject a servable unit.
PRIORITY_WEIGHT = 0.004
DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_GAP_TARGET = 1e-3
# Subgradient steps between two repairs, and between two refits of the
# orders whose bound comes from locations outside their candidates.
REPAIR_EVERY = 10
REFIT_EVERY = 30
# Share of the time left a wave small enough for the joint MIP keeps for it.
MIP_SHARE = 0.6
# Times an order's candidates may be refitted.
MAX_REFITS = 2
# A wave of at most this many orders x locations keeps more candidates per order.
SMALL_WAVE_CELLS = 20_000
SMALL_WAVE_CANDIDATES = 20


def solve_batch(
    problem: BatchProblem,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    gap_target: float = DEFAULT_GAP_TARGET,
    explain: bool = False,
) -> BatchPlan:
    """Source a wave of orders together; the best plan found within ``time_limit_s``.

    Parameters
    ----------
    problem
        The orders, the network and the profiles.
    time_limit_s
        Wall-clock budget. Building every order's arrays, the sequential
        greedy and the final application of the plan always run (a few
        milliseconds per order); the bound and the repairs use the rest and
        stop early once the gap reaches ``gap_target``.
    gap_target
        Relative gap at which to stop improving.
    explain
        Attach to every plan why each candidate was or was not used.
    """
    if not isinstance(time_limit_s, int | float) or not time_limit_s > 0:
        raise ValueError(f"Expected time_limit_s to be a positive number, got {time_limit_s!r}.")
    if not isinstance(gap_target, int | float) or not gap_target >= 0:
        raise ValueError(f"Expected gap_target to be a number >= 0, got {gap_target!r}.")
    started = time.perf_counter()
    return _WaveSolver(problem, started, started + time_limit_s).run(gap_target, explain)


def sequential_greedy(problem: BatchProblem, *, explain: bool = False) -> BatchPlan:
    """The reference greedy, order after order in the wave's order, each taking what it uses."""
    return price_batch(problem, None, policy="greedy", explain=explain)


def price_batch(
    problem: BatchProblem,
    plans: Sequence[Plan] | None,
    *,
    policy: str = "given",
    explain: bool = False,
) -> BatchPlan:
    """Apply given plans (the greedy's when None) order after order, checked and priced.

    Each order's plan is checked against the network as the orders before it
    left it and priced by ``objective.evaluate`` there, so its objective adds
    up with the others' as a wave plan's does. A plan that breaks a rule
    there places nothing. Nothing is proved: the bound is ``-inf``.
    """
    started = time.perf_counter()
    n = len(problem.orders)
    profiles = [problem.profile_of(o) for o in range(n)]
    decide = _greedy if plans is None else _given(plans)
    state = NetworkState(problem.locations, problem.state)
    applied = apply(state, problem.orders, profiles, range(n), decide, policy, explain=explain)
    applied = with_gap(applied, SolveStatus.FEASIBLE, math.inf)
    total = sum(p.objective.total for p in applied.values())
    stats = BatchStats(0, 0, 0, 0, 0, math.nan, 0, 0, {"apply": time.perf_counter() - started})
    return BatchPlan(
        plans=tuple(applied[o] for o in range(n)),
        objective=total,
        bound=-math.inf,
        gap=math.inf,
        status=SolveStatus.FEASIBLE,
        solve_time_s=time.perf_counter() - started,
        sequence=tuple(range(n)),
        policy=policy,
        stats=stats,
    )


def _given(plans: Sequence[Plan]) -> Decide:
    """Each order's allocation read off its plan, over its arrays' candidates and lines."""

    def decide(o: int, arrays: SourcingArrays) -> IntArray:
        return allocation_of(plans[o], arrays)

    return decide


class _WaveSolver:
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
        self.refitted = np.zeros(len(problem.orders), dtype=np.int64)
        self.mip_bound = -math.inf
        self.others: list[Assignment] = []  # plans applied besides the best, to compare
        self.ordered = np.array([o.total_units for o in problem.orders], dtype=np.int64)

    def _arrays(self, o: int) -> SourcingArrays:
        p = self.problem
        return SourcingArrays.build(
            SourcingProblem(self.orders[o], p.locations, self.profiles[o], p.state)
        )

    def _timed(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - since
        return now

    def _state(self) -> NetworkState:
        return NetworkState(self.problem.locations, self.problem.state)

    def run(self, gap_target: float, explain: bool) -> BatchPlan:
        """Every step in turn; the cheaper of the wave's plan and the greedy's."""
        if not self.orders:
            stats = BatchStats(0, 0, 0, 0, 0, 0.0, 0, 0, {}, ())
            return BatchPlan((), 0.0, 0.0, 0.0, SolveStatus.OPTIMAL, 0.0, (), "batch", stats)
        self._start()
        # Applying the plan costs about what the greedy's application did.
        reserve = 1.5 * self.seconds["greedy"] + 0.5
        small = len(self.wave.entry_cand) <= MAX_ENTRIES
        if small:  # keep a share of the time for the joint MIP
            share = MIP_SHARE * max(self.deadline - reserve - time.perf_counter(), 0.0)
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
        self.greedy_plans = apply(
            self._state(), self.orders, self.profiles, range(len(self.orders)), _greedy, "greedy"
        )
        self.greedy_total = sum(p.objective.total for p in self.greedy_plans.values())
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
        while time.perf_counter() + reserve < self.deadline and self._gap() > gap_target:
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
        return _gap(self.upper, self.dual.best)

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

    def _joint(self, gap_target: float, reserve: float) -> None:
        """Solve the wave over the candidates as one MIP, when the gap is still open."""
        if _gap(self.best.estimate, self.dual.best) <= gap_target:
            return
        mark = time.perf_counter()
        left = self.deadline - reserve - mark
        joint = solve_wave_mip(
            self.wave, self.capacity, self.penalty, self.rank, self.best, left, gap_target
        )
        if joint.assignment is not None:
            # Estimates count a unit a plan leaves unserved at the full penalty, though the
            # per-order solver may serve it when the plan is applied: both plans are applied.
            self.others.append(self.best)
            if joint.assignment.estimate < self.best.estimate:
                self.best = joint.assignment
            else:
                self.others[-1] = joint.assignment
            self.upper = min(self.upper, self.best.estimate)
        wave = self.wave
        if (wave.outside_location < 0).all() and np.isinf(wave.outside_floor).all():
            # Every allowed location is a candidate: the MIP's bound holds for the wave, once
            # the priorities' raise of the rejection penalty is taken back out.
            raise_most = float((self.penalty / wave.penalty).max())
            self.mip_bound = joint.bound / raise_most
        self._timed("mip", mark)
        self._note()

    def _finish(self, explain: bool) -> BatchPlan:
        """Apply the best plans order by order; keep the cheapest, the greedy's included."""
        mark = time.perf_counter()
        n = len(self.orders)
        best, total, plans = self.best, math.inf, {}
        for assignment in (self.best, *self.others):
            sequence, rescue = self._rescue(assignment)
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
            applied_total = sum(p.objective.total for p in applied.values())
            if applied_total < total:
                best, total, plans, order = assignment, applied_total, applied, sequence
        self._timed("apply", mark)
        policy, sequence = "batch", order
        if self.greedy_total < total:
            policy, sequence, total = "greedy", list(range(n)), self.greedy_total
            plans = self.greedy_plans
            if explain:
                plans = apply(
                    self._state(),
                    self.orders,
                    self.profiles,
                    sequence,
                    _greedy,
                    "greedy",
                    explain=True,
                )
        bound = max(self.dual.best, self.mip_bound)
        gap = _gap(total, bound)
        status = SolveStatus.OPTIMAL if gap <= 1e-9 else SolveStatus.FEASIBLE
        plans = with_gap(plans, status, gap)
        greedy = self.greedy_plans.values()
        stats = BatchStats(
            candidates=len(self.wave.cand_order),
            lagrangian_steps=self.dual.steps,
            repairs=self.repairs,
            refits=self.refits,
            fallback_orders=int(best.fallback.sum()),
            greedy_objective=self.greedy_total,
            greedy_shipments=sum(p.split_count for p in greedy),
            greedy_rejected_units=sum(p.rejected_units for p in greedy),
            seconds=dict(self.seconds),
            trace=tuple(self.trace),
        )
        return BatchPlan(
            plans=tuple(plans[o] for o in range(n)),
            objective=total,
            bound=bound,
            gap=gap,
            status=status,
            solve_time_s=time.perf_counter() - self.started,
            sequence=tuple(sequence),
            policy=policy,
            stats=stats,
        )


def _greedy(_: int, arrays: SourcingArrays) -> IntArray:
    return greedy(arrays)


def _decide(assignment: Assignment) -> Decide:
    """The allocation the assignment gives order o, over its arrays' candidates and lines."""
    split = np.searchsorted(assignment.order, np.arange(len(assignment.fallback) + 1))

    def decide(o: int, arrays: SourcingArrays) -> IntArray:
        allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
        at = slice(split[o], split[o + 1])
        np.add.at(allocation, (assignment.location[at], assignment.line[at]), assignment.units[at])
        return allocation

    return decide


def _priority(problem: BatchProblem) -> tuple[IntArray, FloatArray]:
    """Each order's place in priority (0 first) and the factor on its rejection penalty."""
    values = np.array(problem.priorities or default_priorities(problem.orders), dtype=float)
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(-values, kind="stable")] = np.arange(len(values))
    top = float(values.max()) if len(values) else 0.0
    share = values / top if top > 0 else np.zeros(len(values))
    return rank, 1.0 + PRIORITY_WEIGHT * share


def _capacity(problem: BatchProblem) -> IntArray:
    """Orders each location can still take today: (L, 3) total, HD, CC; -1 unlimited."""
    source = problem.state or LocationTable.of(problem.locations)
    return np.stack([source.capacity_total, source.capacity_hd, source.capacity_cc], axis=1).astype(
        np.int64
    )


def _gap(objective: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))

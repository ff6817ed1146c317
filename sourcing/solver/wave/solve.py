"""Wave sourcing: many orders sourced together against shared stock and capacity.

The model is the single-order one (every order's ``SourcingArrays``, so
every rule applies as it does to one order) for each order of the wave,
plus what the orders share: each position's stock and surplus above ideal
stock, and each location's capacity left today, in total and per order
type (see ``wave.prices`` for the model written out).

How it is solved, anytime:

1. ``wave.data``: each order keeps a dozen candidate locations, chosen by
   prices on its lines, with a bound on every plan using other locations.
2. The sequential greedy (the reference of rule-based systems, order after
   order) is the first plan.
3. ``wave.prices``: prices on shared stock and capacity split the wave
   into per-order problems, each solved by pricing the subsets of its
   candidates (``wave.subsets``); their sum, less the prices' worth, is a
   proved lower bound, raised by subgradient steps.
4. ``wave.repair``: now and then the prices are turned into a feasible
   plan, orders taking what is left by priority.
5. ``wave.refine``: orders whose best priced plan may lie outside their
   candidates are solved exactly by the single-order solver at the prices
   (lifting the bound) and get new candidates.
6. ``wave.mip``: a wave small enough is solved over the candidates as one
   MIP (over every location when it is smaller still, so that its bound
   holds for the wave), the better of the best repaired plan and the
   greedy's as its hint; its plan is applied as it is.
7. ``wave.sequence``: the best plan is applied order by order on the
   network as the orders before left it, checked and priced by the
   single-order objective; an order it cannot place is solved exactly.
8. ``wave.neighbourhood`` and ``wave.exchange``: once the bound stalls,
   the time left improves the applied plan: an order and the orders
   wanting its products are solved jointly as one MIP over every location
   on what the others hold; then an order that rejects units and one
   holding what it could use (its product's units, a store's last order
   slot) are re-solved exactly in turn, then every order is re-solved on
   what the others leave; moves lower (rejected units, cost), rejected
   units first. On a wave short of stock and too large for the MIP over
   every location, the MIP of step 6 is skipped for these (over a dozen
   candidates per order it rejects more units than the applied plans).
   A short wave whose plan serves the most gives the neighbourhoods all
   the time left (no unit is left for the exchanges to win).

Under shortage (``served``): a max flow on units bounds what any plan
serves, and the rejection cost no plan avoids (the floor) and a min-cost
flow on the same graph (``transport``, on fewer arcs) join the bound; a
min-cost flow seeded with the greedy's (order, location) pairs and kept
within stores' capacity in orders and split limits (``capped``) is tried
as a plan, and a plan short of the served maximum is rescued by augmenting
paths (``rescue``). The flow counts units, not the orders a store can
still take, so where capacity binds a plan of the orders solved one by one
at the duals of the wave's own demand LP (stock and capacity in orders)
is tried first (``priced_sequence``); when it gives a plan, the repaired
assignments are not applied after it (they reject far more units there).
A wave surely short of stock and too large for the joint MIP over every
location skips the candidate models and prices (``shortage``): greedy,
the priced sequence where capacity binds, seeded flow, rescues,
neighbourhoods.

The plan returned is the better of the wave's and the sequential greedy's,
compared by rejected units first, then cost, with its gap to the best
bound proved: the wave never rejects more units than the greedy.

Priorities: when stock or capacity is short, VIP orders go first, then
older ones (earlier in the wave). Each order's rejection penalty is raised
by a small share (``PRIORITY_WEIGHT``) of its priority, so the model gives
the last unit to the order that ranks higher, and the repair accepts
proposals in that rank.

The steps are run by ``steps.WaveSolver``, which also holds their
tuning (``PRIORITY_WEIGHT`` among it); this module holds the entry points.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from sourcing.solver.errors import InvalidProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.options import DEFAULT_WAVE_TIME_LIMIT_S
from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.types import IntArray
from sourcing.solver.wave.finish import decide_greedy
from sourcing.solver.wave.problem import BatchPlan, BatchProblem, BatchStats, default_priorities
from sourcing.solver.wave.sequence import Decide, NetworkState, allocation_of, apply, with_gap
from sourcing.solver.wave.served import real_and_priced
from sourcing.solver.wave.steps import WaveSolver

__all__ = [
    "DEFAULT_GAP_TARGET",
    "DEFAULT_TIME_LIMIT_S",
    "BatchPlan",
    "BatchProblem",
    "BatchStats",
    "default_priorities",
    "price_batch",
    "sequential_greedy",
    "solve_batch",
]

DEFAULT_TIME_LIMIT_S = DEFAULT_WAVE_TIME_LIMIT_S
DEFAULT_GAP_TARGET = 1e-3


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
        raise InvalidProblem(
            f"Expected time_limit_s to be a positive number, got {time_limit_s!r}."
        )
    if not isinstance(gap_target, int | float) or not gap_target >= 0:
        raise InvalidProblem(f"Expected gap_target to be a number >= 0, got {gap_target!r}.")
    started = time.perf_counter()
    return WaveSolver(problem, started, started + time_limit_s).run(gap_target, explain)


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
    decide = decide_greedy if plans is None else _given(plans)
    state = NetworkState(problem.locations, problem.state, problem.table, problem.scarcity_prices)
    applied = apply(state, problem.orders, profiles, range(n), decide, policy, explain=explain)
    applied = with_gap(applied, SolveStatus.FEASIBLE, math.inf)
    total, priced = real_and_priced(applied.values())
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
        priced=priced,
    )


def _given(plans: Sequence[Plan]) -> Decide:
    """Each order's allocation read off its plan, over its arrays' candidates and lines."""

    def decide(o: int, arrays: SourcingArrays) -> IntArray:
        return allocation_of(plans[o], arrays)

    return decide

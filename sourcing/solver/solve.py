"""The solver's entry point: ``solve(problem, policy=...)`` returns a ``Plan``."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.solver.explain import explain as explain_candidates
from sourcing.solver.greedy import greedy_allocation, greedy_allocations
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.lagrangian import Lagrangian, ascend_together, same_pairs
from sourcing.solver.mip import solve_mip
from sourcing.solver.objective import evaluate, evaluate_alike
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S, Backend, Policy, SolveOptions
from sourcing.solver.plan import (
    Fulfilment,
    FulfilmentLine,
    ObjectiveBreakdown,
    Plan,
    RejectedFulfilment,
    SolveStatus,
)
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.promises import fulfilment_promise
from sourcing.solver.rated_enum import RatedOutcome, best_first, price_in_order
from sourcing.solver.rated_larger import larger_plans
from sourcing.solver.rated_pairs import best_pairs
from sourcing.solver.reduction import (
    LAGRANGIAN_STEPS,
    MAX_ENUMERATED,
    MAX_SUBSETS,
    REFINE_STEPS,
    Reduction,
    Room,
    Trial,
    most_locations_worth_using,
    reduce_candidates,
    subsets_to_price,
)
from sourcing.solver.subset_pricing import enumerate_plans, enumerate_small_plans, price_subsets
from sourcing.solver.sums import column_sums
from sourcing.solver.types import FloatArray, IntArray


def solve(
    problem: SourcingProblem,
    *,
    policy: Policy | str = Policy.MIP,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    weight_overrides: Mapping[str, float] | None = None,
    explain: bool = False,
    backend: Backend | str = Backend.SCIP,
    reduce: bool = True,
) -> Plan:
    """Source one order.

    Parameters
    ----------
    problem
        The order, its candidate locations and the sourcing profile.
    policy
        ``"mip"`` (default): the provably cheapest plan under every rule.
        ``"greedy"``: the reference greedy of rule-based systems.
    time_limit_s
        Wall-clock budget for the MIP. When it runs out before optimality is
        proved, the best plan found (the greedy's at worst) comes back
        ``FEASIBLE`` with its gap to the best proved bound.
    weight_overrides
        Objective weights to replace for this call only, term by term.
    explain
        Attach, for every candidate, why it was or was not used.
    backend
        The MIP solver OR-tools runs: ``"scip"``, ``"highs"`` or ``"sat"``.
    reduce
        Bound every candidate first and solve only over those that could
        improve the plan (exact: see ``reduction``). ``False`` solves the
        full model, as a reference.
    """
    started = time.perf_counter()
    options = SolveOptions.of(policy=policy, backend=backend, time_limit_s=time_limit_s)
    weights = problem.profile.weights
    if weight_overrides:
        weights = weights.override(weight_overrides)
    arrays = SourcingArrays.build(problem, weights)
    return solve_arrays(
        arrays,
        policy=options.policy,
        time_limit_s=options.time_limit_s,
        explain=explain,
        backend=options.backend,
        reduce=reduce,
        started=started,
    )


def solve_arrays(
    arrays: SourcingArrays,
    *,
    policy: Policy = Policy.MIP,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    explain: bool = False,
    backend: Backend = Backend.SCIP,
    reduce: bool = True,
    started: float | None = None,
    start: Start | None = None,
) -> Plan:
    """``solve`` on arrays already built, e.g. with costs a caller adjusted.

    The plan's objective is ``objective.evaluate`` on ``arrays``; its gap is
    to the best bound proved on them, on the priced total it minimised.
    ``start``: the greedy's plan and the first price steps, when the caller
    took them for several arrays together (``starts``); the plan is the same.
    """
    started = time.perf_counter() if started is None else started
    allocation, objective = _first_plan(arrays, start)
    # The greedy proves nothing about its plan, so its gap is unknown.
    status, gap = SolveStatus.FEASIBLE, math.inf
    kept = None
    if policy == "mip":
        candidates = None
        if reduce:
            if start is not None and start.reduction is not None:
                reduction = start.reduction
            else:
                ascended = start.prices if start else None
                reduction = reduce_candidates(arrays, objective.priced_total, allocation, ascended)
            if reduction.incumbent is not allocation:  # else the greedy's price stands
                allocation = reduction.incumbent
                found = start.found if start is not None and start.reduction is reduction else None
                objective = found if found is not None else evaluate(arrays, allocation)
            keep = reduction.keep
            kept = len(keep)
            exact = _without_mip(
                arrays, reduction, allocation, objective, started + time_limit_s, backend
            )
            allocation, objective = exact.allocation, exact.objective
            if exact.proved:
                return _to_plan(
                    arrays,
                    allocation,
                    objective,
                    policy,
                    SolveStatus.OPTIMAL,
                    0.0,
                    started,
                    explain,
                    kept,
                )
            candidates = reduction.keep
        remaining = time_limit_s - (time.perf_counter() - started)
        result = solve_mip(
            arrays, time_limit_s=remaining, hint=allocation, backend=backend, candidates=candidates
        )
        if result.allocation is not None:
            candidate = evaluate(arrays, result.allocation)
            if candidate.priced_total <= objective.priced_total + 1e-9:
                allocation, objective = result.allocation, candidate
        gap = _relative_gap(objective.priced_total, result.bound)
        status = SolveStatus.OPTIMAL if result.optimal else SolveStatus.FEASIBLE
        if result.optimal:
            gap = 0.0
        elif gap <= 1e-9:  # the bound proves the incumbent optimal after all
            status, gap = SolveStatus.OPTIMAL, 0.0
    return _to_plan(arrays, allocation, objective, policy, status, gap, started, explain, kept)


@dataclass(frozen=True, slots=True)
class Start:
    """What ``solve_arrays`` does first: the greedy's plan, priced, and the reduction's
    prices after their first steps towards that price; ``reduction``: the reduction
    itself, when the caller took it (``starts``), and ``found``: its incumbent priced
    (``evaluate``), when that is not the greedy's plan."""

    allocation: IntArray
    objective: ObjectiveBreakdown
    prices: Lagrangian
    reduction: Reduction | None = None
    found: ObjectiveBreakdown | None = None


def _first_plan(arrays: SourcingArrays, start: Start | None) -> tuple[IntArray, ObjectiveBreakdown]:
    """The greedy's plan and its price: the caller's when it took them (``starts``)."""
    if start is not None:
        return start.allocation, start.objective
    allocation = greedy_allocation(arrays)
    return allocation, evaluate(arrays, allocation)


def starts(many: Sequence[SourcingArrays]) -> list[Start]:
    """The starts of ``solve_arrays`` on each of ``many`` (one cart's orders sent to
    different places: the same pairs), up to the reduction, their price steps taken
    together: the first ``LAGRANGIAN_STEPS``, then the refining steps of those whose
    trial plan leaves their bound short of it (``reduce_candidates``, step for step)."""
    begun: list[tuple[IntArray, ObjectiveBreakdown, Lagrangian]] = []
    # The greedy's rounds once for the orders that choose alike, and the terms of their
    # plans they share priced once (``greedy_allocations``, ``evaluate_alike``).
    allocations = greedy_allocations(many)
    priced = evaluate_alike(many, allocations)
    for arrays, allocation, objective in zip(many, allocations, priced, strict=True):
        like = begun[0][2] if begun else None  # derived arrays share its pairs
        begun.append((allocation, objective, Lagrangian(arrays, like)))
    usable = [i for i, arrays in enumerate(many) if arrays.cap.any()]
    # Those over other pairs than the first (none, for one cart sent to different
    # places) take their steps alone, as ``reduce_candidates`` would.
    shared = [i for i in usable if same_pairs(begun[usable[0]][2], begun[i][2])]
    for i in sorted(set(usable) - set(shared)):
        begun[i][2].ascend(begun[i][1].priced_total, LAGRANGIAN_STEPS)
    ascend_together(
        [begun[i][2] for i in shared],
        [begun[i][1].priced_total for i in shared],
        LAGRANGIAN_STEPS,
    )
    rooms = _rooms(many)
    trials = [
        Trial.of(arrays, objective.priced_total, allocation, prices, room)
        for arrays, (allocation, objective, prices), room in zip(many, begun, rooms, strict=True)
    ]
    refined = [i for i, trial in enumerate(trials) if trial.to_refine()]
    for i in refined:
        trials[i].refine(alone=i not in shared)
    together = [i for i in refined if i in shared]
    ascend_together(
        [trials[i].prices for i in together],
        [trials[i].upper_bound for i in together],
        REFINE_STEPS,
    )
    reductions = [trial.reduction(arrays) for arrays, trial in zip(many, trials, strict=True)]
    # The incumbents that beat the greedy's plan, priced as ``solve_arrays`` would: one
    # cart's orders often find the very same plan, whose shared terms are priced once.
    better = [
        i
        for i, (one, reduction) in enumerate(zip(begun, reductions, strict=True))
        if reduction.incumbent is not one[0]
    ]
    found: list[ObjectiveBreakdown | None] = [None] * len(many)
    alike = evaluate_alike([many[i] for i in better], [reductions[i].incumbent for i in better])
    for i, objective in zip(better, alike, strict=True):
        found[i] = objective
    return [
        Start(*one, reduction=reduction, found=objective)
        for one, reduction, objective in zip(begun, reductions, found, strict=True)
    ]


def _rooms(many: Sequence[SourcingArrays]) -> list[Room]:
    """``Room.of`` each of ``many``, taken once per capacity table: derived orders share
    the very ``cap`` (``variants.with_destinations``), whose room is then the same."""
    rooms: list[Room] = []
    for i, arrays in enumerate(many):
        shared = next((rooms[j] for j in range(i) if many[j].cap is arrays.cap), None)
        rooms.append(shared if shared is not None else Room.of(arrays))
    return rooms


def _without_mip(
    arrays: SourcingArrays,
    reduction: Reduction,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    deadline: float,
    backend: Backend,
) -> RatedOutcome:
    """The best plan on the kept candidates by enumeration, proved when it can be.

    Plans larger than ``most`` cannot beat the incumbent, which may be one of
    them: it is kept unless enumeration finds better. Without rate cards the
    enumeration is exact; with them subsets go best first by their
    under-line bound (``rated_enum``), or pairs when too many candidates
    stay (``rated_pairs``). Not proved: the MIP settles it. Without rate cards, when the
    reduction's own enumeration already priced every plan of the kept candidates (and
    found the incumbent as their best), enumerating them again would only find it again.
    """
    keep = reduction.keep
    most = min(arrays.split_limit, most_locations_worth_using(arrays, keep, objective.priced_total))
    if arrays.priced_by_weight(keep):
        floor = reduction.price_floor(keep)
        return _rated(arrays, keep, most, allocation, objective, deadline, backend, floor)
    enumerable = len(keep) <= MAX_ENUMERATED or subsets_to_price(len(keep), most) <= MAX_SUBSETS
    if not enumerable:
        # Only the subsets the prices cannot rule out, when they are few.
        rows = reduction.plans_below(keep, most, objective.priced_total, arrays.weights.split)
        if rows is None:
            return RatedOutcome(allocation, objective, False, 0)
        if not len(rows):
            return RatedOutcome(allocation, objective, True, 0)
        enumerated, _ = enumerate_small_plans(arrays, keep, most, rows)
    elif reduction.searched_all(keep, most):
        return RatedOutcome(allocation, objective, True, 0)
    else:
        enumerated, _ = enumerate_plans(arrays, keep, max_size=most)
    priced = evaluate(arrays, enumerated)
    if priced.priced_total <= objective.priced_total:
        allocation, objective = enumerated, priced
    return RatedOutcome(allocation, objective, True, 0)


def _rated(
    arrays: SourcingArrays,
    keep: IntArray,
    most: int,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    deadline: float,
    backend: Backend,
    price_floor: tuple[float, FloatArray] | None = None,
) -> RatedOutcome:
    """``_without_mip`` when a rate card prices some kept candidate.

    A few candidates: every subset best first (``rated_enum``); more: singles
    and pairs (``rated_pairs``), then the few larger plans whose members are
    cheap enough together (``rated_larger``); both leave out the plans the
    reduction's prices already bound at the best plan (``price_floor``).
    """
    if len(keep) <= MAX_ENUMERATED:
        subsets = price_subsets(arrays, keep, most)
        return best_first(
            arrays, subsets, allocation, objective, deadline=deadline, backend=backend
        )
    paired = best_pairs(
        arrays,
        keep,
        allocation,
        objective,
        deadline=deadline,
        backend=backend,
        price_floor=price_floor,
    )
    if paired is None or most <= 2 or not paired.proved:
        return paired or RatedOutcome(allocation, objective, False, 0)
    # Plans of three or more: only those whose members are cheap enough together.
    larger = larger_plans(arrays, keep, paired.objective.priced_total, price_floor, most)
    if larger is None:
        return replace(paired, proved=False)
    bounds, members = larger
    return price_in_order(
        arrays,
        bounds,
        members,
        paired.allocation,
        paired.objective,
        deadline=deadline,
        backend=backend,
    )


def plan_from_allocation(
    arrays: SourcingArrays,
    allocation: IntArray,
    *,
    policy: str,
    status: SolveStatus = SolveStatus.FEASIBLE,
    gap: float = math.inf,
    explain: bool = False,
) -> Plan:
    """The ``Plan`` of an allocation another policy chose, priced with ``objective.evaluate``.

    ``allocation[l, k]`` is the units of line k from candidate l of
    ``arrays``; units not allocated are rejected.
    """
    objective = evaluate(arrays, allocation)
    return _to_plan(
        arrays, allocation, objective, policy, status, gap, time.perf_counter(), explain
    )


def _relative_gap(objective: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _to_plan(
    arrays: SourcingArrays,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    policy: str,
    status: SolveStatus,
    gap: float,
    started: float,
    explain: bool,
    candidates_kept: int | None = None,
) -> Plan:
    problem = arrays.problem
    lines = problem.order.lines
    fulfilments = tuple(
        Fulfilment(
            location.ref,
            tuple(
                FulfilmentLine(lines[k].ref, lines[k].product_ref, int(allocation[i, k]))
                for k in np.flatnonzero(allocation[i])
            ),
            promise=fulfilment_promise(arrays, int(i), allocation[i]),
        )
        for i in np.flatnonzero(allocation.any(axis=1))
        for location in (problem.locations[i],)
    )
    short = arrays.quantity - column_sums(allocation)
    rejected = None
    if short.any():
        rejected = RejectedFulfilment(
            problem.profile.rejection_location_ref,
            tuple(
                FulfilmentLine(lines[k].ref, lines[k].product_ref, int(short[k]))
                for k in np.flatnonzero(short)
            ),
        )
    return Plan(
        order_ref=problem.order.ref,
        policy=policy,
        fulfilments=fulfilments,
        rejected=rejected,
        objective=objective,
        status=status,
        gap=gap,
        solve_time_s=time.perf_counter() - started,
        explanation=explain_candidates(arrays, allocation) if explain else None,
        candidates_kept=candidates_kept,
    )

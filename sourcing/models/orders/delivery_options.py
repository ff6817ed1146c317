"""The named home-delivery plans of a cart: what checkout offers and ``Source`` honours.

``GetFulfilmentOptions`` answers them for a cart, and ``Source`` with a named
option computes the one asked for with this very code on the same snapshot,
so a Source a moment later (nothing changed) gets the plan that was offered:

* ``cheapest``: the profile's plan, what ``Source`` without an option does;
* ``fewest_parcels``: the plan under a split penalty above any cost (fewest
  fulfilments first, then the cheapest of those); offered only when it has
  fewer parcels than ``cheapest``, so never solved when ``cheapest`` has one;
* ``fastest``: the cheapest plan among the candidates that can deliver by the
  earliest date any plan serving as much can meet (each candidate's earliest
  promise over its parcel services); offered only when it delivers earlier.

The arrays are built once per cart: ``fewest_parcels`` solves the same arrays
under another split weight (``solver.variants.with_split``); ``fastest``
skips, without solving, every date whose fast candidates cannot together hold
the units ``cheapest`` serves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from sourcing import solver
from sourcing.solver.clock import Clock
from sourcing.solver.deliver_by import delivered_by
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.sharing import promise_groups
from sourcing.solver.solve import Start, solve_arrays, starts
from sourcing.solver.sums import column_sums, row_sums
from sourcing.solver.table import LocationTable
from sourcing.solver.variants import with_split

CHEAPEST, FASTEST, FEWEST_PARCELS = "cheapest", "fastest", "fewest_parcels"
NAMES = (CHEAPEST, FASTEST, FEWEST_PARCELS)
# A split penalty above any plan's cost makes the solver minimise parcels first.
FEWEST_PARCELS_SPLIT = 1e7
# Delivery dates tried for "fastest", earliest first, before settling for the cheapest.
FASTEST_TRIES = 3


def delivery_plans(
    problem: solver.SourcingProblem,
    time_limit_s: float,
    wanted: tuple[str, ...] = NAMES,
    *,
    built: tuple[SourcingArrays, Start | None] | None = None,
    first: FirstDate | None = None,
) -> dict[str, solver.Plan]:
    """The named plans of ``wanted`` that differ from ``cheapest``, and ``cheapest`` always.

    ``time_limit_s`` is each solve's budget. ``built``: the problem's arrays when the
    caller built them, with ``cheapest``'s start when it took it with others
    (``solver.solve.starts``: the plan is the same); ``first``: ``first_date`` of those
    arrays, with its start taken there too. Else the starts of ``cheapest`` and of
    ``fastest``'s first date are taken together here.
    """
    unknown = sorted(set(wanted) - set(NAMES))
    if unknown:
        raise ValueError(f"option must be one of {', '.join(NAMES)}, got {unknown[0]!r}")
    arrays, start = built if built is not None else (SourcingArrays.build(problem), None)
    if arrays.problem is not problem:
        raise ValueError("Expected the arrays built from the problem asked about.")
    if first is None and FASTEST in wanted:
        first = first_date(problem, arrays)
    if start is None:
        begun = starts([arrays, first.arrays] if first else [arrays])
        start = begun[0]
        first = replace(first, start=begun[1]) if first else None
    cheapest = solve_arrays(arrays, time_limit_s=time_limit_s, start=start)
    plans = {CHEAPEST: cheapest}
    if FASTEST in wanted and first is not None:
        fastest = _fastest(problem, arrays, cheapest, time_limit_s, first)
        if fastest is not None:
            plans[FASTEST] = fastest
    if FEWEST_PARCELS in wanted and _fewer_parcels_possible(arrays, cheapest):
        fewest = solve_arrays(with_split(arrays, FEWEST_PARCELS_SPLIT), time_limit_s=time_limit_s)
        if len(fewest.fulfilments) < len(cheapest.fulfilments):
            plans[FEWEST_PARCELS] = fewest
    return plans


def _fewer_parcels_possible(arrays: SourcingArrays, cheapest: solver.Plan) -> bool:
    """Whether some plan with fewer parcels than ``cheapest`` could serve as many units.

    A necessary condition, so skipping the solve when it fails changes no
    answer: the fewest-parcels plan serves at least what ``cheapest`` serves
    (its rejection penalty dominates the split penalty), and n candidates
    serve at most the sum of what each could serve alone.
    """
    fewer = len(cheapest.fulfilments) - 1
    if fewer < 1:
        return False
    served = int(arrays.quantity.sum()) - cheapest.rejected_units
    alone = np.sort(row_sums(arrays.cap))[::-1]
    return int(alone[:fewer].sum()) >= served


def named_plan(problem: solver.SourcingProblem, name: str, time_limit_s: float) -> solver.Plan:
    """The plan ``GetFulfilmentOptions`` offers as ``name``; ``cheapest`` when it offers none."""
    plans = delivery_plans(problem, time_limit_s, (CHEAPEST, name))
    return plans.get(name, plans[CHEAPEST])


def latest(plan: solver.Plan) -> datetime | None:
    """When the plan's last parcel is promised; None when none carries a promise."""
    promised = [f.promise.promised_at for f in plan.fulfilments if f.promise]
    return max(promised) if promised else None


def _earliest(
    problem: solver.SourcingProblem, clock: Clock, distance_km: np.ndarray, indices: list[int]
) -> list[datetime | None]:
    """Each of ``indices``' earliest promised delivery over its parcel services, in order.

    Candidates sharing a calendar and services are asked together
    (``Clock.parcels_promised_codes`` answers each distinct pick-and-pack time,
    ready-by and band once). Calendars and services are keyed by identity
    (the candidate cache shares equal ones; the problem keeps them alive).
    """
    locations = problem.locations
    hours_of = problem.candidate_table().pick_pack_hours  # each location's, as a float
    position = {i: p for p, i in enumerate(indices)}
    earliest: list[datetime | None] = [None] * len(indices)
    # Days without room move a location's ready-by, so they are part of the groups' key.
    for full, members in promise_groups(problem, indices):
        like = locations[members[0]]
        km = distance_km[members]
        asked = [
            clock.parcels_promised_codes(like.calendar, hours_of[members], service, km, full)
            for service in like.parcel_services or (None,)
        ]
        for i, day in zip(members, _earliest_of(asked), strict=True):
            earliest[position[i]] = day
    return earliest


def _earliest_of(asked: list[tuple[list[datetime | None], np.ndarray]]) -> list[datetime | None]:
    """Per location, the earliest of its services' promises (None when none promises):
    ``asked`` holds each service's ``Clock.parcels_promised_codes``. The promises are
    ranked once, so the locations are compared by their ranks with numpy."""
    days = sorted({day for answers, _ in asked for day in answers if day is not None})
    rank = {day: r for r, day in enumerate(days)}
    never = len(days)
    ranks = np.stack(
        [
            np.array([never if day is None else rank[day] for day in answers])[code]
            for answers, code in asked
        ]
    )
    earliest: list[datetime | None] = np.array([*days, None], dtype=object)[
        ranks.min(axis=0)
    ].tolist()
    return earliest


@dataclass(frozen=True, slots=True)
class FirstDate:
    """What ``fastest`` asks before its solves: each stocking candidate's earliest promise
    and, for the first of those dates, the arrays of the order delivered by it, with
    their start when a caller took it with others' (``solver.solve.starts``)."""

    clock: Clock
    stocking: list[int]
    earliest: list[datetime | None]
    day: datetime
    arrays: SourcingArrays
    start: Start | None = None


def first_date(problem: solver.SourcingProblem, arrays: SourcingArrays) -> FirstDate | None:
    """``fastest``'s earliest dates and the arrays of the first, which needs no plan: its
    solve can start with ``cheapest``'s (its pairs are among the order's). None when
    ``fastest`` is never offered: no ``now``, or no candidate promises a date."""
    if problem.now is None:
        return None
    table = problem.candidate_table()
    stocking = _stocking(table, [line.product_ref for line in problem.order.lines])
    # One clock for the earliest dates and every fast build's need-by service choice.
    clock = Clock(problem.now)
    earliest = _earliest(problem, clock, arrays.distance_km, stocking)
    dates = [d for d in earliest if d is not None]
    if not dates:
        return None
    day = min(dates)
    fast = _by(problem, arrays, clock, stocking, earliest, day)
    return FirstDate(clock, stocking, earliest, day, fast)


def _by(
    problem: solver.SourcingProblem,
    arrays: SourcingArrays,
    clock: Clock,
    stocking: list[int],
    earliest: list[datetime | None],
    day: datetime,
) -> SourcingArrays:
    """The order's arrays delivered by ``day``, over the candidates that can (those of
    ``stocking`` whose ``earliest`` is not later, and every candidate stocking none)."""
    refs = problem.candidate_table().refs
    late = frozenset(
        refs[i] for i, d in zip(stocking, earliest, strict=True) if d is None or d > day
    )
    rules = replace(
        problem.profile.rules,
        excluded_locations=problem.profile.rules.excluded_locations | late,
    )
    profile = replace(
        problem.profile, rules=rules, service_choice=solver.ServiceChoice.MEETS_NEED_BY
    )
    return delivered_by(
        arrays,
        replace(problem, order=replace(problem.order, need_by=day), profile=profile, clock=clock),
    )


def _fastest(
    problem: solver.SourcingProblem,
    arrays: SourcingArrays,
    cheapest: solver.Plan,
    time_limit_s: float,
    first: FirstDate,
) -> solver.Plan | None:
    """The cheapest plan delivering earlier than ``cheapest`` and serving as much; None if
    none. ``first``: ``first_date`` of these arrays."""
    last = latest(cheapest)
    if last is None:
        return None
    served = int(arrays.quantity.sum()) - cheapest.rejected_units
    dates = sorted({d for d in first.earliest if d is not None and d < last})
    for day in dates[:FASTEST_TRIES]:
        if day == first.day:
            fast, start = first.arrays, first.start
        else:
            fast = _by(problem, arrays, first.clock, first.stocking, first.earliest, day)
            start = None
        # No plan over these candidates can serve more units than they hold together.
        if int(np.minimum(column_sums(fast.cap), fast.quantity).sum()) < served:
            continue
        plan = solve_arrays(fast, time_limit_s=time_limit_s, start=start)
        plan_last = latest(plan)
        if (
            plan.rejected_units <= cheapest.rejected_units
            and plan_last is not None
            and plan_last < last
        ):
            return plan
    return None


def _stocking(table: LocationTable, products: list[str]) -> list[int]:
    """Candidates holding any available unit of any of ``products`` (from the order's
    state), ascending."""
    held = [
        column.index[column.on_hand - column.reserved - column.buffer_qty > 0]
        for product in products
        if (column := table.products.get(product)) is not None
    ]
    stocking: list[int] = np.unique(np.concatenate([np.zeros(0, np.int64), *held])).tolist()
    return stocking


__all__ = [
    "CHEAPEST",
    "FASTEST",
    "FEWEST_PARCELS",
    "NAMES",
    "FirstDate",
    "delivery_plans",
    "first_date",
    "latest",
    "named_plan",
]

"""Exact enumeration with rate cards: price subsets best first by their under-line bound.

With rate cards on the kept candidates, ``subset_pricing.price_subsets`` prices
every subset T of them with the line under each step function (``rates``):
LB(T), a lower bound on every plan that uses only T. Pricing each T exactly
in increasing LB order, and stopping when the next LB reaches the best exact
cost found, gives the optimum over the kept candidates (best first with a
valid bound): every subset not priced exactly has LB(T) >= the best plan.

The exact price of a subset, ``exact_subset``:

- no rated member, or one location: the spread of the linear costs is the
  plan (one location's units are forced: it serves what it can, the
  rejection penalty dominating every price), priced by ``evaluate``;
- two or more locations with a rated one: every split of each product's
  units over the members, crossed over the products, is priced at once with
  numpy (linear costs, each parcel's band price by its weight, fixed costs of
  the members used, the split penalty) when there are at most
  ``MAX_SPLITS`` of them; otherwise the MIP restricted to those members.

A plan comes back proved only when every subset with a bound below it was
priced exactly (a MIP on a subset that stops at its time limit proves
nothing); else the caller falls back to the MIP on all kept candidates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.mip import solve_mip
from sourcing.solver.objective import evaluate
from sourcing.solver.options import Backend
from sourcing.solver.plan import ObjectiveBreakdown
from sourcing.solver.product_units import all_product_terms, spread_units
from sourcing.solver.rates import RateSteps
from sourcing.solver.subset_pricing import Subsets, price_largest
from sourcing.solver.types import FloatArray, IntArray

# The most allocations of one subset priced at once; above it, the subset's MIP.
MAX_SPLITS = 20000
# The most prefixes ``compositions`` lists at once with numpy (a few MB at most).
GRID_MOST = 4 * MAX_SPLITS


@dataclass(frozen=True, slots=True)
class RatedOutcome:
    """The best plan over the candidates, and whether it is proved optimal over them."""

    allocation: IntArray
    objective: ObjectiveBreakdown
    proved: bool
    priced: int  # subsets priced exactly


def best_first(
    arrays: SourcingArrays,
    subsets: Subsets,
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    *,
    deadline: float,
    backend: Backend = Backend.SCIP,
) -> RatedOutcome:
    """The cheapest plan on ``subsets``, priced exactly in the order of their bounds.

    ``allocation`` (priced ``objective``) is the best plan known so far; it is
    kept unless a subset does better. ``deadline`` (``time.perf_counter``)
    bounds the time spent; past it the outcome is not proved.
    """
    return _in_order(
        arrays,
        subsets.total,
        lambda row: (subsets, row),
        allocation,
        objective,
        deadline=deadline,
        backend=backend,
    )


def price_in_order(
    arrays: SourcingArrays,
    bounds: FloatArray,
    members: list[IntArray],
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    *,
    deadline: float,
    backend: Backend = Backend.SCIP,
) -> RatedOutcome:
    """``best_first`` on sets of candidate indices ``members[i]`` bounded by ``bounds[i]``."""

    def subset_of(row: int) -> tuple[Subsets, int]:
        # Only the spread of the subset of every member is priced exactly (``exact_subset``).
        return price_largest(arrays, members[row]), 0

    return _in_order(
        arrays, bounds, subset_of, allocation, objective, deadline=deadline, backend=backend
    )


def _in_order(
    arrays: SourcingArrays,
    bounds: FloatArray,
    subset_of: Callable[[int], tuple[Subsets, int]],
    allocation: IntArray,
    objective: ObjectiveBreakdown,
    *,
    deadline: float,
    backend: Backend,
) -> RatedOutcome:
    """Price ``subset_of(i)`` exactly in increasing ``bounds[i]`` until a bound reaches the best."""
    best = objective.priced_total
    priced = 0
    for row in np.argsort(bounds, kind="stable").tolist():
        if bounds[row] >= best - 1e-9 * max(1.0, abs(best)):
            break
        if time.perf_counter() > deadline:
            return RatedOutcome(allocation, objective, False, priced)
        subsets, at = subset_of(row)
        found = exact_subset(arrays, subsets, at)
        if found is None:
            found = _subset_mip(arrays, subsets, at, deadline, backend)
            if found is None:
                return RatedOutcome(allocation, objective, False, priced)
        priced += 1
        exact = evaluate(arrays, found)
        if exact.priced_total < best:
            allocation, objective, best = found, exact, exact.priced_total
    return RatedOutcome(allocation, objective, True, priced)


def _subset_mip(
    arrays: SourcingArrays, subsets: Subsets, row: int, deadline: float, backend: Backend
) -> IntArray | None:
    """The MIP's optimum on subset ``row``'s members; None unless proved in time."""
    members = subsets.candidates[subsets.member[row]]
    result = solve_mip(
        arrays,
        time_limit_s=deadline - time.perf_counter(),
        hint=subsets.allocation(arrays, row),
        backend=backend,
        candidates=members,
    )
    return result.allocation if result.optimal else None


def exact_subset(arrays: SourcingArrays, subsets: Subsets, row: int) -> IntArray | None:
    """The cheapest allocation on subset ``row``'s members, rate cards priced exactly.

    None when there are more than ``MAX_SPLITS`` ways to split its units, or
    a product's lines differ in weight (then the MIP settles it).
    """
    rates = arrays.rates
    columns = np.flatnonzero(subsets.member[row])
    members = subsets.candidates[columns]
    if rates is None or len(members) < 2:
        return subsets.allocation(arrays, row)
    rated_at = _rated_rows(rates, members)
    if (rated_at < 0).all():
        return subsets.allocation(arrays, row)
    splits = _product_splits(arrays, subsets, row, members)
    if splits is None:
        return None
    products, options, costs, grams = splits
    shape = tuple(len(o) for o in options)
    if int(np.prod(shape, dtype=np.int64)) > MAX_SPLITS:
        return None
    pick = np.indices(shape).reshape(len(shape), -1)  # (products, splits): option per product
    total = np.zeros(pick.shape[1])
    units = np.zeros((pick.shape[1], len(members)), dtype=np.int64)
    weight = np.zeros((pick.shape[1], len(members)))
    for p, option in enumerate(options):
        total += costs[p][pick[p]]
        units += option[pick[p]]
        weight += grams[p] * option[pick[p]]
    used = units > 0
    fixed = arrays.fulfilment_cost[members].copy()
    for col in np.flatnonzero(rated_at >= 0).tolist():
        r = int(rated_at[col])
        band = np.searchsorted(rates.starts[r], weight[:, col], side="right") - 1
        # The linear costs carry the under-line alpha + beta W: swap it for the band's price.
        total += used[:, col] * (rates.prices[r][band] - rates.beta[r] * weight[:, col])
        fixed[col] -= rates.alpha[r]
    total += used @ fixed + arrays.weights.split * np.maximum(used.sum(axis=1) - 1, 0)
    best = int(np.argmin(total))
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    for p, product in enumerate(products):
        take = options[p][pick[p, best]]
        spread_units(arrays, allocation, members, product, take, subsets.lines[product])
    return allocation


def _rated_rows(rates: RateSteps, members: IntArray) -> IntArray:
    """Each member's row in ``rates`` (-1: no rate card); a rated candidate has one row.
    One comparison with the few members: a lookup of every rated candidate per subset
    priced cost more than the pricing of a pair."""
    hit = members[:, None] == rates.location[None, :]
    rows: IntArray = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    return rows


def _product_splits(
    arrays: SourcingArrays, subsets: Subsets, row: int, members: IntArray
) -> tuple[list[int], list[IntArray], list[FloatArray], list[float]] | None:
    """Per product served: every split of its units over the members, its cost, unit grams."""
    rates = arrays.rates
    assert rates is not None
    products, options, costs, grams = [], [], [], []
    columns = np.flatnonzero(subsets.member[row])
    # Every product's terms in one pass (``product_terms`` of each, the same values).
    _, _, stocks, units, cheaps = all_product_terms(arrays, members, list(subsets.lines))
    for product, take in enumerate(subsets.taken(row)):
        served = int(take[columns].sum())
        if served == 0:
            continue
        lines = np.flatnonzero(arrays.line_product == product)
        weights = rates.line_weight[lines]
        if (weights != weights[0]).any():
            return None
        stock, cheap = stocks[product], cheaps[product]
        unit = np.ascontiguousarray(units[product])  # a row of a transpose: as one alone
        split = compositions(served, stock)
        if len(split) > MAX_SPLITS:
            return None
        over = np.maximum(split - cheap[None, :], 0)
        products.append(product)
        options.append(split)
        costs.append(split @ unit + arrays.weights.ideal_stock * over.sum(axis=1))
        grams.append(float(weights[0]))
    return products, options, costs, grams


def compositions(total: int, caps: IntArray) -> IntArray:
    """Every way to split ``total`` units over len(caps) places, at most caps[j] at place j,
    in increasing order of the first place's units, then the second's, and so on.

    More than ``MAX_SPLITS`` ways: at least ``MAX_SPLITS + 1`` of them (the caller gives up).
    A few places and units (the usual subset): every prefix of the first places' units at
    once with numpy, the last place taking the rest when it can; else a pruned recursion.
    """
    bounded = np.minimum(caps, total)
    if len(caps) > 1 and int(np.prod(bounded[:-1] + 1)) <= GRID_MOST:
        prefix = np.indices(tuple((bounded[:-1] + 1).tolist())).reshape(len(caps) - 1, -1).T
        last = total - prefix.sum(axis=1)  # lexicographic rows, as the recursion lists them
        fits = (last >= 0) & (last <= caps[-1])
        return np.column_stack([prefix[fits], last[fits]]).astype(np.int64)
    return _compositions_one_by_one(total, caps)


def _compositions_one_by_one(total: int, caps: IntArray) -> IntArray:
    """``compositions`` by a recursion that stops after ``MAX_SPLITS + 1`` ways."""
    rows: list[tuple[int, ...]] = []
    room = np.concatenate([np.cumsum(caps[::-1])[::-1], [0]])  # what places j.. can take

    def extend(prefix: tuple[int, ...], left: int) -> None:
        j = len(prefix)
        if j == len(caps) - 1:
            if left <= caps[j]:
                rows.append((*prefix, left))
            return
        low = max(0, left - int(room[j + 1]))
        for units in range(low, min(int(caps[j]), left) + 1):
            extend((*prefix, units), left - units)
            if len(rows) > MAX_SPLITS:
                return

    extend((), total)
    return np.array(rows, dtype=np.int64).reshape(len(rows), len(caps))

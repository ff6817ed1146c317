"""The objective, evaluated on any allocation: one source of truth for cost.

Every policy's plan is priced here, so the MIP, the greedy and the brute
force of the tests compare on exactly the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import ObjectiveBreakdown
from sourcing.solver.sums import column_sums, row_sums
from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.weights import STEERING_TERMS, Weights

# The terms of a plan's real cost; the steering terms are reported apart.
TERMS = tuple(name for name in Weights.names() if name not in STEERING_TERMS)


def units_by_product(arrays: SourcingArrays, allocation: IntArray) -> IntArray:
    """Sum an (L, K) allocation over the lines of each product: (L, P)."""
    by_product = np.zeros(arrays.stock.shape, dtype=np.int64)
    # Whole columns, one line at a time: integer sums, so equal to np.add.at and far cheaper.
    for line, product in enumerate(arrays.line_product.tolist()):
        by_product[:, product] += allocation[:, line]
    return by_product


def evaluate(arrays: SourcingArrays, allocation: IntArray) -> ObjectiveBreakdown:
    """The weighted cost of serving ``allocation[l, k]`` units of line k from candidate l.

    Units of a line not allocated are rejected. A candidate is used (pays its
    per-fulfilment costs) when it serves at least one unit. Scarce-stock
    prices (and what they added to the rejection penalty) go to
    ``steering``, not to the cost: ``priced_total`` is what the solver
    minimises, ``total`` what the plan costs.
    """
    return _evaluate(arrays, np.asarray(allocation, dtype=np.int64), _Known())


def evaluate_alike(
    many: Sequence[SourcingArrays], allocations: Sequence[IntArray]
) -> list[ObjectiveBreakdown]:
    """``evaluate(many[i], allocations[i])`` for every i.

    Orders derived from one another (``variants.with_destination``: one cart
    sent to different places) share every cost array but the distance-priced
    ones; on equal allocations a term priced from the very same array is the
    same float, so it is priced once; so are the locations used, the units
    rejected (of the very same quantities) and below the ideal level (of the
    very same surplus and lines' products).
    """
    priced: dict[tuple[tuple[int, ...], bytes], _Known] = {}
    found = []
    for arrays, allocation in zip(many, allocations, strict=True):
        units = np.asarray(allocation, dtype=np.int64)
        known = priced.setdefault((units.shape, units.tobytes()), _Known())
        found.append(_evaluate(arrays, units, known))
    return found


class _Known:
    """What evaluations of one allocation share: terms by the cost array they were priced
    from, counts by the arrays they were counted from (the arrays alive, so their ids are
    theirs), and the locations used."""

    __slots__ = ("counts", "terms", "used")

    def __init__(self) -> None:
        self.terms: dict[tuple[str, int], float] = {}
        self.counts: dict[tuple[str, int, int], int] = {}
        self.used: BoolArray | None = None


def _evaluate(arrays: SourcingArrays, allocation: IntArray, shared: _Known) -> ObjectiveBreakdown:
    """``evaluate``; ``shared``: what was already found on this very allocation."""
    used = shared.used
    if used is None:
        used = shared.used = row_sums(allocation) > 0
    counts = shared.counts
    rejected = counts.get(("rejected", id(arrays.quantity), 0))
    if rejected is None:
        rejected = int((arrays.quantity - column_sums(allocation)).sum())
        counts[("rejected", id(arrays.quantity), 0)] = rejected
    below_key = ("below_ideal", id(arrays.surplus), id(arrays.line_product))
    below_ideal = counts.get(below_key)
    if below_ideal is None:
        by_product = units_by_product(arrays, allocation)
        below_ideal = counts[below_key] = int(np.maximum(by_product - arrays.surplus, 0).sum())
    known = shared.terms
    w = arrays.weights
    terms = dict.fromkeys(TERMS, 0.0)
    steering: dict[str, float] = {}
    for term, cost in arrays.unit_cost_parts.items():
        value = known.get(("unit", id(cost)))
        if value is None:
            value = known[("unit", id(cost))] = _priced_units(cost, allocation)
        (steering if term in STEERING_TERMS else terms)[term] = value
    for term, cost in arrays.fulfilment_cost_parts.items():
        value = known.get(("fulfilment", id(cost)))
        if value is None:
            value = known[("fulfilment", id(cost))] = float(cost[used].sum())
        if term in STEERING_TERMS:
            steering[term] = steering.get(term, 0.0) + value
        else:
            terms[term] = value
    if arrays.rates is not None:  # the parcels a rate card prices, by their weight
        terms["shipping"] += arrays.rates.cost(allocation)
    terms["split"] = w.split * max(int(used.sum()) - 1, 0)
    terms["ideal_stock"] = w.ideal_stock * float(below_ideal)
    terms["rejection"] = (arrays.rejection_penalty - arrays.steering_rejection) * rejected
    if steering:
        steering["scarcity_price"] = (
            steering.get("scarcity_price", 0.0) + arrays.steering_rejection * rejected
        )
    return ObjectiveBreakdown(terms, steering)


def _priced_units(cost: FloatArray, allocation: IntArray) -> float:
    """``float((cost * allocation).sum())``: 0.0 without computing it where every cost is
    +0.0 (a weight of zero: most terms of most profiles), as no unit is negative."""
    if cost.dtype == np.float64:
        # +0.0 is the one float64 whose bits are all zero: one pass over them, not two.
        if not cost.view(np.uint64).any():
            return 0.0
    elif not cost.any() and not np.signbit(cost).any():
        return 0.0
    return float((cost * allocation).sum())


def violations(arrays: SourcingArrays, allocation: IntArray) -> list[str]:
    """Every hard rule the allocation breaks, in words; empty when it is valid."""
    allocation = np.asarray(allocation, dtype=np.int64)
    problems: list[str] = []
    if (allocation < 0).any():
        problems.append("negative allocation")
    over_line = allocation.sum(axis=0) - arrays.quantity
    for k in np.flatnonzero(over_line > 0):
        problems.append(f"line {k} allocated {over_line[k]} units more than ordered")
    over_stock = units_by_product(arrays, allocation) - arrays.stock
    # The refs only when a problem names one: building them costs more than the checks.
    refs = arrays.location_refs if (over_stock > 0).any() or (allocation > arrays.cap).any() else ()
    for i, j in zip(*np.nonzero(over_stock > 0), strict=True):
        problems.append(
            f"{refs[i]} gives {over_stock[i, j]} units of {arrays.products[j]} beyond its stock"
        )
    over_cap = allocation > arrays.cap
    for i, k in zip(*np.nonzero(over_cap), strict=True):
        problems.append(f"{refs[i]} serves line {k} beyond what the rules allow")
    used = int((allocation.sum(axis=1) > 0).sum())
    if used > arrays.split_limit:
        problems.append(f"{used} fulfilments exceed the split limit {arrays.split_limit}")
    return problems

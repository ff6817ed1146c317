"""Arrays of one order under another split weight or sent elsewhere, without building them again.

A caller answering several questions about the same cart (the checkout's
fulfilment options) builds ``SourcingArrays`` once and derives the others:

* ``with_split``: the split weight enters the arrays only through the
  rejection penalty (it bounds the dearest fulfilment), so only that penalty
  is recomputed;
* ``with_destination``: the same order collected at another store (or sent
  to another point): only the distance and the terms priced by it (per-km
  shipping, distance per fulfilment), their sums and the penalty change.
  Rate cards price by distance band too, so arrays carrying them are refused.

Each is recomputed exactly as ``SourcingArrays.build`` computes it, in the
same order, so the derived arrays equal a fresh build field for field (tests
check it) and so does every plan solved on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.geo import haversine_km
from sourcing.solver.instance import SourcingArrays, flat_shipping
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.sums import row_sums
from sourcing.solver.types import BoolArray, FloatArray
from sourcing.solver.weights import Weights

SCARCITY_TERM = "scarcity_price"


def _dearest(rates: rc.RateSteps | None, fulfilment_cost: FloatArray) -> FloatArray:
    """Per candidate, its dearest fulfilment cost (the top band where a rate card prices it)."""
    if rates is None:
        return fulfilment_cost
    floor = rc.lower_bound(rates, len(fulfilment_cost))
    spread = np.zeros_like(floor)
    spread[rates.location] = rates.dearest - rates.alpha
    return fulfilment_cost + spread


def rejection_penalties(
    arrays: SourcingArrays,
    weights: Weights,
    unit_parts: dict[str, FloatArray],
    fulfilment_parts: dict[str, FloatArray],
    unit_cost: FloatArray,
    fulfilment_cost: FloatArray,
    usable: BoolArray | None = None,
) -> tuple[float, float]:
    """The rejection penalty and its steering part, as ``SourcingArrays.build`` sets them
    (``usable``: the candidates with room, ``row_sums(arrays.cap) > 0``, when known)."""
    quantity, cap = arrays.quantity, arrays.cap
    dearest = _dearest(arrays.rates, fulfilment_cost)
    penalty = cf.coverage_with_rejection(quantity, cap, dearest, unit_cost, weights, usable)
    if SCARCITY_TERM not in unit_parts and SCARCITY_TERM not in fulfilment_parts:
        return penalty, 0.0
    real = cf.coverage_with_rejection(
        quantity,
        cap,
        dearest - fulfilment_parts.get(SCARCITY_TERM, 0.0),
        unit_cost - unit_parts.get(SCARCITY_TERM, 0.0),
        weights,
        usable,
    )
    return penalty, penalty - real


def with_split(arrays: SourcingArrays, split: float) -> SourcingArrays:
    """``arrays`` under a split weight of ``split``; every other weight unchanged."""
    weights = arrays.weights.override({"split": split})
    penalty, steering = rejection_penalties(
        arrays,
        weights,
        arrays.unit_cost_parts,
        arrays.fulfilment_cost_parts,
        arrays.unit_cost,
        arrays.fulfilment_cost,
    )
    return replace(arrays, weights=weights, rejection_penalty=penalty, steering_rejection=steering)


def _check_destination(arrays: SourcingArrays, problem: SourcingProblem) -> None:
    """``problem`` is ``arrays.problem`` with only the order's destination changed, and the
    arrays carry no rate cards; else ``ValueError``."""
    base = arrays.problem
    same_order = replace(
        problem.order,
        delivery_point=base.order.delivery_point,
        collection_location_ref=base.order.collection_location_ref,
    )
    if (
        same_order != base.order
        or problem.locations is not base.locations
        or problem.profile != base.profile
        or problem.state is not base.state
        or problem.table is not base.table
        or problem.scarcity_prices is not base.scarcity_prices
        or problem.now != base.now
    ):
        raise ValueError("Expected a problem differing only in the order's destination.")
    if arrays.rates is not None:
        raise ValueError("Expected arrays without rate cards (they price by distance band).")


def with_destination(arrays: SourcingArrays, problem: SourcingProblem) -> SourcingArrays:
    """The arrays of ``problem``: ``arrays.problem`` with only the order's delivery point and
    collection store changed (anything else raises ``ValueError``)."""
    return with_destinations(arrays, [problem])[0]


def with_destinations(
    arrays: SourcingArrays, problems: Sequence[SourcingProblem]
) -> list[SourcingArrays]:
    """``with_destination(arrays, problem)`` for each of ``problems`` (one cart collected at
    many stores), their terms summed together.

    The sums run over a (destinations, ...) stack, term after term in the
    build's order: each element meets the same float operations as in a
    sum of its own. Each distance is its own ``haversine_km`` call (a
    transcendental ufunc over a longer run may round otherwise).
    """
    for problem in problems:
        _check_destination(arrays, problem)
    if not problems:
        return []
    table = problems[0].candidate_table()  # one table and state for all (checked)
    distance = np.array(
        [
            haversine_km(table.latitude, table.longitude, p.latitude, p.longitude)
            for p in (problem.order.delivery_point for problem in problems)
        ]
    ).reshape(len(problems), -1)
    weights = arrays.weights
    shipping = flat_shipping(weights, table.shipping_cost_per_km, distance, len(arrays.quantity))
    unit_names = list({**arrays.unit_cost_parts, "shipping": None})  # the build's order
    unit_cost = rc.unit_lower_bound(None, arrays.cap.shape)
    for name in unit_names:
        unit_cost = unit_cost + (shipping if name == "shipping" else arrays.unit_cost_parts[name])
    by_distance = weights.distance * distance
    fulfilment_names = list({**arrays.fulfilment_cost_parts, "distance": None})
    fulfilment_cost = rc.lower_bound(None, distance.shape[1])
    for name in fulfilment_names:
        part = by_distance if name == "distance" else arrays.fulfilment_cost_parts[name]
        fulfilment_cost = fulfilment_cost + part
    usable = row_sums(arrays.cap) > 0  # every destination's (one ``cap``)
    derived = []
    for i, problem in enumerate(problems):
        unit_parts = {**arrays.unit_cost_parts, "shipping": shipping[i]}
        fulfilment_parts = {**arrays.fulfilment_cost_parts, "distance": by_distance[i]}
        penalty, steering = rejection_penalties(
            arrays, weights, unit_parts, fulfilment_parts, unit_cost[i], fulfilment_cost[i], usable
        )
        derived.append(
            replace(
                arrays,
                problem=problem,
                distance_km=distance[i],
                unit_cost_parts=unit_parts,
                fulfilment_cost_parts=fulfilment_parts,
                unit_cost=unit_cost[i],
                fulfilment_cost=fulfilment_cost[i],
                rejection_penalty=penalty,
                steering_rejection=steering,
            )
        )
    return derived


__all__ = ["rejection_penalties", "with_destination", "with_destinations", "with_split"]

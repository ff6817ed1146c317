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

from dataclasses import replace

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.geo import haversine_km
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.types import FloatArray
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


def _penalties(
    arrays: SourcingArrays,
    weights: Weights,
    unit_parts: dict[str, FloatArray],
    fulfilment_parts: dict[str, FloatArray],
    unit_cost: FloatArray,
    fulfilment_cost: FloatArray,
) -> tuple[float, float]:
    """The rejection penalty and its steering part, as ``SourcingArrays.build`` sets them."""
    quantity, cap = arrays.quantity, arrays.cap
    dearest = _dearest(arrays.rates, fulfilment_cost)
    penalty = cf.coverage_with_rejection(quantity, cap, dearest, unit_cost, weights)
    if SCARCITY_TERM not in unit_parts and SCARCITY_TERM not in fulfilment_parts:
        return penalty, 0.0
    real = cf.coverage_with_rejection(
        quantity,
        cap,
        dearest - fulfilment_parts.get(SCARCITY_TERM, 0.0),
        unit_cost - unit_parts.get(SCARCITY_TERM, 0.0),
        weights,
    )
    return penalty, penalty - real


def with_split(arrays: SourcingArrays, split: float) -> SourcingArrays:
    """``arrays`` under a split weight of ``split``; every other weight unchanged."""
    weights = arrays.weights.override({"split": split})
    penalty, steering = _penalties(
        arrays,
        weights,
        arrays.unit_cost_parts,
        arrays.fulfilment_cost_parts,
        arrays.unit_cost,
        arrays.fulfilment_cost,
    )
    return replace(arrays, weights=weights, rejection_penalty=penalty, steering_rejection=steering)


def with_destination(arrays: SourcingArrays, problem: SourcingProblem) -> SourcingArrays:
    """The arrays of ``problem``: ``arrays.problem`` with only the order's delivery point and
    collection store changed (anything else raises ``ValueError``)."""
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
    table = problem.candidate_table()
    point = problem.order.delivery_point
    distance = haversine_km(table.latitude, table.longitude, point.latitude, point.longitude)
    weights = arrays.weights
    lines = len(arrays.quantity)
    unit_parts = dict(arrays.unit_cost_parts)
    unit_parts["shipping"] = np.repeat(
        (weights.shipping * (table.shipping_cost_per_km * distance))[:, None], lines, axis=1
    )
    fulfilment_parts = dict(arrays.fulfilment_cost_parts)
    fulfilment_parts["distance"] = weights.distance * distance
    unit_cost = sum(unit_parts.values(), rc.unit_lower_bound(None, arrays.cap.shape))
    fulfilment_cost = sum(fulfilment_parts.values(), rc.lower_bound(None, len(distance)))
    penalty, steering = _penalties(
        arrays, weights, unit_parts, fulfilment_parts, unit_cost, fulfilment_cost
    )
    return replace(
        arrays,
        problem=problem,
        distance_km=distance,
        unit_cost_parts=unit_parts,
        fulfilment_cost_parts=fulfilment_parts,
        unit_cost=unit_cost,
        fulfilment_cost=fulfilment_cost,
        rejection_penalty=penalty,
        steering_rejection=steering,
    )


__all__ = ["with_destination", "with_split"]

"""Arrays of one order under another split weight, without building them again.

A caller answering several questions about the same order (the checkout's
fulfilment options: the cheapest plan, then the one with fewest parcels)
builds ``SourcingArrays`` once. The split weight enters the arrays only
through the rejection penalty (it bounds the dearest fulfilment), so the
arrays under another split weight are these with that penalty recomputed
exactly as ``SourcingArrays.build`` computes it: ``with_split(build(p), s)``
equals ``build(p, weights.override({"split": s}))`` field for field (a test
checks it), and so does every plan solved on it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.types import FloatArray

SCARCITY_TERM = "scarcity_price"


def _dearest(arrays: SourcingArrays) -> FloatArray:
    """Per candidate, its dearest fulfilment cost (the top band where a rate card prices it)."""
    rates = arrays.rates
    if rates is None:
        return arrays.fulfilment_cost
    floor = rc.lower_bound(rates, len(arrays.fulfilment_cost))
    spread = np.zeros_like(floor)
    spread[rates.location] = rates.dearest - rates.alpha
    return arrays.fulfilment_cost + spread


def with_split(arrays: SourcingArrays, split: float) -> SourcingArrays:
    """``arrays`` under a split weight of ``split``; every other weight unchanged."""
    weights = arrays.weights.override({"split": split})
    dearest = _dearest(arrays)
    penalty = cf.coverage_with_rejection(
        arrays.quantity, arrays.cap, dearest, arrays.unit_cost, weights
    )
    steering = 0.0
    units, fulfilments = arrays.unit_cost_parts, arrays.fulfilment_cost_parts
    if SCARCITY_TERM in units or SCARCITY_TERM in fulfilments:
        real = cf.coverage_with_rejection(
            arrays.quantity,
            arrays.cap,
            dearest - fulfilments.get(SCARCITY_TERM, 0.0),
            arrays.unit_cost - units.get(SCARCITY_TERM, 0.0),
            weights,
        )
        steering = penalty - real
    return replace(arrays, weights=weights, rejection_penalty=penalty, steering_rejection=steering)


__all__ = ["with_split"]

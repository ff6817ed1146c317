"""Orders whose candidates may not hold their best priced plan: solved exactly, then refitted.

An order's bound in the wave comes from its candidates, unless a plan using
another location might be cheaper (the outside bound is below). For such
an order, the wave's current prices are added to its own costs and the
single-order solver (``solve_arrays``: Lagrangian reduction, enumeration,
MIP) solves it over every location. That gives

* a proved bound on the order's priced problem at these prices, which
  lifts the wave's bound (``Dual.lift``);
* the locations of its best priced plan, which its candidates then keep
  (``data.fit`` with the prices as surcharge).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.solve import solve_arrays
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.data import Surcharge, fit
from sourcing.solver.wave.model import OrderModel

# Time the single-order solver may take per order.
EXACT_TIME_LIMIT_S = 1.0
CHUNK = 128


@dataclass(frozen=True, slots=True)
class Refined:
    """What refining some orders gave: their bounds at the prices, and their new models."""

    orders: list[int]
    bounds: FloatArray
    models: list[OrderModel]


def priced_bound(
    arrays: SourcingArrays, extra_unit: FloatArray, extra_fixed: FloatArray, time_limit_s: float
) -> tuple[float, IntArray]:
    """A bound on the order's problem with the wave's prices, and the locations of its best plan.

    In the wave's relaxation a unit costs its price on the position's stock
    plus the lesser of the ideal-stock penalty and the price on the surplus,
    and no unit is counted below the ideal level; a rejected unit costs the
    profile's rejection weight.
    """
    unbounded = np.full_like(arrays.surplus, np.iinfo(np.int64).max // 4)
    priced = replace(
        arrays,
        unit_cost=arrays.unit_cost + extra_unit,
        fulfilment_cost=arrays.fulfilment_cost + extra_fixed,
        # Two names: ``evaluate`` keeps one value per term, so a fulfilment part named as a
        # unit part would replace it (the stock prices would then drop out of the total).
        unit_cost_parts={**arrays.unit_cost_parts, "wave_unit_prices": extra_unit},
        fulfilment_cost_parts={
            **arrays.fulfilment_cost_parts,
            "wave_fulfilment_prices": extra_fixed,
        },
        surplus=unbounded,
        rejection_penalty=arrays.weights.rejection,
    )
    plan = solve_arrays(priced, time_limit_s=max(time_limit_s, 1e-3))
    total = plan.objective.priced_total  # the solver's gap is on what it minimised
    bound = total - plan.gap * abs(total) if math.isfinite(plan.gap) else -math.inf
    refs = {f.location_ref for f in plan.fulfilments}
    used = [i for i, location in enumerate(arrays.problem.locations) if location.ref in refs]
    return bound, np.array(used, dtype=np.int64)


def refine(
    arrays_of: Callable[[int], SourcingArrays],
    orders: Sequence[int],
    product_ids: dict[str, int],
    surcharge: Surcharge,
    keep: dict[int, IntArray],
    certify: dict[int, FloatArray],
    deadline: float,
    candidates: int,
) -> Refined:
    """Solve ``orders`` exactly at the prices, then refit them, until ``deadline``."""
    done: list[int] = []
    bounds: list[float] = []
    models: list[OrderModel] = []
    for start in range(0, len(orders), CHUNK):
        built: dict[int, SourcingArrays] = {}
        for o in orders[start : start + CHUNK]:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            arrays = built[o] = arrays_of(o)
            ids = np.array([product_ids.setdefault(p, len(product_ids)) for p in arrays.products])
            extra_unit, extra_fixed = surcharge(arrays, ids[arrays.line_product])
            bound, used = priced_bound(
                arrays, extra_unit, extra_fixed, min(left, EXACT_TIME_LIMIT_S)
            )
            bounds.append(bound)
            keep[o] = np.union1d(keep.get(o, np.zeros(0, dtype=np.int64)), used)
        chunk = list(built)
        models.extend(
            fit(built.__getitem__, chunk, product_ids, surcharge, keep, certify, candidates)
        )
        done.extend(chunk)
        if len(chunk) < min(CHUNK, len(orders) - start):
            break
    return Refined(done, np.array(bounds), models)

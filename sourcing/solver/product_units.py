"""What each candidate can serve of each product, and how its units go onto the lines.

A product's servable lines are its order lines that some candidate has room
for (the rest are rejected whatever the plan). Per candidate, a product is
offered in two segments: its cheap units (above the ideal stock level, at
the unit cost) and the rest (dearer by the ideal-stock weight). The subset
pricing (``subset_pricing``), the per-plan pricing (``small_plans``) and the
rated searches take these terms from here, and put a plan's units back onto
the product's lines in line order with ``spread_units``.
"""

from __future__ import annotations

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.sums import column_sums
from sourcing.solver.types import FloatArray, IntArray


def product_terms(
    arrays: SourcingArrays, candidates: IntArray, product: int, lines: IntArray | None = None
) -> tuple[int, int, IntArray, FloatArray, IntArray]:
    """One product's units ordered and servable, and per candidate: units it can
    serve, unit cost, and units below the ideal-stock penalty (the cheap ones).

    ``lines``: the product's servable lines, when the caller has them (``servable_lines``).
    """
    if lines is None:
        lines = _servable_lines(arrays, product)
    ordered = int(arrays.quantity[arrays.line_product == product].sum())
    wanted = int(arrays.quantity[lines].sum())
    if len(lines):
        can = arrays.cap[np.ix_(candidates, lines)].max(axis=1) > 0
        stock = np.minimum(arrays.stock[candidates, product], wanted) * can
        unit = arrays.unit_cost[candidates, lines[0]]
    else:
        stock = np.zeros(len(candidates), dtype=np.int64)
        unit = np.zeros(len(candidates))
    cheap = np.minimum(arrays.surplus[candidates, product], stock)
    return ordered, wanted, stock, unit, cheap


def all_product_terms(
    arrays: SourcingArrays, candidates: IntArray, lines: list[IntArray]
) -> tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]:
    """``product_terms`` of every product at once, as (P,) and (P, n) arrays."""
    products = len(lines)
    # Units ordered and servable per product: integer sums over the order's few lines.
    line_product, quantity = arrays.line_product.tolist(), arrays.quantity.tolist()
    ordered_units, wanted_units = [0] * products, [0] * products
    for product, units in zip(line_product, quantity, strict=True):
        ordered_units[product] += units
    servable = [k for ks in lines for k in ks.tolist()]
    for k in servable:
        wanted_units[line_product[k]] += quantity[k]
    ordered = np.array(ordered_units, dtype=np.int64)
    wanted = np.array(wanted_units, dtype=np.int64)
    cap = arrays.cap[candidates]
    can = np.zeros((len(candidates), products), dtype=bool)
    for k in servable:  # can: some servable line of the product has room here
        can[:, line_product[k]] |= cap[:, k] > 0
    stock = np.minimum(arrays.stock[candidates], wanted[None, :]) * can
    first = np.array([ls[0] if len(ls) else 0 for ls in lines], dtype=np.int64)
    has_lines = np.array([len(ls) > 0 for ls in lines])
    unit = np.where(has_lines[None, :], arrays.unit_cost[candidates][:, first], 0.0)
    cheap = np.minimum(arrays.surplus[candidates], stock)
    return ordered, wanted, stock.T, unit.T, cheap.T


def _servable_lines(arrays: SourcingArrays, product: int) -> IntArray:
    """The product's lines that some candidate may serve (the rest are rejected anyway)."""
    return np.flatnonzero((arrays.line_product == product) & (column_sums(arrays.cap) > 0))


def servable_lines(arrays: SourcingArrays) -> list[IntArray]:
    """``_servable_lines`` of every product, summing the capacities once (and sorting the
    order's few lines by product in Python: a numpy pass per product cost more)."""
    lines: list[list[int]] = [[] for _ in arrays.products]
    servable = (column_sums(arrays.cap) > 0).tolist()
    for k, (product, held) in enumerate(zip(arrays.line_product.tolist(), servable, strict=True)):
        if held:
            lines[product].append(k)
    return [np.array(ks, dtype=np.intp) for ks in lines]


def spread_units(
    arrays: SourcingArrays,
    allocation: IntArray,
    candidates: IntArray,
    product: int,
    take: IntArray,
    lines: IntArray | None = None,
) -> None:
    """Split each candidate's units of a product over the product's lines, in line order.

    ``lines``: the product's servable lines, when the caller has them (``servable_lines``).
    """
    if lines is None:
        lines = _servable_lines(arrays, product)
    ks = np.asarray(lines).tolist()
    left = arrays.quantity[ks].tolist()
    for i, units in zip(np.asarray(candidates).tolist(), np.asarray(take).tolist(), strict=True):
        for j, k in enumerate(ks):
            if units <= 0:
                break  # nothing left to place: no later line takes any
            step = min(units, left[j])
            if step > 0:
                allocation[i, k] += step
                left[j] -= step
                units -= step

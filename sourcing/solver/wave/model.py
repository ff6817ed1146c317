"""The wave model's data: each order's ``OrderModel`` and the flat arrays of all of them.

An order in the wave is a dozen candidate locations with their fulfilment
costs, an entry per (candidate, line) it may give with its cap, unit cost,
stock level and surplus, and the numbers that bound its plans through
other locations (see ``wave.data``, which builds the models). ``Wave``
concatenates the models into flat arrays indexed by order, line, candidate,
entry and position (location, product), which the rest works on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sourcing.solver.types import BoolArray, FloatArray, IntArray

# Subsets of the candidates priced exactly; outside locations whose g is kept,
# so the outside bound can follow capacity prices.
MAX_SUBSET_SIZE = 3
OUTSIDE_KEPT = 16


@dataclass(frozen=True, slots=True)
class OrderModel:
    """One order in the wave model: its lines, candidates, entries and outside bound."""

    quantity: IntArray  # (K,)
    line_price: FloatArray  # (K,)
    cand_location: IntArray  # (n,)
    cand_fixed: FloatArray  # (n,)
    entry_cand: IntArray  # (e,) index into the candidates
    entry_line: IntArray  # (e,)
    entry_cap: IntArray
    entry_unit: FloatArray
    entry_stock: IntArray  # the order's own stock level of the product there
    entry_surplus: IntArray
    entry_code: IntArray  # location << 32 | wave-wide product id
    penalty: float  # per rejected unit, the least any state prices it: the bound's
    plan_penalty: float  # per rejected unit, as the order's own objective prices it
    split_weight: float
    split_limit: int
    ideal_weight: float
    is_cc: bool
    bound_constant: float
    others: float  # the S - 1 most negative g over every usable location
    outside_location: IntArray  # (R,) the outside locations with the smallest g
    outside_g: FloatArray  # (R,)
    outside_floor: float  # every other outside location has at least this g


@dataclass(frozen=True, slots=True)
class Wave:
    """The orders' models as flat arrays.

    Lines of order o are ``line_start[o]:line_start[o + 1]``, its candidates
    ``cand_start[o]:cand_start[o + 1]`` and their entries are contiguous in
    candidate order. Positions (location, product) are keys, ``key_code``
    sorted.
    """

    models: tuple[OrderModel, ...]
    penalty: FloatArray
    plan_penalty: FloatArray
    split_weight: FloatArray
    split_limit: IntArray
    ideal_weight: FloatArray
    is_cc: BoolArray
    line_start: IntArray
    cand_start: IntArray
    bound_constant: FloatArray
    others: FloatArray
    outside_location: IntArray  # (O, R), -1 padding
    outside_g: FloatArray  # (O, R), inf padding
    outside_floor: FloatArray
    quantity: IntArray
    line_price: FloatArray
    cand_order: IntArray
    cand_location: IntArray
    cand_fixed: FloatArray
    entry_cand: IntArray
    entry_line: IntArray
    entry_cap: IntArray
    entry_unit: FloatArray
    entry_stock: IntArray
    entry_key: IntArray
    key_code: IntArray
    key_stock: IntArray
    key_surplus: IntArray

    @property
    def n_orders(self) -> int:
        """Orders in the wave."""
        return len(self.penalty)

    @property
    def entry_order(self) -> IntArray:
        """The order of each entry."""
        result: IntArray = self.cand_order[self.entry_cand]
        return result

    @classmethod
    def of(cls, models: Sequence[OrderModel]) -> Wave:
        """Concatenate the orders' models."""

        def cat(name: str, dtype: type) -> np.ndarray:
            parts = [getattr(m, name) for m in models]
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        def each(name: str, dtype: type) -> np.ndarray:
            return np.array([getattr(m, name) for m in models], dtype=dtype)

        n_cands = np.array([len(m.cand_location) for m in models], dtype=np.int64)
        n_lines = np.array([len(m.quantity) for m in models], dtype=np.int64)
        n_entries = np.array([len(m.entry_cand) for m in models], dtype=np.int64)
        cand_start = np.concatenate([[0], np.cumsum(n_cands)]).astype(np.int64)
        line_start = np.concatenate([[0], np.cumsum(n_lines)]).astype(np.int64)
        codes = cat("entry_code", np.int64)
        key_code, entry_key = np.unique(codes, return_inverse=True)
        stock = np.zeros(len(key_code), dtype=np.int64)
        np.maximum.at(stock, entry_key, cat("entry_stock", np.int64))
        surplus = np.zeros(len(key_code), dtype=np.int64)
        np.maximum.at(surplus, entry_key, cat("entry_surplus", np.int64))
        outside_location = np.full((len(models), OUTSIDE_KEPT), -1, dtype=np.int64)
        outside_g = np.full((len(models), OUTSIDE_KEPT), np.inf)
        for o, m in enumerate(models):
            outside_location[o, : len(m.outside_location)] = m.outside_location
            outside_g[o, : len(m.outside_g)] = m.outside_g
        return cls(
            models=tuple(models),
            penalty=each("penalty", float),
            plan_penalty=each("plan_penalty", float),
            split_weight=each("split_weight", float),
            split_limit=each("split_limit", np.int64),
            ideal_weight=each("ideal_weight", float),
            is_cc=each("is_cc", bool),
            line_start=line_start,
            cand_start=cand_start,
            bound_constant=each("bound_constant", float),
            others=each("others", float),
            outside_location=outside_location,
            outside_g=outside_g,
            outside_floor=each("outside_floor", float),
            quantity=cat("quantity", np.int64),
            line_price=cat("line_price", float),
            cand_order=np.repeat(np.arange(len(models)), n_cands).astype(np.int64),
            cand_location=cat("cand_location", np.int64),
            cand_fixed=cat("cand_fixed", float),
            entry_cand=cat("entry_cand", np.int64) + np.repeat(cand_start[:-1], n_entries),
            entry_line=cat("entry_line", np.int64) + np.repeat(line_start[:-1], n_entries),
            entry_cap=cat("entry_cap", np.int64),
            entry_unit=cat("entry_unit", float),
            entry_stock=cat("entry_stock", np.int64),
            entry_key=entry_key.astype(np.int64).reshape(-1),
            key_code=key_code,
            key_stock=stock,
            key_surplus=surplus,
        )

    def outside_bound(self, capacity_prices: FloatArray) -> FloatArray:
        """Per order, no plan using a location outside its candidates costs less.

        ``capacity_prices`` (L, 3) are the prices on capacity (total, HD, CC).
        """
        at = np.maximum(self.outside_location, 0)
        kind = 1 + self.is_cc.astype(np.int64)
        extra = capacity_prices[at, 0] + capacity_prices[at, kind[:, None]]
        nearest = np.where(self.outside_location >= 0, self.outside_g + extra, np.inf).min(axis=1)
        result: FloatArray = (
            self.bound_constant + self.others + np.minimum(nearest, self.outside_floor)
        )
        return result

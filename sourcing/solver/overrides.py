"""What changes from order to order over one candidate tuple: stock, capacity left, open orders.

An order host sources order after order against the same network. The
locations, their costs, switches and networks stay put; the stock of the
order's products, the capacity left today and the open orders move with
every order. A caller can therefore keep one tuple of ``Location`` (and with
it the solver's cached ``LocationTable``) and hand the moving part over as
arrays, in candidate order::

    problem = SourcingProblem(order, locations, profile, state=CandidateState(...))

When a problem has a state, the solver takes stock, remaining capacity and
open orders from it alone: the candidates' own ``stock``, ``capacity`` and
``open_orders`` are not read. A product the state does not list is stocked
nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sourcing.solver.errors import InvalidProblem
from sourcing.solver.inputs import InTransit
from sourcing.solver.types import FloatArray, IntArray

_UNLIMITED = -1
_COUNTS = ("on_hand", "reserved", "buffer_qty", "ideal_qty")
_FRACTIONS = ("markdown", "sell_through")


@dataclass(frozen=True, slots=True)
class ProductColumn:
    """Where one product is stocked: candidate indices and each position's numbers."""

    index: IntArray
    on_hand: IntArray
    reserved: IntArray
    buffer_qty: IntArray
    ideal_qty: IntArray
    markdown: FloatArray
    sell_through: FloatArray
    stock_age_days: FloatArray
    in_transit: tuple[tuple[int, tuple[InTransit, ...]], ...]


@dataclass(frozen=True, slots=True)
class CandidateState:
    """Per-order stock, capacity left today and open orders of the candidates.

    ``stock`` maps a product ref to where it is stocked (candidate indices,
    ascending) and each position's numbers. ``capacity_*`` hold the orders
    each candidate can still take today, ``-1`` meaning unlimited;
    ``open_orders`` its fulfilments not yet picked. Every array has one entry
    per candidate.
    """

    stock: Mapping[str, ProductColumn]
    capacity_total: IntArray
    capacity_hd: IntArray
    capacity_cc: IntArray
    open_orders: IntArray

    def __post_init__(self) -> None:
        n = len(self.capacity_total)
        for name in ("capacity_total", "capacity_hd", "capacity_cc", "open_orders"):
            values = np.asarray(getattr(self, name))
            if values.ndim != 1 or len(values) != n:
                raise InvalidProblem(
                    f"Expected state.{name} to hold one entry per candidate ({n}), "
                    f"got shape {values.shape}."
                )
            low = 0 if name == "open_orders" else _UNLIMITED
            if n and int(values.min()) < low:
                raise InvalidProblem(
                    f"Expected state.{name} to be >= {low}, got {int(values.min())}."
                )
        for product, column in self.stock.items():
            _check_column(product, column, n)

    @classmethod
    def unchecked(
        cls,
        stock: Mapping[str, ProductColumn],
        capacity_total: IntArray,
        capacity_hd: IntArray,
        capacity_cc: IntArray,
        open_orders: IntArray,
    ) -> CandidateState:
        """A state derived from checked ones by the solver's own bookkeeping, not checked again.

        The checks cost about as much as a small order's solve (every
        product column's numbers), and a wave derives a state per order
        from the one it was given: stock taken off, capacity counted down.
        Callers outside the solver build states with the checked constructor.
        """
        state = object.__new__(cls)
        object.__setattr__(state, "stock", stock)
        object.__setattr__(state, "capacity_total", capacity_total)
        object.__setattr__(state, "capacity_hd", capacity_hd)
        object.__setattr__(state, "capacity_cc", capacity_cc)
        object.__setattr__(state, "open_orders", open_orders)
        return state

    @property
    def size(self) -> int:
        """Candidates the state describes."""
        return len(self.capacity_total)


def _check_column(product: str, column: ProductColumn, n: int) -> None:
    index = np.asarray(column.index)
    at = f"state.stock[{product!r}]"
    if index.ndim != 1:
        raise InvalidProblem(f"Expected {at}.index to be one-dimensional, got shape {index.shape}.")
    if len(index) and (int(index[0]) < 0 or int(index[-1]) >= n or (np.diff(index) <= 0).any()):
        raise InvalidProblem(
            f"Expected {at}.index to be ascending candidate indices in [0, {n}), got {index}."
        )
    names = (*_COUNTS, *_FRACTIONS, "stock_age_days")
    values = [np.asarray(getattr(column, name)) for name in names]
    for name, value in zip(names, values, strict=True):
        if value.shape != index.shape:
            raise InvalidProblem(
                f"Expected {at}.{name} to hold one entry per index ({len(index)}), "
                f"got shape {value.shape}."
            )
    if not len(index):
        return
    # One pass over all the numbers; the field is looked for only when one is wrong.
    table = np.vstack(values).astype(float)
    fractions = table[len(_COUNTS) : len(_COUNTS) + len(_FRACTIONS)]
    if np.isnan(table).any() or table.min() < 0 or fractions.max() > 1:
        for name, value in zip(names, table, strict=True):
            if np.isnan(value).any() or value.min() < 0:
                raise InvalidProblem(
                    f"Expected {at}.{name} to be non-negative numbers, got {value}."
                )
            if name in _FRACTIONS and value.max() > 1:
                raise InvalidProblem(
                    f"Expected {at}.{name} to be fractions in [0, 1], got {value}."
                )
    for i, _ in column.in_transit:
        if not 0 <= i < n:
            raise InvalidProblem(f"Expected {at}.in_transit at candidate indices, got {i}.")

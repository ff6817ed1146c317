"""Candidate locations as columns, built once per candidate set and reused.

An order host sources many orders against the same network, so the solver
keeps the columnar form of the last few candidate tuples it saw (by
identity): per-location numbers as arrays, and per product the locations
that stock it. Building an order's arrays is then a few numpy gathers
instead of a Python loop over every location and product.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from sourcing.solver.inputs import Location
from sourcing.solver.overrides import CandidateState, ProductColumn
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.types import BoolArray, FloatArray, IntArray

# How many candidate tuples keep their table.
CACHE_SIZE = 4
# How many per-order states keep their merged table (one per order in flight).
STATE_CACHE_SIZE = 64
_UNLIMITED = -1


@dataclass(frozen=True, slots=True)
class LocationTable:
    """The candidates' numbers as arrays, in candidate order."""

    latitude: FloatArray
    longitude: FloatArray
    fixed_cost: FloatArray
    handling_cost: FloatArray
    shipping_cost_per_km: FloatArray
    pick_pack_hours: FloatArray
    capacity_total: IntArray  # -1: unlimited
    capacity_hd: IntArray
    capacity_cc: IntArray
    open_orders: IntArray
    hd_open_order_limit: IntArray  # -1: the profile's limit applies
    hd_enabled: BoolArray
    cc_enabled: BoolArray
    flagship: BoolArray
    vip_service: BoolArray
    refs: tuple[str, ...]
    networks: tuple[frozenset[str], ...]
    products: dict[str, ProductColumn]
    _members: dict[str, BoolArray] = field(default_factory=dict)

    def in_network(self, network: str) -> BoolArray:
        """Which candidates belong to ``network`` (cached)."""
        mask = self._members.get(network)
        if mask is None:
            mask = np.array([network in n for n in self.networks], dtype=bool).reshape(-1)
            self._members[network] = mask
        return mask

    @classmethod
    def of(cls, locations: tuple[Location, ...]) -> LocationTable:
        """The table of a candidate tuple, from the cache when this very tuple was seen."""
        key = id(locations)
        with _LOCK:
            hit = _CACHE.get(key)
            if hit is not None and hit[0] is locations:
                _CACHE.move_to_end(key)
                return hit[1]
        table = cls._build(locations)
        with _LOCK:
            _CACHE[key] = (locations, table)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return table

    @classmethod
    def of_problem(cls, problem: SourcingProblem) -> LocationTable:
        """The table of a problem's candidates, with its per-order ``state`` applied if any.

        The state's stock, capacity left and open orders replace the
        candidates' own (see ``sourcing.solver.overrides``); everything
        else comes from the cached table of the candidate tuple.
        """
        table = cls.of(problem.locations)
        state = problem.state
        if state is None:
            return table
        key = id(state)
        with _LOCK:
            hit = _STATE_CACHE.get(key)
            if hit is not None and hit[0] is state and hit[1] is table:
                return hit[2]
        merged = replace(
            table,
            products=dict(state.stock),
            capacity_total=state.capacity_total,
            capacity_hd=state.capacity_hd,
            capacity_cc=state.capacity_cc,
            open_orders=state.open_orders,
        )
        with _LOCK:
            _STATE_CACHE[key] = (state, table, merged)
            while len(_STATE_CACHE) > STATE_CACHE_SIZE:
                _STATE_CACHE.popitem(last=False)
        return merged

    @classmethod
    def _build(cls, locations: tuple[Location, ...]) -> LocationTable:
        def floats(name: str) -> FloatArray:
            return np.array([getattr(loc, name) for loc in locations], dtype=float).reshape(-1)

        def flags(name: str) -> BoolArray:
            return np.array([getattr(loc, name) for loc in locations], dtype=bool).reshape(-1)

        def capacity(name: str) -> IntArray:
            values = [getattr(loc.capacity, name) for loc in locations]
            return np.array(
                [_UNLIMITED if v is None else v for v in values], dtype=np.int64
            ).reshape(-1)

        return cls(
            latitude=np.array([loc.point.latitude for loc in locations], dtype=float).reshape(-1),
            longitude=np.array([loc.point.longitude for loc in locations], dtype=float).reshape(-1),
            fixed_cost=floats("fixed_cost"),
            handling_cost=floats("handling_cost"),
            shipping_cost_per_km=floats("shipping_cost_per_km"),
            pick_pack_hours=floats("pick_pack_hours"),
            capacity_total=capacity("total"),
            capacity_hd=capacity("hd"),
            capacity_cc=capacity("cc"),
            open_orders=np.array([loc.open_orders for loc in locations], dtype=np.int64).reshape(
                -1
            ),
            hd_open_order_limit=capacity_like(locations, "hd_open_order_limit"),
            hd_enabled=flags("hd_enabled"),
            cc_enabled=flags("cc_enabled"),
            flagship=flags("flagship"),
            vip_service=flags("vip_service"),
            refs=tuple(loc.ref for loc in locations),
            networks=tuple(loc.networks for loc in locations),
            products=_product_columns(locations),
        )


def capacity_like(locations: tuple[Location, ...], name: str) -> IntArray:
    """An optional non-negative integer attribute as an array, -1 where it is unset."""
    values = [getattr(loc, name) for loc in locations]
    return np.array([_UNLIMITED if v is None else v for v in values], dtype=np.int64).reshape(-1)


def _product_columns(locations: tuple[Location, ...]) -> dict[str, ProductColumn]:
    rows: dict[str, list[tuple[int, object]]] = {}
    for i, location in enumerate(locations):
        for product, position in location.stock.items():
            rows.setdefault(product, []).append((i, position))
    columns = {}
    for product, entries in rows.items():
        index = np.array([i for i, _ in entries], dtype=np.int64)
        positions = [p for _, p in entries]

        def col(name: str, kind: type, positions: list[object] = positions) -> np.ndarray:
            return np.array([getattr(p, name) for p in positions], dtype=kind)

        columns[product] = ProductColumn(
            index=index,
            on_hand=col("on_hand", np.int64),
            reserved=col("reserved", np.int64),
            buffer_qty=col("buffer_qty", np.int64),
            ideal_qty=col("ideal_qty", np.int64),
            markdown=col("markdown", float),
            sell_through=col("sell_through", float),
            stock_age_days=col("stock_age_days", float),
            in_transit=tuple(
                (i, p.in_transit)  # type: ignore[attr-defined]
                for i, p in entries
                if p.in_transit  # type: ignore[attr-defined]
            ),
        )
    return columns


_LOCK = threading.Lock()
_CACHE: OrderedDict[int, tuple[tuple[Location, ...], LocationTable]] = OrderedDict()
_STATE_CACHE: OrderedDict[int, tuple[CandidateState, LocationTable, LocationTable]] = OrderedDict()


def candidate_state(locations: tuple[Location, ...]) -> CandidateState:
    """The state the candidates carry themselves: their stock, capacity and open orders."""
    table = LocationTable.of(locations)
    return CandidateState(
        stock=table.products,
        capacity_total=table.capacity_total,
        capacity_hd=table.capacity_hd,
        capacity_cc=table.capacity_cc,
        open_orders=table.open_orders,
    )

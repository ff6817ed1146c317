"""Candidate locations as columns, built once per candidate set and reused.

An order host sources many orders against the same network, so the solver
keeps the columnar form of the last few candidate tuples it saw (by
identity): per-location numbers as arrays, and per product the locations
that stock it. Building an order's arrays is then a few numpy gathers
instead of a Python loop over every location and product.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sourcing.solver.errors import InvalidProblem
from sourcing.solver.inputs import Location
from sourcing.solver.overrides import CandidateState, ProductColumn
from sourcing.solver.types import BoolArray, FloatArray, IntArray

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
    # Has carrier services: only such a candidate can be priced by a rate card (``rates``).
    carried: BoolArray
    refs: tuple[str, ...]
    networks: tuple[frozenset[str], ...]
    products: dict[str, ProductColumn]
    # The tuple the table was built from: a problem checks its table is this one's.
    source: tuple[Location, ...] = field(default=(), compare=False, repr=False)
    _members: dict[str, BoolArray] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)

    def index_of(self, ref: str) -> int | None:
        """The candidate index of location ``ref``, None when it is not a candidate (cached)."""
        if not self._index and self.refs:
            self._index.update((r, i) for i, r in enumerate(self.refs))
        return self._index.get(ref)

    def in_network(self, network: str) -> BoolArray:
        """Which candidates belong to ``network`` (cached)."""
        mask = self._members.get(network)
        if mask is None:
            mask = np.array([network in n for n in self.networks], dtype=bool).reshape(-1)
            self._members[network] = mask
        return mask

    @classmethod
    def of(cls, locations: tuple[Location, ...]) -> LocationTable:
        """The candidates' numbers as arrays; raises when two candidates share a ref.

        Building it reads every location, which for a large network costs far
        more than a small order's solve. A caller sourcing many orders over one
        candidate tuple builds it once and passes it as ``SourcingProblem.table``:
        the solver keeps no cache of its own.
        """
        return cls._build(locations)

    def state(self) -> CandidateState:
        """The per-order state this table holds: stock, capacity left and open orders."""
        return CandidateState.unchecked(
            stock=self.products,
            capacity_total=self.capacity_total,
            capacity_hd=self.capacity_hd,
            capacity_cc=self.capacity_cc,
            open_orders=self.open_orders,
        )

    def with_state(self, state: CandidateState | None) -> LocationTable:
        """This table with a per-order state's stock, capacity left and open orders."""
        if state is None:
            return self
        return replace(
            self,
            products=dict(state.stock),
            capacity_total=state.capacity_total,
            capacity_hd=state.capacity_hd,
            capacity_cc=state.capacity_cc,
            open_orders=state.open_orders,
        )

    def subset(self, index: IntArray) -> LocationTable:
        """The table of candidates ``index`` (ascending), without stock: a state supplies it.

        Its ``source`` is those candidates' locations, so a problem over them
        accepts it. Every per-location number is the same as in this table.
        """
        if not self.source:
            raise InvalidProblem("Expected a table built from its locations to take a subset of.")
        at = [int(i) for i in index]
        return replace(
            self,
            latitude=self.latitude[index],
            longitude=self.longitude[index],
            fixed_cost=self.fixed_cost[index],
            handling_cost=self.handling_cost[index],
            shipping_cost_per_km=self.shipping_cost_per_km[index],
            pick_pack_hours=self.pick_pack_hours[index],
            capacity_total=self.capacity_total[index],
            capacity_hd=self.capacity_hd[index],
            capacity_cc=self.capacity_cc[index],
            open_orders=self.open_orders[index],
            hd_open_order_limit=self.hd_open_order_limit[index],
            hd_enabled=self.hd_enabled[index],
            cc_enabled=self.cc_enabled[index],
            flagship=self.flagship[index],
            vip_service=self.vip_service[index],
            carried=self.carried[index],
            refs=tuple(self.refs[i] for i in at),
            networks=tuple(self.networks[i] for i in at),
            products={},
            source=tuple(self.source[i] for i in at),
            _members={},  # the caches are per candidate tuple
            _index={},
        )

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
            carried=np.array([bool(loc.carrier_services) for loc in locations], dtype=bool).reshape(
                -1
            ),
            refs=_unique_refs(locations),
            source=locations,
            networks=tuple(loc.networks for loc in locations),
            products=_product_columns(locations),
        )


def _unique_refs(locations: tuple[Location, ...]) -> tuple[str, ...]:
    refs = tuple(loc.ref for loc in locations)
    if len(set(refs)) != len(refs):
        seen: set[str] = set()
        for ref in refs:
            if ref in seen:
                raise InvalidProblem(f"Expected location refs to be unique, got {ref!r} twice.")
            seen.add(ref)
    return refs


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


def candidate_state(locations: tuple[Location, ...]) -> CandidateState:
    """The state the candidates carry themselves: their stock, capacity and open orders."""
    return LocationTable.of(locations).state()

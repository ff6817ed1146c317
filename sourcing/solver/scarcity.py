"""Scarce-stock prices: the opportunity cost of a unit of each stock position.

A per-order decision sees only its own order, so it takes the cheapest
nearby units even when later orders will need exactly those units and have
nowhere else to go (Acimovic & Graves, "Making better fulfillment decisions
on the fly", M&SOM 2015). The remedy prices each position with the dual of
its stock row in a transportation LP of the demand expected over a horizon,
by region and product; the per-order solve then adds ``weights.scarcity_price``
times that price to every unit it takes (``constraints.scarcity_price``).

The LP (indices: l location, r region, p product; arcs only from the
``arcs_per_demand`` cheapest locations holding p to each (r, p) with demand):

    min  sum_lrp c_lr x_lrp + P sum_rp u_rp
    s.t. (1) demand    sum_l x_lrp + u_rp = d_rp           for all r, p
         (2) stock     sum_r x_lrp <= s_lp                 for all l, p   (dual pi_lp)
         (3) capacity  sum_rp x_lrp <= n_l g               for l with a capacity (dual mu_l)
         x, u >= 0

where n_l is the fulfilments location l can still take and g the units a
fulfilment holds on average. The price of position (l, p) is pi_lp: what
the horizon's cost falls by with one more unit there. It is 0 where stock is
plentiful and up to the rejection penalty P where a unit taken now is a unit
some later order cannot get. A location short of capacity is priced per
fulfilment, mu_l g: a fulfilment takes a whole slot of its daily capacity,
however few units it holds. Nothing here touches a database or the wire.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from sourcing.solver.geo import haversine_km
from sourcing.solver.inputs import Order
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.weights import Weights

if TYPE_CHECKING:
    from sourcing.solver.overrides import ProductColumn
    from sourcing.solver.table import LocationTable

# Arcs from the cheapest locations per (region, product): a far location's
# unit serves a region only when every nearer one is empty, and the LP grows
# with the arcs, not with the network.
DEFAULT_ARCS_PER_DEMAND = 40
# Grid cells, in degrees of latitude and longitude, that make a region.
DEFAULT_CELL_DEG = 0.5
# Units per fulfilment that the fixed cost of a fulfilment is spread over.
DEFAULT_UNITS_PER_FULFILMENT = 2.0
# Prices below this are rounding in the LP's duals, not scarcity.
PRICE_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class ScarcityPrices:
    """Price per unit of each stock position, by product ref then location ref.

    Positions not listed are priced 0 (their stock is not scarce).
    ``per_fulfilment`` prices a fulfilment at a location short of capacity,
    by location ref (0 when not listed).
    """

    by_product: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    per_fulfilment: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for product, prices in self.by_product.items():
            for location, price in prices.items():
                _check_price(f"scarcity_prices[{product!r}][{location!r}]", price)
        for location, price in self.per_fulfilment.items():
            _check_price(f"scarcity_prices.per_fulfilment[{location!r}]", price)

    def of(self, product_ref: str, location_ref: str) -> float:
        """The price of one unit of ``product_ref`` at ``location_ref`` (0 when not listed)."""
        return float(self.by_product.get(product_ref, {}).get(location_ref, 0.0))

    def positions(self) -> Iterable[tuple[str, str, float]]:
        """Every priced position as (location ref, product ref, price)."""
        for product, prices in self.by_product.items():
            for location, price in prices.items():
                yield location, product, price

    @classmethod
    def from_positions(cls, rows: Iterable[tuple[str, str, float]]) -> ScarcityPrices:
        """Prices from (location ref, product ref, price) rows."""
        by_product: dict[str, dict[str, float]] = {}
        for location, product, price in rows:
            by_product.setdefault(product, {})[location] = float(price)
        return cls(by_product)


def mean_prices(prices: Sequence[ScarcityPrices]) -> ScarcityPrices:
    """The mean of ``prices``, position by position (a position one leaves out counts 0)."""
    by_product: dict[str, dict[str, float]] = {}
    per_fulfilment: dict[str, float] = {}
    for one in prices:
        for product, at in one.by_product.items():
            mean = by_product.setdefault(product, {})
            for location, price in at.items():
                mean[location] = mean.get(location, 0.0) + price / len(prices)
        for location, price in one.per_fulfilment.items():
            per_fulfilment[location] = per_fulfilment.get(location, 0.0) + price / len(prices)
    return ScarcityPrices(by_product, per_fulfilment)


def _check_price(name: str, price: float) -> None:
    if not (math.isfinite(price) and price >= 0):
        raise ValueError(f"Expected {name} to be a finite number >= 0, got {price!r}.")


@dataclass(frozen=True, slots=True)
class Supply:
    """The network's stock and what a unit from each location costs before distance.

    ``unit_cost[l]`` is the weighted handling cost plus the weighted fixed
    cost spread over a fulfilment's units; ``shipping_per_km[l]`` the weighted
    shipping cost per unit and km. ``stock[l, p]`` is what location l can
    still give of ``products[p]``; ``capacity_orders[l]`` the fulfilments it
    can still take over the horizon (negative: unlimited), each of
    ``units_per_fulfilment`` units on average.
    """

    location_refs: tuple[str, ...]
    latitude: FloatArray
    longitude: FloatArray
    unit_cost: FloatArray
    shipping_per_km: FloatArray
    products: tuple[str, ...]
    stock: IntArray
    capacity_orders: FloatArray | None = None
    units_per_fulfilment: float = DEFAULT_UNITS_PER_FULFILMENT

    def __post_init__(self) -> None:
        n = len(self.location_refs)
        if self.stock.shape != (n, len(self.products)):
            raise ValueError(
                f"Expected supply.stock of shape {(n, len(self.products))}, got {self.stock.shape}."
            )
        if (self.stock < 0).any():
            raise ValueError("Expected supply.stock to be >= 0.")


@dataclass(frozen=True, slots=True)
class ExpectedDemand:
    """Units expected over the horizon per region (a point) and product."""

    latitude: FloatArray  # (R,)
    longitude: FloatArray  # (R,)
    products: tuple[str, ...]
    units: FloatArray  # (R, P)


def expected_demand(
    orders: Iterable[Order], *, scale: float = 1.0, cell_deg: float = DEFAULT_CELL_DEG
) -> ExpectedDemand:
    """Demand by grid cell and product from past orders, times ``scale``.

    ``scale`` turns the window's counts into the horizon's (e.g. the
    horizon's length over the window's). A region's point is the
    unit-weighted mean of its orders' delivery points.
    """
    return demand_of_lines(
        (
            (order.delivery_point.latitude, order.delivery_point.longitude, line.product_ref, q)
            for order in orders
            for line in order.lines
            for q in (line.quantity,)
        ),
        scale=scale,
        cell_deg=cell_deg,
    )


def demand_of_lines(
    lines: Iterable[tuple[float, float, str, int]],
    *,
    scale: float = 1.0,
    cell_deg: float = DEFAULT_CELL_DEG,
) -> ExpectedDemand:
    """``expected_demand`` from (latitude, longitude, product ref, units) per order line."""
    if not (math.isfinite(scale) and scale >= 0):
        raise ValueError(f"Expected scale to be a finite number >= 0, got {scale!r}.")
    if not (math.isfinite(cell_deg) and cell_deg > 0):
        raise ValueError(f"Expected cell_deg to be a positive number, got {cell_deg!r}.")
    cells: dict[tuple[int, int], int] = {}
    products: dict[str, int] = {}
    rows: list[tuple[int, int, float, float, int]] = []
    for lat, lon, product, quantity in lines:
        r = cells.setdefault((math.floor(lat / cell_deg), math.floor(lon / cell_deg)), len(cells))
        rows.append((r, products.setdefault(product, len(products)), lat, lon, quantity))
    units = np.zeros((len(cells), len(products)))
    weight, lat_sum, lon_sum = (np.zeros(len(cells)) for _ in range(3))
    for r, p, lat, lon, quantity in rows:
        units[r, p] += quantity
        weight[r] += quantity
        lat_sum[r] += quantity * lat
        lon_sum[r] += quantity * lon
    weight = np.maximum(weight, 1e-12)
    return ExpectedDemand(lat_sum / weight, lon_sum / weight, tuple(products), units * scale)


def unit_costs(
    weights: Weights,
    fixed_cost: FloatArray,
    handling_cost: FloatArray,
    shipping_cost_per_km: FloatArray,
    units_per_fulfilment: float = DEFAULT_UNITS_PER_FULFILMENT,
) -> tuple[FloatArray, FloatArray]:
    """Weighted per-unit cost before distance, and per unit and km, of each location."""
    base = weights.handling * handling_cost + weights.fixed * fixed_cost / units_per_fulfilment
    return base, weights.shipping * shipping_cost_per_km


def network_supply(
    table: LocationTable,
    weights: Weights,
    products: tuple[str, ...],
    stock: IntArray,
    capacity_orders: FloatArray | None = None,
    units_per_fulfilment: float = DEFAULT_UNITS_PER_FULFILMENT,
) -> Supply:
    """The ``Supply`` of the locations of ``table``: their points, and what a unit costs there."""
    base, per_km = unit_costs(
        weights,
        table.fixed_cost,
        table.handling_cost,
        table.shipping_cost_per_km,
        units_per_fulfilment=units_per_fulfilment,
    )
    return Supply(
        table.refs,
        table.latitude,
        table.longitude,
        base,
        per_km,
        products,
        stock,
        capacity_orders,
        units_per_fulfilment=units_per_fulfilment,
    )


def free_stock(
    columns: Mapping[str, ProductColumn],
    products: tuple[str, ...],
    locations: int,
    taken: Mapping[str, IntArray] | None = None,
) -> IntArray:
    """(locations, products): on hand less reserved, buffer and ``taken`` (by product), >= 0."""
    stock = np.zeros((locations, len(products)), dtype=np.int64)
    for j, product in enumerate(products):
        column = columns.get(product)
        if column is None:
            continue
        available = column.on_hand - column.reserved - column.buffer_qty
        less = (taken or {}).get(product)
        if less is not None:
            available = available - less[column.index]
        stock[column.index, j] = np.maximum(available, 0)
    return stock


def scarcity_prices(
    supply: Supply,
    demand: ExpectedDemand,
    rejection_penalty: float,
    *,
    arcs_per_demand: int = DEFAULT_ARCS_PER_DEMAND,
    time_limit_s: float | None = None,
) -> ScarcityPrices:
    """Solve the expected-demand LP: each position's stock dual, each location's capacity dual.

    Raises
    ------
    RuntimeError
        When the LP solver does not report an optimal solution within
        ``time_limit_s`` (None: no limit); the prices would mean nothing.
    """
    if arcs_per_demand < 1:
        raise ValueError(f"Expected arcs_per_demand >= 1, got {arcs_per_demand!r}.")
    arcs = _arcs(supply, demand, arcs_per_demand)
    if arcs is None:
        return ScarcityPrices()
    loc, prod, dem, cost, n_demand = arcs
    n_x = len(loc)
    n_products = len(supply.products)
    position = loc * n_products + prod
    stock_keys, stock_row = np.unique(position, return_inverse=True)
    capped = (
        np.flatnonzero(supply.capacity_orders >= 0)
        if supply.capacity_orders is not None
        else np.array([], dtype=np.int64)
    )
    cap_row_of = np.full(len(supply.location_refs), -1, dtype=np.int64)
    cap_row_of[capped] = np.arange(len(capped))
    with_cap = cap_row_of[loc] >= 0
    n_stock = len(stock_keys)
    # Constraint (2) stock then (3) capacity, as one block of <= rows.
    a_ub = coo_matrix(
        (
            np.ones(n_x + int(with_cap.sum())),
            (
                np.concatenate([stock_row, n_stock + cap_row_of[loc][with_cap]]),
                np.concatenate([np.arange(n_x), np.flatnonzero(with_cap)]),
            ),
        ),
        shape=(n_stock + len(capped), n_x + n_demand),
    ).tocsr()
    b_ub = np.concatenate(
        [
            supply.stock.ravel()[stock_keys].astype(float),
            np.asarray(supply.capacity_orders, dtype=float)[capped] * supply.units_per_fulfilment
            if supply.capacity_orders is not None
            else np.zeros(0),
        ]
    )
    # Constraint (1): each demand is served along its arcs or left unserved.
    a_eq = coo_matrix(
        (
            np.ones(n_x + n_demand),
            (np.concatenate([dem, np.arange(n_demand)]), np.arange(n_x + n_demand)),
        ),
        shape=(n_demand, n_x + n_demand),
    ).tocsr()
    demand_units = demand.units[demand.units > 0]
    c = np.concatenate([cost, np.full(n_demand, float(rejection_penalty))])
    limit = {} if time_limit_s is None else {"time_limit": max(time_limit_s, 0.0)}
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=demand_units, options=limit)
    if result.status != 0:
        raise RuntimeError(f"Expected the scarcity LP to solve to optimality: {result.message}")
    duals = -np.asarray(result.ineqlin.marginals)
    per_fulfilment = {
        supply.location_refs[l_]: value * supply.units_per_fulfilment
        for l_, value in zip(capped.tolist(), duals[n_stock:].tolist(), strict=True)
        if value > PRICE_EPSILON
    }
    return _prices(supply, stock_keys, duals[:n_stock], per_fulfilment)


def _arcs(
    supply: Supply, demand: ExpectedDemand, arcs_per_demand: int
) -> tuple[IntArray, IntArray, IntArray, FloatArray, int] | None:
    """The LP's arcs: (location, product, demand row, unit cost) each, and the demand rows."""
    product_of = {p: j for j, p in enumerate(supply.products)}
    regions, demanded = np.nonzero(demand.units > 0)
    if not len(regions):
        return None
    parts: list[tuple[IntArray, IntArray, IntArray, FloatArray]] = []
    for j_demand in np.unique(demanded):
        j = product_of.get(demand.products[j_demand])
        rows = np.flatnonzero(demanded == j_demand)
        if j is None:
            continue
        holders = np.flatnonzero(supply.stock[:, j] > 0)
        if not len(holders):
            continue
        r = regions[rows]
        km = haversine_km(
            supply.latitude[holders][None, :],
            supply.longitude[holders][None, :],
            demand.latitude[r][:, None],
            demand.longitude[r][:, None],
        )
        cost = supply.unit_cost[holders][None, :] + supply.shipping_per_km[holders][None, :] * km
        keep = min(arcs_per_demand, len(holders))
        nearest = np.argpartition(cost, keep - 1, axis=1)[:, :keep]
        parts.append(
            (
                holders[nearest].ravel(),
                np.full(nearest.size, j, dtype=np.int64),
                np.repeat(rows, keep),
                np.take_along_axis(cost, nearest, axis=1).ravel(),
            )
        )
    if not parts:
        return None
    loc, prod, dem, cost = (np.concatenate(column) for column in zip(*parts, strict=True))
    return loc, prod, dem, cost, len(regions)


def _prices(
    supply: Supply, keys: IntArray, price: FloatArray, per_fulfilment: dict[str, float]
) -> ScarcityPrices:
    n_products = len(supply.products)
    by_product: dict[str, dict[str, float]] = {}
    for key, value in zip(keys.tolist(), price.tolist(), strict=True):
        if value > PRICE_EPSILON:
            location, product = divmod(key, n_products)
            by_product.setdefault(supply.products[product], {})[supply.location_refs[location]] = (
                value
            )
    return ScarcityPrices(by_product, per_fulfilment)

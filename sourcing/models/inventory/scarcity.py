"""Scarce-stock prices in the database: refreshed from order history, read by Source.

A refresh (``sourcing.models.inventory.calls.refresh_scarcity_prices``:
read in one transaction, solve outside any, store in a second) forecasts the
demand of the next ``horizon_days`` from the orders of the last
``window_days`` (by grid cell and product; a home delivery counts at its
delivery point, a click-and-collect order at its collection store),
prices every candidate position of the home-delivery profile's network with
the expected-demand LP of ``sourcing.solver.scarcity`` on the stock
available now, and replaces every stored price in one transaction.
Source reads only the rows of an order's products, and only when the
weights it solves under give ``scarcity_price`` a weight above 0.

The window's orders are one draw of the demand to come, and one LP over
them puts every shortage where that draw happened to ask far from stock:
a position's dual jumps between 0 and nearly the rejection penalty with
one order more or less. So the stored prices are the mean of the LP's
duals over ``PriceSettings.samples`` histories drawn from the window's
orders with replacement (the randomized-LP bid prices of Talluri and van
Ryzin, Management Science 1999; ``sourcing.bench.priced`` measures the same
on the bench), each draw seeded so that a refresh of the same data gives
the same prices. ``samples=0`` prices the window itself with one LP.

Where locations have a daily capacity (total or home-delivery), the LP also
bounds what each can ship over the horizon: the fulfilments it can still
take today plus its daily capacity for each further day, each carrying the
units the window's stored fulfilments carried on average. The capacity
row's dual, per fulfilment, is stored per location (``capacity_prices``)
and added to every fulfilment an order would place there. The capacity rows
count home-delivery slots only: the slots click-and-collect orders take of
a store's total capacity are not foreseen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidate_cache import CandidateSet, candidate_set, read_candidates
from sourcing.models.config.candidates import active_profile, solver_profile
from sourcing.models.config.tables import Location, Product
from sourcing.models.db.base import table_of, utcnow
from sourcing.models.db.enums import LocationType, OrderType
from sourcing.models.inventory.tables import CapacityPrice, InventoryPosition, ScarcityPrice
from sourcing.models.orders.tables import Fulfilment, FulfilmentLine, Order, OrderLine
from sourcing.solver.scarcity import (
    DEFAULT_CELL_DEG,
    ExpectedDemand,
    Supply,
    demand_of_lines,
    mean_prices,
    network_supply,
    scarcity_prices,
)
from sourcing.solver.types import FloatArray, IntArray

_READ = select(ScarcityPrice.product_id, ScarcityPrice.location_id, ScarcityPrice.price).where(
    ScarcityPrice.product_id.in_(bindparam("products", expanding=True))
)
_READ_CAPACITY = select(CapacityPrice.location_id, CapacityPrice.price)
_PRICES = table_of(ScarcityPrice)
# Resampled histories whose LP duals a refresh averages (each one LP), and the most allowed.
DEFAULT_SAMPLES = 8
MAX_SAMPLES = 256
# The draws' seed: a refresh of the same history and stock stores the same prices.
SAMPLE_SEED = 0
_CAPACITY_PRICES = table_of(CapacityPrice)


@dataclass(frozen=True, slots=True)
class PriceSettings:
    """How a refresh forecasts: the history window, the horizon priced, the region size,
    and how many resampled histories' LPs the prices average (0: one LP over the window)."""

    window_days: float = 28.0
    horizon_days: float = 7.0
    cell_deg: float = DEFAULT_CELL_DEG
    samples: int = DEFAULT_SAMPLES

    def __post_init__(self) -> None:
        if isinstance(self.samples, bool) or not isinstance(self.samples, int):
            raise ValueError(f"Expected samples to be an integer, got {self.samples!r}.")
        if not 0 <= self.samples <= MAX_SAMPLES:
            raise ValueError(f"Expected samples between 0 and {MAX_SAMPLES}, got {self.samples!r}.")
        for name in ("window_days", "horizon_days", "cell_deg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"Expected {name} to be a positive number, got {value!r}.")


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a refresh did: orders read, positions priced, prices above 0 stored, when."""

    orders: int
    positions: int
    priced: int
    refreshed_at: datetime
    capacity_priced: int = 0

    def line(self) -> str:
        """The report in one line."""
        return (
            f"scarcity prices refreshed at {self.refreshed_at.isoformat()}: "
            f"{self.orders} orders of history, {self.positions} positions, "
            f"{self.priced} priced above 0, {self.capacity_priced} locations' capacity priced"
        )


@dataclass(frozen=True, slots=True)
class PricingInputs:
    """What one refresh read: the LP's supply and demand, and the ids to store prices under.

    ``supply.capacity_orders`` is None when no candidate has a daily capacity.
    ``samples`` are the demands of the resampled histories (none: ``demand`` alone).
    """

    supply: Supply
    demand: ExpectedDemand
    rejection_penalty: float
    product_ids: Mapping[str, int]
    location_ids: Mapping[str, int]
    orders: int
    read_at: datetime
    samples: tuple[ExpectedDemand, ...] = ()


def read_inputs(
    session: Session, settings: PriceSettings, now: datetime | None = None
) -> PricingInputs:
    """Read the history window's demand and the candidates' available stock."""
    now = now or utcnow()
    row = active_profile(session, OrderType.HD)
    weights = solver_profile(row).weights
    network = (row.rules or {}).get("network") if row else None
    cached = candidate_set(session, OrderType.HD, network)
    since = now - timedelta(days=settings.window_days)
    lines = _history_lines(session, since)
    by_order: dict[int, list[tuple[float, float, str, int]]] = {}
    for order_id, lat, lon, ref, units in lines:
        if units > 0:
            by_order.setdefault(order_id, []).append((lat, lon, ref, units))
    orders = len({line[0] for line in lines})
    scale = settings.horizon_days / settings.window_days
    demand = demand_of_lines(
        ((lat, lon, ref, units) for _, lat, lon, ref, units in lines if units > 0),
        scale=scale,
        cell_deg=settings.cell_deg,
    )
    per_fulfilment = _units_per_fulfilment(session, since, [int(line[4]) for line in lines])
    supply, product_ids = _supply(session, cached, weights, demand.products, per_fulfilment)
    if cached.has_capacity:
        capacity = _capacity_orders(session, network, cached, settings)
        supply = replace(supply, capacity_orders=capacity)
    return PricingInputs(
        supply,
        demand,
        weights.rejection,
        product_ids,
        cached.location_ids,
        orders,
        now,
        _resampled(list(by_order.values()), settings, scale),
    )


def _resampled(
    orders: list[list[tuple[float, float, str, int]]], settings: PriceSettings, scale: float
) -> tuple[ExpectedDemand, ...]:
    """The demands of ``settings.samples`` histories drawn from ``orders`` with replacement."""
    if not settings.samples or not orders:
        return ()
    rng = np.random.default_rng(SAMPLE_SEED)
    return tuple(
        demand_of_lines(
            (line for i in rng.integers(0, len(orders), len(orders)) for line in orders[i]),
            scale=scale,
            cell_deg=settings.cell_deg,
        )
        for _ in range(settings.samples)
    )


def _history_lines(session: Session, since: datetime) -> list[tuple[int, float, float, str, int]]:
    """The window's order lines as (order id, latitude, longitude, product ref, units).

    A home delivery's point is its delivery point; a click-and-collect
    order's is its collection store, whose stock (or a transfer to it)
    serves the order, so the LP sees the store's neighbourhood wanting it.
    """
    units = OrderLine.quantity - OrderLine.cancelled_qty
    home = (
        select(Order.id, Order.delivery_latitude, Order.delivery_longitude, Product.ref, units)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            Order.type == OrderType.HD,
            Order.created_at >= since,
            Order.delivery_latitude.is_not(None),
        )
    )
    collect = (
        select(Order.id, Location.latitude, Location.longitude, Product.ref, units)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .join(Location, Location.id == Order.collection_location_id)
        .where(Order.type == OrderType.CC, Order.created_at >= since)
    )
    return [
        (int(r[0]), float(r[1]), float(r[2]), str(r[3]), int(r[4]))
        for query in (home, collect)
        for r in session.execute(query).all()
    ]


def solve_prices(inputs: PricingInputs) -> solver.ScarcityPrices:
    """The LP's prices for what was read, averaged over the resampled histories when there
    are any (no database: run it outside any transaction)."""
    if not inputs.samples:
        return scarcity_prices(inputs.supply, inputs.demand, inputs.rejection_penalty)
    return mean_prices(
        [scarcity_prices(inputs.supply, d, inputs.rejection_penalty) for d in inputs.samples]
    )


def store_prices(
    session: Session, inputs: PricingInputs, prices: solver.ScarcityPrices
) -> RefreshReport:
    """Replace every stored price, per unit and per fulfilment, with ``prices``."""
    session.execute(delete(ScarcityPrice))
    session.execute(delete(CapacityPrice))
    capacity_rows = [
        {"location_id": inputs.location_ids[ref], "price": price, "refreshed_at": inputs.read_at}
        for ref, price in prices.per_fulfilment.items()
    ]
    if capacity_rows:
        session.execute(insert(_CAPACITY_PRICES), capacity_rows)
    rows = [
        {
            "product_id": inputs.product_ids[product],
            "location_id": inputs.location_ids[location],
            "price": price,
            "refreshed_at": inputs.read_at,
        }
        for location, product, price in prices.positions()
    ]
    if rows:
        session.execute(insert(_PRICES), rows)
    positions = int((inputs.supply.stock > 0).sum())
    return RefreshReport(
        inputs.orders, positions, len(rows), inputs.read_at, capacity_priced=len(capacity_rows)
    )


def _units_per_fulfilment(session: Session, since: datetime, line_units: list[int]) -> float:
    """The units a fulfilment carries: as the window's stored home-delivery fulfilments did.

    Without any, the window's units per order line (a fulfilment holds at
    least one line). A whole order's units would overstate what a slot of
    daily capacity carries wherever orders split (see ``sourcing.bench.priced``).
    """
    units, fulfilments = session.execute(
        select(func.sum(FulfilmentLine.quantity), func.count(func.distinct(Fulfilment.id)))
        .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
        .join(Order, Order.id == Fulfilment.order_id)
        .join(Location, Location.id == Fulfilment.location_id)
        .where(
            Order.type == OrderType.HD,
            Order.created_at >= since,
            Location.type != LocationType.REJECTION,
        )
    ).one()
    if fulfilments:
        return max(float(units or 0) / int(fulfilments), 1.0)
    served = [u for u in line_units if u > 0]
    return max(sum(served) / len(served), 1.0) if served else 1.0


def _supply(
    session: Session,
    cached: CandidateSet,
    weights: solver.Weights,
    products: tuple[str, ...],
    units_per_fulfilment: float,
) -> tuple[Supply, dict[str, int]]:
    """The candidates' available stock of ``products``, and the products' ids by ref."""
    products_found = session.execute(
        select(Product.ref, Product.id).where(Product.ref.in_(products))
    )
    product_ids: dict[str, int] = {row.ref: row.id for row in products_found}
    column = {product_ids[ref]: j for j, ref in enumerate(products)}
    stock = np.zeros((len(cached.locations), len(products)), dtype=np.int64)
    positions = session.execute(
        select(
            InventoryPosition.product_id,
            InventoryPosition.location_id,
            InventoryPosition.on_hand - InventoryPosition.reserved - InventoryPosition.buffer_qty,
        ).where(InventoryPosition.product_id.in_(list(column)))
    ).all()
    if positions:
        found = np.array(positions, dtype=np.int64)
        at = cached.indices(found[:, 1])
        keep = at >= 0
        cols = np.array([column[p] for p in found[keep, 0]], dtype=np.int64)
        stock[at[keep], cols] = np.maximum(found[keep, 2], 0)
    supply = network_supply(cached.table, weights, products, stock, None, units_per_fulfilment)
    return supply, product_ids


def read_prices(
    session: Session, cached: CandidateSet, products: Mapping[int, str]
) -> solver.ScarcityPrices:
    """The stored prices of ``products`` (id -> ref) and of capacity at the candidates."""
    rows = session.execute(_READ, {"products": list(products)}).all() if products else []
    capacity = session.execute(_READ_CAPACITY).all() if cached.has_capacity else []
    if not rows and not capacity:
        return solver.ScarcityPrices()
    refs = cached.table.refs
    by_product: dict[str, dict[str, float]] = {}
    if rows:
        at = cached.indices(np.array([r[1] for r in rows], dtype=np.int64))
        for (product_id, _, price), i in zip(rows, at.tolist(), strict=True):
            if i >= 0:
                by_product.setdefault(products[product_id], {})[refs[i]] = price
    per_fulfilment: dict[str, float] = {}
    if capacity:
        at = cached.indices(np.array([r[0] for r in capacity], dtype=np.int64))
        for (_, price), i in zip(capacity, at.tolist(), strict=True):
            if i >= 0:
                per_fulfilment[refs[i]] = price
    return solver.ScarcityPrices(by_product, per_fulfilment)


def _capacity_orders(
    session: Session, network: str | None, cached: CandidateSet, settings: PriceSettings
) -> FloatArray:
    """Home-delivery orders each candidate can take over the horizon (-1: unlimited).

    What it can still take today, then its daily capacity for each day after
    (a horizon under a day: at most that share of a day's capacity). The
    binding capacity is the smaller of the total and the home-delivery one.
    """
    state = read_candidates(session, OrderType.HD, network, {}, profile_open_order_limit=None).state
    daily = _binding(cached.capacity_total, cached.capacity_hd)
    today = _binding(state.capacity_total, state.capacity_hd)
    horizon = settings.horizon_days
    if horizon >= 1:
        orders = today + (horizon - 1) * np.maximum(daily, 0)
    else:
        orders = np.minimum(today, horizon * np.maximum(daily, 0))
    left: FloatArray = np.where(daily >= 0, orders, -1.0).astype(float)
    return left


def _binding(total: IntArray, hd: IntArray) -> IntArray:
    """Per location the smaller of two capacities, -1 (unlimited) only where both are."""
    big = np.iinfo(np.int64).max
    low = np.minimum(np.where(total < 0, big, total), np.where(hd < 0, big, hd))
    out: IntArray = np.where(low == big, -1, low)
    return out

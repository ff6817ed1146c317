"""Scarce-stock prices in the database: refreshed from order history, read by Source.

A refresh (``sourcing.models.inventory.calls.refresh_scarcity_prices``:
read in one transaction, solve outside any, store in a second) forecasts the
home-delivery demand of the next ``horizon_days``
from the orders of the last ``window_days`` (by grid cell and product),
prices every candidate position of the home-delivery profile's network with
the expected-demand LP of ``sourcing.solver.scarcity`` on the stock
available now, and replaces every stored price in one transaction.
Source reads only the rows of an order's products, and only when the
weights it solves under give ``scarcity_price`` a weight above 0.

Daily capacity is not in the service's LP (the bench's is): a refresh
prices stock only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidate_cache import CandidateSet, candidate_set
from sourcing.models.config.candidates import active_profile, solver_profile
from sourcing.models.config.tables import Product
from sourcing.models.db.base import table_of, utcnow
from sourcing.models.db.enums import OrderType
from sourcing.models.inventory.tables import InventoryPosition, ScarcityPrice
from sourcing.models.orders.tables import Order, OrderLine
from sourcing.solver.scarcity import (
    DEFAULT_CELL_DEG,
    ExpectedDemand,
    Supply,
    demand_of_lines,
    scarcity_prices,
    unit_costs,
)

_READ = select(ScarcityPrice.product_id, ScarcityPrice.location_id, ScarcityPrice.price).where(
    ScarcityPrice.product_id.in_(bindparam("products", expanding=True))
)
_PRICES = table_of(ScarcityPrice)


@dataclass(frozen=True, slots=True)
class PriceSettings:
    """How a refresh forecasts: the history window, the horizon priced, the region size."""

    window_days: float = 28.0
    horizon_days: float = 7.0
    cell_deg: float = DEFAULT_CELL_DEG

    def __post_init__(self) -> None:
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

    def line(self) -> str:
        """The report in one line."""
        return (
            f"scarcity prices refreshed at {self.refreshed_at.isoformat()}: "
            f"{self.orders} orders of history, {self.positions} positions, "
            f"{self.priced} priced above 0"
        )


@dataclass(frozen=True, slots=True)
class PricingInputs:
    """What one refresh read: the LP's supply and demand, and the ids to store prices under."""

    supply: Supply
    demand: ExpectedDemand
    rejection_penalty: float
    product_ids: Mapping[str, int]
    location_ids: Mapping[str, int]
    orders: int
    read_at: datetime


def read_inputs(
    session: Session, settings: PriceSettings, now: datetime | None = None
) -> PricingInputs:
    """Read the history window's home-delivery demand and the candidates' available stock."""
    now = now or utcnow()
    row = active_profile(session, OrderType.HD)
    weights = solver_profile(row).weights
    cached = candidate_set(session, OrderType.HD, (row.rules or {}).get("network") if row else None)
    lines = session.execute(
        select(
            Order.id,
            Order.delivery_latitude,
            Order.delivery_longitude,
            Product.ref,
            OrderLine.quantity - OrderLine.cancelled_qty,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            Order.type == OrderType.HD,
            Order.created_at >= now - timedelta(days=settings.window_days),
            Order.delivery_latitude.is_not(None),
        )
    ).all()
    orders = len({line[0] for line in lines})
    demand = demand_of_lines(
        ((lat, lon, ref, units) for _, lat, lon, ref, units in lines if units > 0),
        scale=settings.horizon_days / settings.window_days,
        cell_deg=settings.cell_deg,
    )
    units = sum(max(int(line[4]), 0) for line in lines)
    per_order = max(units / orders, 1.0) if orders else 1.0
    supply, product_ids = _supply(session, cached, weights, demand.products, per_order)
    return PricingInputs(
        supply, demand, weights.rejection, product_ids, cached.location_ids, orders, now
    )


def solve_prices(inputs: PricingInputs) -> solver.ScarcityPrices:
    """The LP's prices for what was read (no database: run it outside any transaction)."""
    return scarcity_prices(inputs.supply, inputs.demand, inputs.rejection_penalty)


def store_prices(
    session: Session, inputs: PricingInputs, prices: solver.ScarcityPrices
) -> RefreshReport:
    """Replace every stored price with ``prices``."""
    session.execute(delete(ScarcityPrice))
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
    return RefreshReport(inputs.orders, positions, len(rows), inputs.read_at)


def _supply(
    session: Session,
    cached: CandidateSet,
    weights: solver.Weights,
    products: tuple[str, ...],
    units_per_order: float,
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
    table = cached.table
    base, per_km = unit_costs(
        weights,
        table.fixed_cost,
        table.handling_cost,
        table.shipping_cost_per_km,
        units_per_fulfilment=units_per_order,
    )
    supply = Supply(
        table.refs, table.latitude, table.longitude, base, per_km, products, stock, None
    )
    return supply, product_ids


def read_prices(
    session: Session, cached: CandidateSet, products: Mapping[int, str]
) -> solver.ScarcityPrices:
    """The stored prices of ``products`` (id -> ref) at the candidates, for one order."""
    if not products:
        return solver.ScarcityPrices()
    rows = session.execute(_READ, {"products": list(products)}).all()
    if not rows:
        return solver.ScarcityPrices()
    location_ids = np.array([r[1] for r in rows], dtype=np.int64)
    at = cached.indices(location_ids)
    refs = cached.table.refs
    return solver.ScarcityPrices.from_positions(
        (refs[i], products[product_id], price)
        for (product_id, _, price), i in zip(rows, at.tolist(), strict=True)
        if i >= 0
    )

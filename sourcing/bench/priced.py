"""Prices for the ``mip_priced`` policy: the per-order solver steered by scarce-stock prices.

As a service would, it forecasts the demand of the orders still to come from
its history (the instance's ``history``: as many orders again, drawn over the
same network independently of the ones simulated), by region and product,
and prices every position with the expected-demand LP of
``sourcing.solver.scarcity`` on the network's stock as it is now. The prices
are refreshed every ``REFRESH_ORDERS`` orders as stock runs down (the
service's background refresh); between refreshes they stay put. Each order
is then solved exactly with ``weight x price`` added per unit taken; the
simulation prices the plan without the prices, on the real objective.

A location's daily capacity counts fulfilments, and the LP's capacity row
counts units, so the LP needs the units a fulfilment carries: the policy's
own plans so far tell it (units served over fulfilments placed), as the
service's stored fulfilments tell its refresh; before the first plan, the
history's units per order line (a fulfilment holds at least one line).
Taking the units of a whole order instead (five times as many here) made
every capacity look five times larger than it is: its price was 0 where
slots ran out, the priced plans spent the slots of scarce stores on few
units, and the stock behind them was stranded.

The history is one draw of the demand to come, and a line of a product
falls in a region or not. One LP over it places every shortage where that
draw happened to ask far from stock, and a position's dual jumps between 0
and nearly the rejection penalty with one line more or less: the prices
steer every order by the accidents of one sample. So the prices are the
mean of the LP's duals over ``PRICE_SAMPLES`` histories drawn from the
history with replacement (the randomized-LP bid prices of Talluri & van
Ryzin, Management Science 1999): what a unit is expected to be worth over
the demand that may come. A position short in every draw keeps its price,
one short in few draws gets a fraction of it. On ``scarce`` (seed 0, 300
orders, sizes 100 to 3,000) the served units cost 8.14M against 8.19M
with one LP, and refreshing after every order instead of every 5 gave
8.19M: the sample, not the refresh, was what limited the prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from sourcing.solver import CandidateState, ScarcityPrices, SourcingProblem
from sourcing.solver.scarcity import (
    expected_demand,
    free_stock,
    mean_prices,
    network_supply,
    scarcity_prices,
)
from sourcing.solver.table import LocationTable
from sourcing.solver.types import FloatArray, IntArray

# The weight of the prices in the per-order objective: 1 prices a unit at its
# full opportunity cost, as in Acimovic & Graves.
PRICE_WEIGHT = 1.0
# Orders decided between two refreshes of the prices: every 5 orders closed
# about 64% of the gap to the wave on scarce_capacity-100 where every 25
# closed 15% (the prices follow the stock and capacity as they run down).
REFRESH_ORDERS = 5
# Resampled histories whose LP duals are averaged: each refresh solves this
# many LPs (0: one LP over the history itself).
PRICE_SAMPLES = 8


class OrderHistory(Protocol):
    """The simulated orders, their days, and the earlier orders to forecast from."""

    @property
    def problems(self) -> tuple[SourcingProblem, ...]:
        """The orders simulated, in arrival order."""

    @property
    def days(self) -> tuple[int, ...]:
        """The day each order arrives on."""

    @property
    def history(self) -> tuple[SourcingProblem, ...]:
        """Earlier orders over the same network."""


class StockView(Protocol):
    """The network as the orders so far left it (``simulation.NetworkState``)."""

    base: CandidateState
    taken: dict[str, IntArray]
    table: LocationTable
    total: IntArray


def network_prices(
    instance: OrderHistory,
    state: StockView,
    next_order: int,
    units_per_fulfilment: float | None = None,
    samples: int = PRICE_SAMPLES,
) -> ScarcityPrices:
    """Prices of the network's positions for the orders from ``next_order`` on.

    The demand is the history's, scaled to the orders left; the supply is the
    stock left (on hand less reserved, taken and buffer) and, where locations
    have a daily capacity, the orders they can still take until the last
    day, each of ``units_per_fulfilment`` units (default: the history's
    units per order line). The prices are the mean of the duals over
    ``samples`` histories drawn with replacement from the history, with a
    seed of ``next_order`` (0: the duals of the history itself).
    """
    if samples < 0:
        raise ValueError(f"Expected samples >= 0, got {samples!r}.")
    history: Sequence[SourcingProblem] = instance.history or instance.problems
    left = len(instance.problems) - next_order
    if not history or left <= 0:
        return ScarcityPrices()
    per_fulfilment = units_per_fulfilment or units_per_line(history)
    weights = instance.problems[next_order].profile.weights
    table = state.table
    capacity = _capacity_orders(instance, state, next_order)

    def prices_of(orders: Sequence[SourcingProblem]) -> ScarcityPrices:
        demand = expected_demand((p.order for p in orders), scale=left / len(orders))
        stock = free_stock(state.base.stock, demand.products, len(table.refs), state.taken)
        supply = network_supply(table, weights, demand.products, stock, capacity, per_fulfilment)
        return scarcity_prices(supply, demand, weights.rejection)

    if not samples:
        return prices_of(history)
    rng = np.random.default_rng(next_order)
    draws = (rng.integers(0, len(history), len(history)) for _ in range(samples))
    return mean_prices([prices_of([history[i] for i in drawn]) for drawn in draws])


def units_per_line(problems: Sequence[SourcingProblem]) -> float:
    """The mean units of an order line over ``problems`` (at least 1)."""
    units = sum(p.order.total_units for p in problems)
    lines = sum(len(p.order.lines) for p in problems)
    return max(units / lines, 1.0) if lines else 1.0


def _capacity_orders(
    instance: OrderHistory, state: StockView, next_order: int
) -> FloatArray | None:
    """Fulfilments each location can still take until the last day (-1: unlimited), or None."""
    daily = state.base.capacity_total
    limited = daily >= 0
    if not limited.any():
        return None
    days_after = instance.days[-1] - instance.days[next_order]
    orders = np.maximum(state.total, 0) + days_after * np.maximum(daily, 0)
    left: FloatArray = np.where(limited, orders, -1).astype(float)
    return left

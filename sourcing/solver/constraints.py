"""The sourcing rules, one function per constraint family.

Each family is a function registered under its name with ``@family``; the
registry (``REGISTRY``, names in ``FAMILIES``) is built from the functions
themselves, so there is no list of names to keep in step. A family works on
whole arrays over the candidate locations (L) and the order's distinct
products (P) or lines (K). It either keeps locations out (a boolean mask over
L, with the reason the explanation reports), limits the units a location can
give, or prices units and fulfilments; the model in
``mip.py`` adds the rows for coverage, shared stock, split limit and ideal
stock from what ``coverage_with_rejection``, ``stock``, ``split_limit`` and
``ideal_stock`` return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from sourcing.solver.plan import CandidateReason
from sourcing.solver.problem import OrderType, SourcingProblem
from sourcing.solver.sums import row_sums
from sourcing.solver.table import LocationTable
from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.weights import Weights

F = TypeVar("F", bound=Callable[..., Any])
# Family name -> the function that applies it, in the order families are listed.
REGISTRY: dict[str, Callable[..., Any]] = {}


def family(function: F) -> F:
    """Register ``function`` as the constraint family of the same name."""
    if function.__name__ in REGISTRY:
        raise ValueError(f"Constraint family {function.__name__!r} is registered twice.")
    REGISTRY[function.__name__] = function
    return function


# Stock older than this counts as fully "old" for the oldest-stock preference.
STOCK_AGE_HORIZON_DAYS = 365.0


@dataclass(frozen=True, slots=True)
class Positions:
    """Stock facts of every (candidate, product) pair, as (L, P) arrays.

    A location that does not carry a product has a position of zeros.
    """

    products: tuple[str, ...]
    on_hand: IntArray
    reserved: IntArray
    buffer_qty: IntArray
    ideal_qty: IntArray
    markdown: FloatArray
    sell_through: FloatArray
    stock_age_days: FloatArray
    arriving: IntArray  # in transit and arriving before the order's need-by

    @classmethod
    def of(
        cls, problem: SourcingProblem, table: LocationTable, products: tuple[str, ...]
    ) -> Positions:
        """Gather the positions of ``products`` at every candidate of ``problem``."""
        shape = (len(problem.locations), len(products))
        on_hand, reserved, buffer_qty, ideal_qty, arriving = (
            np.zeros(shape, dtype=np.int64) for _ in range(5)
        )
        markdown, sell_through, stock_age_days = (np.zeros(shape) for _ in range(3))
        need_by = problem.order.need_by
        for j, product in enumerate(products):
            column = table.products.get(product)
            if column is None:
                continue
            at = column.index
            on_hand[at, j] = column.on_hand
            reserved[at, j] = column.reserved
            buffer_qty[at, j] = column.buffer_qty
            ideal_qty[at, j] = column.ideal_qty
            markdown[at, j] = column.markdown
            sell_through[at, j] = column.sell_through
            stock_age_days[at, j] = column.stock_age_days
            if need_by is not None:
                for i, transit in column.in_transit:
                    arriving[i, j] = sum(t.quantity for t in transit if t.arrives_at < need_by)
        return cls(
            products,
            on_hand,
            reserved,
            buffer_qty,
            ideal_qty,
            markdown,
            sell_through,
            stock_age_days,
            arriving,
        )


@dataclass(frozen=True, slots=True)
class LocationRule:
    """The verdict of a location-level family: which candidates it allows."""

    allowed: BoolArray
    reason: CandidateReason


@dataclass(frozen=True, slots=True)
class LineRule:
    """The verdict of a line-level family: which order lines may be sourced at all."""

    allowed: BoolArray
    why: tuple[str, ...]  # per line: why it may not be sourced, "" when it may


@family
def coverage_with_rejection(
    quantity: IntArray,
    cap: IntArray,
    fulfilment_cost: FloatArray,
    unit_cost: FloatArray,
    weights: Weights,
    usable: BoolArray | None = None,
) -> float:
    """Every unit ordered is served or rejected; the per-unit rejection penalty.

    The penalty is the profile's, raised until it dominates every other term:
    a plan never has more fulfilments than units, so no plan serving the
    order's Q units costs more than Q times the dearest fulfilment, split,
    unit and ideal-stock costs. A penalty above that bound makes serving one
    more unit always cheaper than rejecting it.
    """
    units = float(quantity.sum())
    if usable is None:  # else the caller's ``row_sums(cap) > 0``, for orders sharing ``cap``
        usable = row_sums(cap) > 0
    if not usable.any():
        return weights.rejection
    worst_fulfilment = float(fulfilment_cost[usable].max()) + weights.split
    worst_unit = float(unit_cost[usable].max()) + weights.ideal_stock
    bound = units * (worst_fulfilment + worst_unit)
    return max(weights.rejection, float(np.ceil(bound + 1.0)))


@family
def stock(
    problem: SourcingProblem, table: LocationTable, positions: Positions, vip_reserve: IntArray
) -> IntArray:
    """Units each location may give of each product for this order.

    Available = on hand - active reservations - buffer, where flagship
    locations add the profile's extra buffer and, for a customer who is not
    a VIP, the buffer is at least the product's VIP reserve level; stock in
    transit that arrives before the need-by date counts too.
    """
    extra = problem.profile.rules.flagship_extra_buffer
    flagship = table.flagship.astype(np.int64)
    buffer = positions.buffer_qty + (extra * flagship)[:, None]
    buffer = np.maximum(buffer, vip_reserve[None, :])
    usable: IntArray = np.maximum(
        positions.on_hand + in_transit(positions) - positions.reserved - buffer, 0
    )
    return usable


@family
def split_limit(problem: SourcingProblem) -> int:
    """At most this many locations fulfil the order (the profile's limit)."""
    return problem.profile.split_limit


@family
def store_capacity(problem: SourcingProblem, table: LocationTable) -> LocationRule:
    """Keep out locations with no capacity left today for this order type.

    A location whose open orders reached its own ``hd_open_order_limit`` (or,
    without one, the profile's) takes only CC orders, so it is out of
    capacity for HD orders.
    """
    hd = problem.order.type is OrderType.HD
    per_type = table.capacity_hd if hd else table.capacity_cc
    # Capacities are non-negative when set (-1: unlimited), so "none left" is 0.
    allowed = (table.capacity_total != 0) & (per_type != 0)
    if hd:
        profile_limit = problem.profile.rules.hd_open_order_limit
        own = table.hd_open_order_limit
        limit = np.where(own >= 0, own, -1 if profile_limit is None else profile_limit)
        allowed &= (limit < 0) | (table.open_orders < limit)
    return LocationRule(allowed, CandidateReason.OUT_OF_CAPACITY)


@family
def fulfilment_type_switch(problem: SourcingProblem, table: LocationTable) -> LocationRule:
    """Keep out locations whose HD or CC switch is off for this order's type."""
    allowed = table.hd_enabled if problem.order.type is OrderType.HD else table.cc_enabled
    return LocationRule(allowed, CandidateReason.SWITCHED_OFF)


@family
def network(problem: SourcingProblem, table: LocationTable) -> LocationRule:
    """Keep out locations outside the network this order's type sources from."""
    wanted = problem.profile.rules.network_for(problem.order.type)
    if wanted is None:
        allowed = np.ones(len(problem.locations), dtype=bool)
    else:
        allowed = table.in_network(wanted)
    return LocationRule(allowed, CandidateReason.OUTSIDE_NETWORK)


@family
def ideal_stock(positions: Positions) -> IntArray:
    """Units each location holds above its ideal level, per product.

    Units taken beyond this surplus take the location below its ideal stock
    and pay the ideal-stock penalty, so with other costs equal the location
    with the largest surplus wins.
    """
    surplus: IntArray = np.maximum(positions.on_hand - positions.reserved - positions.ideal_qty, 0)
    return surplus


@family
def in_transit(positions: Positions) -> IntArray:
    """Units in transit that arrive before the need-by date, per position."""
    return positions.arriving


@family
def preferences(positions: Positions, surplus: IntArray, weights: Weights) -> dict[str, FloatArray]:
    """Per-unit preference costs per (location, product), weighted, by term.

    Each preference costs its full weight per unit at the least preferred
    extreme and nothing at the most preferred one: full markdown, a surplus
    of at least the ideal level, stock a year old, and no sell-through cost
    nothing.
    """
    overstock = np.minimum(surplus / np.maximum(positions.ideal_qty, 1), 1.0)
    age = np.minimum(positions.stock_age_days / STOCK_AGE_HORIZON_DAYS, 1.0)
    return {
        "markdown": weights.markdown * (1.0 - positions.markdown),
        "overstock": weights.overstock * (1.0 - overstock),
        "stock_age": weights.stock_age * (1.0 - age),
        "sell_through": weights.sell_through * positions.sell_through,
    }


@family
def vip_rules(
    problem: SourcingProblem, table: LocationTable, weights: Weights
) -> tuple[LineRule, IntArray, FloatArray]:
    """VIP rules: who may take what, and where VIPs are best served.

    Returns the lines the customer may order (VIP-only products for VIPs
    only; CC-only products on CC orders only), the per-product reserve level
    below which only VIPs may take stock (zero for a VIP), and the weighted
    per-fulfilment penalty for serving a VIP from a location without VIP
    service.
    """
    rules = problem.profile.rules
    order = problem.order
    vip = order.customer.is_vip
    why = tuple(
        "VIP-only product"
        if line.product_ref in rules.vip_only_products and not vip
        else "CC-only product"
        if line.product_ref in rules.cc_only_products and order.type is not OrderType.CC
        else ""
        for line in order.lines
    )
    lines = LineRule(np.array([not w for w in why], dtype=bool).reshape(-1), why)
    products = distinct_products(problem)
    reserve = np.array(
        [0 if vip else rules.vip_reserve_qty.get(p, 0) for p in products], dtype=np.int64
    )
    lacking = (~table.vip_service).astype(float)
    penalty = weights.vip_service * lacking if vip else np.zeros(len(problem.locations))
    return lines, reserve, penalty.reshape(-1)


@family
def exclusions(problem: SourcingProblem, table: LocationTable) -> tuple[LocationRule, LineRule]:
    """Keep out excluded locations, and excluded products and categories."""
    rules = problem.profile.rules
    excluded = rules.excluded_locations
    refs = table.refs
    allowed = np.array([ref not in excluded for ref in refs] if excluded else [True] * len(refs))
    why = tuple(
        "product excluded"
        if line.product_ref in rules.excluded_products
        else "category excluded"
        if line.category is not None and line.category in rules.excluded_categories
        else ""
        for line in problem.order.lines
    )
    lines = np.array([not w for w in why], dtype=bool).reshape(-1)
    return LocationRule(allowed, CandidateReason.EXCLUDED), LineRule(lines, why)


@family
def scarcity_price(
    problem: SourcingProblem, table: LocationTable, products: tuple[str, ...], weights: Weights
) -> tuple[FloatArray, FloatArray]:
    """Scarce-stock prices, weighted: per unit per (location, product), per fulfilment per location.

    The opportunity cost of taking a unit (or a slot of a location's daily
    capacity) that later orders need (see ``sourcing.solver.scarcity``);
    zero everywhere when the weight is 0 or the problem carries no prices.
    """
    per_unit = np.zeros((len(problem.locations), len(products)))
    per_fulfilment = np.zeros(len(problem.locations))
    prices = problem.scarcity_prices
    if weights.scarcity_price <= 0 or prices is None:
        return per_unit, per_fulfilment
    for j, product in enumerate(products):
        for ref, price in prices.by_product.get(product, {}).items():
            i = table.index_of(ref)
            if i is not None:
                per_unit[i, j] = price
    for ref, price in prices.per_fulfilment.items():
        i = table.index_of(ref)
        if i is not None:
            per_fulfilment[i] = price
    return weights.scarcity_price * per_unit, weights.scarcity_price * per_fulfilment


def distinct_products(problem: SourcingProblem) -> tuple[str, ...]:
    """The order's products, each once, in the order of the lines."""
    return tuple(dict.fromkeys(line.product_ref for line in problem.order.lines))


# The family names, in registration order: part of the contract.
FAMILIES: tuple[str, ...] = tuple(REGISTRY)

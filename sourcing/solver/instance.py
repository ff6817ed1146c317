"""The problem as arrays: what every policy and the objective work from.

``SourcingArrays.build`` applies every constraint family once, so the MIP,
the greedy, the objective and the explanation all see the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.geo import haversine_km
from sourcing.solver.plan import CandidateReason
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.sums import row_sums
from sourcing.solver.table import LocationTable
from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.weights import Weights

# Terms priced per unit (on x) and per fulfilment (on y); the rest
# (split, ideal_stock, rejection) have variables of their own in the model.
UNIT_TERMS = ("handling", "shipping", "markdown", "overstock", "stock_age", "sell_through")
FULFILMENT_TERMS = ("fixed", "distance", "speed", "vip_service")


@dataclass(frozen=True, slots=True)
class SourcingArrays:
    """One order's sourcing problem over L candidates, K lines and P products.

    ``stock[l, p]`` is what candidate l may give of product p (zero where the
    candidate is kept out), ``cap[l, k]`` what it may give of line k.
    ``unit_cost`` and ``fulfilment_cost`` are weighted; ``*_parts`` hold the
    same by objective term for the breakdown.
    """

    problem: SourcingProblem
    weights: Weights
    distance_km: FloatArray  # (L,)
    quantity: IntArray  # (K,)
    line_product: IntArray  # (K,) index into products
    products: tuple[str, ...]
    stock: IntArray  # (L, P)
    cap: IntArray  # (L, K)
    surplus: IntArray  # (L, P) units above the ideal level
    unit_cost_parts: dict[str, FloatArray]  # term -> (L, K)
    fulfilment_cost_parts: dict[str, FloatArray]  # term -> (L,)
    unit_cost: FloatArray  # (L, K)
    fulfilment_cost: FloatArray  # (L,)
    eligible: BoolArray  # (L,) not kept out by any location rule
    location_rules: tuple[cf.LocationRule, ...]  # each location-level family's verdict
    line_why: tuple[str, ...]  # (K,) why a line may not be sourced, "" if it may
    split_limit: int
    rejection_penalty: float
    # Of ``rejection_penalty``, what scarce-stock prices added to keep it dominant:
    # the solver pays it per rejected unit, the plan reports it as steering.
    steering_rejection: float = 0.0
    # Parcel prices by weight where rate cards replace the flat terms (None: nowhere).
    rates: rc.RateSteps | None = None

    @classmethod
    def build(
        cls,
        problem: SourcingProblem,
        weights: Weights | None = None,
        statics: OrderStatics | None = None,
    ) -> SourcingArrays:
        """Apply every constraint family to ``problem``; ``weights`` replace the profile's.

        ``statics`` is what of the arrays reservations and capacity left do
        not change (``OrderStatics``), for this order over these candidates,
        with these weights (then ``weights`` is not read), taken on a state
        that differs from the problem's at most there; built here when not
        given.
        """
        if statics is None:
            statics = OrderStatics.of(problem, weights)
        weights = statics.weights
        line_product, quantity = statics.line_product.copy(), statics.quantity.copy()
        locations = problem.locations
        products = statics.products
        table = problem.candidate_table()
        distance = statics.distance_km.copy()

        location_rules = [cf.store_capacity(problem, table), *statics.location_rules]
        eligible = location_rules[0].allowed & statics.eligible

        positions = statics.positions_on(table)
        stock = cf.stock(problem, table, positions, statics.vip_reserve) * eligible[:, None]
        cap = np.minimum(stock[:, line_product], quantity[None, :]) * statics.line_allowed[None, :]
        surplus = cf.ideal_stock(positions)

        unit_parts = {"handling": statics.handling.copy(), "shipping": statics.shipping.copy()}
        for term, per_product in cf.preferences(positions, surplus, weights).items():
            unit_parts[term] = per_product[:, line_product]
        unit_price, fulfilment_price = statics.scarcity_unit, statics.scarcity_fulfilment
        if unit_price.any():
            unit_parts["scarcity_price"] = unit_price[:, line_product]
        fulfilment_parts = {term: part.copy() for term, part in statics.fulfilment_parts.items()}
        if fulfilment_price.any():
            fulfilment_parts["scarcity_price"] = fulfilment_price.copy()
        usable = np.flatnonzero(row_sums(cap) > 0)
        # Only a candidate with carrier services has a rate card: without one, no steps to find.
        rated = table.carried[usable].any()
        rates = rc.rate_steps(problem, distance, usable, weights) if rated else None
        if rates is not None:
            rc.replace_flat_terms(rates, unit_parts, fulfilment_parts)
        # With rate cards the sums carry a line under the parcel price (see ``rates``).
        unit_cost = sum(unit_parts.values(), rc.unit_lower_bound(rates, cap.shape))
        floor = rc.lower_bound(rates, len(locations))
        fulfilment_cost = sum(fulfilment_parts.values(), floor)
        arrays = cls(
            problem=problem,
            weights=weights,
            distance_km=distance,
            quantity=quantity,
            line_product=line_product,
            products=products,
            stock=stock,
            cap=cap,
            surplus=surplus,
            unit_cost_parts=unit_parts,
            fulfilment_cost_parts=fulfilment_parts,
            unit_cost=unit_cost,
            fulfilment_cost=fulfilment_cost,
            eligible=eligible,
            location_rules=tuple(location_rules),
            line_why=statics.line_why,
            split_limit=cf.split_limit(problem),
            rejection_penalty=0.0,
            rates=rates,
        )
        dearest = (
            fulfilment_cost if rates is None else fulfilment_cost + _price_spread(rates, floor)
        )
        penalty = cf.coverage_with_rejection(quantity, cap, dearest, unit_cost, weights)
        object.__setattr__(arrays, "rejection_penalty", penalty)
        if unit_price.any() or fulfilment_price.any():
            real = cf.coverage_with_rejection(
                quantity,
                cap,
                dearest - fulfilment_parts.get("scarcity_price", 0.0),
                unit_cost - unit_parts.get("scarcity_price", 0.0),
                weights,
            )
            object.__setattr__(arrays, "steering_rejection", penalty - real)
        return arrays

    def priced_by_weight(self, candidates: IntArray) -> bool:
        """Whether a rate card prices any of ``candidates`` (then f_l is only a lower bound)."""
        if self.rates is None:
            return False
        # Membership by a mask over the candidates: a few microseconds where ``np.isin``
        # of the ~850 rated candidates took thirty.
        marked = np.zeros(len(self.cap), dtype=bool)
        marked[np.asarray(candidates, dtype=np.int64)] = True
        return bool(marked[self.rates.location].any())

    def kept_out(self, index: int) -> tuple[CandidateReason, ...]:
        """The rules that keep candidate ``index`` out, in family order."""
        return tuple(rule.reason for rule in self.location_rules if not rule.allowed[index])

    @property
    def location_refs(self) -> tuple[str, ...]:
        """Refs of the candidates, in array order."""
        return tuple(loc.ref for loc in self.problem.locations)


@dataclass(frozen=True, slots=True)
class OrderStatics:
    """What of one order's arrays neither reserved units nor capacity left change, per candidate.

    The order's lines and products, distances, the location rules other than
    capacity, the line rules, the VIP reserve, the stock positions but for
    their reservations, and the prices that read only the candidates' own
    numbers. A caller building one order's arrays again and again while
    other orders reserve units and take capacity (the wave's neighbourhood
    search: ``NetworkState`` changes nothing else) takes these once and
    hands them to ``SourcingArrays.build``; ``at`` gives them over a subset
    of the candidates, row for row.
    """

    weights: Weights
    products: tuple[str, ...]
    line_product: IntArray  # (K,)
    quantity: IntArray  # (K,)
    distance_km: FloatArray  # (L,)
    location_rules: tuple[cf.LocationRule, ...]  # switch, network, exclusions
    eligible: BoolArray  # (L,) allowed by all of them
    line_allowed: BoolArray  # (K,)
    line_why: tuple[str, ...]  # (K,)
    vip_reserve: IntArray  # (P,)
    positions: cf.Positions  # (L, P) each; ``reserved`` is read again (``positions_on``)
    handling: FloatArray  # (L, K) weighted
    shipping: FloatArray  # (L, K) weighted, flat
    fulfilment_parts: dict[str, FloatArray]  # fixed, distance, speed, vip_service: (L,)
    scarcity_unit: FloatArray  # (L, P) weighted
    scarcity_fulfilment: FloatArray  # (L,) weighted

    @classmethod
    def of(cls, problem: SourcingProblem, weights: Weights | None = None) -> OrderStatics:
        """The state-free part of ``problem``'s arrays; ``weights`` replace the profile's."""
        weights = weights or problem.profile.weights
        order = problem.order
        products = cf.distinct_products(problem)
        product_index = {p: j for j, p in enumerate(products)}
        line_product = np.array(
            [product_index[line.product_ref] for line in order.lines], dtype=np.int64
        )
        quantity = np.array([line.quantity for line in order.lines], dtype=np.int64)
        table = problem.candidate_table()
        point = order.delivery_point
        distance = haversine_km(table.latitude, table.longitude, point.latitude, point.longitude)
        excluded_locations, excluded_lines = cf.exclusions(problem, table)
        rules = (
            cf.fulfilment_type_switch(problem, table),
            cf.network(problem, table),
            excluded_locations,
        )
        eligible = np.ones(len(problem.locations), dtype=bool)
        for rule in rules:
            eligible &= rule.allowed
        vip_lines, vip_reserve, vip_penalty = cf.vip_rules(problem, table, weights)
        unit_price, fulfilment_price = cf.scarcity_price(problem, table, products, weights)
        return cls(
            weights=weights,
            products=products,
            line_product=line_product,
            quantity=quantity,
            distance_km=distance,
            location_rules=rules,
            eligible=eligible,
            line_allowed=excluded_lines.allowed & vip_lines.allowed,
            line_why=tuple(a or b for a, b in zip(excluded_lines.why, vip_lines.why, strict=True)),
            vip_reserve=vip_reserve,
            positions=cf.Positions.of(problem, table, products),
            handling=np.repeat((weights.handling * table.handling_cost)[:, None], len(quantity), 1),
            shipping=flat_shipping(weights, table.shipping_cost_per_km, distance, len(quantity)),
            fulfilment_parts={
                "fixed": weights.fixed * table.fixed_cost,
                "distance": weights.distance * distance,
                "speed": weights.speed * table.pick_pack_hours,
                "vip_service": vip_penalty,
            },
            scarcity_unit=unit_price,
            scarcity_fulfilment=fulfilment_price,
        )

    def at(self, index: IntArray) -> OrderStatics:
        """These rows of candidates ``index``, as ``of`` gives them over those candidates."""
        return replace(
            self,
            distance_km=self.distance_km[index],
            location_rules=tuple(
                cf.LocationRule(rule.allowed[index], rule.reason) for rule in self.location_rules
            ),
            eligible=self.eligible[index],
            positions=cf.Positions(
                self.products,
                *(getattr(self.positions, name)[index] for name in _POSITION_ARRAYS),
            ),
            handling=self.handling[index],
            shipping=self.shipping[index],
            fulfilment_parts={term: part[index] for term, part in self.fulfilment_parts.items()},
            scarcity_unit=self.scarcity_unit[index],
            scarcity_fulfilment=self.scarcity_fulfilment[index],
        )

    def positions_on(self, table: LocationTable) -> cf.Positions:
        """The positions with the units ``table`` has reserved (the rest as taken)."""
        reserved = np.zeros_like(self.positions.reserved)
        for j, product in enumerate(self.products):
            column = table.products.get(product)
            if column is not None:
                reserved[column.index, j] = column.reserved
        return replace(self.positions, reserved=reserved)


# ``Positions``' arrays, in field order (every field but the products).
_POSITION_ARRAYS = tuple(f.name for f in fields(cf.Positions) if f.name != "products")


def flat_shipping(
    weights: Weights, cost_per_km: FloatArray, distance: FloatArray, lines: int
) -> FloatArray:
    """The flat per-unit shipping term (cost per km times distance), one column per line;
    ``distance`` may stack destinations on leading axes. ``build`` and the arrays derived
    from its (``variants``, ``deliver_by``) price it with this one expression."""
    return np.repeat((weights.shipping * (cost_per_km * distance))[..., None], lines, axis=-1)


def _price_spread(rates: rc.RateSteps, floor: FloatArray) -> FloatArray:
    """Per candidate, how much dearer than the under-line's intercept its dearest price is."""
    spread = np.zeros_like(floor)
    spread[rates.location] = rates.dearest - rates.alpha
    return spread

"""The problem as arrays: what every policy and the objective work from.

``SourcingArrays.build`` applies every constraint family once, so the MIP,
the greedy, the objective and the explanation all see the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.geo import haversine_km
from sourcing.solver.plan import CandidateReason
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.sums import row_sums
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
    def build(cls, problem: SourcingProblem, weights: Weights | None = None) -> SourcingArrays:
        """Apply every constraint family to ``problem``; ``weights`` replace the profile's."""
        weights = weights or problem.profile.weights
        order = problem.order
        locations = problem.locations
        products = cf.distinct_products(problem)
        product_index = {p: j for j, p in enumerate(products)}
        line_product = np.array(
            [product_index[line.product_ref] for line in order.lines], dtype=np.int64
        )
        quantity = np.array([line.quantity for line in order.lines], dtype=np.int64)

        table = problem.candidate_table()
        point = order.delivery_point
        distance = haversine_km(table.latitude, table.longitude, point.latitude, point.longitude)

        location_rules = [
            cf.store_capacity(problem, table),
            cf.fulfilment_type_switch(problem, table),
            cf.network(problem, table),
        ]
        excluded_locations, excluded_lines = cf.exclusions(problem, table)
        location_rules.append(excluded_locations)
        vip_lines, vip_reserve, vip_penalty = cf.vip_rules(problem, table, weights)
        eligible = np.ones(len(locations), dtype=bool)
        for rule in location_rules:
            eligible &= rule.allowed
        line_allowed = excluded_lines.allowed & vip_lines.allowed
        line_why = tuple(a or b for a, b in zip(excluded_lines.why, vip_lines.why, strict=True))

        positions = cf.Positions.of(problem, table, products)
        stock = cf.stock(problem, table, positions, vip_reserve) * eligible[:, None]
        cap = np.minimum(stock[:, line_product], quantity[None, :]) * line_allowed[None, :]
        surplus = cf.ideal_stock(positions)

        handling = table.handling_cost
        unit_parts = {
            "handling": np.repeat((weights.handling * handling)[:, None], len(quantity), axis=1),
            "shipping": flat_shipping(weights, table.shipping_cost_per_km, distance, len(quantity)),
        }
        for term, per_product in cf.preferences(positions, surplus, weights).items():
            unit_parts[term] = per_product[:, line_product]
        unit_price, fulfilment_price = cf.scarcity_price(problem, table, products, weights)
        if unit_price.any():
            unit_parts["scarcity_price"] = unit_price[:, line_product]
        fulfilment_parts = {
            "fixed": weights.fixed * table.fixed_cost,
            "distance": weights.distance * distance,
            "speed": weights.speed * table.pick_pack_hours,
            "vip_service": vip_penalty,
        }
        if fulfilment_price.any():
            fulfilment_parts["scarcity_price"] = fulfilment_price
        usable = np.flatnonzero(row_sums(cap) > 0)
        rates = rc.rate_steps(problem, distance, usable, weights)
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
            line_why=line_why,
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

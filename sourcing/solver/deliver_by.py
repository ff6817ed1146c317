"""The arrays of one order delivered by a date, derived from its arrays without a build.

The checkout's ``fastest`` option (``sourcing.models.orders.delivery_options``)
asks the same cart again with the candidates that cannot deliver by a date
kept out, that date as the need-by and each candidate's carrier service the
cheapest that meets it. Against the order's arrays only three things move:

* the exclusions: fewer candidates are eligible, so ``stock`` and ``cap``
  lose rows (the other location rules and the lines' rules are the order's);
* the rate cards, chosen among the services meeting the need-by and laid
  over the usable candidates left, with the flat terms they replace;
* the sums of the terms, and the rejection penalty over the usable left.

The need-by also decides which stock in transit counts: when any of the
order's products has stock in transit the arrays are built afresh instead.
Everything else (distances, positions, preferences, scarcity prices) is the
order's. Each field is recomputed as ``SourcingArrays.build`` computes it, in
the same order, so the derived arrays equal a fresh build field for field
(tests check it) and so does every plan solved on them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sourcing.solver import constraints as cf
from sourcing.solver import rates as rc
from sourcing.solver.instance import SourcingArrays, flat_shipping
from sourcing.solver.problem import SourcingProblem
from sourcing.solver.sums import row_sums
from sourcing.solver.table import LocationTable
from sourcing.solver.types import FloatArray
from sourcing.solver.variants import rejection_penalties


def delivered_by(arrays: SourcingArrays, problem: SourcingProblem) -> SourcingArrays:
    """The arrays of ``problem``: ``arrays.problem`` (built with its profile's weights) with
    only the need-by, the service choice and more excluded locations (anything else raises
    ``ValueError``)."""
    _check_only_delivery_changes(arrays, problem)
    table = problem.candidate_table()
    if _in_transit(table, arrays.products):
        return SourcingArrays.build(problem)
    excluded, _ = cf.exclusions(problem, table)
    at = next(i for i, r in enumerate(arrays.location_rules) if r.reason is excluded.reason)
    location_rules = (*arrays.location_rules[:at], excluded, *arrays.location_rules[at + 1 :])
    eligible = np.ones(len(problem.locations), dtype=bool)
    for rule in location_rules:
        eligible &= rule.allowed
    # The order's eligible candidates include these: their rows of stock are the order's.
    stock = arrays.stock * eligible[:, None]
    cap = arrays.cap * eligible[:, None]
    weights = arrays.weights
    unit_parts = dict(arrays.unit_cost_parts)
    fulfilment_parts = dict(arrays.fulfilment_cost_parts)
    # The flat terms as built, before the cards laid over the usable left replace them.
    distance = arrays.distance_km
    unit_parts["shipping"] = flat_shipping(
        weights, table.shipping_cost_per_km, distance, len(arrays.quantity)
    )
    fulfilment_parts["fixed"] = weights.fixed * table.fixed_cost
    fulfilment_parts["distance"] = weights.distance * distance
    usable = np.flatnonzero(row_sums(cap) > 0)
    rates = rc.rate_steps(problem, distance, usable, weights)
    if rates is not None:
        rc.replace_flat_terms(rates, unit_parts, fulfilment_parts)
    unit_cost: FloatArray = sum(unit_parts.values(), rc.unit_lower_bound(rates, cap.shape))
    floor = rc.lower_bound(rates, len(problem.locations))
    fulfilment_cost: FloatArray = sum(fulfilment_parts.values(), floor)
    derived = replace(
        arrays,
        problem=problem,
        stock=stock,
        cap=cap,
        unit_cost_parts=unit_parts,
        fulfilment_cost_parts=fulfilment_parts,
        unit_cost=unit_cost,
        fulfilment_cost=fulfilment_cost,
        eligible=eligible,
        location_rules=location_rules,
        rates=rates,
    )
    penalty, steering = rejection_penalties(
        derived, weights, unit_parts, fulfilment_parts, unit_cost, fulfilment_cost
    )
    return replace(derived, rejection_penalty=penalty, steering_rejection=steering)


def _check_only_delivery_changes(arrays: SourcingArrays, problem: SourcingProblem) -> None:
    """``ValueError`` unless ``problem`` is ``arrays.problem`` with only the need-by, the
    service choice and more excluded locations changed, and ``arrays`` used its weights."""
    base = arrays.problem
    rules = problem.profile.rules
    same_profile = replace(
        problem.profile,
        rules=replace(rules, excluded_locations=base.profile.rules.excluded_locations),
        service_choice=base.profile.service_choice,
    )
    if (
        replace(problem.order, need_by=base.order.need_by) != base.order
        or problem.locations is not base.locations
        or same_profile != base.profile
        or not rules.excluded_locations >= base.profile.rules.excluded_locations
        or problem.state is not base.state
        or problem.table is not base.table
        or problem.scarcity_prices is not base.scarcity_prices
        or problem.now != base.now
        or problem.day_room is not base.day_room
        or arrays.weights != base.profile.weights
    ):
        raise ValueError(
            "Expected a problem differing only in the need-by, the service choice and "
            "more excluded locations, and arrays built with its weights."
        )


def _in_transit(table: LocationTable, products: tuple[str, ...]) -> bool:
    """Whether any candidate has stock of ``products`` in transit (the need-by counts it)."""
    columns = table.products
    return any(column.in_transit for p in products if (column := columns.get(p)) is not None)


__all__ = ["delivered_by"]

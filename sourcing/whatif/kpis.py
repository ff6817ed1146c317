"""KPIs per scenario, their differences to the baseline with paired bootstrap intervals, and
the orders whose plans changed most.

Every cost is the bench's: ``objective.evaluate`` of the order's allocation on
the state it was applied to (``OrderRecord.terms``), folded into the bench's
``cost_parts``. ``service_cost`` is the objective without the rejection
penalty (reported as rejected units instead, since its size is a modelling
device); ``cost_to_serve`` only the money terms (``MONEY_PARTS``), what the
frontier sets against parcels per order.

The interval of a difference resamples orders with replacement, the same
orders for both scenarios (paired), ``bootstrap`` times with a fixed seed, and
takes the 2.5th and 97.5th percentiles of the total difference.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from sourcing.bench.metrics import cost_parts
from sourcing.solver.types import FloatArray
from sourcing.whatif.engine import ScenarioRun
from sourcing.whatif.history import History

# The terms that are money spent (fixed, per unit, per km), not preferences or penalties.
MONEY_PARTS = ("fixed", "handling", "shipping")
# Per-order measures a difference is bootstrapped for, in report order.
MEASURES = ("service_cost", "parcels", "km", "rejected_units", "below_ideal_units")


@dataclass(frozen=True, slots=True)
class ScenarioKpis:
    """One scenario's totals and rates over the history."""

    scenario: str
    policy: str
    orders: int
    units: int
    service_cost: float
    cost_to_serve: float
    parts: dict[str, float]
    parcels_per_order: float
    split_orders: int
    km: float
    rejected_units: int
    escalated_orders: int
    escalated_by_day: dict[int, int]
    capacity_use_by_type: dict[str, float]
    below_ideal_units: int
    store_share: float
    invalid: int


@dataclass(frozen=True, slots=True)
class Delta:
    """A variant's total of one measure minus the baseline's, with its 95% interval."""

    scenario: str
    measure: str
    difference: float
    low: float
    high: float


def per_order(run: ScenarioRun) -> dict[str, FloatArray]:
    """Each measure of ``MEASURES``, order by order."""
    records, decisions = run.records, run.decisions
    return {
        "service_cost": np.array([r.cost - r.terms.get("rejection", 0.0) for r in records]),
        "parcels": np.array([float(r.shipments) for r in records]),
        "km": np.array([d.km for d in decisions]),
        "rejected_units": np.array([float(r.rejected_units) for r in records]),
        "below_ideal_units": np.array([float(d.below_ideal_units) for d in decisions]),
    }


def kpis(run: ScenarioRun) -> ScenarioKpis:
    """The scenario's KPIs."""
    records, decisions = run.records, run.decisions
    parts: dict[str, float] = dict.fromkeys(cost_parts({}), 0.0)
    for record in records:
        for part, value in cost_parts(record.terms).items():
            parts[part] += value
    by_type: Counter[str] = Counter(t for d in decisions for t in d.location_types)
    served = sum(u for d in decisions for _, u in d.plan)
    escalated = Counter(r.day for r in records if r.rejected_units)
    n = len(records)
    return ScenarioKpis(
        scenario=run.scenario.name,
        policy=run.run.policy,
        orders=n,
        units=sum(r.units for r in records),
        service_cost=sum(parts.values()) - parts["rejection"],
        cost_to_serve=sum(parts[p] for p in MONEY_PARTS),
        parts=parts,
        parcels_per_order=sum(r.shipments for r in records) / n if n else 0.0,
        split_orders=sum(r.shipments > 1 for r in records),
        km=sum(d.km for d in decisions),
        rejected_units=sum(r.rejected_units for r in records),
        escalated_orders=sum(escalated.values()),
        escalated_by_day=dict(sorted(escalated.items())),
        capacity_use_by_type={
            kind: by_type[kind] / offered
            for kind, offered in sorted(run.capacity_offered_by_type.items())
            if offered
        },
        below_ideal_units=sum(d.below_ideal_units for d in decisions),
        store_share=sum(d.store_units for d in decisions) / served if served else 0.0,
        invalid=sum(bool(r.error) for r in records),
    )


def deltas(baseline: ScenarioRun, variant: ScenarioRun, samples: int, seed: int) -> list[Delta]:
    """Variant minus baseline, measure by measure, with a paired bootstrap 95% interval."""
    base, other = per_order(baseline), per_order(variant)
    n = len(baseline.records)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(samples, n)) if n and samples else None
    out = []
    for measure in MEASURES:
        difference = other[measure] - base[measure]
        total = float(difference.sum())
        low = high = total
        if draws is not None:
            totals = difference[draws].sum(axis=1)
            low, high = (float(v) for v in np.percentile(totals, [2.5, 97.5]))
        out.append(Delta(variant.scenario.name, measure, total, low, high))
    return out


@dataclass(frozen=True, slots=True)
class OrderChange:
    """One order whose plan differs between the baseline and a variant."""

    scenario: str
    order_ref: str
    cost_change: float
    baseline_plan: str
    variant_plan: str
    baseline_reasons: str
    variant_reasons: str


def plan_text(plan: tuple[tuple[str, int], ...]) -> str:
    """A plan as ``W_1:3 S_2:1`` (``-`` when nothing was served)."""
    return " ".join(f"{ref}:{units}" for ref, units in plan) or "-"


def changes(baseline: ScenarioRun, variant: ScenarioRun, top: int) -> list[OrderChange]:
    """The ``top`` orders whose plan changed, largest change of service cost first."""
    base_cost = per_order(baseline)["service_cost"]
    cost = per_order(variant)["service_cost"]
    found = []
    for i, (b, v) in enumerate(zip(baseline.decisions, variant.decisions, strict=True)):
        rejected_differ = baseline.records[i].rejected_units != variant.records[i].rejected_units
        if b.plan != v.plan or rejected_differ:
            found.append((i, float(cost[i] - base_cost[i])))
    found.sort(key=lambda item: (-abs(item[1]), item[0]))
    return [
        OrderChange(
            variant.scenario.name,
            baseline.records[i].order_ref,
            change,
            plan_text(baseline.decisions[i].plan),
            plan_text(variant.decisions[i].plan),
            baseline.decisions[i].reasons,
            variant.decisions[i].reasons,
        )
        for i, change in found[:top]
    ]


def changed_orders(baseline: ScenarioRun, variant: ScenarioRun) -> int:
    """How many orders got a different plan."""
    return sum(b.plan != v.plan for b, v in zip(baseline.decisions, variant.decisions, strict=True))


@dataclass(frozen=True, slots=True)
class Fidelity:
    """How the baseline's replay compares with the plans the service stored.

    ``differing`` lists the orders whose replayed plan is not the stored one;
    ``stock_corrections`` the stock changes inside the window that the replay
    does not see (the usual reason).
    """

    compared: int
    differing: tuple[str, ...]
    stock_corrections: int

    @property
    def identical_share(self) -> float:
        """Share of compared orders whose plan was reproduced exactly."""
        return 1.0 - len(self.differing) / self.compared if self.compared else 1.0


def fidelity(history: History, baseline: ScenarioRun) -> Fidelity | None:
    """The baseline against the stored plans; ``None`` for a history without any (files)."""
    stored = [o for o in history.orders if o.stored_plan is not None]
    if not stored:
        return None
    replayed = {
        r.order_ref: dict(d.plan) for r, d in zip(baseline.records, baseline.decisions, strict=True)
    }
    differing = tuple(
        o.order.ref for o in stored if replayed.get(o.order.ref) != dict(o.stored_plan or {})
    )
    return Fidelity(len(stored), differing, history.stock_corrections)

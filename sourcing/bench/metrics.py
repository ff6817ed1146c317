"""The figures of the report, computed from a run's raw results.

Costs add up order by order (each priced with ``objective.evaluate`` on the
state it was applied to). Over a group of instances (e.g. one family, all
sizes) costs and bounds are summed, so the gap of a group is its total cost
over its total bound, minus one; latency percentiles are over every order of
the group.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sourcing.bench.results import InstanceKey, OrderRow, Results, RunInfo

# The cost parts the report shows; every other term is summed into "other".
COST_PARTS = ("fixed", "handling", "shipping", "split", "ideal_stock", "rejection")
GROUP_FIELDS = ("family", "size", "policy")
# A policy's cost may not fall below the bound by more than float round-off.
BOUND_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Summary:
    """One policy's figures over a group of instances; ``None`` fields span all values.

    ``gap`` is cost / bound - 1 (NaN without a proved bound); ``service_cost``
    is the cost without the rejection penalty; ``capacity_used`` the share of
    the capacity-limited locations' daily capacity that orders took (NaN where
    no location has a limit); ``split_share`` the share of orders shipped
    from two or more locations.
    """

    family: str | None
    size: int | None
    policy: str | None
    instances: int
    orders: int
    cost: float
    parts: dict[str, float]
    bound: float
    shipments: int
    split_orders: int
    rejected_units: int
    units: int
    capacity_used: float
    latency_ms: tuple[float, float, float]  # p50, p95, p99
    peak_rss_mb: float
    invalid: int

    @property
    def gap(self) -> float:
        """Cost over the bound, minus one."""
        if not math.isfinite(self.bound) or self.bound <= 0:
            return math.nan
        return self.cost / self.bound - 1.0

    @property
    def service_cost(self) -> float:
        """The cost without the rejection penalty."""
        return self.cost - self.parts["rejection"]

    @property
    def shipments_per_order(self) -> float:
        """Locations shipping per order, on average."""
        return self.shipments / self.orders if self.orders else math.nan

    @property
    def split_share(self) -> float:
        """Share of orders shipped from more than one location."""
        return self.split_orders / self.orders if self.orders else math.nan


def cost_parts(terms: dict[str, float]) -> dict[str, float]:
    """An order's terms folded into ``COST_PARTS`` and ``other``."""
    parts = {part: terms.get(part, 0.0) for part in COST_PARTS}
    parts["other"] = sum(v for t, v in terms.items() if t not in COST_PARTS)
    return parts


def summarise(results: Results, by: Sequence[str] = GROUP_FIELDS) -> list[Summary]:
    """One summary per group of ``by`` (among family, size, policy), in the run's order."""
    unknown = sorted(set(by) - set(GROUP_FIELDS))
    if unknown:
        raise ValueError(f"Expected grouping fields among {GROUP_FIELDS}, got {unknown}.")
    groups: dict[tuple[object, ...], list[OrderRow]] = defaultdict(list)
    for row in results.orders:
        groups[_group_of(row.instance, row.policy, by)].append(row)
    bounds = {b.instance: b.value for b in results.bounds if not b.error}
    runs = {(r.instance, r.policy): r for r in results.runs}
    return [_summary(key, rows, by, bounds, runs) for key, rows in groups.items()]


def _group_of(instance: InstanceKey, policy: str, by: Sequence[str]) -> tuple[object, ...]:
    values = {"family": instance.family, "size": instance.size, "policy": policy}
    return tuple(values[name] if name in by else None for name in GROUP_FIELDS)


def _summary(
    key: tuple[object, ...],
    rows: list[OrderRow],
    by: Sequence[str],
    bounds: dict[InstanceKey, float],
    runs: dict[tuple[InstanceKey, str], RunInfo],
) -> Summary:
    family, size, policy = key
    instances = sorted({row.instance for row in rows})
    policies = sorted({row.policy for row in rows})
    parts: dict[str, float] = defaultdict(float)
    for row in rows:
        for part, value in cost_parts(row.record.terms).items():
            parts[part] += value
    # The bound of a group of one policy is the sum of its instances' bounds.
    bound = sum(bounds.get(i, math.nan) for i in instances) if len(policies) == 1 else math.nan
    used = offered = 0
    peak = 0.0
    for instance in instances:
        for name in policies:
            run = runs.get((instance, name))
            if run is not None:
                used += run.capacity_used
                offered += run.capacity_offered
                peak = max(peak, run.peak_rss_mb)
    latency = np.array([row.record.latency_s for row in rows]) * 1000.0
    p50, p95, p99 = (float(np.percentile(latency, q)) for q in (50, 95, 99))
    return Summary(
        family=family if isinstance(family, str) else None,
        size=size if isinstance(size, int) else None,
        policy=policy if isinstance(policy, str) else None,
        instances=len(instances),
        orders=len(rows),
        cost=sum(row.record.cost for row in rows),
        parts=dict(parts),
        bound=bound,
        shipments=sum(row.record.shipments for row in rows),
        split_orders=sum(row.record.shipments > 1 for row in rows),
        rejected_units=sum(row.record.rejected_units for row in rows),
        units=sum(row.record.units for row in rows),
        capacity_used=used / offered if offered else math.nan,
        latency_ms=(p50, p95, p99),
        peak_rss_mb=peak,
        invalid=sum(bool(row.record.error) for row in rows),
    )


def problems(results: Results) -> list[str]:
    """What makes the run fail, in words: failed jobs, invalid plans, a bound above a cost."""
    found = [f"{r.instance.name} {r.policy}: {r.error}" for r in results.runs if r.error]
    found += [f"{b.instance.name} bound: {b.error}" for b in results.bounds if b.error]
    found += [
        f"{row.instance.name} {row.policy} order {row.record.order_ref}: {row.record.error}"
        for row in results.orders
        if row.record.error
    ]
    for summary in summarise(results):
        slack = BOUND_TOLERANCE * max(1.0, abs(summary.cost))
        if math.isfinite(summary.bound) and summary.bound > summary.cost + slack:
            found.append(
                f"{summary.family}-{summary.size} {summary.policy}: cost {summary.cost:.6f} "
                f"below the bound {summary.bound:.6f}"
            )
    return found

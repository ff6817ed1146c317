"""Histories from the bench's synthetic families, for ``sourcing whatif --demo`` and the benchmark.

The family's network and order stream are the bench's (``build_instance``);
the orders arrive on the family's days, a second apart within a day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sourcing import solver
from sourcing.bench.results import InstanceKey
from sourcing.bench.runner import build_instance
from sourcing.whatif.history import CANDIDATE_NETWORKS, History, HistoryOrder

WINDOW_START = datetime(2026, 11, 2, tzinfo=UTC)

DEMO_SCENARIOS = """\
seed = 7
bootstrap = 500
top_changes = 5

[baseline]
name = "live"
policy = "mip"

[[scenarios]]
name = "rule engine"
policy = "fewest_splits"

[[scenarios]]
name = "two parcels at most"
policy = "mip"
split_limit = 2
[scenarios.rules]
buffer = 1

[sweep]
split = [0, 150, 1000]
"""


def synthetic_history(family: str, locations: int, orders: int, seed: int = 1) -> History:
    """The bench family ``family``'s network and ``orders`` orders as a history."""
    instance = build_instance(InstanceKey(family, locations, seed, orders))
    if not instance.problems:
        raise ValueError(f"Expected orders to be positive, got {orders}.")
    every_type = frozenset(CANDIDATE_NETWORKS.values())
    network = tuple(
        replace(loc, networks=loc.networks | every_type) for loc in instance.problems[0].locations
    )
    history_orders = tuple(
        HistoryOrder(p.order, WINDOW_START + timedelta(days=day, seconds=i))
        for i, (p, day) in enumerate(zip(instance.problems, instance.days, strict=True))
    )
    profile = instance.problems[0].profile
    return History(
        f"{family}-{locations} ({orders} orders)",
        network,
        history_orders,
        dict.fromkeys(solver.OrderType, profile),
    )

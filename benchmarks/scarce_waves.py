"""The bench's whole-day waves (`batch`) on one scarcity family, against the committed run.

    python -m benchmarks.scarce_waves [--family scarce] [--sizes 100,300,1000,3000]

Builds the instances ``sourcing bench`` builds (seed, orders), runs the
``batch`` policy on each as the bench does (its 10 s per wave), and prints
per size the cost without rejections, the units rejected and the share of
the greedy-to-bound gap closed, against the greedy's cost and the bound of
the committed run (``results/scarcity``), then the same over the family
(the bench's figure). Below each size, the wave's steps: seconds per step,
units rescued, neighbourhoods tried and moved. Minutes per family.
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sourcing.bench.policies as policies
from sourcing.bench.policies import PolicyOptions, make_policy
from sourcing.bench.results import InstanceKey
from sourcing.bench.runner import build_instance
from sourcing.bench.simulation import simulate
from sourcing.solver.wave import neighbourhood

RESULTS = Path(__file__).parent / "results" / "scarcity"


@dataclass
class Row:
    """One instance's committed greedy and bound, and the wave's run."""

    size: int
    greedy_cost: float
    bound: float
    cost: float = 0.0
    rejection: float = 0.0
    rejected: int = 0


def committed(family: str) -> dict[int, tuple[float, float]]:
    """Per size, the committed greedy cost and the bound (``summary.csv``)."""
    result: dict[int, tuple[float, float]] = {}
    with open(RESULTS / "summary.csv") as file:
        for row in csv.DictReader(file):
            if row["family"] == family and row["policy"] == "greedy":
                result[int(row["size"])] = (float(row["cost"]), float(row["bound"]))
    return result


def _recording(log: list[dict[str, Any]]) -> None:
    """Patch the bench's ``solve_batch`` and the neighbourhood search to record their stats."""
    solve = getattr(policies, "solve_batch")  # noqa: B009 (not exported: patched here)
    run = neighbourhood.Neighbourhoods.run

    def solve_batch(*args: Any, **kwargs: Any) -> Any:
        wave = solve(*args, **kwargs)
        log.append({"seconds": wave.stats.seconds, "rescued": wave.stats.rescued_units})
        log[-1]["time"] = wave.solve_time_s
        log[-1]["policy"] = wave.policy
        return wave

    def searched(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = run(self, *args, **kwargs)
        log.append({"tried": self.tried, "moves": self.moves})
        return result

    setattr(policies, "solve_batch", solve_batch)  # noqa: B010
    neighbourhood.Neighbourhoods.run = searched  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="scarce")
    parser.add_argument("--sizes", default="100,300,1000,3000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    log: list[dict[str, Any]] = []
    _recording(log)
    base = committed(args.family)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        key = InstanceKey(args.family, size, args.seed, args.orders)
        instance = build_instance(key)
        log.clear()
        started = time.perf_counter()
        policy = make_policy("batch", PolicyOptions(mip_time_limit_s=args.time_limit))
        run = simulate(policy, instance)
        row = Row(size, *base.get(size, (float("nan"), float("nan"))))
        row.cost = sum(r.cost for r in run.records)
        row.rejection = sum(r.terms.get("rejection", 0.0) for r in run.records)
        row.rejected = sum(r.rejected_units for r in run.records)
        rows.append(row)
        closed = (row.greedy_cost - row.cost) / (row.greedy_cost - row.bound)
        print(
            f"{args.family}-{size}: controlled {row.cost - row.rejection:,.0f} "
            f"rejected {row.rejected} closed {closed:.1%} ({time.perf_counter() - started:.1f} s)"
        )
        for entry in log:
            shown = {
                k: ({s: round(t, 2) for s, t in v.items()} if k == "seconds" else v)
                for k, v in entry.items()
            }
            print("   ", shown)
    greedy = sum(r.greedy_cost for r in rows)
    closed = (greedy - sum(r.cost for r in rows)) / (greedy - sum(r.bound for r in rows))
    controlled = sum(r.cost - r.rejection for r in rows)
    rejected = sum(r.rejected for r in rows)
    print(f"{args.family}: closed {closed:.1%}, controlled {controlled:,.0f}, rejected {rejected}")


if __name__ == "__main__":
    main()

"""What-if at scale: 10,000 orders over 1,000 locations replayed under two per-order-MIP scenarios.

A history is generated from a family of the benchmark (``clustered`` by
default; its network and orders, ``sourcing.whatif.synthetic``) and replayed
by the what-if engine under a baseline (the per-order MIP under the family's
weights) and one variant (the MIP with a split penalty four times as high),
with every order's reasons computed as ``sourcing whatif`` does. Printed per
scenario: wall time, time per order, p50/p95/p99 of the decision latency,
the ratio of each scenario's time to the baseline's, the KPIs, and the
process's peak resident memory. The KPIs, differences and changed orders
are computed as for the report (bootstrap over the orders included).

Targets (the issue's): both scenarios within 180 s, peak memory within
2 GB. The run fails (exit status 1) on a miss of either, or an invalid plan;
with ``--quick`` a miss of the time target is only printed.

    python benchmarks/whatif_scale.py [--quick] [--orders N] [--locations N]
        [--family clustered] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from sourcing.whatif.engine import ScenarioRun, run_scenario
from sourcing.whatif.history import History
from sourcing.whatif.kpis import deltas, kpis
from sourcing.whatif.report import WhatIf
from sourcing.whatif.scenarios import ScenarioFile
from sourcing.whatif.synthetic import synthetic_history

TARGET_S = 180.0
TARGET_PEAK_MB = 2048.0
FULL = {"orders": 10_000, "locations": 1_000}
QUICK = {"orders": 300, "locations": 100}
SCENARIOS = """
seed = 7
bootstrap = 1000
[baseline]
name = "live"
policy = "mip"
[[scenarios]]
name = "fewer parcels"
policy = "mip"
weights = { split = 600.0 }
"""


def peak_mb() -> float:
    """The process's peak resident set so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def replay(history: History, file: ScenarioFile, console: Console) -> list[ScenarioRun]:
    """Every scenario over ``history``, saying when each is done."""
    runs = []
    for scenario in file.scenarios:
        run = run_scenario(history, scenario, file)
        console.print(f"{scenario.name}: {run.seconds:.1f} s, peak {peak_mb():,.0f} MB")
        runs.append(run)
    return runs


def table(runs: list[ScenarioRun]) -> Table:
    """Time, latency and KPIs per scenario."""
    out = Table(
        "scenario",
        "s",
        "ms/order",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "x baseline",
        "cost to serve",
        "parcels/order",
        "units rejected",
    )
    base = runs[0].seconds
    for run in runs:
        k = kpis(run)
        latency = np.array([r.latency_s for r in run.records]) * 1000.0
        p50, p95, p99 = (float(np.percentile(latency, q)) for q in (50, 95, 99))
        out.add_row(
            run.scenario.name,
            f"{run.seconds:.1f}",
            f"{1000 * run.seconds / k.orders:.2f}",
            f"{p50:.2f}",
            f"{p95:.2f}",
            f"{p99:.2f}",
            f"{run.seconds / base:.2f}",
            f"{k.cost_to_serve:,.0f}",
            f"{k.parcels_per_order:.3f}",
            str(k.rejected_units),
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 orders x 100 locations")
    parser.add_argument("--orders", type=int)
    parser.add_argument("--locations", type=int)
    parser.add_argument("--family", default="clustered")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    orders, locations = args.orders or size["orders"], args.locations or size["locations"]
    console = Console(width=150)
    started = time.perf_counter()
    history = synthetic_history(args.family, locations, orders, args.seed)
    console.print(
        f"history {history.name}: built in {time.perf_counter() - started:.1f} s, "
        f"peak {peak_mb():,.0f} MB"
    )
    file = ScenarioFile.parse(SCENARIOS, "whatif_scale")
    runs = replay(history, file, console)
    started = time.perf_counter()
    result = WhatIf.of(history, file, runs, [])
    console.print(f"KPIs, bootstrap and changes: {time.perf_counter() - started:.1f} s")
    console.print(table(runs))
    for d in deltas(runs[0], runs[1], file.bootstrap, file.seed):
        console.print(f"{d.measure}: {d.difference:+,.1f} [{d.low:+,.1f}, {d.high:+,.1f}]")
    console.print(f"orders changed: {result.changed}")
    total = sum(r.seconds for r in runs)
    peak = peak_mb()
    console.print(
        f"both scenarios: {total:.1f} s (target {TARGET_S:.0f} s), "
        f"peak memory {peak:,.0f} MB (target {TARGET_PEAK_MB:,.0f} MB)"
    )
    failed = [f"{k.scenario}: {k.invalid} invalid plans" for k in result.kpis if k.invalid]
    if peak > TARGET_PEAK_MB:
        failed.append(f"peak memory {peak:,.0f} MB above {TARGET_PEAK_MB:,.0f} MB")
    if total > TARGET_S and not args.quick:
        failed.append(f"{total:.1f} s above {TARGET_S:.0f} s")
    for problem in failed:
        console.print(f"[red]FAIL[/red] {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

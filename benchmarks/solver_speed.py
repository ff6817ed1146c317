"""Solve time and plan cost of the greedy and the MIP on seeded instances.

For each network size (candidate locations), one network and one stream of
5-line orders are generated from the seed; every order is solved by the
greedy and then by the MIP, so both policies see the same orders. Each policy
is warmed up once on an extra order before timing. Times are wall-clock
around ``solve`` (the Plan's own ``solve_time_s`` is reported alongside).

The run fails (exit status 1) if the MIP's objective is ever above the
greedy's on the same order, or if any plan breaks a hard rule (stock, split
limit, what the rules allow), does not account for every ordered unit, or
reports an objective its units do not add up to.

    python benchmarks/solver_speed.py [--quick] [--seed N] [--orders N]
        [--sizes 50,200,1000] [--family uniform|clustered|olist]
        [--in-stock-share 0.3] [--binding-capacity] [--split-limit N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version

import numpy as np
from rich.console import Console
from rich.table import Table

from sourcing.bench.instances import FAMILIES, InstanceConfig, make_network, order_stream
from sourcing.solver import Plan, SolveStatus, SourcingProblem, solve
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.options import BACKENDS, DEFAULT_TIME_LIMIT_S

# "mip" is the default solver (candidates reduced by a proved bound);
# "mip-full" solves the full, unreduced model: the reference optimum and the
# "before" of issue 6.
POLICIES = ("greedy", "mip", "mip-full")
# Issue 6's targets at 1,000 candidate locations.
TARGET_P50_MS = 5.0
TARGET_P99_MS = 25.0
TARGET_EXACT_SHARE = 0.99
TARGET_WORST_GAP = 0.001
TARGET_RATIO = 5.0
DEFAULT_SIZES = (50, 200, 1000)
DEFAULT_ORDERS = 200
QUICK_ORDERS = {50: 10, 200: 10, 1000: 5}
LINES_PER_ORDER = 5
# The MIP may not cost more than the greedy; allow for float round-off only.
TOLERANCE = 1e-6


@dataclass
class PolicyRuns:
    """What one policy did on every order of one size."""

    wall_s: list[float] = field(default_factory=list)
    solver_s: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    splits: list[int] = field(default_factory=list)
    rejected_units: int = 0
    optimal: int = 0

    def add(self, plan: Plan, wall_s: float) -> None:
        """Record one solve."""
        self.wall_s.append(wall_s)
        self.solver_s.append(plan.solve_time_s)
        self.objective.append(plan.objective.total)
        self.splits.append(plan.split_count)
        self.rejected_units += plan.rejected_units
        self.optimal += plan.status is SolveStatus.OPTIMAL

    def wall_ms(self, q: float) -> float:
        """The ``q``-th percentile of wall time, in ms."""
        return float(np.percentile(self.wall_s, q)) * 1000.0


@dataclass
class SizeResult:
    """Both policies on the orders of one network size."""

    size: int
    orders: int
    network_s: float
    runs: dict[str, PolicyRuns]
    mip_above_greedy: int
    invalid: list[str]
    family: str = "uniform"
    gaps_to_full: list[float] = field(default_factory=list)  # (mip - full) / |full| per order

    @property
    def exact_share(self) -> float:
        """Share of orders whose MIP objective equals the full model's optimum."""
        return float(np.mean([abs(g) <= TOLERANCE for g in self.gaps_to_full]))


def _timed_solve(
    problem: SourcingProblem, policy: str, args: argparse.Namespace
) -> tuple[Plan, float]:
    started = time.perf_counter()
    plan = solve(
        problem,
        policy="greedy" if policy == "greedy" else "mip",
        time_limit_s=args.time_limit,
        backend=args.backend,
        reduce=policy != "mip-full",
    )
    return plan, time.perf_counter() - started


def run_size(size: int, n_orders: int, args: argparse.Namespace, family: str) -> SizeResult:
    """Solve ``n_orders`` orders over a network of ``size`` locations with every policy."""
    config = InstanceConfig(
        family=family,
        n_locations=size,
        lines_per_order=LINES_PER_ORDER,
        in_stock_share=args.in_stock_share,
        binding_capacity=args.binding_capacity,
        split_limit=args.split_limit,
        seed=args.seed,
    )
    started = time.perf_counter()
    network = make_network(config)
    network_s = time.perf_counter() - started
    warm_up, *problems = order_stream(network, n_orders + 1)
    for policy in POLICIES:
        _timed_solve(warm_up, policy, args)
    runs = {policy: PolicyRuns() for policy in POLICIES}
    mip_above_greedy = 0
    invalid: list[str] = []
    gaps: list[float] = []
    for problem in problems:
        plans = {}
        for policy in POLICIES:
            plan, wall_s = _timed_solve(problem, policy, args)
            runs[policy].add(plan, wall_s)
            plans[policy] = plan
        if plans["mip"].objective.total > plans["greedy"].objective.total + TOLERANCE:
            mip_above_greedy += 1
        full = plans["mip-full"].objective.total
        gaps.append((plans["mip"].objective.total - full) / max(1.0, abs(full)))
        arrays = SourcingArrays.build(problem)
        for plan in plans.values():
            invalid.extend(
                f"{plan.order_ref} {plan.policy}: {e}" for e in plan_errors(plan, arrays)
            )
    return SizeResult(size, n_orders, network_s, runs, mip_above_greedy, invalid, family, gaps)


def plan_errors(plan: Plan, arrays: SourcingArrays) -> list[str]:
    """Why ``plan`` is not a valid plan of its problem, in words; empty when it is."""
    refs = {ref: i for i, ref in enumerate(arrays.location_refs)}
    lines = {line.ref: k for k, line in enumerate(arrays.problem.order.lines)}
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    for fulfilment in plan.fulfilments:
        for line in fulfilment.lines:
            allocation[refs[fulfilment.location_ref], lines[line.line_ref]] += line.quantity
    errors = violations(arrays, allocation)
    rejected = np.zeros(len(lines), dtype=np.int64)
    for line in plan.rejected.lines if plan.rejected else ():
        rejected[lines[line.line_ref]] += line.quantity
    if (allocation.sum(axis=0) + rejected != arrays.quantity).any():
        errors.append("served plus rejected differs from ordered")
    expected = evaluate(arrays, allocation).total
    if abs(plan.objective.total - expected) > TOLERANCE * max(1.0, abs(expected)):
        errors.append(f"objective {plan.objective.total} but its units cost {expected}")
    return errors


def environment() -> str:
    """One line saying what the benchmark ran on."""
    return (
        f"python {platform.python_version()} | ortools {version('ortools')} | "
        f"numpy {np.__version__} | {os.cpu_count()} CPUs | {platform.machine()} {platform.system()}"
    )


def report(results: Sequence[SizeResult], args: argparse.Namespace) -> Table:
    """The results as one table, a row per size and policy."""
    table = Table(
        title=f"Per-order solve, {LINES_PER_ORDER}-line orders, seed {args.seed}, "
        f"backend {args.backend} (wall time, ms)"
    )
    for name in ("family", "locations", "policy", "orders", "p50", "p95", "p99", "solver p50"):
        table.add_column(name, justify="right")
    for name in ("mean obj", "splits", "rejected", "optimal", "p50/greedy", "MIP>greedy"):
        table.add_column(name, justify="right")
    for result in results:
        greedy_p50 = result.runs["greedy"].wall_ms(50)
        for policy in POLICIES:
            runs = result.runs[policy]
            is_mip = policy != "greedy"
            table.add_row(
                result.family,
                str(result.size),
                policy,
                str(result.orders),
                f"{runs.wall_ms(50):.2f}",
                f"{runs.wall_ms(95):.2f}",
                f"{runs.wall_ms(99):.2f}",
                f"{float(np.median(runs.solver_s)) * 1000.0:.2f}",
                f"{np.mean(runs.objective):.1f}",
                f"{np.mean(runs.splits):.2f}",
                str(runs.rejected_units),
                f"{runs.optimal}/{result.orders}" if is_mip else "-",
                f"{runs.wall_ms(50) / greedy_p50:.1f}x" if is_mip else "1.0x",
                str(result.mip_above_greedy) if is_mip else "-",
            )
        table.add_section()
    return table


def targets(results: Sequence[SizeResult]) -> Table:
    """Issue 6's targets against what the largest size measured, per family."""
    table = Table(title="Targets at the largest size (before = full model, after = reduced)")
    for name in ("family", "locations", "measure", "target", "before", "after", "met"):
        table.add_column(name, justify="right")
    largest = max(r.size for r in results)
    for result in (r for r in results if r.size == largest):
        mip, full, greedy = (result.runs[p] for p in ("mip", "mip-full", "greedy"))
        worst = max(result.gaps_to_full)
        rows = (
            ("p50 ms", f"<= {TARGET_P50_MS}", full.wall_ms(50), mip.wall_ms(50), TARGET_P50_MS),
            ("p99 ms", f"<= {TARGET_P99_MS}", full.wall_ms(99), mip.wall_ms(99), TARGET_P99_MS),
            (
                "p50 / greedy p50",
                f"<= {TARGET_RATIO}x",
                full.wall_ms(50) / greedy.wall_ms(50),
                mip.wall_ms(50) / greedy.wall_ms(50),
                TARGET_RATIO,
            ),
            ("worst gap to full optimum", "<= 0.1%", 0.0, worst, TARGET_WORST_GAP),
        )
        for measure, target, before, after, limit in rows:
            table.add_row(
                result.family,
                str(result.size),
                measure,
                target,
                f"{before:.4g}",
                f"{after:.4g}",
                "yes" if after <= limit else "NO",
            )
        share = result.exact_share
        table.add_row(
            result.family,
            str(result.size),
            "orders at the full optimum",
            ">= 99%",
            "100%",
            f"{share:.1%}",
            "yes" if share >= TARGET_EXACT_SHARE else "NO",
        )
        table.add_section()
    return table


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few orders per size (for CI)")
    parser.add_argument("--seed", type=int, default=0, help="seed of networks and orders")
    parser.add_argument(
        "--orders", type=int, default=None, help=f"orders per size (default {DEFAULT_ORDERS})"
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: tuple(int(v) for v in s.split(",")),
        default=DEFAULT_SIZES,
        help="candidate locations per network, comma separated (default 50,200,1000)",
    )
    parser.add_argument(
        "--families",
        type=lambda s: tuple(s.split(",")),
        default=("uniform",),
        help=f"instance families, comma separated, of {', '.join(FAMILIES)} (default uniform)",
    )
    parser.add_argument(
        "--in-stock-share", type=float, default=0.3, help="share of positions in stock"
    )
    parser.add_argument(
        "--binding-capacity", action="store_true", help="stores with 0-3 orders of capacity left"
    )
    parser.add_argument("--split-limit", type=int, default=1000, help="most fulfilments per order")
    parser.add_argument("--backend", choices=BACKENDS, default="scip")
    parser.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, help="MIP time limit, s"
    )
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error(f"expected --orders to be at least 1, got {args.orders}")
    if unknown := set(args.families) - set(FAMILIES):
        parser.error(f"expected families among {', '.join(FAMILIES)}, got {sorted(unknown)}")
    if any(size < 1 for size in args.sizes):
        parser.error(f"expected every size to be at least 1, got {args.sizes}")
    return args


def orders_for(size: int, args: argparse.Namespace) -> int:
    """How many orders to time at ``size`` locations."""
    if args.orders is not None:
        return int(args.orders)
    if args.quick:
        return QUICK_ORDERS.get(size, 5)
    return DEFAULT_ORDERS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table; 1 if the MIP lost to greedy or a plan is invalid."""
    args = parse_args(argv)
    # Piped output (CI, a log file) would otherwise wrap the table at 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 150)
    console.print(environment())
    results = []
    for family in args.families:
        for size in args.sizes:
            n_orders = orders_for(size, args)
            with console.status(f"{family}, {size} locations, {n_orders} orders ..."):
                result = run_size(size, n_orders, args, family)
            console.print(
                f"{family}, {size} locations: network generated in "
                f"{result.network_s * 1000:.0f} ms, {n_orders} orders solved."
            )
            results.append(result)
    console.print(report(results, args))
    console.print(targets(results))
    above = sum(r.mip_above_greedy for r in results)
    invalid = [error for r in results for error in r.invalid]
    console.print(f"Orders where the MIP's objective is above the greedy's: {above}")
    console.print(f"Invalid plans: {len(invalid)}")
    for error in invalid[:10]:
        console.print(f"  {error}", markup=False)
    return 1 if above or invalid else 0


if __name__ == "__main__":
    sys.exit(main())

"""How many units a short wave can serve at most: the flow's bound, the LP's and the MIP's.

``served``'s max flow bounds the units any wave plan serves, but it turns
stores' capacity in orders into one in units and leaves split limits out.
On ``batch_scale --variant scarce`` (all orders in one day, stores taking
20-60 orders) the wave's plan stays well above the flow's rejection floor;
this measures on which side the gap lies: the exact "most units servable"
problem (``served_lp``: binary y per order and location, units per arc,
stock, capacity in orders per type and in total, split limits, on the
flow's own graph built from every order's arrays) solved as a MIP by SCIP
for a while, its best plan and proved bound next to the flow's maximum,
the LP relaxation's and the units the wave's and the greedy's plans serve.

Not in CI (minutes on 2,000 orders). ``--quick`` is a cheap smoke run.

    python -m benchmarks.served_optimum [--quick] [--orders 500] [--locations 50]
        [--variant scarce] [--mip-seconds 120] [--wave-seconds 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from rich.console import Console

from benchmarks.batch_scale import wave_instance
from sourcing.bench.families import FAMILIES, SCARCE_COVER
from sourcing.bench.instances import make_network, order_stream
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.wave import BatchProblem, solve_batch
from sourcing.solver.wave.capped import Cells
from sourcing.solver.wave.most_served import most_served
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import NetworkState, apply
from sourcing.solver.wave.served import ServedCollector, plan_key
from sourcing.solver.wave.served_lp import (
    ServedProgram,
    lp_max_served,
    mip_max_served,
    served_program,
)
from sourcing.solver.wave.steps import _capacity

QUICK = {"orders": 120, "locations": 30, "mip_seconds": 5.0, "wave_seconds": 3.0}
DEFAULT = {"orders": 500, "locations": 50, "mip_seconds": 120.0, "wave_seconds": 20.0}


Most = Callable[[Cells, float], Cells | None]


def flow_and_program(problem: BatchProblem) -> tuple[int, int, int, ServedProgram, Most]:
    """Units ordered, the flow's maximum, lines spilling, the program, ``most_served`` on it."""
    collector = ServedCollector(len(problem.locations))
    for o in range(len(problem.orders)):
        collector.add(o, SourcingArrays.build(problem.problem_of(o)))
    overflow = np.concatenate(collector.overflow_cost)
    arc_stock = np.concatenate(collector.arc_stock).astype(np.int64)
    capacity = _capacity(problem)
    served = collector.served(capacity)
    assert served.graph is not None
    spill = np.flatnonzero(np.isfinite(overflow))
    program = served_program(served.graph, capacity, spill, arc_stock)
    graph = served.graph

    def most(seed: Cells, seconds: float) -> Cells | None:
        return most_served(graph, capacity, seed, seconds, arc_stock)

    return served.demanded, served.max_served, len(spill), program, most


def thin_instance(n_orders: int, n_locations: int, seed: int, products: int) -> BatchProblem:
    """``batch_scale``'s scarce wave with ``products`` products, each 90% covered by stock.

    ``batch_scale`` sizes the catalogue by orders (``families.scarcity``:
    at most 500 products), so a small wave has more units per store and
    product than the full one; this keeps the full size's thinness.
    """
    config = replace(FAMILIES["uniform"].config(n_locations, n_orders, seed), days=1)
    wanted = n_orders * config.mean_units_per_order() / products
    config = replace(config, n_products=products, units_per_product=SCARCE_COVER * wanted)
    return BatchProblem.from_problems(list(order_stream(make_network(config), n_orders)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny wave, a smoke run")
    parser.add_argument("--orders", type=int)
    parser.add_argument("--locations", type=int)
    parser.add_argument("--variant", default="scarce", choices=("plain", "scarce", "capacity"))
    parser.add_argument("--mip-seconds", type=float, help="0: no MIP (SCIP; hopeless at 2,000)")
    parser.add_argument("--wave-seconds", type=float, help="0: do not run the wave")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--products",
        type=int,
        help="scarce only: this many products (stock as thin per store as batch_scale's full size "
        "at --products 50 x orders / locations)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else DEFAULT
    n_orders = args.orders or int(sizes["orders"])
    n_locations = args.locations or int(sizes["locations"])
    mip_s = args.mip_seconds if args.mip_seconds is not None else sizes["mip_seconds"]
    wave_s = args.wave_seconds if args.wave_seconds is not None else sizes["wave_seconds"]
    console = Console(width=150)
    if args.products:
        problem = thin_instance(n_orders, n_locations, args.seed, args.products)
    else:
        problem, _ = wave_instance(
            "uniform", args.variant, n_orders, n_locations, args.seed, "default"
        )
    mark = time.perf_counter()
    demanded, flow, spilling, program, most = flow_and_program(problem)
    built = time.perf_counter() - mark
    n_y = int(program.is_y.sum())
    console.print(
        f"{args.variant}: {n_orders:,} orders x {n_locations:,} locations, {demanded:,} units; "
        f"program {len(program.c):,} variables ({n_y:,} pairs y), {program.rows.count:,} rows, "
        f"{spilling} lines spilling (the MIP is exact only at 0); built in {built:.1f} s"
    )
    mark = time.perf_counter()
    lp = lp_max_served(program, 600.0)
    lp_s = time.perf_counter() - mark
    rows = [("flow max served (served.py)", float(flow)), (f"LP relaxation ({lp_s:.1f} s)", lp)]
    if mip_s > 0:
        mark = time.perf_counter()
        best, bound = mip_max_served(program, mip_s)
        mip_took = time.perf_counter() - mark
        rows += [(f"MIP proved bound ({mip_took:.0f} s)", bound), ("MIP best plan", best)]
    if wave_s > 0:
        wave = solve_batch(problem, time_limit_s=wave_s)
        rows.append(
            (f"wave's plan ({wave_s:.0f} s, {wave.policy})", float(demanded - wave.rejected_units))
        )
        rows.append(
            ("sequential greedy's plan", float(demanded - wave.stats.greedy_rejected_units))
        )
        plans = dict(enumerate(wave.plans))
        mark = time.perf_counter()
        cells = most(cells_of(problem, plans), mip_s or wave_s)
        if cells is not None:  # applied after the wave's plan, in its sequence
            state = NetworkState(
                problem.locations, problem.state, problem.table, problem.scarcity_prices
            )
            profiles = [problem.profile_of(o) for o in range(n_orders)]
            applied = apply(
                state, problem.orders, profiles, list(wave.sequence), decide_from(cells), "batch"
            )
            took = time.perf_counter() - mark
            rows.append(
                (
                    f"most_served from it ({took:.0f} s)",
                    float(demanded - plan_key(applied.values())[0]),
                )
            )
    for name, served in rows:
        console.print(
            f"  {name:<40} served {served:>10,.1f}  unservable {demanded - served:>10,.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

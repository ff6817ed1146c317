"""The exact optimum of a ``batch_scale`` wave: is the gap the wave's plan or its bound?

The wave of ``benchmarks/batch_scale.py`` (same family, variant, sizes, seed
and priorities) is first sourced by ``solve_batch`` as that benchmark does
it; then the whole wave is written as one MIP over every location each
order's rules allow (``wave.mip``'s model: coverage, stock, shared stock,
an order's own level, capacity, split limits, ideal stock and the split
penalty, every rule of the per-order model read off each order's arrays)
and solved by SCIP with a long time limit, the wave's applied plan as its
hint. The rejection penalty is each order's own (no priority raise), so the
MIP minimises the objective the benchmark reports and its bound bounds it.

Printed: the MIP's best plan (applied order by order and priced by the
single-order objective, to check the model's value) and its proved bound;
against them the wave's plan (how far above the optimum it is) and the
wave's bound (how far below), each on what the plan controls, above the
rejection floor, as ``batch_scale`` reports its gap.

    python -m benchmarks.wave_optimum [--variant scarce] [--orders 200]
        [--locations 100] [--wave-time-limit 15] [--time-limit 600]
        [--seed 0] [--family uniform] [--priorities default|flat]

It takes minutes, so it is not part of CI.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence

import numpy as np
from rich.console import Console

from benchmarks.batch_scale import QUICK, VARIANTS, wave_instance
from sourcing.bench.bound import lp_bound
from sourcing.bench.families import FAMILIES
from sourcing.solver import SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.types import IntArray
from sourcing.solver.wave import solve_batch
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.mip import WaveMip, solve_wave_mip
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.polish import assignment_of
from sourcing.solver.wave.prices import surcharge_of
from sourcing.solver.wave.problem import BatchProblem, controlled_gap
from sourcing.solver.wave.refine import priced_bound
from sourcing.solver.wave.relaxation import lp_relaxation
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import Cell, NetworkState, apply
from sourcing.solver.wave.served import real_and_priced

# Time the single-order solver may take per order for the priced bound.
EXACT_TIME_S = 10.0


def everywhere(problem: BatchProblem) -> tuple[Wave, IntArray, dict[str, int]]:
    """The wave with every allowed location a candidate, its capacity table and product ids."""
    products: dict[str, int] = {}
    models = fit(
        lambda o: SourcingArrays.build(problem.problem_of(o)),
        range(len(problem.orders)),
        products,
        candidates=len(problem.locations),
    )
    wave = Wave.of(models)
    if not (wave.outside_location < 0).all():
        raise AssertionError("Expected every allowed location to be a candidate of its order.")
    source = problem.state or problem.table
    assert source is not None  # BatchProblem builds its table
    capacity = np.stack(
        [source.capacity_total, source.capacity_hd, source.capacity_cc], axis=1
    ).astype(np.int64)
    return wave, capacity, products


def joint_optimum(
    problem: BatchProblem, wave: Wave, capacity: IntArray, hint: Sequence[Plan], time_limit_s: float
) -> WaveMip:
    """The wave as one MIP over every allowed location, solved by SCIP within the time.

    Its bound holds for the wave (every allowed location is a candidate);
    the penalties are the orders' own, so its value is the reported cost's.
    """
    start = assignment_of(problem, dict(enumerate(hint)))
    rank = np.arange(len(problem.orders), dtype=np.int64)
    return solve_wave_mip(wave, capacity, wave.plan_penalty, rank, start, time_limit_s, 0.0, 0.0)


def priced_bound_at_lp(
    problem: BatchProblem,
    wave: Wave,
    capacity: IntArray,
    products: dict[str, int],
    time_limit_s: float,
) -> tuple[float, float]:
    """The Lagrangian bound at the LP's duals, each order's priced problem solved exactly.

    The LP relaxation of the model over every location gives prices on the
    shared rows (``wave.relaxation``); at them, every order's own problem,
    solved as an integer problem over every location (``refine.priced_bound``),
    plus the prices' worth bounds the wave: at least as well as the LP when
    each order is solved to optimality. Returns (LP value, bound).
    """
    lp = lp_relaxation(wave, capacity, wave.plan_penalty, time_limit_s)
    if lp is None:
        return -math.inf, -math.inf
    value, prices = lp
    extra = surcharge_of(wave, prices)
    total = 0.0
    for o in range(len(problem.orders)):
        arrays = SourcingArrays.build(problem.problem_of(o))
        ids = np.array([products[p] for p in arrays.products], dtype=np.int64)
        unit, fixed = extra(arrays, ids[arrays.line_product])
        total += priced_bound(arrays, unit, fixed, EXACT_TIME_S)[0]
    cap = np.where(capacity.ravel() >= 0, capacity.ravel(), 0)
    worth = float(prices.stock @ wave.key_stock + prices.surplus @ wave.key_surplus)
    return value, total - worth - float(prices.capacity.ravel() @ cap)


def applied_cost(problem: BatchProblem, joint: WaveMip) -> float:
    """The MIP's plan applied order by order and priced by the single-order objective."""
    a = joint.assignment
    if a is None:
        return math.inf
    cells: dict[int, dict[Cell, int]] = {}
    for o, loc, line, units in zip(a.order, a.location, a.line, a.units, strict=True):
        mine = cells.setdefault(int(o), {})
        mine[(int(loc), int(line))] = mine.get((int(loc), int(line)), 0) + int(units)
    state = NetworkState(problem.locations, problem.state, problem.table, problem.scarcity_prices)
    n = len(problem.orders)
    profiles = [problem.profile_of(o) for o in range(n)]
    plans = apply(state, problem.orders, profiles, range(n), decide_from(cells), "optimum")
    return real_and_priced(plans.values())[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=int(QUICK["orders"]))
    parser.add_argument("--locations", type=int, default=int(QUICK["locations"]))
    parser.add_argument("--family", default="uniform", choices=sorted(FAMILIES))
    parser.add_argument("--variant", default="scarce", choices=VARIANTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--priorities", default="default", choices=("default", "flat"))
    parser.add_argument("--wave-time-limit", type=float, default=float(QUICK["time_limit"]))
    parser.add_argument("--time-limit", type=float, default=600.0, help="the joint MIP's")
    args = parser.parse_args(argv)
    console = Console()
    problem, problems = wave_instance(
        args.family, args.variant, args.orders, args.locations, args.seed, args.priorities
    )
    wave = solve_batch(problem, time_limit_s=args.wave_time_limit, gap_target=1e-3)
    floor = wave.stats.rejection_floor
    lp = _lp(problems)
    wave_bound = max(wave.bound, lp)
    console.print(
        f"wave ({args.wave_time_limit:.0f} s): plan {wave.objective:,.0f} "
        f"({wave.rejected_units:,} rejected), bound {wave_bound:,.0f} (its own "
        f"{wave.bound:,.0f}, LP {lp:,.0f}), rejection floor {floor:,.0f}, "
        f"gap above the floor {controlled_gap(wave.objective, wave_bound, floor):.3%}"
    )
    started = time.perf_counter()
    full, capacity, products = everywhere(problem)
    lp_value, priced = priced_bound_at_lp(problem, full, capacity, products, args.time_limit)
    console.print(
        f"LP over every location {lp_value:,.0f}; at its duals, every order solved exactly: "
        f"bound {priced:,.0f} ({time.perf_counter() - started:.0f} s)"
    )
    started = time.perf_counter()
    joint = joint_optimum(problem, full, capacity, wave.plans, args.time_limit)
    seconds = time.perf_counter() - started
    value = joint.assignment.estimate if joint.assignment is not None else math.inf
    applied = applied_cost(problem, joint)
    best = min(applied, wave.objective)
    proved = "optimal" if best - joint.bound <= 1e-6 * abs(best) else "not proved optimal"
    console.print(
        f"joint MIP over every location ({seconds:.0f} s): plan {value:,.0f} by the model, "
        f"{applied:,.0f} applied; bound {joint.bound:,.0f}; best plan {best:,.0f} ({proved}, "
        f"{controlled_gap(best, joint.bound, floor):.3%} above the floor's gap)"
    )
    console.print(
        f"the wave's plan: {controlled_gap(wave.objective, joint.bound, floor):.3%} above the "
        f"MIP's bound; the wave's bound: the best plan is "
        f"{controlled_gap(best, wave_bound, floor):.3%} above it (gaps above the floor)"
    )
    return 0


def _lp(problems: list[SourcingProblem]) -> float:
    """The bench's LP bound of the whole wave (the LP relaxation of the same model)."""
    return lp_bound(problems, [0] * len(problems)).value


if __name__ == "__main__":
    sys.exit(main())

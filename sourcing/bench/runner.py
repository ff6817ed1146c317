"""``sourcing bench``: every policy and the bound on every instance, then the report.

Each job (one policy over one instance, or one instance's bound) runs in its
own process, forked from a server that has the libraries loaded, so a job's
peak memory is its own and a crash loses one job, not the run. The instance
is generated inside the job from its family, size and seed, identically
every time.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import queue
import resource
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sourcing.bench.bound import lp_bound
from sourcing.bench.families import BENCH_WEIGHTS, FAMILIES, FULL, QUICK, Grid, weights_from
from sourcing.bench.instances import arrival_times, make_network, order_stream
from sourcing.bench.metrics import problems, summarise
from sourcing.bench.options import DEFAULT_BOUND_MIP_TIME_LIMIT_S
from sourcing.bench.policies import DEFAULT_POLICIES, POLICIES, PolicyOptions, make_policy
from sourcing.bench.report import environment, priced_table, wave_table, write_report
from sourcing.bench.results import BoundInfo, InstanceKey, OrderRow, Results, RunInfo, RunMeta
from sourcing.bench.simulation import Instance, simulate
from sourcing.solver import Weights

BOUND = "bound"
Report = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Job:
    """One policy (or the bound) over one instance."""

    instance: InstanceKey
    task: str


@dataclass(frozen=True, slots=True)
class Settings:
    """What the run covers and how: the grid, the policies, the solvers' limits, the weights."""

    grid: Grid
    seed: int
    policies: tuple[str, ...]
    options: PolicyOptions
    bound_time_limit_s: float
    jobs: int
    bound_mip_time_limit_s: float = 0.0
    weights: Weights = BENCH_WEIGHTS

    def instances(self) -> list[InstanceKey]:
        """Every instance of the grid, family by family, smallest first."""
        return [
            InstanceKey(family, size, self.seed, self.grid.orders_at(size))
            for family in self.grid.families
            for size in self.grid.sizes
        ]


# The history's orders are drawn with the instance's seed plus this.
HISTORY_SEED_OFFSET = 1_000_003

JobResult = tuple[RunInfo | BoundInfo, list[OrderRow]]


def build_instance(key: InstanceKey, weights: Weights = BENCH_WEIGHTS) -> Instance:
    """The instance ``key`` names (its network, orders and days), priced with ``weights``."""
    network = make_network(FAMILIES[key.family].config(key.size, key.orders, key.seed, weights))
    problems = tuple(order_stream(network, key.orders))
    times = arrival_times(network, key.orders)
    days = tuple((t.date() - times[0].date()).days for t in times)
    # As many earlier orders, drawn from a seed of their own: the demand history.
    history = tuple(order_stream(network, key.orders, seed=key.seed + HISTORY_SEED_OFFSET))
    return Instance(key.name, problems, days, history)


def run_job(job: Job, settings: Settings, report: Report | None = None) -> JobResult:
    """Run one job in this process; ``report(n)`` as orders are done."""
    started = time.perf_counter()
    instance = build_instance(job.instance, settings.weights)
    if job.task == BOUND:
        bound = lp_bound(
            instance.problems,
            instance.days,
            time_limit_s=settings.bound_time_limit_s,
            mip_time_limit_s=settings.bound_mip_time_limit_s,
            progress=report,
        )
        bound_info = BoundInfo(
            job.instance,
            bound.value,
            bound.lp_value,
            bound.rejected_units,
            bound.status,
            bound.variables,
            bound.constraints,
            bound.build_s,
            bound.solve_s,
            _peak_rss_mb(),
            "" if math.isfinite(bound.value) else f"LP not solved: {bound.status}",
            bound.rejected_floor,
            bound.floor_s,
        )
        return bound_info, []
    run = simulate(make_policy(job.task, settings.options), instance, report)
    rows = [OrderRow(job.instance, job.task, record) for record in run.records]
    info = RunInfo(
        job.instance,
        job.task,
        run.capacity_used,
        run.capacity_offered,
        run.max_rejection_penalty,
        time.perf_counter() - started,
        _peak_rss_mb(),
    )
    return info, rows


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _failed(job: Job, error: str) -> JobResult:
    if job.task == BOUND:
        nan = math.nan
        return BoundInfo(
            job.instance, -math.inf, nan, nan, "failed", 0, 0, nan, nan, nan, error
        ), []
    return RunInfo(job.instance, job.task, 0, 0, math.nan, math.nan, math.nan, error), []


def _child(index: int, job: Job, settings: Settings, messages: Any) -> None:
    """A job's process: report progress, then the result (or why it failed)."""
    try:
        result = run_job(job, settings, lambda n: messages.put(("progress", index, n)))
    except BaseException as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result = _failed(job, last)
    messages.put(("done", index, result))


def run_jobs(
    jobs: Sequence[Job], settings: Settings, advance: Callable[[Job, int], None]
) -> list[JobResult]:
    """Run ``jobs`` (``settings.jobs`` at a time, or in this process when 0), in order."""
    if settings.jobs == 0:
        return [_run_here(job, settings, advance) for job in jobs]
    context = mp.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    messages = context.Queue()
    done: dict[int, JobResult] = {}
    pending = list(range(len(jobs)))
    active: dict[int, Any] = {}
    dead_since: dict[int, float] = {}
    while pending or active:
        while pending and len(active) < settings.jobs:
            index = pending.pop(0)
            process = context.Process(
                target=_child, args=(index, jobs[index], settings, messages), daemon=True
            )
            process.start()
            active[index] = process
        try:
            kind, index, payload = messages.get(timeout=0.5)
        except queue.Empty:
            for index, process in list(active.items()):
                # A process that died without a word (killed, out of memory) fails its job.
                if not process.is_alive():
                    first = dead_since.setdefault(index, time.monotonic())
                    if time.monotonic() - first > 5.0:
                        done[index] = _failed(jobs[index], f"exit code {process.exitcode}")
                        del active[index]
            continue
        if kind == "progress":
            advance(jobs[index], payload)
        else:
            done[index] = payload
            active.pop(index).join()
    return [done[i] for i in range(len(jobs))]


def _run_here(job: Job, settings: Settings, advance: Callable[[Job, int], None]) -> JobResult:
    def report(n: int) -> None:
        advance(job, n)

    try:
        return run_job(job, settings, report)
    except Exception as exc:  # one failed job must not lose the run
        return _failed(job, f"{type(exc).__name__}: {exc}")


def settings_from(args: argparse.Namespace) -> Settings:
    """The run's settings from the command line; raises ValueError on a bad choice."""
    base = QUICK if args.quick else FULL
    families = tuple(args.families or base.families)
    _check_names("families", families, tuple(FAMILIES))
    policies = tuple(args.policies or DEFAULT_POLICIES)
    _check_names("policies", policies, tuple(POLICIES))
    if args.jobs < 0:
        raise ValueError(f"Expected --jobs to be 0 or more, got {args.jobs}.")
    if not args.bound_mip_time_limit >= 0:
        raise ValueError(
            f"Expected --bound-mip-time-limit to be 0 or more, got {args.bound_mip_time_limit}."
        )
    orders = {} if args.orders else base.orders
    sizes = tuple(args.sizes or base.sizes)
    grid = Grid(families, sizes, orders, args.orders or base.default_orders)
    return Settings(
        grid=grid,
        seed=args.seed,
        policies=policies,
        options=PolicyOptions(mip_time_limit_s=args.mip_time_limit),
        bound_time_limit_s=args.bound_time_limit,
        jobs=args.jobs,
        bound_mip_time_limit_s=args.bound_mip_time_limit,
        weights=weights_from(args.weights),
    )


def _check_names(option: str, names: Sequence[str], known: Sequence[str]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"Expected --{option} among {', '.join(known)}, got {', '.join(unknown)}.")


def command_line(args: argparse.Namespace) -> str:
    """The ``sourcing bench`` command that reproduces this run."""
    words = ["sourcing bench"]
    if args.quick:
        words.append("--quick")
    for option in ("families", "sizes", "policies"):
        value = getattr(args, option)
        if value:
            words.append(f"--{option} {','.join(map(str, value))}")
    defaults = (
        ("seed", 0),
        ("orders", None),
        ("jobs", 1),
        ("weights", None),
        ("bound_mip_time_limit", DEFAULT_BOUND_MIP_TIME_LIMIT_S),
    )
    for option, default in defaults:
        value = getattr(args, option)
        if value != default:
            words.append(f"--{option.replace('_', '-')} {value}")
    return " ".join(words)


def run(settings: Settings, console: Console | None = None) -> Results:
    """Run every job of ``settings`` with a progress bar; returns the raw results."""
    console = console or Console(stderr=True)
    jobs = [
        Job(instance, task)
        for instance in settings.instances()
        for task in (*settings.policies, BOUND)
    ]
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("orders"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("benchmark", total=sum(j.instance.orders for j in jobs))

        counts: dict[Job, int] = defaultdict(int)
        started = time.perf_counter()

        def advance(job: Job, n: int) -> None:
            progress.update(bar, advance=n, description=f"{job.instance.name} {job.task}")
            counts[job] += n
            # Without a terminal (CI, a log file) the bar only shows at the end: say more.
            if not console.is_terminal and counts[job] == job.instance.orders:
                elapsed = time.perf_counter() - started
                console.print(f"[{elapsed:6.0f} s] {job.instance.name} {job.task} done")

        outcomes = run_jobs(jobs, settings, advance)
    results = Results([], [], [])
    for info, rows in outcomes:
        if isinstance(info, BoundInfo):
            results.bounds.append(info)
        else:
            results.runs.append(info)
        results.orders.extend(rows)
    return results


def main(args: argparse.Namespace) -> int:
    """Run the benchmark (or rebuild a report) as ``sourcing bench`` was asked to; exit status."""
    console = Console(stderr=True)
    out = Path(args.out)
    started = time.perf_counter()
    if args.report_from:
        results = Results.read(Path(args.report_from))
        if results.meta is None:
            command = f"sourcing bench --report-from {args.report_from}"
            results.meta = RunMeta(command, math.nan, environment(), date.today().isoformat())
    else:
        try:
            settings = settings_from(args)
        except ValueError as exc:
            console.print(f"sourcing bench: {exc}", markup=False)
            return 2
        results = run(settings, console)
        elapsed = time.perf_counter() - started
        results.meta = RunMeta(
            command_line(args),
            elapsed,
            environment(),
            date.today().isoformat(),
            settings.weights.as_dict(),
        )
        results.write(out)
    report = write_report(out, results)
    found = problems(results)
    console.print(f"Report: {report} ({time.perf_counter() - started:.0f} s)")
    by_family = summarise(results, ("family", "policy"))
    for title, table in (("The wave against the greedy", wave_table(by_family)),
                         ("Scarce-stock prices", priced_table(by_family))):  # fmt: skip
        if table.count("\n") > 1:  # a header and at least one family
            console.print(f"{title}, next to the targets:\n{table}", markup=False, soft_wrap=True)
    for problem in found[:20]:
        console.print(f"  {problem}", markup=False)
    return 1 if found else 0

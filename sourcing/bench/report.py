"""The benchmark's report: Markdown tables, a summary CSV and the plots, in one folder."""

from __future__ import annotations

import csv
import logging
import math
import os
import platform
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

from sourcing.bench.families import BENCH_WEIGHTS, FAMILIES
from sourcing.bench.metrics import COST_PARTS, Summary, summarise
from sourcing.bench.results import BoundInfo, Results, RunMeta
from sourcing.solver import Weights

log = logging.getLogger(__name__)

REPORT_MD, SUMMARY_CSV = "report.md", "summary.csv"
OLIST_CITATION = "Olist Brazilian E-Commerce Public Dataset (sample), CC BY-NC-SA 4.0"

Column = tuple[str, Callable[[Summary], str]]


def environment() -> str:
    """One line saying what the benchmark ran on."""
    return (
        f"python {platform.python_version()}, ortools {version('ortools')}, "
        f"scipy {version('scipy')} (HiGHS), numpy {version('numpy')}, "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}"
    )


def _money(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def _percent(value: float, digits: int = 1) -> str:
    if math.isnan(value):
        return "-"
    # A gap a hair below zero is the LP solver's round-off (see metrics.BOUND_TOLERANCE).
    return f"{(0.0 if -1e-6 < value < 0 else value) * 100:.{digits}f}%"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _label(summary: Summary) -> list[str]:
    return [
        v
        for v in (summary.family, None if summary.size is None else str(summary.size))
        if v is not None
    ]


MAIN_COLUMNS: list[Column] = [
    ("orders", lambda s: f"{s.orders:,}"),
    ("total cost", lambda s: _money(s.cost)),
    ("gap to bound", lambda s: _percent(s.gap, 2)),
    ("cost without rejections", lambda s: _money(s.service_cost)),
    ("rejected units", lambda s: f"{s.rejected_units:,}"),
    ("shipments / order", lambda s: f"{s.shipments_per_order:.2f}"),
    ("orders split", lambda s: _percent(s.split_share)),
    ("capacity used", lambda s: _percent(s.capacity_used)),
    ("p50 ms", lambda s: _ms(s.latency_ms[0])),
    ("p99 ms", lambda s: _ms(s.latency_ms[2])),
]
SIZE_COLUMNS: list[Column] = [
    ("orders", lambda s: f"{s.orders:,}"),
    ("gap to bound", lambda s: _percent(s.gap, 2)),
    ("shipments / order", lambda s: f"{s.shipments_per_order:.2f}"),
    ("rejected units", lambda s: f"{s.rejected_units:,}"),
    ("p50 ms", lambda s: _ms(s.latency_ms[0])),
    ("p95 ms", lambda s: _ms(s.latency_ms[1])),
    ("p99 ms", lambda s: _ms(s.latency_ms[2])),
    ("peak MB", lambda s: f"{s.peak_rss_mb:,.0f}"),
]


def _part(part: str) -> Column:
    return part.replace("_", " "), lambda s: _money(s.parts.get(part, 0.0))


PART_COLUMNS: list[Column] = [
    *(_part(part) for part in (*COST_PARTS, "other")),
    ("total", lambda s: _money(s.cost)),
]


def table(summaries: Sequence[Summary], keys: Sequence[str], columns: Sequence[Column]) -> str:
    """A Markdown table: the grouping columns, the policy, then ``columns``."""
    header = [*keys, "policy", *(name for name, _ in columns)]
    align = ["---"] * (len(keys) + 1) + ["---:"] * len(columns)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    previous: list[str] = []
    for summary in summaries:
        label = _label(summary)
        shown = ["" if previous[: i + 1] == label[: i + 1] else v for i, v in enumerate(label)]
        previous = label
        cells = [*shown, f"`{summary.policy}`", *(cell(summary) for _, cell in columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _by_family(
    by_family: Sequence[Summary], policies: Sequence[str]
) -> list[tuple[str | None, list[Summary | None]]]:
    """Each family with its summaries of ``policies`` (None where a policy did not run)."""
    found = {(s.family, s.policy): s for s in by_family}
    return [
        (family, [found.get((family, policy)) for policy in policies])
        for family in dict.fromkeys(s.family for s in by_family)
    ]


# The wave's targets against the sequential greedy (issue 12).
TARGET_CLOSED = 0.8


def wave_table(by_family: Sequence[Summary]) -> str:
    """Per family, the wave's rejected units and share of the greedy-to-bound gap closed.

    The share is (greedy's cost - wave's) / (greedy's cost - bound); the
    targets: at least ``TARGET_CLOSED``, and never more units rejected than
    the greedy. Families without both policies are left out.
    """
    lines = [
        "| family | wave rejected units | greedy rejected units | rejected target | "
        "gap closed | closed target |",
        "|---|---:|---:|---|---:|---|",
    ]
    for family, (wave, greedy) in _by_family(by_family, ("batch", "greedy")):
        if wave is None or greedy is None:
            continue
        reach = greedy.cost - wave.bound
        closed = (greedy.cost - wave.cost) / reach if reach > 0 else math.nan
        rejected_ok = "met" if wave.rejected_units <= greedy.rejected_units else "MISSED"
        closed_ok = "-" if math.isnan(closed) else "met" if closed >= TARGET_CLOSED else "MISSED"
        lines.append(
            f"| {family} | {wave.rejected_units:,} | {greedy.rejected_units:,} | "
            f"<= greedy: {rejected_ok} | {_percent(closed)} | "
            f">= {TARGET_CLOSED:.0%}: {closed_ok} |"
        )
    return "\n".join(lines)


# Scarce-stock prices against the unpriced per-order MIP (issue 12), on the
# scarcity families.
TARGET_PRICED_CLOSED = 0.3
SCARCITY_FAMILIES = ("scarce", "scarce_capacity")


def priced_table(by_family: Sequence[Summary]) -> str:
    """Per family, what scarce-stock prices do to the per-order MIP, next to the targets.

    The share closed is (``mip``'s cost - ``mip_priced``'s) / (``mip``'s
    cost - the whole-day wave's): at least ``TARGET_PRICED_CLOSED`` on the
    scarcity families, and never more units rejected than the greedy.
    Costs are the real objective (the prices only steer). Where the wave
    costs no less than the MIP there is no gap to close ("-").
    """
    lines = [
        "| family | priced rejected units | greedy rejected units | mip rejected units | "
        "rejected target | mip cost | mip_priced cost | wave cost | gap closed | closed target |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    policies = ("mip_priced", "mip", "greedy", "batch")
    for family, (priced, mip, greedy, wave) in _by_family(by_family, policies):
        if priced is None or mip is None or greedy is None:
            continue
        wave_cost = wave.cost if wave is not None else math.nan
        reach = mip.cost - wave_cost
        closed = (mip.cost - priced.cost) / reach if reach > 0 else math.nan
        targeted = family in SCARCITY_FAMILIES
        rejected_ok = "met" if priced.rejected_units <= greedy.rejected_units else "MISSED"
        closed_ok = "met" if closed >= TARGET_PRICED_CLOSED else "MISSED"
        if math.isnan(closed):
            closed_ok = "-"
        lines.append(
            f"| {family} | {priced.rejected_units:,} | {greedy.rejected_units:,} | "
            f"{mip.rejected_units:,} | "
            f"{f'<= greedy: {rejected_ok}' if targeted else 'not a target'} | "
            f"{_money(mip.cost)} | {_money(priced.cost)} | {_money(wave_cost)} | "
            f"{_percent(closed)} | "
            f"{f'>= {TARGET_PRICED_CLOSED:.0%}: {closed_ok}' if targeted else 'not a target'} |"
        )
    return "\n".join(lines)


def bounds_table(results: Results) -> str:
    """One row per instance: the bound and the size of its LP."""
    lines = [
        "| instance | orders | bound | LP rejected units | LP variables | LP rows "
        "| build s | solve s | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in results.bounds:
        value = _money(b.value) if math.isfinite(b.value) else f"none ({b.error or b.status})"
        lines.append(
            f"| {b.instance.name} | {b.instance.orders:,} | {value} | {b.rejected_units:,.1f} | "
            f"{b.variables:,} | "
            f"{b.constraints:,} | {b.build_s:.1f} | {b.solve_s:.1f} | {b.peak_rss_mb:,.0f} |"
        )
    return "\n".join(lines)


def write_summary_csv(path: Path, summaries: Sequence[Summary]) -> None:
    """Every instance and policy's figures, one row each."""
    header = [
        "family", "size", "policy", "orders", "cost", "bound", "gap", "service_cost",
        *(f"cost_{p}" for p in (*COST_PARTS, "other")),
        "shipments_per_order", "split_share", "rejected_units", "units", "capacity_used",
        "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "peak_rss_mb", "invalid",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for s in summaries:
            writer.writerow(
                [
                    s.family, s.size, s.policy, s.orders, f"{s.cost:.2f}", f"{s.bound:.2f}",
                    f"{s.gap:.6f}", f"{s.service_cost:.2f}",
                    *(f"{s.parts.get(p, 0.0):.2f}" for p in (*COST_PARTS, "other")),
                    f"{s.shipments_per_order:.4f}", f"{s.split_share:.4f}", s.rejected_units,
                    s.units, f"{s.capacity_used:.4f}", *(f"{v:.3f}" for v in s.latency_ms),
                    f"{s.peak_rss_mb:.1f}", s.invalid,
                ]
            )  # fmt: skip


def describe_weights(weights: Weights) -> str:
    """The weights as the terms that differ from the solver's defaults, e.g. ``split 150``."""
    defaults = Weights()
    changed = [
        f"{name} {value:,g}"
        for name, value in weights.as_dict().items()
        if name != "rejection" and value != getattr(defaults, name)
    ]
    return "the solver's defaults" + (f" but {', '.join(changed)}" if changed else "")


def _plots(folder: Path, results: Results) -> list[tuple[str, str]]:
    """The report's figures, or none when matplotlib (the ``bench`` extra) is not installed.

    The service installs without report-only libraries; the tables and CSV files need none.
    """
    try:
        from sourcing.bench.plots import write_plots
    except ModuleNotFoundError as exc:
        if exc.name != "matplotlib":
            raise
        log.warning(
            "matplotlib is not installed: the report has no figures "
            "(pip install 'sourcing-engine[bench]')"
        )
        return []
    return write_plots(folder, results)


def write_report(folder: Path, results: Results) -> Path:
    """Write ``report.md``, ``summary.csv`` and the plots into ``folder``; returns the report."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = results.meta or RunMeta("sourcing bench", math.nan, environment(), "")
    weights = Weights.from_mapping(meta.weights) if meta.weights else BENCH_WEIGHTS
    took = "" if math.isnan(meta.runtime_s) else f"{meta.runtime_s / 60:.1f} min "
    detail = summarise(results, ("family", "size", "policy"))
    write_summary_csv(folder / SUMMARY_CSV, detail)
    figures = _plots(folder, results)
    by_family = summarise(results, ("family", "policy"))
    by_size = summarise(results, ("size", "policy"))
    families = sorted({r.instance.family for r in results.runs}, key=list(FAMILIES).index)
    sizes = sorted({r.instance.size for r in results.runs})
    seeds = sorted({r.instance.seed for r in results.runs})
    parts = [
        "# Sourcing policies compared against a lower bound",
        "",
        f"`{meta.command}`: {len(families)} families x {len(sizes)} sizes "
        f"({', '.join(map(str, sizes))} locations), seed {', '.join(map(str, seeds))}, "
        f"{took}on {meta.environment}; {meta.date}.",
        "",
        "Every policy sources the same orders in the same arrival sequence, each decision "
        "taking the stock and the day's capacity later orders would have used. Costs are "
        "the solver's objective (minor currency units) priced order by order on the state "
        f"the plan was applied to, with weights {describe_weights(weights)}; a rejected "
        f"unit costs {weights.rejection:,.0f}. The bound is the LP relaxation of sourcing all "
        "orders together with every order known in advance: no policy can cost less. "
        f"{floor_note(results.bounds)}"
        "Gap = cost / bound - 1, over the instances of the row. Latency is the time to "
        "decide one order, building its model included.",
        "",
        "## By family and policy (all sizes)",
        "",
        table(by_family, ["family"], MAIN_COLUMNS),
        "",
        "## The wave against the greedy, by family",
        "",
        "Units the wave (`batch`) rejects next to the sequential `greedy`'s, and the share "
        "of the greedy's gap to the bound the wave closes, next to the targets.",
        "",
        wave_table(by_family),
        "",
        "## Scarce-stock prices in per-order sourcing, by family",
        "",
        "`mip_priced` is the per-order MIP with each position's scarce-stock price (the dual "
        "of an expected-demand LP over the orders still to come, forecast from an "
        "independent history of the same network) added per unit taken. Its cost is the "
        "real objective; the share of the gap between the unpriced `mip` and the whole-day "
        "wave (`batch`) it closes, and its rejected units, next to the targets.",
        "",
        priced_table(by_family),
        "",
        "## By size and policy (all families)",
        "",
        table(by_size, ["locations"], SIZE_COLUMNS),
        "",
        "Peak MB is the peak resident memory of the process that ran the policy over one "
        "instance, interpreter and libraries included.",
        "",
        "## Cost by part, by family and policy",
        "",
        table(by_family, ["family"], PART_COLUMNS),
        "",
        "## Figures",
        "",
        *(f"![{title}]({name})\n" for name, title in figures),
        "## Every instance",
        "",
        table(detail, ["family", "locations"], MAIN_COLUMNS),
        "",
        "## Bounds",
        "",
        bounds_table(results),
        "",
        "## Families",
        "",
        *(f"- `{FAMILIES[f].name}`: {FAMILIES[f].description}." for f in families),
        "",
        f"The `olist` family uses the {OLIST_CITATION}: sellers' and customers' zip "
        "code prefixes, order sizes and purchase times; stock is generated.",
        "",
    ]
    path = folder / REPORT_MD
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def floor_note(bounds: Sequence[BoundInfo]) -> str:
    """The sentence saying the bound carries the rejection floor, when any bound does."""
    floored = [b for b in bounds if b.rejected_floor > 0]
    if not floored:
        return ""
    return (
        f"On {len(floored)} of {len(bounds)} instances the LP also carries the "
        "rejection floor: at least the units a MIP proved every integer plan rejects "
        "(`rejected_floor` in bounds.csv). "
    )

"""The report's figures as PNG files, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from sourcing.bench.families import FAMILIES
from sourcing.bench.metrics import Summary, summarise
from sourcing.bench.policies import POLICIES
from sourcing.bench.results import Results

COLOURS = dict(zip(POLICIES, plt.get_cmap("tab10").colors, strict=False))  # type: ignore[attr-defined]
PART_COLOURS = {
    "fixed": "#4c72b0",
    "handling": "#55a868",
    "shipping": "#c44e52",
    "split": "#8172b2",
    "ideal_stock": "#ccb974",
    "other": "#64b5cd",
}
DPI = 130


@dataclass(frozen=True, slots=True)
class _Data:
    """What the figures draw from."""

    results: Results
    detail: list[Summary]  # by family, size and policy
    by_family: list[Summary]  # by family and policy
    policies: list[str]
    families: list[str]


def write_plots(folder: Path, results: Results) -> list[tuple[str, str]]:
    """Draw every figure into ``folder``; returns (file name, title) pairs."""
    detail = summarise(results, ("family", "size", "policy"))
    data = _Data(
        results,
        detail,
        summarise(results, ("family", "policy")),
        [p for p in POLICIES if any(s.policy == p for s in detail)],
        [f for f in FAMILIES if any(s.family == f for s in detail)],
    )
    figures: list[tuple[str, str, Callable[[_Data], Figure]]] = [
        ("cost_vs_bound.png", "Total cost against the LP bound", _cost_vs_bound),
        ("latency.png", "Decision latency per order", _latency),
        ("splits.png", "Shipments per order and orders split", _splits),
        ("cost_parts.png", "Cost per order by part", _cost_parts),
    ]
    written = []
    for name, title, draw in figures:
        figure = draw(data)
        figure.savefig(folder / name, dpi=DPI, bbox_inches="tight")
        plt.close(figure)
        written.append((name, title))
    return written


def _grid(n: int) -> tuple[Figure, list[Axes]]:
    columns = min(3, n)
    rows = math.ceil(n / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False, layout="constrained"
    )
    flat = list(axes.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return figure, flat[:n]


def _percent_label(value: float, _: object = None) -> str:
    return f"{value:,.0f}%" if value >= 1 or value == 0 else f"{value:g}%"


def _cost_vs_bound(data: _Data) -> Figure:
    policies, families = data.policies, data.families
    figure, axes = _grid(len(families))
    ticks = [0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0]
    for ax, family in zip(axes, families, strict=True):
        rows = [s for s in data.detail if s.family == family and not math.isnan(s.gap)]
        top = max((100.0 * s.gap for s in rows), default=1.0)
        for policy in policies:
            mine = sorted((s for s in rows if s.policy == policy), key=lambda s: s.size or 0)
            ax.plot(
                [s.size or 0 for s in mine],
                [100.0 * s.gap for s in mine],
                marker="o",
                label=policy,
                color=COLOURS[policy],
            )
        ax.axhline(0.0, color="black", linewidth=1.0, linestyle="--")
        ax.set_xscale("log")
        # Linear below 1%, logarithmic above: small and large gaps both stay readable.
        ax.set_yscale("symlog", linthresh=1.0, linscale=0.6)
        ax.set_ylim(-0.05, max(3.0, top * 2.0))
        ax.set_yticks([t for t in ticks if t <= top * 2.0])
        ax.yaxis.set_major_formatter(FuncFormatter(_percent_label))
        ax.yaxis.set_minor_formatter(NullFormatter())
        sizes = sorted({s.size for s in rows if s.size is not None})
        ax.set_xticks(sizes, [f"{v:,}" for v in sizes])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(family)
        ax.set_xlabel("locations")
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel("total cost above the bound")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(policies))
    figure.suptitle("Total cost above the LP bound (dashed: the bound; lower is better)")
    return figure


def _latency(data: _Data) -> Figure:
    results, policies = data.results, data.policies
    sizes = sorted({row.instance.size for row in results.orders})
    figure, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(sizes) * len(policies) / 2), 4.2))
    width = 0.8 / max(1, len(policies))
    for j, policy in enumerate(policies):
        samples = [
            np.array(
                [
                    row.record.latency_s * 1000.0
                    for row in results.orders
                    if row.policy == policy and row.instance.size == size
                ]
            )
            for size in sizes
        ]
        positions = np.arange(len(sizes)) + (j - (len(policies) - 1) / 2) * width
        boxes = ax.boxplot(
            samples,
            positions=positions,
            widths=width * 0.85,
            whis=(1, 99),
            showfliers=False,
            patch_artist=True,
            medianprops={"color": "black"},
        )
        for box in boxes["boxes"]:
            box.set_facecolor(COLOURS[policy])
            box.set_alpha(0.8)
        ax.plot([], [], color=COLOURS[policy], linewidth=8, label=policy)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xticks(np.arange(len(sizes)), [f"{s:,}" for s in sizes])
    ax.set_xlabel("locations")
    ax.set_ylabel("ms per order (log scale)")
    ax.set_title("Decision latency per order: box p25-p75, line median, whiskers p1-p99")
    ax.grid(True, axis="y", which="major", alpha=0.3)
    ax.legend(ncols=len(policies), loc="upper left", fontsize="small")
    return figure


def _grouped_bars(
    ax: Axes,
    rows: Sequence[Summary],
    policies: list[str],
    families: list[str],
    value: str,
) -> None:
    width = 0.8 / max(1, len(policies))
    for j, policy in enumerate(policies):
        heights = [
            next((getattr(s, value) for s in rows if s.family == f and s.policy == policy), 0.0)
            for f in families
        ]
        if value == "split_share":
            heights = [h * 100.0 for h in heights]
        x = np.arange(len(families)) + (j - (len(policies) - 1) / 2) * width
        ax.bar(x, heights, width * 0.9, label=policy, color=COLOURS[policy])
    ax.set_xticks(np.arange(len(families)), families, rotation=20)
    ax.grid(True, axis="y", alpha=0.3)


def _splits(data: _Data) -> Figure:
    policies, families = data.policies, data.families
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    _grouped_bars(left, data.by_family, policies, families, "shipments_per_order")
    left.set_ylabel("shipments per order")
    left.set_title("Shipments per order")
    _grouped_bars(right, data.by_family, policies, families, "split_share")
    right.set_ylabel("% of orders")
    right.set_title("Orders shipped from two or more locations")
    handles, labels = left.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(policies))
    return figure


def _cost_parts(data: _Data) -> Figure:
    policies, families = data.policies, data.families
    figure, axes = _grid(len(families))
    for ax, family in zip(axes, families, strict=True):
        rows = {s.policy: s for s in data.by_family if s.family == family}
        left = np.zeros(len(policies))
        for part, colour in PART_COLOURS.items():
            widths = np.array(
                [
                    rows[p].parts.get(part, 0.0) / rows[p].orders if p in rows else 0.0
                    for p in policies
                ]
            )
            ax.barh(policies, widths, left=left, color=colour, label=part.replace("_", " "))
            left += widths
        for y, policy in enumerate(policies):
            rejected = rows[policy].rejected_units if policy in rows else 0
            if rejected:
                ax.annotate(
                    f" +{rejected:,} rejected",
                    (left[y], y),
                    va="center",
                    fontsize="x-small",
                    color="#b00000",
                )
        ax.invert_yaxis()
        ax.set_title(family)
        ax.set_xlabel("cost per order, rejections excluded")
        ax.set_xlim(0, left.max() * (1.5 if any(r.rejected_units for r in rows.values()) else 1.05))
        ax.grid(True, axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(PART_COLOURS))
    figure.suptitle("Cost per order by part (all sizes; rejected units noted in red)")
    return figure

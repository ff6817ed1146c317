"""The what-if report's figures, drawn as ``sourcing bench`` draws its own (Agg, same colours)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sourcing.bench.plots import DPI, PART_COLOURS
from sourcing.whatif.kpis import MEASURES, Delta, ScenarioKpis

LABELS = {
    "service_cost": "cost to serve",
    "parcels": "parcels",
    "km": "km",
    "rejected_units": "units rejected",
    "below_ideal_units": "units below ideal",
}


def write_plots(
    folder: Path,
    scenarios: Sequence[ScenarioKpis],
    deltas: Sequence[Delta],
    sweep: Sequence[ScenarioKpis],
) -> list[tuple[str, str]]:
    """Draw the figures into ``folder``; returns (file name, title) pairs."""
    written = [
        ("cost_terms.png", "Cost to serve per order by term"),
        ("escalations.png", "Orders escalated per day"),
    ]
    _save(folder / "cost_terms.png", _cost_terms(scenarios))
    _save(folder / "escalations.png", _escalations(scenarios))
    if deltas:
        _save(folder / "deltas.png", _deltas(deltas))
        written.append(("deltas.png", "Differences to the baseline with 95% intervals"))
    if sweep:
        _save(folder / "frontier.png", _frontier(scenarios, sweep))
        written.append(("frontier.png", "Cost to serve against parcels per order"))
    return written


def _save(path: Path, figure: Figure) -> None:
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(figure)


def _cost_terms(scenarios: Sequence[ScenarioKpis]) -> Figure:
    figure, ax = plt.subplots(figsize=(8, 1.2 + 0.6 * len(scenarios)), layout="constrained")
    names = [k.scenario for k in scenarios]
    left = [0.0] * len(scenarios)
    for part, colour in PART_COLOURS.items():
        widths = [k.parts.get(part, 0.0) / max(k.orders, 1) for k in scenarios]
        ax.barh(names, widths, left=left, color=colour, label=part.replace("_", " "))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("cost to serve per order (minor units), rejections excluded")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return figure


def _escalations(scenarios: Sequence[ScenarioKpis]) -> Figure:
    figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    days = sorted({d for k in scenarios for d in k.escalated_by_day}) or [0]
    for k in scenarios:
        ax.plot(days, [k.escalated_by_day.get(d, 0) for d in days], marker="o", label=k.scenario)
    ax.set_xlabel("day of the window")
    ax.set_ylabel("orders escalated")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def _deltas(deltas: Sequence[Delta]) -> Figure:
    figure, axes = plt.subplots(
        1, len(MEASURES), figsize=(3.2 * len(MEASURES), 3.4), layout="constrained"
    )
    for ax, measure in zip(axes, MEASURES, strict=True):
        rows = [d for d in deltas if d.measure == measure]
        y = range(len(rows))
        ax.errorbar(
            [d.difference for d in rows],
            list(y),
            xerr=[[d.difference - d.low for d in rows], [d.high - d.difference for d in rows]],
            fmt="o",
            capsize=4,
        )
        ax.axvline(0.0, color="black", linewidth=1.0, linestyle="--")
        ax.set_yticks(list(y), [d.scenario for d in rows])
        ax.invert_yaxis()
        ax.set_title(LABELS[measure])
        ax.grid(True, axis="x", alpha=0.3)
    figure.suptitle("Variant minus baseline, total over the window (95% paired bootstrap)")
    return figure


def _frontier(scenarios: Sequence[ScenarioKpis], sweep: Sequence[ScenarioKpis]) -> Figure:
    figure, ax = plt.subplots(figsize=(7, 4.6), layout="constrained")
    points = sorted((k.parcels_per_order, k.cost_to_serve, k.scenario) for k in sweep)
    frontier, best = [], float("inf")
    for x, y, name in points:  # non-dominated: fewer parcels never costs less than before
        if y < best:
            frontier.append((x, y, name))
            best = y
    ax.scatter([p[0] for p in points], [p[1] for p in points], color="#bbbbbb", label="sweep")
    ax.plot([p[0] for p in frontier], [p[1] for p in frontier], color="#4c72b0", label="frontier")
    for x, y, name in frontier:
        ax.annotate(name.removeprefix("sweep "), (x, y), fontsize="x-small")
    for k in scenarios:
        ax.scatter([k.parcels_per_order], [k.cost_to_serve], marker="*", s=120, label=k.scenario)
    ax.set_xlabel("parcels per order")
    ax.set_ylabel("cost to serve: fixed + handling + shipping (minor units)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return figure

"""The what-if's files: CSVs of KPIs, differences, orders, changes and the sweep, plots, and
``report.md`` tying them together.

The CSVs hold no timings and format every number the same way, so the same
history, scenarios and seed write them byte for byte the same; times go to
``report.md`` only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sourcing.bench.metrics import COST_PARTS
from sourcing.bench.report import environment
from sourcing.whatif.engine import ScenarioRun
from sourcing.whatif.history import History
from sourcing.whatif.kpis import (
    Delta,
    Fidelity,
    OrderChange,
    ScenarioKpis,
    changed_orders,
    changes,
    deltas,
    fidelity,
    kpis,
    plan_text,
)
from sourcing.whatif.scenarios import ScenarioFile

CSV_FILES = ("kpis.csv", "deltas.csv", "orders.csv", "changes.csv", "sweep.csv")
PARTS = (*COST_PARTS, "other")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Everything a what-if run found: runs, KPIs, differences, changed orders, the sweep."""

    history: str
    file: ScenarioFile
    runs: tuple[ScenarioRun, ...]
    kpis: tuple[ScenarioKpis, ...]
    deltas: tuple[Delta, ...]
    changes: tuple[OrderChange, ...]
    changed: dict[str, int]
    sweep: tuple[ScenarioKpis, ...]
    fidelity: Fidelity | None = None

    @classmethod
    def of(
        cls,
        history: History,
        file: ScenarioFile,
        runs: Sequence[ScenarioRun],
        sweep: Sequence[ScenarioRun],
    ) -> WhatIf:
        """Compare every variant run with the first (the baseline)."""
        base, variants = runs[0], runs[1:]
        return cls(
            history.name,
            file,
            tuple(runs),
            tuple(kpis(r) for r in runs),
            tuple(d for v in variants for d in deltas(base, v, file.bootstrap, file.seed)),
            tuple(c for v in variants for c in changes(base, v, file.top_changes)),
            {v.scenario.name: changed_orders(base, v) for v in variants},
            tuple(kpis(r) for r in sweep),
            fidelity(history, base),
        )


def _number(value: float) -> str:
    return f"{value:.6f}"


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_number(v) if isinstance(v, float) else v for v in row])


KPI_HEADER = (
    "scenario",
    "policy",
    "orders",
    "units",
    "service_cost",
    "cost_to_serve",
    *PARTS,
    "parcels_per_order",
    "split_orders",
    "km",
    "rejected_units",
    "escalated_orders",
    "below_ideal_units",
    "store_share",
    "capacity_use_by_type",
    "invalid",
)


def _kpi_row(k: ScenarioKpis) -> list[object]:
    use = " ".join(f"{t}:{v:.4f}" for t, v in k.capacity_use_by_type.items())
    return [
        k.scenario,
        k.policy,
        k.orders,
        k.units,
        k.service_cost,
        k.cost_to_serve,
        *(k.parts[p] for p in PARTS),
        k.parcels_per_order,
        k.split_orders,
        k.km,
        k.rejected_units,
        k.escalated_orders,
        k.below_ideal_units,
        k.store_share,
        use,
        k.invalid,
    ]


ORDER_HEADER = (
    "scenario", "order_ref", "day", "units", "parcels", "rejected_units", "km",
    "below_ideal_units", "service_cost", "plan", "error",
)  # fmt: skip
CHANGE_HEADER = (
    "scenario", "order_ref", "cost_change", "baseline_plan", "variant_plan",
    "baseline_reasons", "variant_reasons",
)  # fmt: skip


def _order_rows(result: WhatIf) -> Iterable[Sequence[object]]:
    for run in result.runs:
        for r, d in zip(run.records, run.decisions, strict=True):
            service_cost = r.cost - r.terms.get("rejection", 0.0)
            yield (
                run.scenario.name, r.order_ref, r.day, r.units, r.shipments, r.rejected_units,
                d.km, d.below_ideal_units, service_cost, plan_text(d.plan), r.error,
            )  # fmt: skip


def write_csvs(folder: Path, result: WhatIf) -> None:
    """The CSV files of ``CSV_FILES``."""
    _write(folder / "kpis.csv", KPI_HEADER, map(_kpi_row, result.kpis))
    _write(
        folder / "deltas.csv",
        ("scenario", "measure", "difference", "low_95", "high_95"),
        ((d.scenario, d.measure, d.difference, d.low, d.high) for d in result.deltas),
    )
    _write(folder / "orders.csv", ORDER_HEADER, _order_rows(result))
    changes = (
        (c.scenario, c.order_ref, c.cost_change, c.baseline_plan, c.variant_plan,
         c.baseline_reasons, c.variant_reasons)
        for c in result.changes
    )  # fmt: skip
    _write(folder / "changes.csv", CHANGE_HEADER, changes)
    _write(folder / "sweep.csv", KPI_HEADER, map(_kpi_row, result.sweep))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


KPI_COLUMNS = (
    "scenario", "policy", "objective*", "cost to serve", "parcels/order", "split orders", "km",
    "units rejected", "orders escalated", "units below ideal", "store share", "seconds",
)  # fmt: skip


def _kpi_cells(k: ScenarioKpis, seconds: float) -> tuple[str, ...]:
    return (
        k.scenario, k.policy, f"{k.service_cost:,.0f}", f"{k.cost_to_serve:,.0f}",
        f"{k.parcels_per_order:.3f}", str(k.split_orders), f"{k.km:,.0f}",
        str(k.rejected_units), str(k.escalated_orders), str(k.below_ideal_units),
        f"{k.store_share:.1%}", f"{seconds:.1f}",
    )  # fmt: skip


def _comparison(result: WhatIf, base: str) -> list[str]:
    """The differences to the baseline and the orders whose plan changed most."""
    differences = (
        (d.scenario, str(result.changed[d.scenario]), d.measure, f"{d.difference:+,.1f}",
         f"[{d.low:+,.1f}, {d.high:+,.1f}]")
        for d in result.deltas
    )  # fmt: skip
    changed = (
        (c.scenario, c.order_ref, f"{c.cost_change:+,.0f}", c.baseline_plan, c.variant_plan,
         c.variant_reasons or "-")
        for c in result.changes
    )  # fmt: skip
    return [
        f"## Against {base} (total over the window, 95% interval)",
        "",
        _table(("scenario", "orders changed", "measure", "difference", "interval"), differences),
        "",
        "## Orders whose plan changed most",
        "",
        _table(("scenario", "order", "cost change", base, "variant", "why (variant)"), changed),
        "",
    ]


def markdown(result: WhatIf, plots: Sequence[tuple[str, str]]) -> str:
    """The report's text."""
    base = result.kpis[0].scenario
    rows = (_kpi_cells(k, run.seconds) for k, run in zip(result.kpis, result.runs, strict=True))
    parts = [
        f"# What-if on {result.history}",
        "",
        f"{result.kpis[0].orders} orders replayed under {len(result.kpis)} scenarios "
        f"(baseline: **{base}**); intervals: {result.file.bootstrap} paired bootstrap "
        f"resamples, seed {result.file.seed}. {environment()}.",
        "",
        "## KPIs",
        "",
        _table(KPI_COLUMNS, rows),
        "",
        "\\* objective: every term of the solver's objective but the rejection penalty; "
        "cost to serve: its money terms (fixed + handling + shipping).",
        "",
    ]
    if result.deltas:
        parts += _comparison(result, base)
    if result.fidelity is not None:
        parts += [_fidelity(base, result.fidelity), ""]
    parts += [f"![{title}]({name})" for name, title in plots]
    return "\n".join(parts) + "\n"


def _fidelity(baseline: str, found: Fidelity) -> str:
    """The replay-fidelity paragraph: how many stored plans the baseline reproduced, and why not."""
    text = (
        f"## Replay fidelity\n\n{baseline} reproduced the stored plan of "
        f"{found.compared - len(found.differing)} of {found.compared} orders "
        f"({found.identical_share:.1%})."
    )
    if found.differing:
        shown = ", ".join(found.differing[:20]) + (" ..." if len(found.differing) > 20 else "")
        text += f" Orders that differ: {shown}."
        if found.stock_corrections:
            text += (
                f" {found.stock_corrections} stock corrections (feeds, counts) were recorded "
                "inside the window; the replay starts from the stock at the window's start and "
                "does not see them, so orders sourced after them can differ."
            )
        else:
            text += (
                " No stock was corrected inside the window: the differences come from the "
                "scenario's changes, a profile changed since, or ties between equal-cost plans."
            )
    return text


def write_report(folder: Path, result: WhatIf, plots: bool = True) -> Path:
    """Write the CSVs, the plots (when asked) and ``report.md`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csvs(folder, result)
    drawn: list[tuple[str, str]] = []
    if plots:
        from sourcing.whatif.plots import write_plots  # matplotlib: the bench extra

        drawn = write_plots(folder, result.kpis, result.deltas, result.sweep)
    path = folder / "report.md"
    path.write_text(markdown(result, drawn), encoding="utf-8")
    return path

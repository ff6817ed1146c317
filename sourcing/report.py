"""Plans as readable tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sourcing.solver import Plan


def plan_table(plan: Plan, title: str | None = None) -> Table:
    """One row per fulfilment line, the rejected fulfilment last, costs in the caption."""
    table = Table(title=title or f"Order {plan.order_ref} ({plan.policy})", title_justify="left")
    for column in ("location", "status", "line", "product", "units"):
        table.add_column(column, justify="right" if column == "units" else "left")
    fulfilments = [*plan.fulfilments, *([plan.rejected] if plan.rejected else [])]
    for fulfilment in fulfilments:
        for i, line in enumerate(fulfilment.lines):
            table.add_row(
                fulfilment.location_ref if i == 0 else "",
                fulfilment.status.value if i == 0 else "",
                line.line_ref,
                line.product_ref,
                str(line.quantity),
            )
    terms = ", ".join(f"{k} {v:,.1f}" for k, v in plan.objective.terms.items() if v)
    gap = "unknown" if plan.gap == float("inf") else f"{plan.gap:.2%}"
    table.caption = (
        f"{plan.status.value}, gap {gap}, objective {plan.objective.total:,.1f} "
        f"({terms or 'no cost'}), {plan.solve_time_s * 1000:.1f} ms"
    )
    return table


def explanation_table(plan: Plan) -> Table:
    """Why each candidate was or was not used."""
    table = Table(title=f"Candidates for order {plan.order_ref}", title_justify="left")
    for column in ("location", "km", "used", "reasons", "detail"):
        table.add_column(column)
    for item in plan.explanation or ():
        table.add_row(
            item.location_ref,
            f"{item.distance_km:,.1f}",
            "yes" if item.used else "no",
            ", ".join(r.value for r in item.reasons),
            item.detail,
        )
    return table


def print_plan(plan: Plan, console: Console | None = None, *, explain: bool = False) -> None:
    """Print a plan (and its explanation) to the terminal."""
    console = console or Console()
    console.print(plan_table(plan))
    if explain and plan.explanation:
        console.print(explanation_table(plan))

"""``sourcing whatif``: replay a history under scenarios and write the report."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sourcing.whatif.engine import run_scenario, sweep_scenarios
from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.history import History
from sourcing.whatif.report import WhatIf, write_report
from sourcing.whatif.scenarios import ScenarioFile


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``sourcing whatif``."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", help="SQLAlchemy URL of the service's database to replay")
    source.add_argument("--files", type=Path, help="folder of locations/positions/orders CSVs")
    source.add_argument("--demo", action="store_true", help="a short what-if on a demo network")
    parser.add_argument("--from", dest="start", type=_when, help="window start (ISO 8601, --db)")
    parser.add_argument("--to", dest="end", type=_when, help="window end, exclusive (--db)")
    parser.add_argument("--scenarios", type=Path, help="scenario file (TOML)")
    parser.add_argument("--out", type=Path, default=Path("whatif-out"), help="report folder")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG figures")


def load(args: argparse.Namespace) -> tuple[History, ScenarioFile]:
    """The history and the scenarios the options name."""
    if args.demo:
        from sourcing.whatif.synthetic import DEMO_SCENARIOS, synthetic_history

        history = synthetic_history("clustered", 40, 150)
        file = ScenarioFile.parse(DEMO_SCENARIOS, "demo scenarios")
        return history, (ScenarioFile.read(args.scenarios) if args.scenarios else file)
    if args.scenarios is None:
        raise WhatIfInputError("command line", None, "--scenarios", "Expected a scenario file.")
    file = ScenarioFile.read(args.scenarios)
    if args.files is not None:
        from sourcing.whatif.files import read_history

        return read_history(args.files), file
    if args.start is None or args.end is None:
        raise WhatIfInputError("command line", None, "--from/--to", "Expected a window with --db.")
    from sourcing.whatif.database import read_history_from_url

    return read_history_from_url(args.db, args.start, args.end), file


def run(history: History, file: ScenarioFile, console: Console) -> WhatIf:
    """Every scenario and sweep point over ``history``, with a progress bar."""
    scenarios = list(file.scenarios)
    sweep = sweep_scenarios(file)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("orders"), TimeElapsedColumn())  # fmt: skip
    runs, points = [], []
    with Progress(*columns, console=console) as progress:
        total = len(history.orders) * (len(scenarios) + len(sweep))
        bar = progress.add_task("what-if", total=total)

        def advance(name: str, n: int) -> None:
            progress.update(bar, advance=n, description=name)

        for scenario in scenarios:
            runs.append(run_scenario(history, scenario, file, advance))
        for scenario in sweep:
            points.append(run_scenario(history, scenario, file, advance, explain=False))
    return WhatIf.of(history, file, runs, points)


def main(args: argparse.Namespace) -> int:
    """Run ``sourcing whatif``; 2 on bad input, naming the file, line and field."""
    console = Console()
    try:
        history, file = load(args)
        for scenario in file.scenarios:  # every scenario checked before any long run
            from sourcing.whatif.network import check_scenario

            check_scenario(history, scenario, file)
    except WhatIfInputError as exc:
        console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        return 2
    console.print(
        f"{history.name}: {len(history.orders)} orders, {len(history.locations)} locations"
    )
    result = run(history, file, console)
    report = write_report(args.out, result, plots=not args.no_plots)
    for k in result.kpis:
        console.print(
            f"{k.scenario}: cost to serve {k.cost_to_serve:,.0f}, "
            f"parcels/order {k.parcels_per_order:.3f}, km {k.km:,.0f}, "
            f"units rejected {k.rejected_units}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"report: {report}")
    return 0

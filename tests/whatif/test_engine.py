"""The replay engine: scenarios change what they say, numbers come from the solver's objective,
and the same input and seed write the same CSV files byte for byte."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sourcing.whatif.engine import run_scenarios, sweep_scenarios
from sourcing.whatif.files import read_history
from sourcing.whatif.kpis import changes, deltas, kpis
from sourcing.whatif.report import CSV_FILES, WhatIf, write_report
from sourcing.whatif.scenarios import ScenarioFile

EXAMPLE = Path(__file__).parents[2] / "examples" / "whatif"

SMALL = """
seed = 3
bootstrap = 200
[baseline]
name = "live"
[[scenarios]]
name = "one parcel"
split_limit = 1
[[scenarios]]
name = "stores closed"
policy = "greedy"
[scenarios.rules]
closed = ["S_LEEDS", "S_BRISTOL", "S_LONDON", "S_BIRMINGHAM"]
[[scenarios]]
name = "waves"
policy = "wave"
wave_size = 5
[sweep]
split = [0, 1000]
"""


def _what_if() -> WhatIf:
    history = read_history(EXAMPLE)
    file = ScenarioFile.parse(SMALL)
    runs = run_scenarios(history, file)
    sweep = [
        run_scenarios(history, ScenarioFile(file.source, s, ()))[0] for s in sweep_scenarios(file)
    ]
    return WhatIf.of(history, file, runs, sweep)


@pytest.fixture(scope="module")
def result() -> WhatIf:
    """The small scenarios over the example, run once for the module."""
    return _what_if()


def test_scenarios_do_what_they_say(result: WhatIf) -> None:
    """Split limit 1 never splits; closed stores serve nothing; waves decide every order."""
    live, one, closed, waves = result.runs
    assert all(len(d.plan) <= 1 for d in one.decisions)
    assert all(all(ref.startswith("W_") for ref, _ in d.plan) for d in closed.decisions)
    assert kpis(closed).store_share == 0.0
    assert len(waves.decisions) == 40 and waves.run.policy == "batch_5"
    assert kpis(live).split_orders > 0
    assert [k.orders for k in result.kpis] == [40, 40, 40, 40]


def test_paired_bootstrap_interval_holds_the_difference(result: WhatIf) -> None:
    """Each interval contains its difference, and a run against itself differs by exactly 0."""
    for delta in result.deltas:
        assert delta.low <= delta.difference <= delta.high
    live = result.runs[0]
    assert {(d.difference, d.low, d.high) for d in deltas(live, live, 100, 1)} == {(0.0, 0.0, 0.0)}
    assert changes(live, live, 10) == []


def test_changed_orders_carry_plans_and_reasons(result: WhatIf) -> None:
    """Closing the stores moves orders to warehouses, and says so per order."""
    moved = [c for c in result.changes if c.scenario == "stores closed"]
    assert moved and all(c.baseline_plan != c.variant_plan for c in moved)
    assert any("S_" in c.baseline_plan for c in moved)


def test_same_input_and_seed_write_identical_csvs(result: WhatIf, tmp_path: Path) -> None:
    """Two runs, byte-identical CSVs; another seed moves only the intervals."""
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_report(first, result, plots=False)
    write_report(second, _what_if(), plots=False)
    reseeded = replace(result.file, seed=4)
    write_report(other, WhatIf.of(read_history(EXAMPLE), reseeded, result.runs, []), plots=False)
    for name in CSV_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "orders.csv").read_bytes() == (other / "orders.csv").read_bytes()
    assert (first / "deltas.csv").read_bytes() != (other / "deltas.csv").read_bytes()
    assert "## KPIs" in (first / "report.md").read_text()

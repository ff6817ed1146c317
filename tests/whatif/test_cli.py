"""``sourcing whatif`` on the shipped example: a report on good input, exit 2 naming the line
on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcing.cli import main
from sourcing.whatif.report import CSV_FILES

EXAMPLE = Path(__file__).parents[2] / "examples" / "whatif"
SMALL = '[baseline]\nname = "live"\n[[scenarios]]\nname = "greedy"\npolicy = "greedy"\n'


def test_whatif_files_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CSVs and report.md are written and the KPIs printed, one line per scenario."""
    scenarios = tmp_path / "s.toml"
    scenarios.write_text(SMALL)
    out = tmp_path / "out"
    args = ["whatif", "--files", str(EXAMPLE), "--scenarios", str(scenarios), "--out", str(out)]
    assert main([*args, "--no-plots"]) == 0
    assert all((out / name).exists() for name in (*CSV_FILES, "report.md"))
    printed = capsys.readouterr().out
    assert "live: cost to serve" in printed and "greedy: cost to serve" in printed


def test_whatif_bad_scenario_exits_2_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown location in a rule change stops the run before it starts."""
    scenarios = tmp_path / "s.toml"
    scenarios.write_text(SMALL + "[scenarios.rules]\nclosed = ['S_NOWHERE']\n")
    out = tmp_path / "out"
    args = ["whatif", "--files", str(EXAMPLE), "--scenarios", str(scenarios), "--out", str(out)]
    assert main(args) == 2
    assert f"{scenarios}:7: scenarios[0].rules.closed: Unknown location S_NOWHERE" in (
        capsys.readouterr().out
    )
    assert not out.exists()

"""Scenario files and history files: bad input names the file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.files import read_history
from sourcing.whatif.network import check_scenario
from sourcing.whatif.scenarios import ScenarioFile

EXAMPLE = Path(__file__).parents[2] / "examples" / "whatif"


def test_the_example_reads() -> None:
    """The shipped example: 40 orders over 6 locations, three variants and a sweep."""
    history = read_history(EXAMPLE)
    file = ScenarioFile.read(EXAMPLE / "scenarios.toml")
    assert (len(history.orders), len(history.locations)) == (40, 6)
    assert [s.name for s in file.variants] == ["cheaper parcels", "rule engine", "protect stores"]
    assert file.sweep is not None and file.sweep.values["split"][-1] == 800.0
    for scenario in file.scenarios:
        check_scenario(history, scenario, file)


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("[baseline]\npolicy = 'magic'\n", 2, "baseline.policy"),
        ("[baseline]\n[[scenarios]]\nname = 'x'\nsplit_limit = 0\n", 4, "scenarios[0].split_limit"),
        ("[baseline]\n[[scenarios]]\nweights = { splt = 1.0 }\n", 3, "scenarios[0].weights"),
        (
            "[baseline]\n[[scenarios]]\n[scenarios.rules]\nbuffer = -1\n",
            4,
            "scenarios[0].rules.buffer",
        ),
        ("[baseline]\nwave = 3\n", 2, "baseline.wave"),
        ("[baseline]\n[sweep]\nsplit = []\n", 3, "sweep.split"),
        ("[baseline\n", 1, "(syntax)"),
        ("seed = 1\n", 1, "baseline"),
    ],
)
def test_a_bad_scenario_file_names_line_and_field(text: str, line: int, field: str) -> None:
    """Each malformed value is reported at its line, under its dotted field."""
    with pytest.raises(WhatIfInputError) as caught:
        ScenarioFile.parse(text, "s.toml")
    assert (caught.value.source, caught.value.field) == ("s.toml", field)
    assert caught.value.line == line or field == "baseline"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "[baseline]\n[[scenarios]]\n[scenarios.rules]\nclosed = ['NOWHERE']\n",
            "scenarios[0].rules.closed",
        ),
        ("[baseline]\nprofile_version = 9\n", "baseline.profile_version"),
    ],
)
def test_unknown_locations_and_profile_versions_are_refused(text: str, field: str) -> None:
    """A rule change naming no location of the history, or a version never stored, is refused."""
    file = ScenarioFile.parse(text, "s.toml")
    history = read_history(EXAMPLE)
    with pytest.raises(WhatIfInputError) as caught:
        check_scenario(history, file.scenarios[-1], file)
    assert caught.value.field == field
    assert caught.value.line == 4 if "rules" in field else caught.value.line == 2


@pytest.mark.parametrize(
    ("name", "find", "replace", "column"),
    [
        ("orders.csv", "O_001,2026-11-01T08:00:00+00:00,HD", "O_001,yesterday,HD", "arrived_at"),
        ("positions.csv", "W_NORTH,SKU_1,", "W_NORTH,SKU_1,-", "on_hand"),
        ("locations.csv", "W_NORTH,WAREHOUSE", "W_NORTH,CASTLE", "type"),
    ],
)
def test_a_bad_csv_row_names_file_line_and_column(
    tmp_path: Path, name: str, find: str, replace: str, column: str
) -> None:
    """A malformed cell is reported with its file, line (header is line 1) and column."""
    folder = tmp_path / "history"
    shutil.copytree(EXAMPLE, folder)
    path = folder / name
    text = path.read_text()
    assert find in text
    path.write_text(text.replace(find, replace, 1))
    with pytest.raises(WhatIfInputError) as caught:
        read_history(folder)
    assert (caught.value.source, caught.value.line, caught.value.field) == (str(path), 2, column)

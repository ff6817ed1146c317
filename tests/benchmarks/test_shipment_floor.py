"""The shipment-floor script: its table, its floors' order, and greedy read back from a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.shipment_floor import Floors, Greedy, main
from sourcing.bench.families import BENCH_WEIGHTS
from sourcing.bench.policies import make_policy
from sourcing.bench.results import InstanceKey, OrderRow, Results
from sourcing.bench.runner import build_instance
from sourcing.bench.simulation import simulate

# One family at 20 locations, 10 orders: greedy serves every order in full here.
TINY = ("--families", "uniform", "--sizes", "20", "--orders", "10")


def table_rows(printed: str) -> dict[tuple[str, str], list[str]]:
    """The Markdown table's body, keyed by (family, locations)."""
    rows = [line.strip("|").split("|") for line in printed.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row] for row in rows[1:]]  # rows[0] is the header
    return {(row[0], row[1]): row for row in cells}


def test_floors_table_on_a_tiny_instance(capsys: pytest.CaptureFixture[str]) -> None:
    """Where greedy rejects nothing, floor A <= floor B <= greedy's shipments per order."""
    assert main(list(TINY)) == 0
    printed = capsys.readouterr().out
    assert "| family | locations | orders | greedy shipments / order |" in printed
    row = table_rows(printed)[("uniform", "20")]
    orders, greedy, rejected, floor_a, floor_b = row[2:7]
    assert (orders, rejected) == ("10", "0")
    assert float(floor_a) <= float(floor_b) <= float(greedy)
    assert row[8] == "yes"
    assert row[9] in ("no", "not ruled out")


def test_greedy_read_from_orders_csv_gives_the_same_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Greedy's shipments from a run's orders.csv give the table the simulation gives."""
    key = InstanceKey("uniform", 20, 0, 10)
    run = simulate(make_policy("greedy"), build_instance(key, BENCH_WEIGHTS))
    Results([OrderRow(key, "greedy", record) for record in run.records], [], []).write(tmp_path)
    assert main(list(TINY)) == 0
    simulated = table_rows(capsys.readouterr().out)
    assert main([*TINY, "--orders-csv", str(tmp_path / "orders.csv")]) == 0
    assert table_rows(capsys.readouterr().out) == simulated

    # A CSV without the instance asked for is refused, naming it.
    assert main([*TINY[:-1], "5", "--orders-csv", str(tmp_path / "orders.csv")]) == 2
    assert "uniform-20" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("greedy", "fewest", "unproved", "bound", "reachable"),
    [
        (Greedy(10, 20, 10, 0), 18, 0, "yes", "no"),
        (Greedy(10, 20, 10, 0), 17, 0, "yes", "not ruled out"),
        (Greedy(10, 20, 10, 3), 12, 0, "no: greedy rejects 3 units", "unknown"),
        (Greedy(10, 20, 10, 0), 18, 2, "no: 2 solves unproved", "unknown"),
    ],
)
def test_floor_b_bounds_only_where_greedy_rejects_nothing_and_all_are_proved(
    greedy: Greedy, fewest: int, unproved: int, bound: str, reachable: str
) -> None:
    """Only a proved floor B above greedy less 15%, greedy rejecting nothing, rules 15% out."""
    floors = Floors("uniform", "20", greedy, fewest, unproved)
    assert (floors.why_not_a_bound or "yes", floors.reachable) == (bound, reachable)

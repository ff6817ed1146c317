"""``sourcing bench`` end to end: one command writes the report, its CSV files and its plots."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from sourcing.bench.options import add_arguments
from sourcing.bench.results import InstanceKey
from sourcing.bench.runner import build_instance, command_line, settings_from
from sourcing.cli import main

FILES = (
    "report.md",
    "summary.csv",
    "orders.csv",
    "runs.csv",
    "bounds.csv",
    "cost_vs_bound.png",
    "latency.png",
    "splits.png",
    "cost_parts.png",
)


def parse(*argv: str) -> argparse.Namespace:
    """The bench options as the CLI parses them."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_bench_writes_the_report_and_rebuilds_it_from_its_csv(tmp_path: Path) -> None:
    """A tiny run in worker processes writes every file; --report-from rebuilds the same tables."""
    out = tmp_path / "run"
    argv = ["bench", "--quick", "--families", "uniform,capacity", "--sizes", "20"]
    assert main([*argv, "--orders", "4", "--out", str(out)]) == 0
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text()
    assert "## By family and policy (all sizes)" in report
    for policy in ("greedy", "priority", "fewest_splits", "mip"):
        assert f"`{policy}`" in report
    assert "Olist Brazilian E-Commerce Public Dataset" in report
    again = tmp_path / "again"
    assert main(["bench", "--report-from", str(out), "--out", str(again)]) == 0
    assert (again / "summary.csv").read_text() == (out / "summary.csv").read_text()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (("--families", "grid"), "--families among"),
        (("--policies", "cheapest"), "--policies among"),
        (("--jobs", "-1"), "--jobs"),
        (("--bound-mip-time-limit", "-1"), "--bound-mip-time-limit"),
        (("--bound-mip-time-limit", "nan"), "--bound-mip-time-limit"),
    ],
)
def test_bad_choices_name_the_option(argv: tuple[str, ...], match: str) -> None:
    """An unknown family or policy, or a negative count or budget, is refused naming the option."""
    with pytest.raises(ValueError, match=match):
        settings_from(parse(*argv))


def test_quick_settings_cover_every_family_and_the_orders_option_wins() -> None:
    """--quick spans all families at small sizes; --orders sets the orders at every size."""
    settings = settings_from(parse("--quick", "--orders", "7"))
    instances = settings.instances()
    assert {i.family for i in instances} == {
        "uniform", "clustered", "olist", "stockout", "capacity", "baskets", "scarce",
        "scarce_capacity",
    }  # fmt: skip
    assert {i.orders for i in instances} == {7}
    assert command_line(parse("--quick", "--orders", "7")) == "sourcing bench --quick --orders 7"


def test_the_bound_mip_budget_reaches_the_settings_and_the_command() -> None:
    """--bound-mip-time-limit is off by default, kept in the settings and in run.json's command."""
    assert settings_from(parse("--quick")).bound_mip_time_limit_s == 0.0
    args = parse("--quick", "--bound-mip-time-limit", "60")
    assert settings_from(args).bound_mip_time_limit_s == 60.0
    assert command_line(args) == "sourcing bench --quick --bound-mip-time-limit 60.0"


def test_instances_are_rebuilt_identically() -> None:
    """A job generates its instance from the key, so every policy sees the same orders."""
    key = InstanceKey("olist", 20, 3, 5)
    first, second = build_instance(key), build_instance(key)
    assert first == second
    assert len(first.problems) == 5
    assert list(first.days) == sorted(first.days)


def test_report_without_matplotlib_has_its_tables_and_no_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """matplotlib is the optional ``bench`` extra: without it the report keeps every table."""
    import sys

    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "sourcing.bench.plots", raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ModuleNotFoundError
    out = tmp_path / "run"
    argv = ["bench", "--quick", "--families", "uniform", "--sizes", "20", "--orders", "3"]
    assert main([*argv, "--jobs", "1", "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert "## By family and policy (all sizes)" in report
    assert (out / "summary.csv").stat().st_size > 0
    assert not list(out.glob("*.png"))
    assert "![" not in report

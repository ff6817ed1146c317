"""The command line runs its jobs end to end."""

from __future__ import annotations

import re

import pytest

from sourcing.cli import main


def test_example_prints_both_plans(capsys: pytest.CaptureFixture[str]) -> None:
    """`sourcing example` solves the built-in order with both policies and explains the MIP's."""
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    assert "Order SO-1001 (greedy)" in out
    assert "Order SO-1001 (mip)" in out
    assert "OPTIMAL" in out
    assert "Candidates for order SO-1001" in out
    assert "OUT_OF_CAPACITY" in out and "SWITCHED_OFF" in out


def test_unknown_command_exits_with_usage() -> None:
    """An unknown sub-command is refused by argparse with status 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(["nonsense"])
    assert exit_info.value.code == 2


def test_demo_sets_up_over_grpc_and_sources_both_orders(capsys: pytest.CaptureFixture[str]) -> None:
    """`sourcing demo` runs a real server and prints an HD and a CC plan with their reasons."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    # Before placing the orders it shows the cart's fulfilment options.
    assert out.index("Fulfilment options: home delivery") < out.index("Home delivery: order")
    assert "│ cheapest │" in out
    assert "Fulfilment options: click and collect" in out
    # Each collection store shows what its plan costs the retailer.
    assert re.search(r"transfer\s*┃\s*price\s*┃\s*ready", out)
    assert "Home delivery: order SO-1001" in out
    assert "Click and collect: order SO-1002" in out
    assert "OPTIMAL" in out
    assert "MORE_EXPENSIVE" in out
    # The CC order is served at its collection store, which holds everything.
    assert "│ ST_PINHEIROS │ CREATED" in out

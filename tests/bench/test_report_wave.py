"""The report's table of the wave against the greedy: rejected units and the gap closed."""

from __future__ import annotations

from sourcing.bench.metrics import Summary
from sourcing.bench.report import priced_table, wave_table


def summary(family: str, policy: str, cost: float, rejected: int) -> Summary:
    """A family's figures for one policy over a bound of 100."""
    return Summary(
        family, None, policy, 1, 10, cost, {"rejection": 0.0}, 100.0, 10, 0, rejected, 20,
        0.0, (1.0, 1.0, 1.0), 100.0, 0,
    )  # fmt: skip


def test_wave_table_reports_the_share_closed_and_the_targets() -> None:
    """Greedy 200, wave 110, bound 100: 90% closed, met; a wave rejecting more is MISSED."""
    rows = [
        summary("scarce", "batch", 110.0, 5),
        summary("scarce", "greedy", 200.0, 5),
        summary("capacity", "batch", 180.0, 7),
        summary("capacity", "greedy", 200.0, 6),
        summary("uniform", "mip", 150.0, 0),  # no wave or greedy: left out
    ]
    lines = wave_table(rows).splitlines()
    assert lines[2] == "| scarce | 5 | 5 | <= greedy: met | 90.0% | >= 80%: met |"
    assert lines[3] == "| capacity | 7 | 6 | <= greedy: MISSED | 20.0% | >= 80%: MISSED |"
    assert len(lines) == 4


def test_priced_table_reports_the_share_of_the_mip_to_wave_gap_closed() -> None:
    """MIP 150, priced 135, wave 100: 30% closed, met; outside the scarcity families no target."""
    rows = [
        summary("scarce", "greedy", 200.0, 5),
        summary("scarce", "mip", 150.0, 6),
        summary("scarce", "mip_priced", 135.0, 5),
        summary("scarce", "batch", 100.0, 5),
        summary("uniform", "greedy", 200.0, 0),
        summary("uniform", "mip", 150.0, 0),
        summary("uniform", "mip_priced", 150.0, 1),
        summary("uniform", "batch", 160.0, 0),
    ]
    lines = priced_table(rows).splitlines()
    assert lines[2] == (
        "| scarce | 5 | 5 | 6 | <= greedy: met | 150 | 135 | 100 | 30.0% | >= 30%: met |"
    )
    assert lines[3] == (
        "| uniform | 1 | 0 | 0 | not a target | 150 | 150 | 160 | - | not a target |"
    )

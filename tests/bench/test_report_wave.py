"""The report's table of the wave against the greedy (rejected units, the gap closed), and
what it says of the bound."""

from __future__ import annotations

from sourcing.bench.metrics import Summary
from sourcing.bench.report import floor_note, priced_table, wave_table
from sourcing.bench.results import BoundInfo, InstanceKey


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


def bound(size: int, floor: float) -> BoundInfo:
    """A bound of one scarce_capacity instance, with the rejection floor it carries (0: none)."""
    return BoundInfo(
        InstanceKey("scarce_capacity", size, 0, 300), 1.0, 1.0, 3.0, "optimal", 10, 5,
        0.1, 0.2, 50.0, "", floor, 1.5 if floor else 0.0,
    )  # fmt: skip


def test_report_says_when_the_bound_carries_the_rejection_floor() -> None:
    """The report's description of the bound names the floor, and on how many instances,
    exactly when a bound carries one: a reader must know what the bound is."""
    assert floor_note([bound(100, 0.0), bound(300, 0.0)]) == ""
    note = floor_note([bound(100, 4.0), bound(300, 0.0), bound(1000, 7.0)])
    assert note.startswith("On 2 of 3 instances the LP also carries the rejection floor")
    assert "`rejected_floor` in bounds.csv" in note

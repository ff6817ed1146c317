"""The in-process Source profile: every part is timed, and the parts fit inside the whole."""

from __future__ import annotations

import pytest

from benchmarks.source_parts import PARTS, main

SMALL = ("--quick", "--locations", "50", "--products", "20", "--orders", "8", "--warmup", "2")


def parts(printed: str) -> dict[str, tuple[int, float]]:
    """Calls and mean ms per part, from the printed table."""
    found = {}
    for line in printed.splitlines()[2:]:
        label, calls, _, mean = line.rsplit(maxsplit=3)
        found[label.strip()] = (int(calls), float(mean))
    return found


@pytest.mark.parametrize("backend", [(), ("--pg",)], ids=["sqlite", "postgresql"])
def test_every_part_is_timed_once_per_order(
    capsys: pytest.CaptureFixture[str], backend: tuple[str, ...]
) -> None:
    """Each order reads, solves and writes once; read and write take less than the call."""
    assert main([*SMALL, *backend]) == 0
    found = parts(capsys.readouterr().out)
    assert set(found) == {"Source"} | {label for _, _, label in PARTS}
    for label in ("Source", "replay check", "read", "solve", "write", "write: fulfilments"):
        assert found[label][0] == 8, label
    whole = found["Source"][1]
    assert found["read"][1] + found["solve"][1] + found["write"][1] < whole
    assert found["read: stock"][1] < found["read"][1]

"""The transport flow's plans in ``Polishing._transport``: only those that could serve as many."""

from __future__ import annotations

import time
from concurrent.futures import Future
from types import SimpleNamespace

import numpy as np

from sourcing.solver.plan import Plan
from sourcing.solver.wave.capped import Cells
from sourcing.solver.wave.polish import Polishing
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import Given


class _Flows(Polishing):
    """A wave of 2 orders (3 and 2 units) whose flows ``_transport`` applies: it records them."""

    def __init__(self, flows: list[Cells]) -> None:
        done: Future[list[Cells]] = Future()
        done.set_result(flows)
        self.transport_cells = done
        self.ordered = np.array([3, 2], dtype=np.int64)
        self.rank = np.arange(2, dtype=np.int64)
        self.seconds: dict[str, float] = {}
        self.rescued: dict[str, int] = {}
        self.deadline = time.perf_counter() + 60.0
        self.applied: list[Cells] = []

    def _left(self) -> float:
        return self.deadline - time.perf_counter()

    def _timed(self, name: str, since: float) -> float:
        return time.perf_counter()

    def _greedy_at_floor(self) -> bool:
        return False

    def _apply_given(
        self, sequence: list[int], given: Given, explain: bool, deadline: float | None = None
    ) -> dict[int, Plan]:
        """Each order rejecting what its cells leave, at 1 a unit served (a stand-in plan)."""
        self.applied.append({o: dict(cells) for o, cells in given.cells.items()})
        plans = {}
        for o, units in enumerate(self.ordered.tolist()):
            served = sum(given.cells.get(o, {}).values())
            objective = SimpleNamespace(priced_total=float(served))
            plans[o] = SimpleNamespace(rejected_units=units - served, objective=objective)
        return plans  # type: ignore[return-value]


def test_a_flow_whose_cells_reject_more_units_than_the_plan_is_not_applied() -> None:
    """Of flows rejecting 3, 1 and 2 of 5 units, only the ones within the plan's 2 are applied.

    The second, applied, rejects 1: the third (2) is not applied after it either.
    """
    three: Cells = {0: {(0, 0): 2}}
    one: Cells = {0: {(0, 0): 3}, 1: {(1, 0): 1}}
    two: Cells = {0: {(0, 0): 3}}
    polishing = _Flows([three, one, two])
    plans, _, rejected, _ = polishing._transport({}, [0, 1], (2, 100.0), False)
    assert polishing.applied == [decide_from(one).cells]
    assert rejected == 1 and plans[1].rejected_units == 1

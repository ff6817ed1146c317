"""Large-neighbourhood search on an applied wave plan: a few competing orders re-solved jointly.

When the bound stalls, the plan is improved where orders compete: an order
that rejects units (or, once none does beyond what it must, one of the
dearest) and the orders that want the same products are taken out of the
plan, every other order's units held, and solved together as one MIP over
every location (``wave.mip``), their current plans as the hint. The whole
plan is then applied again in sequence (the others first, then the
neighbourhood by priority; every allocation checked and priced there) and
kept only when it lowers (rejected units, cost), rejected units first, so
the plan never loses a unit. Neighbourhoods follow one another until the
deadline.
"""

from __future__ import annotations

import time
from collections.abc import Container, Sequence

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import SourcingProfile
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.mip import solve_wave_mip
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.problem import BatchProblem
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import Cell, NetworkState, apply
from sourcing.solver.wave.served import plan_key

# Orders x locations of one neighbourhood (its MIP sees every location), and its size limits.
CELLS = 4_000
SMALLEST, LARGEST = 4, 40
# Time one neighbourhood's MIP may take, and the least worth starting.
MIP_TIME_S = 2.0
LEAST_TIME_S = 0.5


class Neighbourhoods:
    """The applied plan, improved one neighbourhood at a time."""

    def __init__(
        self,
        problem: BatchProblem,
        profiles: Sequence[SourcingProfile],
        penalty_raise: FloatArray,
        rank: IntArray,
        settled: Container[int] = (),
    ) -> None:
        self.problem, self.profiles = problem, profiles
        self.settled = settled  # orders ``apply`` may place on their locations alone
        self.penalty_raise, self.rank = penalty_raise, rank
        self.size = int(np.clip(CELLS // max(len(problem.locations), 1), SMALLEST, LARGEST))
        self.products = [{line.product_ref for line in o.lines} for o in problem.orders]
        self.tried: set[int] = set()
        self.moves = 0

    def run(
        self, plans: dict[int, Plan], sequence: list[int], deadline: float, apply_s: float = 0.0
    ) -> tuple[dict[int, Plan], list[int]]:
        """Better plans and their sequence, neighbourhood after neighbourhood until ``deadline``.

        A neighbourhood is started only while the time left covers ``apply_s``
        (what applying the wave's plan takes: each one applies it) and a MIP.
        """
        key = plan_key(plans.values())
        while time.perf_counter() + apply_s + LEAST_TIME_S < deadline:
            seed = self._seed(plans)
            if seed is None:
                break
            chosen = self._around(seed, plans)
            found = self._solve(chosen, plans, sequence, deadline)
            if found is None:
                continue
            after = plan_key(found[0].values())
            if after < key:
                plans, sequence, key = found[0], found[1], after
                self.moves += 1
                self.tried.clear()  # the plan moved: every order may be worth a look again
        return plans, sequence

    def _seed(self, plans: dict[int, Plan]) -> int | None:
        """The next order to build a neighbourhood around: most rejected, then dearest."""
        left = [o for o in plans if o not in self.tried]
        if not left:
            return None
        seed = max(left, key=lambda o: (plans[o].rejected_units, plans[o].objective.priced_total))
        self.tried.add(seed)
        return seed

    def _around(self, seed: int, plans: dict[int, Plan]) -> list[int]:
        """The seed and the orders wanting most of its products, those rejecting units first."""
        mine = self.products[seed]
        shared = [
            (len(mine & self.products[o]), plans[o].rejected_units, -o)
            for o in plans
            if o != seed and mine & self.products[o]
        ]
        shared.sort(reverse=True)
        chosen = [seed, *(-o for _, _, o in shared[: self.size - 1])]
        return sorted(chosen, key=lambda o: int(self.rank[o]))

    def _solve(
        self, chosen: list[int], plans: dict[int, Plan], sequence: list[int], deadline: float
    ) -> tuple[dict[int, Plan], list[int]] | None:
        """The plan with ``chosen`` solved jointly on what the others hold, or None."""
        p = self.problem
        inside = set(chosen)
        others = [o for o in sequence if o not in inside]
        state = NetworkState(p.locations, p.state, p.table, p.scarcity_prices, self.settled)
        held = apply(
            state, p.orders, self.profiles, others, decide_from(cells_of(p, plans)), "batch"
        )
        arrays = [
            SourcingArrays.build(state.problem(p.orders[o], self.profiles[o])) for o in chosen
        ]
        models = fit(lambda i: arrays[i], range(len(chosen)), {}, candidates=len(p.locations))
        wave = Wave.of(models)
        capacity = np.stack([state.total, state.hd, state.cc], axis=1).astype(np.int64)
        hint = _hint(p, plans, chosen)
        limit = min(MIP_TIME_S, deadline - time.perf_counter() - LEAST_TIME_S)
        if limit <= 0:
            return None
        penalty = wave.plan_penalty * self.penalty_raise[chosen]
        rank = np.arange(len(chosen), dtype=np.int64)
        joint = solve_wave_mip(wave, capacity, penalty, rank, hint, limit, 0.0, 1.0)
        if joint.assignment is None:
            return None
        a = joint.assignment
        cells: dict[int, dict[Cell, int]] = {o: {} for o in chosen}
        for o, loc, line, units in zip(a.order, a.location, a.line, a.units, strict=True):
            cell = (int(loc), int(line))
            target = cells[chosen[int(o)]]
            target[cell] = target.get(cell, 0) + int(units)
        placed = apply(state, p.orders, self.profiles, chosen, decide_from(cells), "batch")
        return {**held, **placed}, [*others, *chosen]


def cells_of(problem: BatchProblem, plans: dict[int, Plan]) -> dict[int, dict[Cell, int]]:
    """Every order's plan as (location, line) -> units."""
    index = {location.ref: i for i, location in enumerate(problem.locations)}
    result: dict[int, dict[Cell, int]] = {}
    for o, plan in plans.items():
        lines = {line.ref: k for k, line in enumerate(problem.orders[o].lines)}
        cells: dict[Cell, int] = {}
        for part in plan.fulfilments:
            for line in part.lines:
                cell = (index[part.location_ref], lines[line.line_ref])
                cells[cell] = cells.get(cell, 0) + line.quantity
        result[o] = cells
    return result


def _hint(problem: BatchProblem, plans: dict[int, Plan], chosen: list[int]) -> Assignment:
    """The chosen orders' plans as an assignment over their local indices."""
    rows = [
        (i, loc, line, units)
        for i, o in enumerate(chosen)
        for (loc, line), units in cells_of(problem, {o: plans[o]})[o].items()
    ]
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    none = np.zeros(len(chosen), dtype=bool)
    n = np.arange(len(chosen))
    return Assignment(table[:, 0], table[:, 1], table[:, 2], table[:, 3], n, none, none, np.inf)

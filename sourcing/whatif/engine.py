"""Replay a history once per scenario with the bench's own simulation, and record every decision.

Each scenario runs ``sourcing.bench.simulation.simulate``: the orders in
arrival order, each taking its stock and a day's capacity, each decision
checked and priced by ``objective.evaluate`` on the state it was applied to.
A thin policy wrapper (``_Recorder``) keeps what the bench does not: where
each order's units went, its kilometres, the units taken below ideal stock,
and why nearer locations were not used (``explain``'s reasons).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.bench.policies import Policy
from sourcing.bench.simulation import OrderRecord, PolicyRun, simulate
from sourcing.solver import CandidateReason, SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import units_by_product
from sourcing.solver.types import IntArray
from sourcing.whatif.history import History
from sourcing.whatif.network import scenario_instance, scenario_policy
from sourcing.whatif.scenarios import Scenario, ScenarioFile

# How many nearer, unused candidates an order's reasons name.
REASONS_NAMED = 3

Progress = Callable[[str, int], None]  # (scenario name, orders just done)


@dataclass(frozen=True, slots=True)
class Decision:
    """Where one order's units went and what that did, on the state the decision saw."""

    plan: tuple[tuple[str, int], ...]  # (location ref, units), by ref
    location_types: tuple[str, ...]  # type of each location used, in ``plan`` order
    km: float
    below_ideal_units: int
    store_units: int
    reasons: str


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """One scenario over the history: the bench's records and the decisions beside them."""

    scenario: Scenario
    run: PolicyRun
    decisions: tuple[Decision, ...]
    capacity_offered_by_type: dict[str, int]
    seconds: float

    @property
    def records(self) -> tuple[OrderRecord, ...]:
        """The bench's record of each order, in arrival order."""
        return self.run.records


class _Recorder(Policy):
    """A policy that asks another and keeps a ``Decision`` of every answer."""

    def __init__(self, inner: Policy, explain: bool) -> None:
        self.inner = inner
        self.name = inner.name
        self.wave_size = inner.wave_size
        self.explain = explain
        self.decisions: list[Decision] = []

    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        """The inner policy's allocations, each recorded."""
        allocations = self.inner.decide(problems)
        for problem, allocation in zip(problems, allocations, strict=True):
            self.decisions.append(decision(problem, allocation, self.explain))
        return allocations


def decision(problem: SourcingProblem, allocation: IntArray, explain: bool = True) -> Decision:
    """What ``allocation`` does to ``problem``: its plan, km, units below ideal, reasons."""
    arrays = SourcingArrays.build(problem)
    per_location = allocation.sum(axis=1)
    used = np.flatnonzero(per_location > 0)
    locations = problem.locations
    order = sorted(used, key=lambda i: locations[i].ref)
    below = np.maximum(units_by_product(arrays, allocation) - arrays.surplus, 0)
    stores = sum(int(per_location[i]) for i in used if locations[i].type.value == "STORE")
    return Decision(
        plan=tuple((locations[i].ref, int(per_location[i])) for i in order),
        location_types=tuple(locations[i].type.value for i in order),
        km=round(float(arrays.distance_km[used].sum()), 6),
        below_ideal_units=int(below.sum()),
        store_units=stores,
        reasons=_reasons(arrays, allocation, used) if explain else "",
    )


def _reasons(arrays: SourcingArrays, allocation: IntArray, used: IntArray) -> str:
    """Why the nearest candidates nearer than the farthest used one (or any) were not used."""
    distance = arrays.distance_km
    reach = float(distance[used].max()) if len(used) else np.inf
    unused = np.flatnonzero((allocation.sum(axis=1) == 0) & (distance < reach))
    nearest = unused[np.argsort(distance[unused], kind="stable")][:REASONS_NAMED]
    could = arrays.cap.sum(axis=1)
    named = []
    for i in nearest:
        reasons = arrays.kept_out(int(i))
        if not reasons:
            no_stock = CandidateReason.NO_STOCK
            reasons = (no_stock if could[i] == 0 else CandidateReason.MORE_EXPENSIVE,)
        why = "+".join(r.value.lower() for r in reasons)
        named.append(f"{arrays.problem.locations[i].ref} {distance[i]:.0f} km {why}")
    return "; ".join(named)


def run_scenario(
    history: History,
    scenario: Scenario,
    file: ScenarioFile,
    progress: Progress | None = None,
    explain: bool = True,
) -> ScenarioRun:
    """Replay ``history`` under ``scenario``."""
    instance = scenario_instance(history, scenario, file)
    recorder = _Recorder(scenario_policy(scenario, file), explain)
    started = time.perf_counter()
    step = None if progress is None else (lambda n: progress(scenario.name, n))
    run = simulate(recorder, instance, step) if instance.problems else _empty(recorder)
    seconds = time.perf_counter() - started
    days = len(set(instance.days))
    offered: dict[str, int] = {}
    for location in instance.problems[0].locations if instance.problems else ():
        if location.capacity.total is not None:
            kind = location.type.value
            offered[kind] = offered.get(kind, 0) + location.capacity.total * days
    return ScenarioRun(scenario, run, tuple(recorder.decisions), offered, seconds)


def _empty(policy: Policy) -> PolicyRun:
    return PolicyRun(policy.name, (), 0, 0, 0.0)


def run_scenarios(
    history: History,
    file: ScenarioFile,
    progress: Progress | None = None,
    explain: bool = True,
) -> list[ScenarioRun]:
    """Replay ``history`` under the baseline and every variant, checking them all first."""
    for scenario in file.scenarios:
        scenario_instance(history, scenario, file)  # fail before any long run
    return [run_scenario(history, s, file, progress, explain) for s in file.scenarios]


def sweep_scenarios(file: ScenarioFile) -> list[Scenario]:
    """One scenario per point of the file's sweep: the baseline with the swept weights set."""
    if file.sweep is None:
        return []
    names = list(file.sweep.values)
    grids = np.meshgrid(*(file.sweep.values[n] for n in names), indexing="ij")
    points = zip(*(g.ravel() for g in grids), strict=True)
    out = []
    for point in points:
        weights = {**file.baseline.weights, **dict(zip(names, map(float, point), strict=True))}
        label = ", ".join(f"{n}={w:g}" for n, w in zip(names, point, strict=True))
        out.append(
            replace(
                file.baseline,
                name=f"sweep {label}",
                policy=file.sweep.policy,
                weights=weights,
                path="sweep",
            )
        )
    return out

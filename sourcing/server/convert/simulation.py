"""SimulationService requests into use-case inputs, and stored runs into protos."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sourcing.models.simulations.calls import RunRequest
from sourcing.models.simulations.tables import SimulationRun
from sourcing.server.convert.fields import timestamp
from sourcing.server.errors import FieldError
from sourcing.v1 import simulation_pb2
from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.network import check_scenario_names
from sourcing.whatif.scenarios import ScenarioFile

SCENARIOS_FIELD = "scenarios_toml"


def scenario_error(exc: WhatIfInputError) -> FieldError:
    """A scenario file's error as a field violation on ``scenarios_toml``, with line and key."""
    where = f"line {exc.line}, " if exc.line is not None else ""
    return FieldError(SCENARIOS_FIELD, f"{where}{exc.field}: {exc.message}")


def scenarios_from_proto(text: str) -> ScenarioFile:
    """The scenario file sent; ``FieldError`` naming its line and key when it is malformed."""
    if not text.strip():
        raise FieldError(SCENARIOS_FIELD, "Expected a scenario file (TOML) with a [baseline].")
    try:
        return ScenarioFile.parse(text, SCENARIOS_FIELD)
    except WhatIfInputError as exc:
        raise scenario_error(exc) from None


def start_from_proto(
    request: simulation_pb2.StartSimulationRequest,
) -> tuple[RunRequest, ScenarioFile]:
    """The run asked for, and its parsed scenarios."""
    for name in ("window_start", "window_end"):
        if not request.HasField(name):
            raise FieldError(name, "Expected a timestamp.")
    start = request.window_start.ToDatetime(tzinfo=UTC)
    end = request.window_end.ToDatetime(tzinfo=UTC)
    if not start < end:
        raise FieldError("window_end", f"Expected a moment after window_start ({start}).")
    file = scenarios_from_proto(request.scenarios_toml)
    names = tuple(s.name for s in file.scenarios)
    run = RunRequest(start, end, request.scenarios_toml, names, request.requested_by)
    return run, file


def check_names(
    file: ScenarioFile, location_refs: frozenset[str], versions: frozenset[int]
) -> None:
    """``FieldError`` when a scenario names a location or profile version that is not stored."""
    try:
        for scenario in file.scenarios:
            check_scenario_names(location_refs, versions, scenario, file)
    except WhatIfInputError as exc:
        raise scenario_error(exc) from None


def run_id_from_proto(value: str, field: str = "id") -> int:
    """A run's id from its decimal string."""
    if not value:
        raise FieldError(field, "Expected the id of a simulation.")
    return int(value)  # the boundary layer lets only digits through


def run_to_proto(run: SimulationRun) -> simulation_pb2.Simulation:
    """A stored run as the API shows it."""
    result: dict[str, Any] = run.result or {}
    return simulation_pb2.Simulation(
        id=str(run.id),
        state=f"SIMULATION_STATE_{run.state.value}",
        requested_by=run.requested_by,
        scenario_names=list(run.scenario_names),
        window_start=timestamp(run.window_start),
        window_end=timestamp(run.window_end),
        created_at=timestamp(run.created_at),
        finished_at=timestamp(run.finished_at),
        decisions_done=run.decisions_done,
        decisions_total=run.decisions_total,
        kpis=[simulation_pb2.ScenarioKpis(**k) for k in result.get("kpis", [])],
        differences=[simulation_pb2.KpiDifference(**d) for d in result.get("differences", [])],
        error=run.error or "",
        **(result.get("fidelity") or {}),
    )

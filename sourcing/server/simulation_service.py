"""SimulationService: what-if runs, a thin adapter over ``sourcing.models.simulations.calls``.

Starting a run checks the scenario file and the locations and profile
versions it names before anything is stored, then hands the run to the
``SimulationRunner`` and answers at once.
"""

from __future__ import annotations

from dataclasses import replace

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.simulations import calls
from sourcing.server.auth.identity import LOCAL_DEVELOPER, current_identity
from sourcing.server.convert import simulation as convert
from sourcing.server.convert.fields import Page
from sourcing.server.simulations import SimulationRunner
from sourcing.v1 import simulation_pb2, simulation_pb2_grpc


class SimulationServicer(simulation_pb2_grpc.SimulationServiceServicer):  # type: ignore[misc]
    """Start, read, list and cancel what-if runs."""

    def __init__(self, sessions: sessionmaker[Session], runner: SimulationRunner) -> None:
        self.sessions = sessions
        self.runner = runner

    def StartSimulation(  # noqa: N802 - the RPC's name
        self, request: simulation_pb2.StartSimulationRequest, context: grpc.ServicerContext
    ) -> simulation_pb2.StartSimulationResponse:
        """Check the scenarios, store a QUEUED run, start it in the background."""
        run, file = convert.start_from_proto(request)
        run = replace(run, requested_by=_asked_by(run.requested_by))
        convert.check_names(file, *calls.network_names(self.sessions))
        stored = calls.start_run(self.sessions, run, lambda r: (r.id, convert.run_to_proto(r)))
        self.runner.submit(stored[0])
        return simulation_pb2.StartSimulationResponse(simulation=stored[1])

    def GetSimulation(  # noqa: N802 - the RPC's name
        self, request: simulation_pb2.GetSimulationRequest, context: grpc.ServicerContext
    ) -> simulation_pb2.GetSimulationResponse:
        """One run: state, progress, KPIs when done, error if it failed."""
        run_id = convert.run_id_from_proto(request.id)
        run = calls.get_run(self.sessions, run_id, convert.run_to_proto)
        return simulation_pb2.GetSimulationResponse(simulation=run)

    def ListSimulations(  # noqa: N802 - the RPC's name
        self, request: simulation_pb2.ListSimulationsRequest, context: grpc.ServicerContext
    ) -> simulation_pb2.ListSimulationsResponse:
        """A page of runs, newest first."""
        page = Page.from_request(request.page_size, request.page_token)
        rows = calls.list_runs(self.sessions, page.offset, page.limit + 1, convert.run_to_proto)
        runs, token = page.cut(rows)
        return simulation_pb2.ListSimulationsResponse(simulations=runs, next_page_token=token)

    def CancelSimulation(  # noqa: N802 - the RPC's name
        self, request: simulation_pb2.CancelSimulationRequest, context: grpc.ServicerContext
    ) -> simulation_pb2.CancelSimulationResponse:
        """Cancel a QUEUED or RUNNING run; FAILED_PRECONDITION once it ended."""
        run_id = convert.run_id_from_proto(request.id)
        run = calls.cancel_run(self.sessions, run_id, convert.run_to_proto)
        return simulation_pb2.CancelSimulationResponse(simulation=run)


def _asked_by(label: str) -> str:
    """Who asked: the authenticated caller's principal (with the caller's own label, if any).

    In dev mode (no credentials) only the label the caller sent is known.
    """
    identity = current_identity()
    if identity is None or identity is LOCAL_DEVELOPER:
        return label
    return f"{identity.principal} ({label})" if label else identity.principal

"""SimulationService through a real server: runs in the background, replays the stored plans,
refuses bad scenarios without storing anything, and a restart fails what was left running."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from sourcing.models.db.engine import session_factory
from sourcing.models.simulations import calls
from sourcing.server.app import RunningServer, create_server
from sourcing.v1 import common_pb2, domain_pb2, simulation_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_source import field_violations

SCENARIOS = """
[baseline]
name = "live"
[[scenarios]]
name = "greedy"
policy = "greedy"
[[scenarios]]
name = "no east"
[scenarios.rules]
closed = ["EAST"]
"""
DONE = (
    simulation_pb2.SIMULATION_STATE_SUCCEEDED,
    simulation_pb2.SIMULATION_STATE_FAILED,
    simulation_pb2.SIMULATION_STATE_CANCELLED,
)


def _network(server: RunningServer) -> None:
    """Four stores around the origin holding three products in uneven amounts."""
    with session_factory(server.engine).begin() as session:
        products = [add_product(session, sku) for sku in ("A", "B", "C")]
        spots = {
            "NORTH": (0.3, 0.0),
            "EAST": (0.0, 0.35),
            "SOUTH": (-0.4, 0.0),
            "WEST": (0.0, -0.45),
        }
        for i, (ref, (lat, lon)) in enumerate(spots.items()):
            store = add_location(
                session, ref, latitude=lat, longitude=lon, fixed_cost_minor=300 + 10 * i
            )
            for j, product in enumerate(products):
                add_position(session, product, store, 3 + (i + j) % 4)


def _orders(clients: Clients, count: int, prefix: str = "O") -> None:
    for i in range(count):
        lines = [
            domain_pb2.OrderLine(ref=str(k + 1), product_ref=sku, quantity=1 + (i + k) % 2)
            for k, sku in enumerate(("A", "B", "C")[: 1 + i % 3])
        ]
        order = domain_pb2.Order(
            ref=f"{prefix}{i:03d}",
            type=common_pb2.ORDER_TYPE_HD,
            lines=lines,
            delivery_point=common_pb2.GeoPoint(
                latitude=0.05 * (i % 7) - 0.15, longitude=0.04 * (i % 5)
            ),
        )
        clients.sourcing.Source(sourcing_pb2.SourceRequest(order=order), timeout=30)


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _start(
    clients: Clients, start: datetime, end: datetime, toml: str
) -> simulation_pb2.Simulation:
    request = simulation_pb2.StartSimulationRequest(
        window_start=_stamp(start), window_end=_stamp(end), scenarios_toml=toml, requested_by="ana"
    )
    run: simulation_pb2.Simulation = clients.simulations.StartSimulation(
        request, timeout=10
    ).simulation
    return run


def _wait(clients: Clients, run_id: str) -> simulation_pb2.Simulation:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run: simulation_pb2.Simulation = clients.simulations.GetSimulation(
            simulation_pb2.GetSimulationRequest(id=run_id), timeout=10
        ).simulation
        if run.state in DONE:
            return run
        time.sleep(0.1)
    raise AssertionError(f"simulation {run_id} still {run.state} after 120 s")


def test_replay_of_the_live_profile_reproduces_the_stored_plans(
    server: RunningServer, clients: Clients
) -> None:
    """Orders stored through Source, replayed under the live profile: every plan the same."""
    _network(server)
    start = datetime.now(UTC)
    _orders(clients, 24)
    end = datetime.now(UTC) + timedelta(seconds=1)
    started = _start(clients, start, end, SCENARIOS)
    assert started.state == simulation_pb2.SIMULATION_STATE_QUEUED
    run = _wait(clients, started.id)
    assert run.state == simulation_pb2.SIMULATION_STATE_SUCCEEDED, run.error
    assert (run.replay_compared, run.replay_differing, run.stock_corrections) == (24, 0, 0)
    assert [k.scenario for k in run.kpis] == ["live", "greedy", "no east"]
    assert all(k.orders == 24 for k in run.kpis)
    assert run.kpis[1].service_cost >= run.kpis[0].service_cost - 1e-6
    assert {d.scenario for d in run.differences} == {"greedy", "no east"}
    assert run.decisions_done == run.decisions_total == 72
    listed = clients.simulations.ListSimulations(
        simulation_pb2.ListSimulationsRequest(), timeout=10
    ).simulations
    assert [(s.id, s.requested_by, list(s.scenario_names)) for s in listed] == [
        (run.id, "ana", ["live", "greedy", "no east"])
    ]
    with pytest.raises(grpc.RpcError) as info:
        clients.simulations.CancelSimulation(
            simulation_pb2.CancelSimulationRequest(id=run.id), timeout=10
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize(
    ("toml", "shift", "field"),
    [
        ("[baseline\n", 1, "scenarios_toml"),
        ("[baseline]\npolicy = 'magic'\n", 1, "scenarios_toml"),
        (
            "[baseline]\n[[scenarios]]\n[scenarios.rules]\nclosed = ['NOWHERE']\n",
            1,
            "scenarios_toml",
        ),
        ("[baseline]\nprofile_version = 7\n", 1, "scenarios_toml"),
        ("[baseline]\n", -1, "window_end"),
    ],
)
def test_bad_scenarios_are_refused_and_nothing_is_stored(
    server: RunningServer, clients: Clients, toml: str, shift: int, field: str
) -> None:
    """A malformed file, an unknown location or version, a reversed window: INVALID_ARGUMENT."""
    _network(server)
    now = datetime.now(UTC)
    with pytest.raises(grpc.RpcError) as info:
        _start(clients, now, now + timedelta(hours=shift), toml)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == [field]
    if field == "scenarios_toml":
        assert "line " in (info.value.details() or "")
    listed = clients.simulations.ListSimulations(
        simulation_pb2.ListSimulationsRequest(), timeout=10
    )
    assert list(listed.simulations) == []


def test_unknown_run_is_not_found(clients: Clients) -> None:
    """Get and Cancel of an id never given out: NOT_FOUND."""
    for call, request in (
        (clients.simulations.GetSimulation, simulation_pb2.GetSimulationRequest(id="99")),
        (clients.simulations.CancelSimulation, simulation_pb2.CancelSimulationRequest(id="99")),
    ):
        with pytest.raises(grpc.RpcError) as info:
            call(request, timeout=10)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND


def test_a_restart_marks_unfinished_runs_failed(server: RunningServer, db_url: str) -> None:
    """Runs left RUNNING or QUEUED by a stopped server are FAILED after the next start."""
    sessions = session_factory(server.engine)
    now = datetime.now(UTC)
    request = calls.RunRequest(now, now + timedelta(hours=1), "[baseline]\n", ("baseline",))
    running = calls.start_run(sessions, request, lambda r: r.id)
    queued = calls.start_run(sessions, request, lambda r: r.id)
    assert calls.claim_run(sessions, running) is not None
    again = create_server(db_url, address="127.0.0.1:0")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{again.port}") as channel:
            stub = Clients(channel).simulations
            for run_id in (running, queued):
                run = stub.GetSimulation(
                    simulation_pb2.GetSimulationRequest(id=str(run_id)), timeout=10
                ).simulation
                assert run.state == simulation_pb2.SIMULATION_STATE_FAILED
                assert "restarted" in run.error
    finally:
        again.stop(grace_s=1.0)

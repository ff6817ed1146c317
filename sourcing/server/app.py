"""The gRPC server: servicers, health checking, reflection, graceful shutdown."""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from concurrent import futures
from dataclasses import dataclass, field
from types import FrameType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.engine import make_engine, session_factory, upgrade
from sourcing.models.events.webhooks import DeliveryPolicy
from sourcing.server import reflection_v1
from sourcing.server.background import DEFAULT_INTERVAL_S, Housekeeping
from sourcing.server.boundary.interceptor import BoundaryInterceptor
from sourcing.server.errors import ErrorInterceptor
from sourcing.server.interceptors import LoggingInterceptor
from sourcing.server.shutdown import CommitGate
from sourcing.server.simulations import DEFAULT_MAX_SIMULATIONS, SimulationRunner
from sourcing.v1 import (
    config_pb2,
    config_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
    simulation_pb2,
    simulation_pb2_grpc,
    sourcing_pb2,
    sourcing_pb2_grpc,
)

log = logging.getLogger(__name__)

# Messages above this size are refused by gRPC itself with RESOURCE_EXHAUSTED.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
SHUTDOWN_GRACE_S = 10.0
# Seconds of NOT_SERVING, still taking calls, before the server stops taking them.
SHUTDOWN_DRAIN_S = 0.0
SERVICE_NAMES = (
    sourcing_pb2.DESCRIPTOR.services_by_name["SourcingService"].full_name,
    orders_pb2.DESCRIPTOR.services_by_name["OrderService"].full_name,
    inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name,
    config_pb2.DESCRIPTOR.services_by_name["ConfigService"].full_name,
    simulation_pb2.DESCRIPTOR.services_by_name["SimulationService"].full_name,
)


@dataclass
class RunningServer:
    """A started server, the port it listens on, its health service and housekeeping."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    engine: Engine
    housekeeping: Housekeeping | None = None
    gate: CommitGate = field(default_factory=CommitGate)
    simulations: SimulationRunner | None = None

    def stop(self, grace_s: float = SHUTDOWN_GRACE_S, drain_s: float = SHUTDOWN_DRAIN_S) -> None:
        """Drain, stop taking calls, give those in flight ``grace_s``, then refuse commits.

        See ``sourcing.server.shutdown`` for why each step is there.
        """
        for name in ("", *SERVICE_NAMES):
            self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        if drain_s > 0:
            time.sleep(drain_s)
        self.health.enter_graceful_shutdown()
        self.server.stop(grace_s).wait()
        if self.housekeeping is not None:
            self.housekeeping.stop()
        if self.simulations is not None:
            self.simulations.stop()
        self.gate.close()
        self.engine.dispose()


def create_server(
    db_url: str,
    *,
    address: str = "127.0.0.1:0",
    max_workers: int = 16,
    max_concurrent_rpcs: int | None = 64,
    migrate: bool = True,
    housekeeping_interval_s: float | None = None,
    delivery_policy: DeliveryPolicy | None = None,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
) -> RunningServer:
    """Build, migrate and start a server on ``address`` (port 0 picks a free one).

    Calls beyond ``max_concurrent_rpcs`` are refused with RESOURCE_EXHAUSTED
    rather than queued without bound. With ``housekeeping_interval_s``, a
    background thread sweeps overdue fulfilments and delivers webhooks
    (under ``delivery_policy``) that often; off by default. At most
    ``max_simulations`` what-if runs execute at once; runs an earlier process
    left unfinished are marked FAILED first.
    """
    engine = make_engine(db_url)
    if migrate:
        upgrade(engine)
    sessions = session_factory(engine)
    gate = CommitGate()
    gate.guard(sessions)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=[LoggingInterceptor(), ErrorInterceptor(), BoundaryInterceptor()],
        maximum_concurrent_rpcs=max_concurrent_rpcs,
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    _add_servicers(server, sessions)
    simulations = _add_simulations(server, sessions, max_simulations)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflected = (
        *SERVICE_NAMES,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
        reflection_v1.SERVICE_NAME,
    )
    reflection.enable_server_reflection(reflected, server)
    reflection_v1.enable(reflected, server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"could not listen on {address}")
    server.start()
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    housekeeping = None
    if housekeeping_interval_s is not None:
        housekeeping = Housekeeping(sessions, housekeeping_interval_s, delivery_policy)
        housekeeping.start()
    log.info("listening on port %d", port)
    return RunningServer(server, port, health_servicer, engine, housekeeping, gate, simulations)


def _add_servicers(server: grpc.Server, sessions: sessionmaker[Session]) -> None:
    from sourcing.server.config_service import ConfigServicer
    from sourcing.server.inventory_service import InventoryServicer
    from sourcing.server.order_service import OrderServicer
    from sourcing.server.sourcing_service import SourcingServicer

    sourcing_pb2_grpc.add_SourcingServiceServicer_to_server(SourcingServicer(sessions), server)
    orders_pb2_grpc.add_OrderServiceServicer_to_server(OrderServicer(sessions), server)
    inventory_pb2_grpc.add_InventoryServiceServicer_to_server(InventoryServicer(sessions), server)
    config_pb2_grpc.add_ConfigServiceServicer_to_server(ConfigServicer(sessions), server)


def _add_simulations(
    server: grpc.Server, sessions: sessionmaker[Session], max_simulations: int
) -> SimulationRunner:
    from sourcing.models.simulations.calls import fail_unfinished
    from sourcing.server.simulation_service import SimulationServicer

    failed = fail_unfinished(sessions)
    if failed:
        log.warning("marked %d unfinished simulation runs FAILED", len(failed))
    runner = SimulationRunner(sessions, max_simulations)
    servicer = SimulationServicer(sessions, runner)
    simulation_pb2_grpc.add_SimulationServiceServicer_to_server(servicer, server)
    return runner


def serve(
    db_url: str,
    address: str,
    *,
    grace_s: float = SHUTDOWN_GRACE_S,
    drain_s: float = SHUTDOWN_DRAIN_S,
    housekeeping_interval_s: float | None = DEFAULT_INTERVAL_S,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
) -> None:
    """Run a server until SIGTERM or SIGINT, then shut down gracefully.

    Housekeeping (the SLA sweep and webhook delivery) runs every
    ``housekeeping_interval_s`` seconds; ``None`` turns it off.
    """
    running = create_server(
        db_url,
        address=address,
        housekeeping_interval_s=housekeeping_interval_s,
        max_simulations=max_simulations,
    )
    # What is alive now (modules, table metadata, stubs) lives as long as the
    # process: keep it out of the cyclic collector, whose full passes over
    # those ~100,000 objects took 50-100 ms and landed in calls' p99.
    gc.collect()
    gc.freeze()
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: draining", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"sourcing server listening on port {running.port}", flush=True)
    stopping.wait()
    running.stop(grace_s, drain_s)
    print("sourcing server stopped", flush=True)
    # Handlers still running past grace can no longer commit (the gate); do not
    # wait for them at interpreter exit, which is what kept the process alive.
    logging.shutdown()
    os._exit(0)

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
from sourcing.models.inventory.scarcity import PriceSettings
from sourcing.server import reflection_v1
from sourcing.server.auth.interceptor import AuthInterceptor
from sourcing.server.auth.settings import Security, refusal
from sourcing.server.background import DEFAULT_INTERVAL_S, Housekeeping, PriceRefresh
from sourcing.server.boundary.interceptor import BoundaryInterceptor
from sourcing.server.contract import SERVICE_NAMES
from sourcing.server.errors import ErrorInterceptor
from sourcing.server.observability.setup import Observability
from sourcing.server.shutdown import CommitGate
from sourcing.server.simulations import DEFAULT_MAX_SIMULATIONS, SimulationRunner
from sourcing.v1 import (
    access_pb2_grpc,
    config_pb2_grpc,
    inventory_pb2_grpc,
    operations_pb2_grpc,
    orders_pb2_grpc,
    simulation_pb2_grpc,
    sourcing_pb2_grpc,
)

log = logging.getLogger(__name__)

# Messages above this size are refused by gRPC itself with RESOURCE_EXHAUSTED.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
SHUTDOWN_GRACE_S = 10.0
# Seconds of NOT_SERVING, still taking calls, before the server stops taking them.
SHUTDOWN_DRAIN_S = 0.0


@dataclass
class RunningServer:
    """A started server, the port it listens on, its health service and background loops."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    engine: Engine
    housekeeping: Housekeeping | None = None
    gate: CommitGate = field(default_factory=CommitGate)
    observability: Observability = field(default_factory=Observability)
    metrics_port: int | None = None
    price_refresh: PriceRefresh | None = None
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
        for loop in (self.housekeeping, self.price_refresh, self.simulations):
            if loop is not None:
                loop.stop()
        self.gate.close()
        self.observability.close()
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
    observability: Observability | None = None,
    metrics_address: tuple[str, int] | None = None,
    security: Security | None = None,
    scarcity_refresh_s: float | None = None,
    scarcity_settings: PriceSettings | None = None,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
) -> RunningServer:
    """Build, migrate and start a server on ``address`` (port 0 picks a free one).

    Calls beyond ``max_concurrent_rpcs`` are refused with RESOURCE_EXHAUSTED
    rather than queued without bound. With ``housekeeping_interval_s``, a
    background thread sweeps overdue fulfilments and delivers webhooks
    (under ``delivery_policy``) that often; off by default. With
    ``scarcity_refresh_s``, another refreshes the scarce-stock prices that
    often (the first refresh at once, under ``scarcity_settings``); off by
    default. At most ``max_simulations`` what-if runs execute at once; runs
    an earlier process left unfinished are marked FAILED first.
    ``observability`` says what the server exports; with ``metrics_address``
    (host, port) it serves its ``/metrics`` there. ``security`` None is dev
    mode (no credentials, every caller an admin), which only listens on
    loopback; ``sourcing.server.auth.settings`` says why.
    """
    observability = observability or Observability()
    security = security if security is not None else Security()
    problem = refusal(address, security)
    if problem is not None:
        raise PermissionError(problem)
    engine = make_engine(db_url)
    if migrate:
        upgrade(engine)
    sessions = session_factory(engine)
    gate = CommitGate()
    gate.guard(sessions)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        interceptors=[
            *observability.interceptors(),
            AuthInterceptor(sessions, security),
            ErrorInterceptor(),
            BoundaryInterceptor(),
        ],
        maximum_concurrent_rpcs=max_concurrent_rpcs,
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    _add_servicers(server, sessions, security)
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
    port = _listen(server, address, security)
    if port == 0:
        raise OSError(f"could not listen on {address}")
    observability.watch(engine, sessions)
    metrics_port = None
    if metrics_address is not None:
        metrics_port = observability.serve_metrics(*metrics_address)
    server.start()
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    housekeeping = None
    if housekeeping_interval_s is not None:
        housekeeping = Housekeeping(
            sessions, housekeeping_interval_s, delivery_policy, observability.recorder
        )
        housekeeping.start()
    price_refresh = None
    if scarcity_refresh_s is not None:
        price_refresh = PriceRefresh(sessions, scarcity_refresh_s, scarcity_settings)
        price_refresh.start()
    log.info("listening on port %d", port)
    return RunningServer(
        server,
        port,
        health_servicer,
        engine,
        housekeeping,
        gate,
        observability,
        metrics_port,
        price_refresh,
        simulations,
    )


def _listen(server: grpc.Server, address: str, security: Security) -> int:
    if security.tls is None:
        return int(server.add_insecure_port(address))
    tls = security.tls
    client_ca = tls.client_ca.read_bytes() if tls.client_ca is not None else None
    credentials = grpc.ssl_server_credentials(
        [(tls.key.read_bytes(), tls.cert.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )
    return int(server.add_secure_port(address, credentials))


def _add_servicers(
    server: grpc.Server, sessions: sessionmaker[Session], security: Security
) -> None:
    from sourcing.server.access_service import AccessServicer
    from sourcing.server.config_service import ConfigServicer
    from sourcing.server.inventory_service import InventoryServicer
    from sourcing.server.operations_service import OperationsServicer
    from sourcing.server.order_service import OrderServicer
    from sourcing.server.sourcing_service import SourcingServicer

    sourcing_pb2_grpc.add_SourcingServiceServicer_to_server(SourcingServicer(sessions), server)
    orders_pb2_grpc.add_OrderServiceServicer_to_server(OrderServicer(sessions), server)
    inventory_pb2_grpc.add_InventoryServiceServicer_to_server(InventoryServicer(sessions), server)
    config_pb2_grpc.add_ConfigServiceServicer_to_server(
        ConfigServicer(sessions, allow_http_webhooks=security.allow_http_webhooks), server
    )
    access_pb2_grpc.add_AccessServiceServicer_to_server(AccessServicer(sessions), server)
    operations_pb2_grpc.add_OperationsServiceServicer_to_server(
        OperationsServicer(sessions), server
    )


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
    observability: Observability | None = None,
    metrics_address: tuple[str, int] | None = None,
    security: Security | None = None,
    scarcity_refresh_s: float | None = None,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
) -> None:
    """Run a server until SIGTERM or SIGINT, then shut down gracefully.

    Housekeeping (the SLA sweep and webhook delivery) runs every
    ``housekeeping_interval_s`` seconds; ``None`` turns it off. The
    scarce-stock prices are refreshed every ``scarcity_refresh_s`` seconds;
    ``None`` (the default) leaves them as stored.
    """
    running = create_server(
        db_url,
        address=address,
        housekeeping_interval_s=housekeeping_interval_s,
        observability=observability,
        metrics_address=metrics_address,
        security=security,
        scarcity_refresh_s=scarcity_refresh_s,
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

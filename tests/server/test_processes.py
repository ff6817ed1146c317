"""``sourcing serve`` as real processes: two replicas on one PostgreSQL, SIGTERM, the default DB.

Every server here is a child process started with ``--port 0``; see
``tests.server.processes``. Every call has a timeout and every process is
stopped (killed if need be) however the test ends.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import InventoryQuantity, Location, Order, QuantityStatus, QuantityType
from sourcing.models.db.engine import make_engine, session_factory, upgrade
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.ledger import ledger_check
from sourcing.models.inventory.tables import InventoryPosition
from sourcing.server.contract import SERVICE_NAMES
from sourcing.v1 import common_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.processes import STOPPED, ServerProcess, health_status, serve
from tests.server.test_source import hd_order

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
CALL_TIMEOUT_S = 30.0
GRACE_S = 10.0


@pytest.fixture
def migrated(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url``, migrated before any server starts on it."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@contextmanager
def connect(server: ServerProcess) -> Iterator[Clients]:
    """Stubs on a channel to ``server``, once the channel is up."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield Clients(channel)


def stock(engine: Engine, units_per_location: dict[str, int]) -> None:
    """SKU_1 held at stores east of the origin, the first one nearest."""
    with session_factory(engine).begin() as session:
        product = add_product(session, "SKU_1")
        for i, (ref, units) in enumerate(units_per_location.items()):
            store = add_location(
                session, ref, latitude=0.0, longitude=0.1 * (i + 1), fixed_cost_minor=100
            )
            add_position(session, product, store, units)


def reserved_by_location(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Units held by ACTIVE RESERVED records, per location ref."""
    with sessions() as session:
        rows = session.execute(
            select(Location.ref, func.sum(InventoryQuantity.quantity))
            .join(InventoryPosition, InventoryPosition.id == InventoryQuantity.position_id)
            .join(Location, Location.id == InventoryPosition.location_id)
            .where(
                InventoryQuantity.type == QuantityType.RESERVED,
                InventoryQuantity.status == QuantityStatus.ACTIVE,
            )
            .group_by(Location.ref)
        ).tuples()
        return {ref: int(total) for ref, total in rows}


def served_and_rejected(plan: plan_pb2.Plan) -> tuple[int, int]:
    """Units a plan serves from stores, and units it rejects to RJT_1 as ESCALATED."""
    served = sum(ln.quantity for f in plan.fulfilments for ln in f.lines)
    rejected = 0
    if plan.HasField("rejected_fulfilment"):
        assert plan.rejected_fulfilment.location_ref == "RJT_1"
        assert plan.rejected_fulfilment.status == common_pb2.FULFILMENT_STATUS_ESCALATED
        assert plan.rejected_fulfilment.id
        rejected = sum(ln.quantity for ln in plan.rejected_fulfilment.lines)
    return int(served), int(rejected)


def test_two_server_processes_on_one_postgresql_never_oversell(
    pg_schema_url: str, tmp_path: Path
) -> None:
    """30 one-unit orders race for 6 units through two replicas: 6 served, 24 rejected, no more."""
    engine = make_engine(pg_schema_url)
    try:
        upgrade(engine)
        stock(engine, {"S1": 2, "S2": 2, "S3": 2})
        orders = 30
        with ExitStack() as stack:
            # No SLA sweep: these stores' fulfilments are due at once, and a sweep
            # escalating them mid-test released their units to later orders.
            quiet = ("--housekeeping-interval", "0")
            servers = [
                stack.enter_context(serve(pg_schema_url, cwd=tmp_path, extra_args=quiet))
                for _ in range(2)
            ]
            replicas = [stack.enter_context(connect(s)) for s in servers]
            start = threading.Barrier(orders, timeout=CALL_TIMEOUT_S)

            def place(i: int) -> tuple[int, int]:
                request = sourcing_pb2.SourceRequest(order=hd_order(f"R{i}", qty=1))
                start.wait()  # every order in flight at once
                reply = replicas[i % 2].sourcing.Source(request, timeout=CALL_TIMEOUT_S)
                return served_and_rejected(reply.plan)

            with ThreadPoolExecutor(max_workers=orders) as pool:
                outcomes = list(pool.map(place, range(orders), timeout=2 * CALL_TIMEOUT_S))
        assert all(served + rejected == 1 for served, rejected in outcomes), outcomes
        assert sum(served for served, _ in outcomes) == 6
        # Both replicas answered their half (one log line per finished call).
        for server in servers:
            assert server.output.count("SourcingService/Source OK") == orders // 2, server.output
        sessions = session_factory(engine)
        assert reserved_by_location(sessions) == {"S1": 2, "S2": 2, "S3": 2}
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(Order)) == orders
            assert ledger_check(session) == []
            assert load_check(session) == []
    finally:
        engine.dispose()


@contextmanager
def hold_database_lock(engine: Engine, db_url: str) -> Iterator[Callable[[int], None]]:
    """Block every Source at its first query; yields ``wait_blocked(n)``.

    PostgreSQL: an ACCESS EXCLUSIVE lock on ``idempotency_keys``, and
    ``wait_blocked(n)`` returns once ``n`` server connections wait on it.
    SQLite: the write lock (``BEGIN IMMEDIATE``; the server's transactions
    wait up to 30 s for it). SQLite cannot say who waits, so ``wait_blocked``
    allows the calls a second to arrive; a call that arrived late would be
    refused after SIGTERM and fail the test, never pass it.
    """
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        writer = sqlite3.connect(url.database, isolation_level=None, timeout=10)
        try:
            writer.execute("BEGIN IMMEDIATE")
            yield lambda n: time.sleep(1.0)
        finally:
            writer.rollback()
            writer.close()
        return
    with engine.connect() as holder, engine.connect() as observer:
        holder.execute(text("LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE"))
        holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()

        def wait_blocked(n: int) -> None:
            deadline = time.monotonic() + CALL_TIMEOUT_S
            blocked = 0
            while time.monotonic() < deadline:
                blocked = observer.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE CAST(:pid AS integer) = ANY(pg_blocking_pids(pid))"
                    ),
                    {"pid": holder_pid},
                ).scalar_one()
                observer.rollback()
                if blocked >= n:
                    return
                time.sleep(0.05)
            raise AssertionError(f"{blocked} of {n} Source calls reached the database lock")

        try:
            yield wait_blocked
        finally:
            holder.rollback()


def check_health(channel: grpc.Channel) -> int | grpc.StatusCode:
    """The health status of "", or the status code the Check call failed with."""
    try:
        return health_status(channel, timeout=1.0)
    except grpc.RpcError as error:
        code: grpc.StatusCode = error.code()
        return code


# A call that reaches a server already shutting down, before the client has
# seen its GOAWAY, is ended by gRPC core with CANCELLED rather than
# UNAVAILABLE (grpc/grpc#41785, open); either way it never runs.
REFUSED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)


def wait_until_refused(channel: grpc.Channel, timeout: float = 5.0) -> None:
    """Health checks answer NOT_SERVING (no longer SERVING) until new calls are refused."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check_health(channel)
        if answer in REFUSED:
            return
        assert answer == NOT_SERVING
        time.sleep(0.02)
    raise AssertionError("the server still took new calls after SIGTERM")


def test_sigterm_reports_not_serving_then_drains_in_flight_calls(
    migrated: Engine, db_url: str, tmp_path: Path
) -> None:
    """On SIGTERM: NOT_SERVING, new calls refused, the calls in flight finish OK, exit 0."""
    stock(migrated, {"S1": 10})
    in_flight = 3
    with (
        serve(db_url, cwd=tmp_path, grace_s=GRACE_S) as server,
        grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel,
        ThreadPoolExecutor(max_workers=in_flight) as pool,
    ):
        grpc.channel_ready_future(channel).result(timeout=10)
        clients = Clients(channel)
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service=""), timeout=CALL_TIMEOUT_S
        )
        assert next(watch).status == SERVING
        calls: list[Future[sourcing_pb2.SourceResponse]] = []
        with hold_database_lock(migrated, db_url) as wait_blocked:
            calls = [
                pool.submit(
                    clients.sourcing.Source,
                    sourcing_pb2.SourceRequest(order=hd_order(f"D{i}", qty=1)),
                    timeout=CALL_TIMEOUT_S,
                )
                for i in range(in_flight)
            ]
            wait_blocked(in_flight)
            assert not any(call.done() for call in calls)

            server.terminate()
            assert next(watch).status == NOT_SERVING
            watch.cancel()  # a watch never ends by itself; it would hold the drain to the grace
            wait_until_refused(channel)
            # Still draining: the three calls hold the process open.
            assert server.popen.poll() is None
            assert not any(call.done() for call in calls)
            released = time.monotonic()
        plans = [call.result(timeout=CALL_TIMEOUT_S).plan for call in calls]
        assert [served_and_rejected(plan) for plan in plans] == [(1, 0)] * in_flight
        assert server.wait(timeout=GRACE_S + 5) == 0
        assert time.monotonic() - released < GRACE_S, "the drain waited out the grace period"
        assert server.output.rstrip().endswith(STOPPED), server.output
        with pytest.raises(grpc.RpcError) as info:
            clients.sourcing.Source(
                sourcing_pb2.SourceRequest(order=hd_order("LATE", qty=1)), timeout=5
            )
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE
    sessions = session_factory(migrated)
    assert reserved_by_location(sessions) == {"S1": in_flight}
    with sessions() as session:
        assert ledger_check(session) == []
        assert load_check(session) == []


def test_serve_without_db_uses_sourcing_db_in_the_working_folder(tmp_path: Path) -> None:
    """No --db: ./sourcing.db is created and migrated, health is SERVING, SIGTERM stops it."""
    with serve(None, cwd=tmp_path) as server:
        database = tmp_path / "sourcing.db"
        assert database.is_file()
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            for name in ("", *SERVICE_NAMES):
                assert health_status(channel, name) == SERVING
        server.terminate()
        assert server.wait(timeout=GRACE_S + 5) == 0
    assert server.output.rstrip().endswith(STOPPED), server.output
    db = sqlite3.connect(database)
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()
    assert {"alembic_version", "orders", "inventory_positions"} <= tables

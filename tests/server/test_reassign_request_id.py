"""Reassign's request_id over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from sqlalchemy import func, select

from sourcing.models import Fulfilment, FulfilmentStatus
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.ledger import ledger_check
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, sourcing_pb2
from tests.server.conftest import Clients
from tests.server.test_reassign import available, network, source, status_of, units
from tests.server.test_source import active_reserved, field_violations, hd_order


def reassign(
    clients: Clients, fid: str, request_id: str, lines: dict[str, int] | None = None
) -> sourcing_pb2.ReassignResponse:
    """Call Reassign under ``request_id``."""
    request = sourcing_pb2.ReassignRequest(
        fulfilment_id=fid,
        lines=[common_pb2.LineQuantity(line_ref=r, quantity=q) for r, q in (lines or {}).items()],
        reason="short pick",
        request_id=request_id,
    )
    response: sourcing_pb2.ReassignResponse = clients.sourcing.Reassign(request, timeout=30)
    return response


def fulfilments(server: RunningServer) -> int:
    """Fulfilments stored, whatever their status."""
    with session_factory(server.engine)() as session:
        return int(session.scalar(select(func.count()).select_from(Fulfilment)) or 0)


def ids(response: sourcing_pb2.ReassignResponse) -> list[tuple[str, str]]:
    """(location ref, fulfilment id) of each fulfilment of the reply's plan."""
    return [(f.location_ref, f.id) for f in response.plan.fulfilments]


def test_a_retry_returns_the_first_answer_and_moves_nothing(
    server: RunningServer, clients: Clients
) -> None:
    """The same call again is replayed: same plan and ids, no second reservation."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    near = source(clients, hd_order(qty=2))["NEAR"]
    first = reassign(clients, near, "move-1")
    assert not first.replayed
    assert units(first.plan) == {"FAR": 2}
    after_first = (available(server), active_reserved(server), fulfilments(server))
    again = reassign(clients, near, "move-1")
    assert again.replayed
    assert ids(again) == ids(first)
    assert units(again.plan) == units(first.plan)
    assert (available(server), active_reserved(server), fulfilments(server)) == after_first
    assert available(server) == {"NEAR": 3, "FAR": 1}
    with session_factory(server.engine)() as session:
        assert ledger_check(session) == []


def test_copies_sent_together_move_the_units_once(server: RunningServer, clients: Clients) -> None:
    """Four copies at once: one moves the units, the others get its answer."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    near = source(clients, hd_order(qty=2))["NEAR"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda _: reassign(clients, near, "move-1"), range(4)))
    assert len({tuple(ids(reply)) for reply in replies}) == 1
    assert sum(not reply.replayed for reply in replies) == 1
    assert available(server) == {"NEAR": 3, "FAR": 1}
    assert active_reserved(server) == 2
    assert fulfilments(server) == 2


@pytest.mark.parametrize(
    ("other_fulfilment", "lines"),
    [(False, {}), (True, {"1": 1})],
    ids=["other-units", "other-fulfilment"],
)
def test_another_call_under_a_used_id_is_refused(
    server: RunningServer, clients: Clients, other_fulfilment: bool, lines: dict[str, int]
) -> None:
    """Other units or another fulfilment under a used id: ALREADY_EXISTS, nothing moves."""
    network(server, {"NEAR": {"SKU_1": 4}, "FAR": {"SKU_1": 3}})
    near = source(clients, hd_order("A", qty=3))["NEAR"]
    other = source(clients, hd_order("B", qty=1))["NEAR"]
    reassign(clients, near, "move-1", {"1": 1})
    before = (available(server), active_reserved(server), fulfilments(server))
    with pytest.raises(grpc.RpcError) as info:
        reassign(clients, other if other_fulfilment else near, "move-1", lines)
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert (available(server), active_reserved(server), fulfilments(server)) == before
    assert status_of(server, other) is FulfilmentStatus.CREATED


def test_a_request_id_too_long_names_the_field(server: RunningServer, clients: Clients) -> None:
    """A request id over 64 characters is INVALID_ARGUMENT on request_id; nothing moves."""
    network(server, {"NEAR": {"SKU_1": 3}, "FAR": {"SKU_1": 3}})
    near = source(clients, hd_order(qty=2))["NEAR"]
    with pytest.raises(grpc.RpcError) as info:
        reassign(clients, near, "x" * 65)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == ["request_id"]
    assert status_of(server, near) is FulfilmentStatus.CREATED

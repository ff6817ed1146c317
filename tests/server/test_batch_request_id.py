"""SourceBatch's and Rebalance's request_id over a real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from sqlalchemy import select

from sourcing.models import IdempotencyKey
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.positions import StockAdjustment, adjust_stock
from sourcing.server.app import RunningServer
from sourcing.v1 import sourcing_pb2
from tests.models.builders import add_product
from tests.server.conftest import Clients
from tests.server.test_batch import (
    costed_network,
    count_cancelled,
    ledger_is_sound,
    open_fulfilments,
)
from tests.server.test_source import (
    active_reserved,
    field_violations,
    hd_order,
    orders_stored,
    stock_network,
)


def batch(orders: list[Any], request_id: str, **fields: Any) -> sourcing_pb2.SourceBatchRequest:
    """A SourceBatch request for ``orders`` under ``request_id``."""
    return sourcing_pb2.SourceBatchRequest(orders=orders, request_id=request_id, **fields)


def outcomes(reply: sourcing_pb2.SourceBatchResponse) -> list[tuple[str, str, list[str]]]:
    """(order ref, plan or error code, fulfilment ids) of each result."""
    out = []
    for r in reply.results:
        if r.WhichOneof("outcome") == "plan":
            out.append((r.order_ref, "plan", [f.id for f in r.plan.fulfilments]))
        else:
            name = next(c.name for c in grpc.StatusCode if c.value[0] == r.error.code)
            out.append((r.order_ref, name, []))
    return out


def keys(server: RunningServer, operation: str) -> list[str]:
    """The request ids stored for ``operation``."""
    with session_factory(server.engine)() as session:
        return list(
            session.scalars(select(IdempotencyKey.key).where(IdempotencyKey.operation == operation))
        )


def test_a_batch_retry_returns_the_first_answer(server: RunningServer, clients: Clients) -> None:
    """Plans, ids and errors come back as first answered; nothing is sourced or reserved again."""
    stock_network(server)
    request = batch([hd_order("A", qty=1), hd_order("B", product="LATER")], "wave-1")
    first = clients.sourcing.SourceBatch(request, timeout=60)
    assert [o[:2] for o in outcomes(first)] == [("A", "plan"), ("B", "NOT_FOUND")]
    with session_factory(server.engine).begin() as session:
        add_product(session, "LATER")  # B could be sourced now, but the answer stands
    again = clients.sourcing.SourceBatch(request, timeout=60)
    assert outcomes(again) == outcomes(first)
    assert [r.replayed for r in again.results] == [True, False]
    assert again.results[1].error == first.results[1].error
    assert again.objective.total == first.objective.total
    assert (orders_stored(server), active_reserved(server)) == (1, 1)
    assert keys(server, "SourceBatch") == ["wave-1"]
    ledger_is_sound(server)


@pytest.mark.parametrize(
    "change",
    [
        {"orders": [hd_order("A", qty=2)]},
        {"orders": [hd_order("A", qty=1), hd_order("C", qty=1)]},
        {"split_limit": 1},
        {"orders": [hd_order("A", qty=1), hd_order("", qty=1)]},
    ],
    ids=["other-quantity", "other-order", "other-split-limit", "other-refused-order"],
)
def test_another_batch_under_a_used_id_is_refused(
    server: RunningServer, clients: Clients, change: dict[str, Any]
) -> None:
    """Any other batch under a used id is ALREADY_EXISTS and stores nothing."""
    stock_network(server)
    fields: dict[str, Any] = {"orders": [hd_order("A", qty=1)]}
    clients.sourcing.SourceBatch(batch(request_id="wave-1", **fields), timeout=60)
    fields.update(change)
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.SourceBatch(batch(request_id="wave-1", **fields), timeout=60)
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert (orders_stored(server), active_reserved(server)) == (1, 1)


def test_copies_sent_together_source_the_batch_once(
    server: RunningServer, clients: Clients
) -> None:
    """Three copies at once all answer the same plans; each unit is reserved once."""
    stock_network(server)
    request = batch([hd_order("A", qty=1), hd_order("B", qty=1)], "wave-1")
    with ThreadPoolExecutor(max_workers=3) as pool:
        replies = list(
            pool.map(lambda _: clients.sourcing.SourceBatch(request, timeout=60), [0] * 3)
        )
    assert len({str(outcomes(reply)) for reply in replies}) == 1
    assert (orders_stored(server), active_reserved(server)) == (2, 2)
    assert keys(server, "SourceBatch") == ["wave-1"]
    ledger_is_sound(server)


def test_a_retry_after_a_crash_mid_batch_reserves_nothing_twice(
    server: RunningServer, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first call dies after storing A: the retry replays A, sources B, stores its answer."""
    stock_network(server)
    import sourcing.models.waves.batch as batch_module

    store = batch_module._store
    stored: list[str] = []

    def die_after_the_first_order(*args: Any, **kwargs: Any) -> Any:
        if stored:
            raise SystemError("the server died here")
        stored.append("A")
        return store(*args, **kwargs)

    monkeypatch.setattr(batch_module, "_store", die_after_the_first_order)
    request = batch([hd_order("A", qty=1), hd_order("B", qty=1)], "wave-1")
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.SourceBatch(request, timeout=60)
    assert info.value.code() is grpc.StatusCode.INTERNAL
    assert (orders_stored(server), active_reserved(server), keys(server, "SourceBatch")) == (
        1,
        1,
        [],
    )
    monkeypatch.undo()
    retry = clients.sourcing.SourceBatch(request, timeout=60)
    assert [(r.order_ref, r.replayed) for r in retry.results] == [("A", True), ("B", False)]
    again = clients.sourcing.SourceBatch(request, timeout=60)
    assert outcomes(again) == outcomes(retry)
    assert [r.replayed for r in again.results] == [True, True]
    assert (orders_stored(server), active_reserved(server)) == (2, 2)
    ledger_is_sound(server)


def test_a_dry_run_batch_stores_no_request_id(server: RunningServer, clients: Clients) -> None:
    """A dry run changes nothing, so its id stays free for the real call."""
    stock_network(server)
    orders = [hd_order("A", qty=1)]
    clients.sourcing.SourceBatch(batch(orders, "wave-1", dry_run=True), timeout=60)
    assert keys(server, "SourceBatch") == []
    real = clients.sourcing.SourceBatch(batch(orders, "wave-1"), timeout=60)
    assert real.results[0].plan.fulfilments[0].id
    assert not real.results[0].replayed


@pytest.mark.parametrize("rpc", ["SourceBatch", "Rebalance"])
def test_a_request_id_too_long_names_the_field(
    server: RunningServer, clients: Clients, rpc: str
) -> None:
    """A request id over 64 characters is INVALID_ARGUMENT on request_id; nothing is stored."""
    stock_network(server)
    requests = {
        "SourceBatch": batch([hd_order("A")], "x" * 65),
        "Rebalance": sourcing_pb2.RebalanceRequest(request_id="x" * 65),
    }
    with pytest.raises(grpc.RpcError) as info:
        getattr(clients.sourcing, rpc)(requests[rpc], timeout=60)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == ["request_id"]
    assert orders_stored(server) == 0


# Rebalance ------------------------------------------------------------------


def far_order_then_near_stock(server: RunningServer, clients: Clients) -> None:
    """Order A sourced at FAR; then three units arrive at NEAR, closer to A's customer."""
    costed_network(server, near=0, far=5)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("A", qty=2)), timeout=30)
    with session_factory(server.engine).begin() as session:
        adjust_stock(session, StockAdjustment("NEAR", "SKU_1", 3, reason="delivery"))


def test_a_rebalance_retry_returns_the_first_report(
    server: RunningServer, clients: Clients
) -> None:
    """The retry reports the same move with the same ids; nothing is released or reserved again."""
    far_order_then_near_stock(server, clients)
    request = sourcing_pb2.RebalanceRequest(order_refs=["A"], request_id="move-1")
    first = clients.sourcing.Rebalance(request, timeout=60)
    assert [[f.location_ref for f in p.fulfilments] for p in first.plans] == [["NEAR"]]
    again = clients.sourcing.Rebalance(request, timeout=60)
    assert again == first
    assert open_fulfilments(server) == [("A", "NEAR")]
    assert (count_cancelled(server), active_reserved(server)) == (1, 2)
    ledger_is_sound(server)


def test_a_rebalance_that_moved_nothing_is_replayed_too(
    server: RunningServer, clients: Clients
) -> None:
    """Nothing to gain at first: a retry once stock arrived still moves nothing; a new id does."""
    costed_network(server, near=0, far=5)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("A", qty=2)), timeout=30)
    request = sourcing_pb2.RebalanceRequest(request_id="move-1")
    first = clients.sourcing.Rebalance(request, timeout=60)
    assert not first.plans
    with session_factory(server.engine).begin() as session:
        adjust_stock(session, StockAdjustment("NEAR", "SKU_1", 3, reason="delivery"))
    assert clients.sourcing.Rebalance(request, timeout=60) == first
    assert open_fulfilments(server) == [("A", "FAR")]
    fresh = sourcing_pb2.RebalanceRequest(request_id="move-2")
    assert clients.sourcing.Rebalance(fresh, timeout=60).plans
    assert open_fulfilments(server) == [("A", "NEAR")]


def test_another_rebalance_under_a_used_id_is_refused(
    server: RunningServer, clients: Clients
) -> None:
    """Other orders under a used id: ALREADY_EXISTS, and nothing moves."""
    far_order_then_near_stock(server, clients)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("B", qty=1)), timeout=30)
    before = open_fulfilments(server)
    clients.sourcing.Rebalance(
        sourcing_pb2.RebalanceRequest(order_refs=["B"], request_id="move-1"), timeout=60
    )
    assert open_fulfilments(server) == before
    with pytest.raises(grpc.RpcError) as info:
        clients.sourcing.Rebalance(
            sourcing_pb2.RebalanceRequest(order_refs=["A"], request_id="move-1"), timeout=60
        )
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert open_fulfilments(server) == before
    assert count_cancelled(server) == 0

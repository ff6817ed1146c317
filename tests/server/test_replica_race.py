"""Identical Source calls raced across two replicas on one database: all replays, on both."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc

from sourcing.server.app import create_server
from sourcing.v1 import sourcing_pb2, sourcing_pb2_grpc
from tests.server.test_source import active_reserved, hd_order, stock_network

ORDERS = 20
COPIES = 4  # per order, spread over the two replicas


def test_identical_orders_raced_across_replicas_are_replays_never_conflicts(
    db_url: str,
) -> None:
    """Each order is stored once; every other copy gets its answer (never ALREADY_EXISTS)."""
    first, second = create_server(db_url), create_server(db_url)
    try:
        stock_network(first, near=ORDERS, far=ORDERS)
        with (
            grpc.insecure_channel(f"127.0.0.1:{first.port}") as a,
            grpc.insecure_channel(f"127.0.0.1:{second.port}") as b,
            ThreadPoolExecutor(max_workers=COPIES) as pool,
        ):
            stubs = [sourcing_pb2_grpc.SourcingServiceStub(c) for c in (a, b)]
            for i in range(ORDERS):
                request = sourcing_pb2.SourceRequest(order=hd_order(f"R{i}", qty=1))
                replies = list(
                    pool.map(
                        lambda k, request=request: stubs[k % 2].Source(request, timeout=30),
                        range(COPIES),
                    )
                )
                assert sum(not r.replayed for r in replies) == 1, f"order R{i}"
                ids = {tuple(f.id for f in r.plan.fulfilments) for r in replies}
                assert len(ids) == 1, f"order R{i}: {ids}"
        assert active_reserved(first) == ORDERS
    finally:
        first.stop(grace_s=1.0)
        second.stop(grace_s=1.0)

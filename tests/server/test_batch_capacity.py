"""SourceBatch's HD and CC waves share each location's total daily capacity."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from sourcing.models import Fulfilment, OrderType
from sourcing.models.config.tables import Location
from sourcing.models.db.engine import session_factory
from sourcing.models.db.enums import FulfilmentStatus
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.models.waves.batch import source_batch
from sourcing.server.app import RunningServer
from sourcing.solver import GeoPoint
from sourcing.v1 import common_pb2, domain_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients
from tests.server.test_batch import ledger_is_sound, units
from tests.server.test_source import active_reserved, hd_order

_F = FulfilmentStatus


def two_stores(server: RunningServer, far: bool, near_stock: int = 5, **near_capacity: int) -> None:
    """NEAR (about 11 km east, with ``near_capacity``) and, if ``far``, FAR (about 55 km east).

    Shipping costs 1 per unit and km, so every order wants NEAR.
    """
    with session_factory(server.engine).begin() as session:
        sku = add_product(session, "SKU_1")
        costs = {"fixed_cost_minor": 100, "shipping_cost_per_unit_km": 1.0}
        near = add_location(session, "NEAR", longitude=0.1, **costs, **near_capacity)
        add_position(session, sku, near, near_stock)
        if far:
            add_position(session, sku, add_location(session, "FAR", longitude=0.5, **costs), 5)


def cc_order(ref: str, collect_at: str = "NEAR") -> domain_pb2.Order:
    """A one-unit click-and-collect order collected at ``collect_at``."""
    return domain_pb2.Order(
        ref=ref,
        type=common_pb2.ORDER_TYPE_CC,
        lines=[domain_pb2.OrderLine(ref="1", product_ref="SKU_1", quantity=1)],
        collection_location_ref=collect_at,
        customer=domain_pb2.Customer(ref="C2"),
    )


def fulfilments_at(server: RunningServer) -> list[tuple[str, OrderType, FulfilmentStatus]]:
    """(location ref, order type, status) of every stored fulfilment."""
    with session_factory(server.engine)() as session:
        rows = session.execute(
            select(Location.ref, Fulfilment.type, Fulfilment.status)
            .join(Location, Fulfilment.location_id == Location.id)
            .order_by(Location.ref, Fulfilment.type)
        ).all()
    return [(ref, kind, status) for ref, kind, status in rows]


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_last_slot_goes_to_one_order_the_other_goes_further(
    server: RunningServer, clients: Clients, dry_run: bool
) -> None:
    """NEAR takes one more order today: the HD wave, solved first, gets it; CC goes to FAR."""
    two_stores(server, far=True, capacity_total=1)
    request = sourcing_pb2.SourceBatchRequest(
        orders=[cc_order("CC_1"), hd_order("HD_1", qty=1)], dry_run=dry_run
    )
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [(r.order_ref, units(r)) for r in reply.results] == [
        ("CC_1", {"FAR": 1}),
        ("HD_1", {"NEAR": 1}),
    ]
    if not dry_run:
        assert fulfilments_at(server) == [
            ("FAR", OrderType.CC, _F.CREATED),
            ("NEAR", OrderType.HD, _F.CREATED),
        ]
        assert active_reserved(server) == 2
        ledger_is_sound(server)


def test_with_nowhere_else_the_later_order_is_rejected(
    server: RunningServer, clients: Clients
) -> None:
    """NEAR alone, one order left today: HD gets it, CC's unit goes to RJT_1, ESCALATED."""
    two_stores(server, far=False, capacity_total=1)
    request = sourcing_pb2.SourceBatchRequest(orders=[cc_order("CC_1"), hd_order("HD_1", qty=1)])
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    cc, hd = reply.results
    assert units(hd) == {"NEAR": 1}
    assert not cc.plan.fulfilments
    assert cc.plan.rejected_fulfilment.location_ref == "RJT_1"
    assert fulfilments_at(server) == [
        ("NEAR", OrderType.HD, _F.CREATED),
        ("RJT_1", OrderType.CC, _F.ESCALATED),
    ]
    assert active_reserved(server) == 1


def test_per_type_capacities_are_not_shared(server: RunningServer, clients: Clients) -> None:
    """One HD and one CC order a day, no total: each wave takes its own slot at NEAR."""
    two_stores(server, far=True, capacity_hd=1, capacity_cc=1)
    request = sourcing_pb2.SourceBatchRequest(orders=[cc_order("CC_1"), hd_order("HD_1", qty=1)])
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [units(r) for r in reply.results] == [{"NEAR": 1}, {"NEAR": 1}]


def test_capacity_used_earlier_today_counts_too(server: RunningServer, clients: Clients) -> None:
    """With two orders a day and one taken by a Source call, the batch has one slot left."""
    two_stores(server, far=True, capacity_total=2)
    clients.sourcing.Source(sourcing_pb2.SourceRequest(order=hd_order("HD_0", qty=1)), timeout=30)
    request = sourcing_pb2.SourceBatchRequest(orders=[cc_order("CC_1"), hd_order("HD_1", qty=1)])
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [units(r) for r in reply.results] == [{"FAR": 1}, {"NEAR": 1}]


def test_units_the_hd_wave_takes_are_gone_for_the_cc_wave(
    server: RunningServer, clients: Clients
) -> None:
    """NEAR holds one unit: the dry run's CC plan already looks elsewhere for it."""
    two_stores(server, far=True, near_stock=1)
    request = sourcing_pb2.SourceBatchRequest(
        orders=[cc_order("CC_1"), hd_order("HD_1", qty=1)], dry_run=True
    )
    reply = clients.sourcing.SourceBatch(request, timeout=60)
    assert [units(r) for r in reply.results] == [{"FAR": 1}, {"NEAR": 1}]


def test_the_library_shares_capacity_between_waves(server: RunningServer) -> None:
    """``source_batch`` called directly: one slot at NEAR, the HD order takes it."""
    two_stores(server, far=True, capacity_total=1)
    line = (LineInput("1", "SKU_1", 1),)
    orders = [
        OrderInput("CC_1", OrderType.CC, line, collection_location_ref="NEAR"),
        OrderInput("HD_1", OrderType.HD, line, delivery_point=GeoPoint(0.0, 0.0)),
    ]
    outcome = source_batch(session_factory(server.engine), orders, SourceOptions(time_limit_s=5.0))
    served = []
    for result in outcome.results:
        assert result.outcome is not None
        served.append((result.order_ref, result.outcome.plan.served()))
    assert served == [("CC_1", {"FAR": {"1": 1}}), ("HD_1", {"NEAR": {"1": 1}})]


def test_a_wave_reads_the_room_per_day_once_per_order_type(server: RunningServer) -> None:
    """Four HD and two CC orders on a capacity-limited network read the fulfilments due
    (what the ready-by's room counts) twice, once per order type, not once per order."""
    two_stores(server, far=True, capacity_total=20)
    line = (LineInput("1", "SKU_1", 1),)
    orders = [
        OrderInput(f"HD_{i}", OrderType.HD, line, delivery_point=GeoPoint(0.0, 0.0))
        for i in range(4)
    ] + [
        OrderInput(f"CC_{i}", OrderType.CC, line, collection_location_ref="NEAR") for i in range(2)
    ]
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "fulfilments.ready_by_at >=" in statement:
            reads.append(statement)

    event.listen(server.engine, "before_cursor_execute", count)
    try:
        outcome = source_batch(
            session_factory(server.engine), orders, SourceOptions(time_limit_s=5.0)
        )
    finally:
        event.remove(server.engine, "before_cursor_execute", count)
    assert all(r.outcome is not None and r.outcome.plan.served() for r in outcome.results)
    assert len(reads) == 2

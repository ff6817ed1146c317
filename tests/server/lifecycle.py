"""Shared set-up and checks for the order lifecycle tests over gRPC.

``Stock`` is the ledger check every lifecycle test ends with: the ledger
adds up (``ledger_check`` finds nothing) and each position's on hand,
active reservations, sales and corrections are exactly the numbers the
test's movements imply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import grpc
from sqlalchemy import select

from sourcing.models import (
    InventoryPosition,
    InventoryQuantity,
    Location,
    LocationType,
    OrderType,
    OutboxEvent,
    Product,
    QuantityStatus,
    QuantityType,
    SourcingProfile,
    WebhookSubscription,
)
from sourcing.models.db.engine import session_factory
from sourcing.models.inventory.day_load import load_check
from sourcing.models.inventory.ledger import ledger_check
from sourcing.server.app import RunningServer
from sourcing.v1 import common_pb2, domain_pb2, orders_pb2, plan_pb2, sourcing_pb2
from tests.models.builders import add_location, add_position, add_product
from tests.server.conftest import Clients

PRICE_MINOR = 1250  # per unit, EUR


@dataclass(frozen=True, slots=True)
class Stock:
    """One position's numbers: on hand, actively reserved, sold and corrected in all."""

    on_hand: int
    reserved: int = 0
    sold: int = 0
    corrected: int | None = None  # None: on_hand + sold, i.e. no write-offs or restocks

    def expected(self) -> tuple[int, int, int, int]:
        corrected = self.on_hand + self.sold if self.corrected is None else self.corrected
        return (self.on_hand, self.reserved, self.sold, corrected)


def network(
    server: RunningServer,
    stock: dict[str, dict[str, int]],
    *,
    types: dict[str, LocationType] | None = None,
    rules: Mapping[str, object] | None = None,
    order_type: OrderType = OrderType.HD,
    subscribe: bool = True,
) -> None:
    """Locations at growing distance east of the origin holding units per product.

    Stores unless ``types`` says otherwise; ``rules`` become the order
    type's active profile; ``subscribe`` adds a webhook subscription to
    every event, so the outbox records what was announced.
    """
    with session_factory(server.engine).begin() as session:
        refs = sorted({p for units in stock.values() for p in units})
        products = {ref: add_product(session, ref, price_minor=PRICE_MINOR) for ref in refs}
        for i, (ref, units) in enumerate(stock.items()):
            location = add_location(
                session,
                ref,
                type=(types or {}).get(ref, LocationType.STORE),
                latitude=0.0,
                longitude=0.1 * (i + 1),
                fixed_cost_minor=100,
            )
            for product, qty in units.items():
                add_position(session, products[product], location, qty)
        if rules is not None:
            session.add(SourcingProfile(order_type=order_type, version=1, active=True, rules=rules))
        if subscribe:
            session.add(WebhookSubscription(url="http://127.0.0.1:9/hook", secret="s"))


def order(
    ref: str = "O1",
    lines: dict[str, int] | None = None,
    *,
    cc_at: str | None = None,
) -> domain_pb2.Order:
    """An order of ``lines`` (product ref -> units; line refs 1, 2, ...), HD unless ``cc_at``."""
    msg = domain_pb2.Order(
        ref=ref,
        type=common_pb2.ORDER_TYPE_CC if cc_at else common_pb2.ORDER_TYPE_HD,
        lines=[
            domain_pb2.OrderLine(
                ref=str(i + 1),
                product_ref=product,
                quantity=qty,
                unit_price=common_pb2.Money(amount_minor=PRICE_MINOR, currency="EUR"),
            )
            for i, (product, qty) in enumerate((lines or {"SKU_1": 2}).items())
        ],
        customer=domain_pb2.Customer(ref="C1"),
    )
    if cc_at:
        msg.collection_location_ref = cc_at
    else:
        msg.delivery_point.CopyFrom(common_pb2.GeoPoint(latitude=0.0, longitude=0.0))
    return msg


def source(clients: Clients, msg: domain_pb2.Order) -> dict[str, str]:
    """Source an order; fulfilment ids by location ref (the rejection location's included)."""
    plan = clients.sourcing.Source(sourcing_pb2.SourceRequest(order=msg), timeout=30).plan
    return fulfilment_ids(plan)


def fulfilment_ids(plan: plan_pb2.Plan) -> dict[str, str]:
    """Fulfilment ids by location ref in a plan."""
    ids = {f.location_ref: f.id for f in plan.fulfilments}
    if plan.HasField("rejected_fulfilment"):
        ids[plan.rejected_fulfilment.location_ref] = plan.rejected_fulfilment.id
    return ids


def units(plan: plan_pb2.Plan) -> dict[str, int]:
    """Units per location in a plan, the rejection location included."""
    out = {f.location_ref: sum(ln.quantity for ln in f.lines) for f in plan.fulfilments}
    if plan.HasField("rejected_fulfilment"):
        rejected = plan.rejected_fulfilment
        out[rejected.location_ref] = sum(ln.quantity for ln in rejected.lines)
    return out


def pick(
    clients: Clients, fid: str, picked: dict[str, int] | None = None
) -> orders_pb2.ConfirmPickResponse:
    """Acknowledge a fulfilment, then confirm its pick (per line ref; unnamed lines in full)."""
    clients.orders.AcknowledgeFulfilment(
        orders_pb2.AcknowledgeFulfilmentRequest(fulfilment_id=fid), timeout=30
    )
    response: orders_pb2.ConfirmPickResponse = clients.orders.ConfirmPick(
        orders_pb2.ConfirmPickRequest(
            fulfilment_id=fid,
            picked_lines=[
                common_pb2.LineQuantity(line_ref=ref, quantity=q)
                for ref, q in (picked or {}).items()
            ],
        ),
        timeout=30,
    )
    return response


def pack(
    clients: Clients,
    fid: str,
    parcels: list[dict[str, int]],
    weights_grams: list[int] | None = None,
) -> orders_pb2.PackFulfilmentResponse:
    """Pack a picked fulfilment into parcels (per line ref), with their weights if given."""
    weights = weights_grams or [0] * len(parcels)
    response: orders_pb2.PackFulfilmentResponse = clients.orders.PackFulfilment(
        orders_pb2.PackFulfilmentRequest(
            fulfilment_id=fid,
            articles=[
                domain_pb2.Article(
                    lines=[
                        common_pb2.LineQuantity(line_ref=ref, quantity=q)
                        for ref, q in parcel.items()
                    ],
                    weight_grams=weight,
                )
                for parcel, weight in zip(parcels, weights, strict=True)
            ],
        ),
        timeout=30,
    )
    return response


def get_order(clients: Clients, ref: str = "O1") -> domain_pb2.Order:
    """The stored order, whole."""
    reply = clients.orders.GetOrder(orders_pb2.GetOrderRequest(order_ref=ref), timeout=30)
    result: domain_pb2.Order = reply.order
    return result


def assert_stock(server: RunningServer, expected: dict[tuple[str, str], Stock]) -> None:
    """The ledger adds up and every position holds exactly the numbers expected.

    Keys are (location ref, product ref); every position in the database
    must be listed. The daily capacity counters must match the fulfilments too.
    """
    with session_factory(server.engine)() as session:
        assert ledger_check(session) == []
        assert load_check(session) == []
        totals: dict[tuple[int, QuantityType], int] = defaultdict(int)
        for position_id, kind, quantity in session.execute(
            select(
                InventoryQuantity.position_id, InventoryQuantity.type, InventoryQuantity.quantity
            ).where(InventoryQuantity.status == QuantityStatus.ACTIVE)
        ).tuples():
            totals[(position_id, kind)] += quantity
        found = {}
        rows = session.execute(
            select(InventoryPosition, Location.ref, Product.ref)
            .join(Location, InventoryPosition.location_id == Location.id)
            .join(Product, InventoryPosition.product_id == Product.id)
        ).tuples()
        for position, location_ref, product_ref in rows:
            found[(location_ref, product_ref)] = (
                position.on_hand,
                totals[(position.id, QuantityType.RESERVED)],
                totals[(position.id, QuantityType.SALE)],
                totals[(position.id, QuantityType.CORRECTION)],
            )
    assert found == {key: stock.expected() for key, stock in expected.items()}


def events(server: RunningServer, event_type: str | None = None) -> list[tuple[str, str, str]]:
    """Outbox events in the order written: (event type, entity id, status)."""
    with session_factory(server.engine)() as session:
        stmt = select(OutboxEvent).order_by(OutboxEvent.id)
        if event_type is not None:
            stmt = stmt.where(OutboxEvent.event_type == event_type)
        return [(e.event_type, e.entity_id, e.status or "") for e in session.scalars(stmt)]


def payloads(server: RunningServer, event_type: str) -> list[dict[str, object]]:
    """Payloads of the outbox events of one type, in the order written."""
    with session_factory(server.engine)() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == event_type).order_by(OutboxEvent.id)
        )
        return [dict(e.payload) for e in rows]


def status_of(call: Callable[[], object]) -> grpc.StatusCode:
    """The status code a call ends with (OK when it returns)."""
    try:
        call()
    except grpc.RpcError as error:
        code: grpc.StatusCode = error.code()
        return code
    return grpc.StatusCode.OK

"""A history from the service's own database: a window's orders and the network at its start.

Everything is read in one read-only transaction (REPEATABLE READ on
PostgreSQL; one transaction on SQLite), so the history is one consistent
snapshot, and turned into solver dataclasses the replay owns: nothing is
written, and a run leaves every table as it was.

The stock at the window's start is rebuilt from the ledger
(``sourcing.models.inventory.tables``): on hand now, plus the ACTIVE SALE
records since the start, minus the ACTIVE CORRECTION records since; reserved
at the start is the RESERVED records made before it that were still active
then (ACTIVE now, or released after the start). Daily capacity is each
location's stored capacity per day, given back in full at the start of each
day; fulfilments made before the window on its first day are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from sourcing import solver
from sourcing.models.config.candidates import active_profile, candidate_locations, solver_location
from sourcing.models.config.tables import Customer, Location, Product, SourcingProfile
from sourcing.models.db.engine import make_engine, session_factory
from sourcing.models.db.enums import LocationType, OrderType, QuantityStatus, QuantityType
from sourcing.models.inventory.tables import InventoryPosition, InventoryQuantity
from sourcing.models.orders.tables import Fulfilment, Order, OrderLine
from sourcing.whatif.history import History, HistoryOrder, with_candidate_networks

# The tables a history is read from; a run must leave each byte for byte as it was.
TABLES_READ = (
    "locations",
    "networks",
    "network_locations",
    "products",
    "customers",
    "sourcing_profiles",
    "inventory_positions",
    "inventory_quantities",
    "orders",
    "order_lines",
    "fulfilments",
    "fulfilment_lines",
)


def read_history_from_url(url: str, start: datetime, end: datetime) -> History:
    """The window [``start``, ``end``) of the database at ``url``, read as one snapshot."""
    engine = make_engine(url)
    try:
        return read_snapshot(session_factory(engine), start, end)
    finally:
        engine.dispose()


def read_snapshot(sessions: sessionmaker[Session], start: datetime, end: datetime) -> History:
    """The window [``start``, ``end``), read in one read-only transaction that is rolled back."""
    with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            connection = session.connection(
                execution_options={"isolation_level": "REPEATABLE READ"}
            )
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            return read_history(session, start, end)
        finally:
            session.rollback()  # nothing to keep, and nothing was written


def read_history(session: Session, start: datetime, end: datetime) -> History:
    """The history of the window [``start``, ``end``), read in ``session``'s transaction."""
    if not start < end:
        raise ValueError(f"Expected --from before --to, got {start} and {end}.")
    versions, live = _profiles(session)
    stock = _stock_at(session, start)
    locations = _locations(session, stock)
    orders = _orders(session, start, end)
    name = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    return History(name, locations, orders, live, versions, _corrections(session, start, end))


def _corrections(session: Session, start: datetime, end: datetime) -> int:
    """Stock corrections recorded inside the window (what the replay cannot see)."""
    q = InventoryQuantity
    count = select(func.count()).where(
        q.type == QuantityType.CORRECTION, q.created_at >= start, q.created_at < end
    )
    return int(session.scalar(count) or 0)


def _profiles(
    session: Session,
) -> tuple[
    dict[tuple[solver.OrderType, int], solver.SourcingProfile],
    dict[solver.OrderType, solver.SourcingProfile],
]:
    from sourcing.models.config.candidates import solver_profile

    versions = {
        (solver.OrderType(row.order_type.value), row.version): solver_profile(row)
        for row in session.scalars(select(SourcingProfile).order_by(SourcingProfile.id))
    }
    live = {
        solver.OrderType(t.value): solver_profile(active_profile(session, t)) for t in OrderType
    }
    return versions, live


def _candidate_types(session: Session) -> dict[int, frozenset[solver.OrderType]]:
    """Per location id, the order types the service would offer it to (see ``candidates``)."""
    types: dict[int, set[solver.OrderType]] = defaultdict(set)
    for order_type in OrderType:
        row = active_profile(session, order_type)
        network = (row.rules or {}).get("network") if row else None
        for location in candidate_locations(session, order_type, network):
            types[location.id].add(solver.OrderType(order_type.value))
    return {i: frozenset(t) for i, t in types.items()}


def _locations(
    session: Session, stock: Mapping[int, dict[str, solver.StockPosition]]
) -> tuple[solver.Location, ...]:
    candidates = _candidate_types(session)
    rows = session.scalars(
        select(Location)
        .where(Location.type != LocationType.REJECTION)
        .options(selectinload(Location.networks))
        .order_by(Location.id)
    )
    out = []
    for row in rows:
        location = replace(
            solver_location(row),
            stock=stock.get(row.id, {}),
            capacity=solver.Capacity(row.capacity_total, row.capacity_hd, row.capacity_cc),
        )
        out.append(with_candidate_networks(location, candidates.get(row.id, frozenset())))
    return tuple(out)


def _stock_at(session: Session, start: datetime) -> dict[int, dict[str, solver.StockPosition]]:
    """Per location id and product ref, the position as it stood at ``start``."""
    moved: dict[int, int] = defaultdict(int)  # units to add to on hand now
    reserved: dict[int, int] = defaultdict(int)
    q = InventoryQuantity
    since = select(q.position_id, q.type, q.quantity).where(
        q.status == QuantityStatus.ACTIVE,
        q.created_at >= start,
        q.type.in_((QuantityType.SALE, QuantityType.CORRECTION)),
    )
    for position_id, kind, quantity in session.execute(since):
        moved[position_id] += quantity if kind is QuantityType.SALE else -quantity
    held = select(q.position_id, q.quantity).where(
        q.type == QuantityType.RESERVED,
        q.created_at < start,
        or_(q.status == QuantityStatus.ACTIVE, and_(q.updated_at >= start)),
    )
    for position_id, quantity in session.execute(held):
        reserved[position_id] += quantity
    positions = select(InventoryPosition, Product.ref).join(Product).order_by(InventoryPosition.id)
    stock: dict[int, dict[str, solver.StockPosition]] = defaultdict(dict)
    for position, product_ref in session.execute(positions).tuples():
        on_hand = max(0, position.on_hand + moved[position.id])
        stock[position.location_id][product_ref] = solver.StockPosition(
            on_hand=on_hand,
            reserved=min(on_hand, reserved[position.id]),
            buffer_qty=position.buffer_qty,
            ideal_qty=position.ideal_qty,
            markdown=position.markdown,
            sell_through=position.sell_through,
            stock_age_days=position.stock_age_days,
        )
    return stock


def _orders(session: Session, start: datetime, end: datetime) -> tuple[HistoryOrder, ...]:
    """The window's orders as they arrived, each with the plan the service stored."""
    rows = session.scalars(
        select(Order)
        .where(Order.created_at >= start, Order.created_at < end)
        .options(
            selectinload(Order.lines).selectinload(OrderLine.product),
            selectinload(Order.fulfilments).selectinload(Fulfilment.location),
            selectinload(Order.fulfilments).selectinload(Fulfilment.lines),
            selectinload(Order.collection_location),
        )
        .order_by(Order.created_at, Order.id)
    ).all()
    tiers = dict(session.execute(select(Customer.id, Customer.tier)).tuples().all())
    refs = dict(session.execute(select(Customer.id, Customer.ref)).tuples().all())
    return tuple(_history_order(row, tiers, refs) for row in rows)


def _history_order(
    row: Order, tiers: Mapping[int, object], refs: Mapping[int, str]
) -> HistoryOrder:
    store = row.collection_location
    if row.type is OrderType.CC and store is not None:
        point = solver.GeoPoint(store.latitude, store.longitude)
    else:
        point = solver.GeoPoint(row.delivery_latitude or 0.0, row.delivery_longitude or 0.0)
    tier = tiers.get(row.customer_id) if row.customer_id is not None else None
    order = solver.Order(
        ref=row.ref,
        type=solver.OrderType(row.type.value),
        lines=tuple(
            solver.OrderLine(line.ref, line.product.ref, line.quantity, line.category)
            for line in row.lines
        ),
        delivery_point=point,
        customer=solver.Customer(
            refs.get(row.customer_id, "anonymous") if row.customer_id else "anonymous",
            solver.CustomerTier(getattr(tier, "value", "STANDARD")),
        ),
        need_by=row.need_by,
        collection_location_ref=store.ref if store is not None else None,
    )
    plan: dict[str, int] = defaultdict(int)
    for fulfilment in row.fulfilments:
        if fulfilment.attempt == 1 and fulfilment.location.type is not LocationType.REJECTION:
            plan[fulfilment.location.ref] += sum(line.quantity for line in fulfilment.lines)
    arrived = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return HistoryOrder(order, arrived, dict(sorted(plan.items())))

"""From the database to the solver: the active profile and the candidate locations.

Available stock is on hand - active reservations - buffer, read in one query
per table; remaining capacity is each location's daily capacity less the
fulfilments it got today (UTC); open orders are its fulfilments not yet
picked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sourcing import solver
from sourcing.models.config import Location, Network, Product, SourcingProfile, network_locations
from sourcing.models.enums import FulfilmentStatus, LocationType, OrderType
from sourcing.models.inventory import available_by_position
from sourcing.models.orders import Fulfilment
from sourcing.models.stock import InventoryPosition

# Fulfilments that no longer take a location's capacity, and those that count as open.
CLOSED_STATUSES = (
    FulfilmentStatus.REJECTED,
    FulfilmentStatus.CANCELLED,
    FulfilmentStatus.ESCALATED,
)
OPEN_STATUSES = (FulfilmentStatus.CREATED, FulfilmentStatus.ACKNOWLEDGED)


def active_profile(session: Session, order_type: OrderType) -> SourcingProfile | None:
    """The active sourcing profile row for an order type, if one was set."""
    return session.scalars(
        select(SourcingProfile).where(
            SourcingProfile.order_type == order_type, SourcingProfile.active.is_(True)
        )
    ).one_or_none()


def solver_profile(row: SourcingProfile | None) -> solver.SourcingProfile:
    """The solver's profile from a stored one (the solver's defaults when none is stored)."""
    if row is None:
        return solver.SourcingProfile()
    rules: Mapping[str, Any] = row.rules or {}
    return solver.SourcingProfile(
        weights=solver.Weights.from_mapping(row.weights or {}),
        split_limit=row.split_limit,
        rules=solver.Rules(
            vip_only_products=frozenset(rules.get("vip_only_products", ())),
            vip_reserve_qty=dict(rules.get("vip_reserve_qty", {})),
            cc_only_products=frozenset(rules.get("cc_only_products", ())),
            excluded_products=frozenset(rules.get("excluded_products", ())),
            excluded_categories=frozenset(rules.get("excluded_categories", ())),
            excluded_locations=frozenset(rules.get("excluded_locations", ())),
            hd_open_order_limit=rules.get("hd_open_order_limit"),
            flagship_extra_buffer=int(rules.get("flagship_extra_buffer", 0)),
        ),
        rejection_location_ref=rules.get("rejection_location_ref") or "RJT_1",
    )


def candidate_locations(
    session: Session, order_type: OrderType, network_ref: str | None
) -> list[Location]:
    """The locations an order of this type may source from.

    The profile's network when it names one; else every network made for
    the order type; else, with no such network, every location.
    """
    query = select(Location).where(Location.type != LocationType.REJECTION)
    if network_ref:
        query = query.join(network_locations).join(Network).where(Network.ref == network_ref)
    else:
        typed = select(Network.id).where(Network.order_type == order_type)
        if session.scalars(typed.limit(1)).first() is not None:
            members = select(network_locations.c.location_id).where(
                network_locations.c.network_id.in_(typed)
            )
            query = query.where(Location.id.in_(members))
    query = query.options(selectinload(Location.networks)).order_by(Location.id)
    return list(session.scalars(query).unique())


def start_of_today() -> datetime:
    """Midnight UTC today: a location's daily capacity counts fulfilments created since."""
    return datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)


def _fulfilments_today(
    session: Session, location_ids: list[int]
) -> dict[tuple[int, OrderType], int]:
    midnight = start_of_today()
    rows = session.execute(
        select(Fulfilment.location_id, Fulfilment.type, func.count())
        .where(
            Fulfilment.location_id.in_(location_ids),
            Fulfilment.created_at >= midnight,
            Fulfilment.status.not_in(CLOSED_STATUSES),
        )
        .group_by(Fulfilment.location_id, Fulfilment.type)
    )
    return {(loc, kind): count for loc, kind, count in rows.tuples()}


def _open_orders(session: Session, location_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Fulfilment.location_id, func.count())
        .where(Fulfilment.location_id.in_(location_ids), Fulfilment.status.in_(OPEN_STATUSES))
        .group_by(Fulfilment.location_id)
    )
    return dict(rows.tuples().all())


def _remaining(capacity: int | None, used: int) -> int | None:
    return None if capacity is None else max(0, capacity - used)


def to_solver_locations(
    session: Session, locations: list[Location], products: Collection[Product]
) -> tuple[solver.Location, ...]:
    """Candidates as the solver sees them: stock of ``products``, capacity left, open orders."""
    ids = [loc.id for loc in locations]
    product_ids = [p.id for p in products]
    refs = {p.id: p.ref for p in products}
    availability = available_by_position(session, product_ids, ids) if ids and product_ids else {}
    positions = {
        pos.id: pos
        for pos in session.scalars(
            select(InventoryPosition).where(
                InventoryPosition.location_id.in_(ids),
                InventoryPosition.product_id.in_(product_ids),
            )
        )
    }
    stock: dict[int, dict[str, solver.StockPosition]] = defaultdict(dict)
    for (product_id, location_id), numbers in availability.items():
        position = positions[numbers.position_id]
        stock[location_id][refs[product_id]] = solver.StockPosition(
            on_hand=max(0, numbers.on_hand),
            reserved=max(0, numbers.reserved),
            buffer_qty=max(0, numbers.buffer_qty),
            ideal_qty=position.ideal_qty,
            markdown=position.markdown,
            sell_through=position.sell_through,
            stock_age_days=position.stock_age_days,
        )
    today = _fulfilments_today(session, ids)
    open_orders = _open_orders(session, ids)
    result = []
    for loc in locations:
        hd_today = today.get((loc.id, OrderType.HD), 0)
        cc_today = today.get((loc.id, OrderType.CC), 0)
        capacity = solver.Capacity(
            total=_remaining(loc.capacity_total, hd_today + cc_today),
            hd=_remaining(loc.capacity_hd, hd_today),
            cc=_remaining(loc.capacity_cc, cc_today),
        )
        result.append(
            solver_location(
                loc,
                stock=stock.get(loc.id, {}),
                capacity=capacity,
                open_orders=open_orders.get(loc.id, 0),
            )
        )
    return tuple(result)


def solver_location(
    loc: Location,
    *,
    stock: Mapping[str, solver.StockPosition],
    capacity: solver.Capacity,
    open_orders: int,
) -> solver.Location:
    """A stored location as the solver sees it, given what moves: stock, capacity left, open orders.

    ``loc.networks`` must be loaded (``candidate_locations`` loads them).
    """
    return solver.Location(
        ref=loc.ref,
        type=solver.LocationType(loc.type.value),
        point=solver.GeoPoint(loc.latitude, loc.longitude),
        stock=stock,
        networks=frozenset(n.ref for n in loc.networks),
        fixed_cost=float(loc.fixed_cost_minor),
        handling_cost=float(loc.handling_cost_minor),
        shipping_cost_per_km=loc.shipping_cost_per_unit_km,
        pick_pack_hours=loc.pick_pack_hours,
        capacity=capacity,
        open_orders=open_orders,
        hd_open_order_limit=loc.open_order_limit,
        hd_enabled=loc.hd_enabled,
        cc_enabled=loc.cc_enabled,
        flagship=loc.flagship,
        vip_service=loc.vip_service,
        expedited_shipping=loc.expedited_shipping,
    )

"""From the database to the solver: the active profile and the candidate locations.

What moves from order to order (stock, capacity left today, open orders) is
read per order by ``sourcing.models.config.candidate_cache``; the statuses and the
day boundary it counts by are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from sourcing import solver
from sourcing.models.config.carriers import calendar_from_json, services_from_json
from sourcing.models.config.tables import Location, Network, SourcingProfile, network_locations
from sourcing.models.db.enums import FulfilmentStatus, LocationType, OrderType

# Fulfilments that no longer take a location's capacity, and those that count as open.
CLOSED_STATUSES = (
    FulfilmentStatus.REJECTED,
    FulfilmentStatus.CANCELLED,
    FulfilmentStatus.ESCALATED,
)
OPEN_STATUSES = (FulfilmentStatus.CREATED, FulfilmentStatus.ACKNOWLEDGED)

T = TypeVar("T")


_ACTIVE_PROFILE = select(SourcingProfile).where(
    SourcingProfile.order_type == bindparam("order_type"), SourcingProfile.active.is_(True)
)


def active_profile(session: Session, order_type: OrderType) -> SourcingProfile | None:
    """The active sourcing profile row for an order type, if one was set."""
    return session.scalars(_ACTIVE_PROFILE, {"order_type": order_type}).one_or_none()


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
        service_choice=solver.ServiceChoice(rules.get("service_choice") or "CHEAPEST"),
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


def solver_location(loc: Location, shared: dict[Any, Any] | None = None) -> solver.Location:
    """A stored location as the solver sees it, without what moves from order to order.

    ``shared``, kept over the locations of one load, makes equal calendars and
    carrier services one object: the rate cards are merged once per distinct
    set of services (the solver groups them by identity), not once per location.

    Stock, capacity left today and open orders stay empty: an order's
    ``solver.CandidateState`` carries them (see ``candidate_cache``).
    ``loc.networks`` must be loaded (``candidate_locations`` loads them).
    """
    return solver.Location(
        ref=loc.ref,
        type=solver.LocationType(loc.type.value),
        point=solver.GeoPoint(loc.latitude, loc.longitude),
        stock={},
        networks=frozenset(n.ref for n in loc.networks),
        fixed_cost=float(loc.fixed_cost_minor),
        handling_cost=float(loc.handling_cost_minor),
        shipping_cost_per_km=loc.shipping_cost_per_unit_km,
        pick_pack_hours=loc.pick_pack_hours,
        hd_open_order_limit=loc.open_order_limit,
        hd_enabled=loc.hd_enabled,
        cc_enabled=loc.cc_enabled,
        flagship=loc.flagship,
        vip_service=loc.vip_service,
        expedited_shipping=loc.expedited_shipping,
        calendar=_shared(calendar_from_json(loc.calendar), shared),
        carrier_services=_shared(services_from_json(loc.carrier_services), shared),
    )


def _shared(value: T, shared: dict[Any, Any] | None) -> T:
    """The first equal value seen in ``shared`` (``value`` itself when new or not sharing)."""
    if shared is None or value is None:
        return value
    found: T = shared.setdefault(value, value)
    return found

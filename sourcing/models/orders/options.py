"""Fulfilment options for a cart before any order exists: read-only, never reserves.

The problems solved here are the very ones ``Source`` would solve for the
same cart a moment later (``read_snapshot`` builds both), so an option
answered here is what ``Source`` does when nothing changed:

* click and collect: for each collection store near the customer (or named),
  the CC order collected there is solved; the store can have the whole cart
  when nothing is rejected, ready when its last fulfilment is (a transfer
  when a unit comes from elsewhere, dated and priced by the sending
  location's transfer service when it has one), else it lacks the rejected
  units;
* home delivery: the named plans of ``delivery_options`` (``cheapest``,
  ``fastest``, ``fewest_parcels``), which ``Source`` with a named option
  computes with the same code.

A named collection store that does not exist is NOT_FOUND, one that is not a
click-and-collect candidate INVALID_ARGUMENT, both naming the request field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sourcing import solver
from sourcing.models.config.candidate_cache import (
    CandidateSet,
    candidate_set,
    share_stock_reads,
)
from sourcing.models.config.config_cache import stored_profile
from sourcing.models.config.config_version import read_config_version_once
from sourcing.models.config.tables import Location
from sourcing.models.db.enums import CustomerTier, OrderType
from sourcing.models.db.errors import InvalidField, NotFound
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.inventory.day_room import share_due_reads
from sourcing.models.orders.delivery_options import (
    NAMES,
    FirstDate,
    delivery_plans,
    first_date,
)
from sourcing.models.orders.source import Snapshot, read_snapshot
from sourcing.models.orders.source_call import LineInput, OrderInput, SourceOptions
from sourcing.solver.clock import Clock
from sourcing.solver.geo import haversine_km
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.rates import transfer_services
from sourcing.solver.solve import Start, solve_arrays, starts
from sourcing.solver.sums import row_sums
from sourcing.solver.variants import with_destinations

DEFAULT_RADIUS_KM = 50.0
DEFAULT_MAX_OPTIONS = 10
OPTIONS_REF = "FULFILMENT-OPTIONS"  # the ref of the cart's order while it is only a cart
PRICE_TERMS = ("fixed", "handling", "shipping")


@dataclass(frozen=True, slots=True)
class OptionsInput:
    """The cart and what the shopper asks about."""

    lines: tuple[LineInput, ...]
    position: solver.GeoPoint
    order_types: tuple[OrderType, ...] = (OrderType.HD, OrderType.CC)
    collection_location_refs: tuple[str, ...] = ()
    radius_km: float = DEFAULT_RADIUS_KM
    max_options: int = DEFAULT_MAX_OPTIONS
    customer_tier: CustomerTier = CustomerTier.STANDARD
    need_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class CollectionChoice:
    """A store where the cart, or part of it, can be collected."""

    location_ref: str
    distance_km: float
    plan: solver.Plan
    ready_at: datetime | None
    needs_transfer: bool
    missing: dict[str, int]  # line ref -> units the store cannot have
    # What the retailer pays for it: the plan's fixed, handling and shipping terms,
    # transfers priced by their transfer service's rate card where one is configured.
    price_minor: int = 0
    currency: str = "BRL"

    @property
    def whole_cart(self) -> bool:
        """The store can have every unit of the cart."""
        return not self.missing


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    """A named home-delivery plan with its price, parcels and dates."""

    name: str
    plan: solver.Plan
    price_minor: int
    currency: str

    @property
    def parcels(self) -> int:
        """Fulfilments the cart travels in."""
        return len(self.plan.fulfilments)

    def dates(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest promised delivery of its parcels."""
        promised = [f.promise.promised_at for f in self.plan.fulfilments if f.promise]
        return (min(promised), max(promised)) if promised else (None, None)


@dataclass(frozen=True, slots=True)
class FulfilmentOptions:
    """The answer: collection stores and home-delivery options."""

    collection: tuple[CollectionChoice, ...]
    delivery: tuple[DeliveryChoice, ...]


def _cart(request: OptionsInput, order_type: OrderType, store: str | None) -> OrderInput:
    return OrderInput(
        ref=OPTIONS_REF,
        type=order_type,
        lines=request.lines,
        delivery_point=request.position if order_type is OrderType.HD else None,
        collection_location_ref=store,
        customer_tier=request.customer_tier,
        need_by=request.need_by,
    )


def _stores(session: Session, request: OptionsInput) -> list[tuple[str, float]]:
    """The CC candidate stores to answer for, nearest first, with their distance.

    Raises
    ------
    NotFound
        For a named store that does not exist (``field`` names it).
    InvalidField
        For a named location that is not a click-and-collect candidate store.
    """
    network = stored_profile(session, OrderType.CC).rules.get("network")
    stores, refs, latitude, longitude = _collection_stores(
        candidate_set(session, OrderType.CC, network)
    )
    _check_named(session, request.collection_location_refs, refs)
    if not stores:
        return []
    p = request.position
    km = haversine_km(latitude, longitude, p.latitude, p.longitude)
    named = set(request.collection_location_refs)
    # Within the radius: a numpy comparison, then only those stores (of about a thousand).
    near = [i for i, s in enumerate(stores) if s.ref in named] if named else None
    if near is None:
        near = np.flatnonzero(km <= request.radius_km).tolist()
    chosen = [(stores[i].ref, float(km[i])) for i in near]
    return sorted(chosen, key=lambda pair: (pair[1], pair[0]))[: request.max_options]


def _collection_stores(
    candidates: CandidateSet,
) -> tuple[list[solver.Location], set[str], np.ndarray, np.ndarray]:
    """The click-and-collect stores among the candidates, their refs and coordinates:
    derived once per candidate set (rebuilt with it when the configuration changes)."""
    known = candidates.derived.get(_STORES)
    if known is None:
        stores = [
            loc
            for loc in candidates.locations
            if loc.type is solver.LocationType.STORE and loc.cc_enabled
        ]
        known = (
            stores,
            {s.ref for s in stores},
            np.array([s.point.latitude for s in stores]),
            np.array([s.point.longitude for s in stores]),
        )
        candidates.derived[_STORES] = known
    return known


_STORES = "options.collection_stores"


def _check_named(session: Session, named: tuple[str, ...], stores: set[str]) -> None:
    """Every named collection store exists and is a click-and-collect candidate."""
    others = [ref for ref in named if ref not in stores]
    if not others:
        return
    known = set(session.scalars(select(Location.ref).where(Location.ref.in_(others))))
    for i, ref in enumerate(named):
        field = f"collection_location_refs[{i}]"
        if ref in stores:
            continue
        if ref not in known:
            raise NotFound("location", ref, field=field)
        raise InvalidField(field, f"location {ref!r} is not a click-and-collect store")


def _read(
    sessions: sessionmaker[Session], request: OptionsInput
) -> tuple[Snapshot | None, Snapshot | None, list[tuple[str, float]]]:
    """The HD and CC snapshots (None when not asked or no store), in one read transaction."""

    def read(session: Session) -> tuple[Snapshot | None, Snapshot | None, list[tuple[str, float]]]:
        share_stock_reads(session)  # both snapshots ask for the cart's products
        share_due_reads(session)  # and for the fulfilments due, for their room per day
        read_config_version_once(session)  # and for the configuration, three times
        options = SourceOptions()
        hd = (
            read_snapshot(session, _cart(request, OrderType.HD, None), options)
            if OrderType.HD in request.order_types
            else None
        )
        stores = _stores(session, request) if OrderType.CC in request.order_types else []
        cc = (
            read_snapshot(session, _cart(request, OrderType.CC, stores[0][0]), options)
            if stores
            else None
        )
        return hd, cc, stores

    return run_in_transaction(sessions, read, entity="inventory")


def fulfilment_options(
    sessions: sessionmaker[Session], request: OptionsInput, time_limit_s: float
) -> FulfilmentOptions:
    """Where and when the cart can be collected, and how it can be delivered; reads only."""
    hd, cc, stores = _read(sessions, request)
    budget = time_limit_s / max(1, len(stores) + 3)
    currency = request.lines[0].currency
    # The HD arrays and ``fastest``'s first date: their solves' starts are taken with the
    # stores' (``starts``), when there are stores.
    home: Home | None = None
    if hd:
        arrays = SourcingArrays.build(hd.problem)
        home = Home(arrays, None, first_date(hd.problem, arrays))
    collection: tuple[CollectionChoice, ...] = ()
    if cc:
        collection, home = _collections(cc, stores, budget, currency, home)
    collection = tuple(
        sorted(collection, key=lambda c: (not c.whole_cart, c.ready_at is None, c.ready_at))
    )
    delivery = _delivery(hd, home, budget, currency) if hd and home else ()
    return FulfilmentOptions(collection, delivery)


@dataclass(frozen=True, slots=True)
class Home:
    """The cart's HD arrays, their cheapest solve's start, and ``fastest``'s first date
    (``delivery_options.first_date``), once their starts are taken with the stores'."""

    arrays: SourcingArrays
    start: Start | None
    first: FirstDate | None


def _collections(
    snapshot: Snapshot,
    stores: list[tuple[str, float]],
    budget: float,
    currency: str,
    home: Home | None = None,
) -> tuple[tuple[CollectionChoice, ...], Home | None]:
    """The CC order collected at each store, solved as ``Source`` would; and ``home`` with
    the starts of its cheapest solve and of its first date's, taken with the stores'.

    The arrays are built once (for the snapshot's store) and each store's
    derived from them (``solver.variants.with_destinations``: only the terms
    priced by distance change), equal to what ``Source`` builds for it. The
    stores' orders share their candidates' pairs, and so does the HD order when
    its candidates and rules give it the same room (``starts`` checks), and
    ``fastest``'s first date holds some of those: their price steps are taken together.
    """
    problem = snapshot.problem
    table = problem.table or problem.candidate_table()  # the shared one keeps its index
    base = SourcingArrays.build(problem)
    derive = base.rates is None and not _transfers_priced(base)
    collected = []  # the cart's CC order, collected at each store in turn
    # One clock for the stores' promises: they ask for the same few sending locations.
    clock = Clock(problem.now) if problem.now is not None else None
    for ref, _ in stores:
        at = table.index_of(ref)
        assert at is not None  # ``_stores`` lists candidates only
        point = problem.locations[at].point
        order = replace(problem.order, collection_location_ref=ref, delivery_point=point)
        collected.append(replace(problem, order=order, clock=clock))
    many = (
        with_destinations(base, collected)
        if derive
        else [SourcingArrays.build(p) for p in collected]
    )
    # The HD orders go last: the first store's pairs are the ones the others must share.
    extra = [home.arrays, *([home.first.arrays] if home.first else [])] if home else []
    begun = starts([*many, *extra])
    choices = tuple(
        _choice(ref, km, solve_arrays(arrays, time_limit_s=budget, start=start), currency)
        for (ref, km), arrays, start in zip(stores, many, begun[: len(many)], strict=True)
    )
    if home is None:
        return choices, None
    first = replace(home.first, start=begun[-1]) if home.first else None
    return choices, Home(home.arrays, begun[len(many)], first)


def _transfers_priced(arrays: SourcingArrays) -> bool:
    """Whether a usable candidate has a transfer service: collected at another store, its
    transfer is priced by the rate card, which ``with_destination`` does not derive."""
    usable = np.flatnonzero(row_sums(arrays.cap) > 0).tolist()
    return any(t is not None for t in transfer_services(arrays.problem.locations, usable))


def _choice(ref: str, km: float, plan: solver.Plan, currency: str) -> CollectionChoice:
    """What the plan of the CC order collected at ``ref`` says about the store."""
    promised = [f.promise.promised_at for f in plan.fulfilments if f.promise]
    missing = {ln.line_ref: ln.quantity for ln in plan.rejected.lines} if plan.rejected else {}
    return CollectionChoice(
        location_ref=ref,
        distance_km=km,
        plan=plan,
        ready_at=max(promised) if promised else None,
        needs_transfer=any(f.location_ref != ref for f in plan.fulfilments),
        missing=missing,
        price_minor=_price(plan),
        currency=currency,
    )


def _price(plan: solver.Plan) -> int:
    return round(sum(plan.objective.terms.get(term, 0.0) for term in PRICE_TERMS))


def _delivery(
    snapshot: Snapshot, home: Home, budget: float, currency: str
) -> tuple[DeliveryChoice, ...]:
    """The cheapest plan, then the fastest and the fewest-parcels ones when they differ."""
    plans = delivery_plans(
        snapshot.problem, budget, built=(home.arrays, home.start), first=home.first
    )
    return tuple(
        DeliveryChoice(name, plans[name], _price(plans[name]), currency)
        for name in NAMES
        if name in plans
    )


__all__ = [
    "CollectionChoice",
    "DeliveryChoice",
    "FulfilmentOptions",
    "OptionsInput",
    "fulfilment_options",
]

"""Sourcing profiles: versioned weights, split limit and rules per order type.

A profile is never edited in place. :func:`set_sourcing_profile` stores a
new version and makes it the only active one of its order type in the same
transaction. The row's ``weights`` JSON holds only the weights the retailer
set, under the names of ``sourcing.solver.Weights`` (the rest keep the
solver's defaults: ``Weights.from_mapping(row.weights)``); its ``rules``
JSON is :meth:`ProfileRules.to_json` (read it back with
:meth:`ProfileRules.from_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.setup import find_by_ref
from sourcing.models.config.tables import Network, SourcingProfile
from sourcing.models.db.enums import FulfilmentStatus, OrderType
from sourcing.models.db.errors import ConcurrencyConflict, NotFound
from sourcing.solver import DEFAULT_REJECTION_LOCATION_REF, DEFAULT_SPLIT_LIMIT

# Fulfilment statuses in which an order may be cancelled or revised when the
# profile does not say: before anyone has picked.
BEFORE_PICKING = (FulfilmentStatus.CREATED, FulfilmentStatus.ACKNOWLEDGED)


class OverdueAction(StrEnum):
    """What the SLA sweep does with an overdue fulfilment."""

    ESCALATE = "ESCALATE"  # move its units to the rejection location for a person
    REASSIGN = "REASSIGN"  # source its units again elsewhere


@dataclass(frozen=True, slots=True)
class ProfileRules:
    """The rules of a sourcing profile, stored as the profile's ``rules`` JSON.

    The first fields match ``sourcing.solver.Rules``; ``network`` is the
    network the profile's order type sources from (``None``: every network
    of the order type). The rest steer the lifecycle: where rejected units
    go, the SLA slack, what the SLA sweep does, and the fulfilment statuses
    in which an order may be cancelled or revised.
    """

    vip_only_products: tuple[str, ...] = ()
    vip_reserve_qty: Mapping[str, int] = field(default_factory=dict)
    cc_only_products: tuple[str, ...] = ()
    excluded_products: tuple[str, ...] = ()
    excluded_categories: tuple[str, ...] = ()
    excluded_locations: tuple[str, ...] = ()
    hd_open_order_limit: int | None = None
    flagship_extra_buffer: int = 0
    network: str | None = None
    rejection_location_ref: str = DEFAULT_REJECTION_LOCATION_REF
    sla_slack_minutes: int = 0
    overdue_action: OverdueAction = OverdueAction.ESCALATE
    cancellable_statuses: tuple[FulfilmentStatus, ...] = BEFORE_PICKING
    revisable_statuses: tuple[FulfilmentStatus, ...] = BEFORE_PICKING
    # How a location's carrier service is chosen (``sourcing.solver.ServiceChoice``).
    service_choice: str = "CHEAPEST"

    def to_json(self) -> dict[str, Any]:
        """The rules as a JSON object: lists, a dict, ints, strings and null."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [str(item) for item in value]
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, StrEnum):
                value = value.value
            data[f.name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProfileRules:
        """Rules from their JSON object; keys it lacks keep their defaults."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name.endswith("_statuses"):
                value = tuple(FulfilmentStatus(item) for item in value)
            elif isinstance(value, list):
                value = tuple(value)
            elif f.name == "overdue_action":
                value = OverdueAction(value)
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """A new version of an order type's sourcing profile.

    ``weights`` holds only the weights the retailer set, by the names of
    ``sourcing.solver.Weights``; the others keep the solver's defaults.
    """

    order_type: OrderType
    weights: Mapping[str, float] = field(default_factory=dict)
    split_limit: int = DEFAULT_SPLIT_LIMIT
    rules: ProfileRules = field(default_factory=ProfileRules)


def set_sourcing_profile(session: Session, profile: ProfileSpec) -> SourcingProfile:
    """Store a new version of the order type's profile and make it the only active one.

    Raises
    ------
    NotFound
        Naming ``profile.rules.network_ref`` when the rules name an unknown
        network.
    ConcurrencyConflict
        When another transaction stored the same version first; nothing was
        stored and the call may be repeated.
    """
    if profile.rules.network is not None:
        find_by_ref(
            session,
            Network,
            profile.rules.network,
            entity="network",
            field="profile.rules.network_ref",
        )
    # Lock the type's versions so concurrent setters queue instead of both
    # taking the same number (the first version has nothing to lock; the
    # unique constraint catches that race).
    session.scalars(
        select(SourcingProfile.id)
        .where(SourcingProfile.order_type == profile.order_type)
        .order_by(SourcingProfile.id)
        .with_for_update()
    ).all()
    latest = session.scalar(
        select(func.max(SourcingProfile.version)).where(
            SourcingProfile.order_type == profile.order_type
        )
    )
    session.execute(
        update(SourcingProfile)
        .where(SourcingProfile.order_type == profile.order_type, SourcingProfile.active)
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )
    row = SourcingProfile(
        order_type=profile.order_type,
        version=(latest or 0) + 1,
        active=True,
        weights=dict(profile.weights),
        split_limit=profile.split_limit,
        rules=profile.rules.to_json(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        raise ConcurrencyConflict("sourcing profile", detail="version taken") from error
    return row


def get_sourcing_profile(
    session: Session, order_type: OrderType, version: int | None = None
) -> SourcingProfile:
    """The active profile of an order type, or the given version of it.

    A type with no stored profile is sourced under the solver's defaults, and
    its plans say ``profile_version`` 0: asked for its active profile, it
    answers those defaults as version 0 (an unsaved row), so a client can see
    what it is being sourced under.

    Raises
    ------
    NotFound
        Naming ``version`` when that version does not exist.
    """
    stmt = select(SourcingProfile).where(SourcingProfile.order_type == order_type)
    if version is not None:
        stmt = stmt.where(SourcingProfile.version == version)
        label, field_name = f"{order_type.value} version {version}", "version"
    else:
        stmt = stmt.where(SourcingProfile.active)
        label, field_name = f"{order_type.value} (active)", "order_type"
    row = session.scalars(stmt).one_or_none()
    if row is None and version is None and not _has_versions(session, order_type):
        return default_profile(order_type)
    if row is None:
        raise NotFound("sourcing profile", label, field=field_name)
    return row


def default_profile(order_type: OrderType) -> SourcingProfile:
    """The defaults a type without a stored profile is sourced under, as version 0 (not stored)."""
    defaults = solver.SourcingProfile()
    return SourcingProfile(
        order_type=order_type,
        version=0,
        active=True,
        weights={},
        split_limit=defaults.split_limit,
        rules={},
    )


def _has_versions(session: Session, order_type: OrderType) -> bool:
    stmt = select(SourcingProfile.id).where(SourcingProfile.order_type == order_type).limit(1)
    return session.scalars(stmt).first() is not None

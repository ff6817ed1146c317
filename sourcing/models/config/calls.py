"""The retailer's set-up as use cases, each in its own transaction.

A servicer only converts and calls: the transaction, and its retry when it
loses a race, belong to the use case. Rows are readable only inside their
transaction, so every call that yields rows takes ``present`` and returns
what it makes of each row, computed before the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config import profiles, setup
from sourcing.models.config.tables import (
    Customer,
    Location,
    Network,
    Product,
    SourcingProfile,
    VirtualCatalogue,
)
from sourcing.models.db.enums import LocationType, OrderType
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.events.tables import WebhookSubscription

R = TypeVar("R")


def create_location(
    sessions: sessionmaker[Session], spec: setup.LocationSpec, present: Callable[[Location], R]
) -> R:
    """Create a location; ``AlreadyExists`` when the ref is taken."""
    return run_in_transaction(
        sessions, lambda s: present(setup.create_location(s, spec)), entity="location"
    )


def update_location(
    sessions: sessionmaker[Session],
    ref: str,
    revise: Callable[[Location], setup.LocationSpec],
    present: Callable[[Location], R],
) -> R:
    """Replace a location by ``revise(stored row)``, read and written in one transaction.

    ``revise`` sees the stored row so that a partial update merges with what
    is stored now, not with what a caller read earlier.
    """

    def work(session: Session) -> R:
        spec = revise(setup.get_location(session, ref))
        return present(setup.update_location(session, spec))

    return run_in_transaction(sessions, work, entity="location")


def list_locations(
    sessions: sessionmaker[Session],
    present: Callable[[Location], R],
    *,
    refs: Sequence[str] = (),
    network_ref: str | None = None,
    location_type: LocationType | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[R]:
    """Locations by ref, filtered as :func:`setup.list_locations` says."""

    def work(session: Session) -> list[R]:
        rows = setup.list_locations(
            session,
            refs=refs,
            network_ref=network_ref,
            location_type=location_type,
            offset=offset,
            limit=limit,
        )
        return [present(row) for row in rows]

    return run_in_transaction(sessions, work)


def create_network(
    sessions: sessionmaker[Session], spec: setup.NetworkSpec, present: Callable[[Network], R]
) -> R:
    """Create a network of existing locations."""
    return run_in_transaction(
        sessions, lambda s: present(setup.create_network(s, spec)), entity="network"
    )


def create_virtual_catalogue(
    sessions: sessionmaker[Session],
    spec: setup.VirtualCatalogueSpec,
    present: Callable[[VirtualCatalogue], R],
) -> R:
    """Create a virtual catalogue over an existing network."""
    return run_in_transaction(
        sessions,
        lambda s: present(setup.create_virtual_catalogue(s, spec)),
        entity="virtual catalogue",
    )


def create_product(
    sessions: sessionmaker[Session], spec: setup.ProductSpec, present: Callable[[Product], R]
) -> R:
    """Create a product; ``AlreadyExists`` when the ref is taken."""
    return run_in_transaction(
        sessions, lambda s: present(setup.create_product(s, spec)), entity="product"
    )


def upsert_customer(
    sessions: sessionmaker[Session], spec: setup.CustomerSpec, present: Callable[[Customer], R]
) -> tuple[R, bool]:
    """Create a customer or replace the one with its ref; whether it was created."""

    def work(session: Session) -> tuple[R, bool]:
        row, created = setup.upsert_customer(session, spec)
        return present(row), created

    return run_in_transaction(sessions, work, entity="customer")


def set_sourcing_profile(
    sessions: sessionmaker[Session],
    spec: profiles.ProfileSpec,
    present: Callable[[SourcingProfile], R],
) -> R:
    """Store a new profile version for its order type and make it the active one."""
    return run_in_transaction(
        sessions,
        lambda s: present(profiles.set_sourcing_profile(s, spec)),
        entity="sourcing profile",
    )


def get_sourcing_profile(
    sessions: sessionmaker[Session],
    order_type: OrderType,
    version: int | None,
    present: Callable[[SourcingProfile], R],
) -> R:
    """The active profile of an order type, or one version of it."""
    return run_in_transaction(
        sessions, lambda s: present(profiles.get_sourcing_profile(s, order_type, version))
    )


def create_webhook_subscription(
    sessions: sessionmaker[Session],
    spec: setup.WebhookSpec,
    present: Callable[[WebhookSubscription], R],
) -> R:
    """Subscribe a URL to webhook events."""
    return run_in_transaction(
        sessions,
        lambda s: present(setup.create_webhook_subscription(s, spec)),
        entity="webhook subscription",
    )


def list_webhook_subscriptions(
    sessions: sessionmaker[Session], present: Callable[[WebhookSubscription], R]
) -> list[R]:
    """Every subscription, oldest first."""
    return run_in_transaction(
        sessions, lambda s: [present(row) for row in setup.list_webhook_subscriptions(s)]
    )

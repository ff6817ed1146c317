"""What a Source call takes and gives back: the order, its options, the outcome.

Separate from ``sourcing.models.orders.source``, which does the sourcing, so that
the callers that only build or read these values (the server's converters,
Reassign, Rebalance, picks, revisions, stored answers in
``sourcing.models.orders.idempotency``) need not import the sourcing machinery,
and ``sourcing.models.orders.source`` can use the stored forms of
``sourcing.models.orders.idempotency`` without an import cycle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sourcing import solver
from sourcing.models.db.enums import CustomerTier, OrderType
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S


@dataclass(frozen=True, slots=True)
class LineInput:
    """One order line as the order host sends it."""

    ref: str
    product_ref: str
    quantity: int
    unit_price_minor: int = 0
    currency: str = "BRL"
    category: str | None = None


@dataclass(frozen=True, slots=True)
class OrderInput:
    """An order as the order host sends it, already checked field by field."""

    ref: str
    type: OrderType
    lines: tuple[LineInput, ...]
    delivery_point: solver.GeoPoint | None = None
    collection_location_ref: str | None = None
    customer_ref: str | None = None
    customer_tier: CustomerTier = CustomerTier.STANDARD
    need_by: datetime | None = None

    def digest(self) -> str:
        """A hash of the order's content: the same order sent again has the same digest."""
        content = asdict(self)
        content["need_by"] = self.need_by.isoformat() if self.need_by else None
        raw = json.dumps(content, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to source: policy, per-call weights and split limit, time, dry run, explain.

    ``request_id`` is the caller's idempotency key for this Source call: a
    retry under it gets the first answer, and a different order under it is
    refused. Without it the order ref is the key (it always is as well).

    ``delivery_option`` solves the named plan ``GetFulfilmentOptions`` offered
    (``sourcing.models.orders.delivery_options``) instead of the profile's.
    """

    policy: str = "mip"
    weight_overrides: Mapping[str, float] = field(default_factory=dict)
    split_limit: int | None = None
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    dry_run: bool = False
    explain: bool = False
    request_id: str | None = None
    # A home-delivery option named at checkout (``delivery_options.NAMES``); None: cheapest.
    delivery_option: str | None = None


@dataclass(frozen=True, slots=True)
class SourcingOutcome:
    """A plan and where it was stored.

    ``fulfilment_ids`` maps each fulfilment's location ref (the rejection
    location's included) to the stored fulfilment's id; empty for a dry run.
    """

    plan: solver.Plan
    fulfilment_ids: Mapping[str, int]
    profile_version: int
    order_type: OrderType
    replayed: bool = False

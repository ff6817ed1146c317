"""What a sourcing problem is made of: orders, locations, stock, rules and the profile.

Everything here is a frozen dataclass that checks itself on construction and
raises ``ValueError`` naming the field and the offending value, so a problem
that reaches the model is always well formed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sourcing.solver.carriers import Calendar, CarrierService, ServiceChoice
from sourcing.solver.errors import InvalidProblem
from sourcing.solver.weights import Weights

E = TypeVar("E", bound=StrEnum)

DEFAULT_SPLIT_LIMIT = 1000
DEFAULT_REJECTION_LOCATION_REF = "RJT_1"


class OrderType(StrEnum):
    """How the customer receives the order."""

    HD = "HD"  # home delivery
    CC = "CC"  # click and collect


class CustomerTier(StrEnum):
    """Service tier of the customer who placed the order."""

    STANDARD = "STANDARD"
    VIP = "VIP"


class LocationType(StrEnum):
    """What kind of place a candidate location is."""

    WAREHOUSE = "WAREHOUSE"
    DC = "DC"
    STORE = "STORE"
    VENDOR = "VENDOR"
    THREE_PL = "THREE_PL"


def _check_finite(name: str, value: float, low: float = -math.inf, high: float = math.inf) -> None:
    if not isinstance(value, int | float) or math.isnan(value) or not low <= value <= high:
        raise InvalidProblem(f"Expected {name} to be a number in [{low}, {high}], got {value!r}.")


def _check_coordinates(name: str, latitude: float, longitude: float) -> None:
    _check_finite(f"{name}.latitude", latitude, -90.0, 90.0)
    _check_finite(f"{name}.longitude", longitude, -180.0, 180.0)


def _check_non_negative_int(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidProblem(f"Expected {name} to be a non-negative integer, got {value!r}.")


def _check_enum(name: str, value: object, enum: type[E]) -> E:
    try:
        return enum(str(value)) if isinstance(value, str) else enum(value)  # type: ignore[arg-type]
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidProblem(f"Expected {name} to be one of {allowed}, got {value!r}.") from None


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point on the earth in decimal degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _check_coordinates("point", self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer who placed the order."""

    ref: str
    tier: CustomerTier = CustomerTier.STANDARD

    def __post_init__(self) -> None:
        object.__setattr__(self, "tier", _check_enum("customer.tier", self.tier, CustomerTier))

    @property
    def is_vip(self) -> bool:
        """Whether VIP rules apply to this customer."""
        return self.tier is CustomerTier.VIP


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product and the quantity of it the customer ordered."""

    ref: str
    product_ref: str
    quantity: int
    category: str | None = None
    weight_g: int = 0  # one unit's weight: a parcel weighs the sum of its units'

    def __post_init__(self) -> None:
        if not self.ref:
            raise InvalidProblem("Expected line.ref to be a non-empty string, got ''.")
        _check_non_negative_int(f"line {self.ref}: weight_g", self.weight_g)
        if not self.product_ref:
            raise InvalidProblem(f"Expected line {self.ref}: product_ref to be non-empty.")
        q = self.quantity
        if not isinstance(q, int) or isinstance(q, bool) or q <= 0:
            raise InvalidProblem(
                f"Expected line {self.ref}: quantity to be a positive integer, got {q!r}."
            )


@dataclass(frozen=True, slots=True)
class Order:
    """The order to source.

    An HD order is delivered to ``delivery_point``; a CC order is collected at
    the store ``collection_location_ref`` whose coordinates are
    ``delivery_point`` (the service fills them in from the location).
    """

    ref: str
    type: OrderType
    lines: tuple[OrderLine, ...]
    delivery_point: GeoPoint
    customer: Customer = Customer("anonymous")
    need_by: datetime | None = None
    collection_location_ref: str | None = None

    def __post_init__(self) -> None:
        if not self.ref:
            raise InvalidProblem("Expected order.ref to be a non-empty string, got ''.")
        object.__setattr__(self, "type", _check_enum("order.type", self.type, OrderType))
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.lines:
            raise InvalidProblem(
                f"Expected order {self.ref}: lines to hold at least one line, got none."
            )
        seen: set[str] = set()
        for line in self.lines:
            if line.ref in seen:
                raise InvalidProblem(
                    f"Expected order {self.ref}: line refs to be unique, got {line.ref!r} twice."
                )
            seen.add(line.ref)
        if self.type is OrderType.CC and not self.collection_location_ref:
            raise InvalidProblem(
                f"Expected order {self.ref}: collection_location_ref for a CC order."
            )

    @property
    def total_units(self) -> int:
        """Units ordered over all lines."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class InTransit:
    """Stock on its way to a location, usable if it arrives before need-by."""

    quantity: int
    arrives_at: datetime

    def __post_init__(self) -> None:
        _check_non_negative_int("in_transit.quantity", self.quantity)


@dataclass(frozen=True, slots=True)
class StockPosition:
    """One product's stock at one location.

    ``available`` is on hand less active reservations less the buffer (the
    level below which the location counts as out of stock online).
    ``ideal_qty`` is the level the location would like to keep; taking stock
    below it costs the ideal-stock penalty. ``markdown`` and ``sell_through``
    are fractions in [0, 1]; ``stock_age_days`` is the age of the oldest units.
    """

    on_hand: int
    reserved: int = 0
    buffer_qty: int = 0
    ideal_qty: int = 0
    in_transit: tuple[InTransit, ...] = ()
    markdown: float = 0.0
    sell_through: float = 0.0
    stock_age_days: float = 0.0

    def __post_init__(self) -> None:
        for name in ("on_hand", "reserved", "buffer_qty", "ideal_qty"):
            _check_non_negative_int(f"stock.{name}", getattr(self, name))
        object.__setattr__(self, "in_transit", tuple(self.in_transit))
        _check_finite("stock.markdown", self.markdown, 0.0, 1.0)
        _check_finite("stock.sell_through", self.sell_through, 0.0, 1.0)
        _check_finite("stock.stock_age_days", self.stock_age_days, 0.0)

    @property
    def available(self) -> int:
        """Units that may be promised now: on hand - reserved - buffer, never below 0."""
        return max(0, self.on_hand - self.reserved - self.buffer_qty)

    @property
    def net_stock(self) -> int:
        """Units physically held and not yet promised: on hand - reserved."""
        return max(0, self.on_hand - self.reserved)


@dataclass(frozen=True, slots=True)
class Capacity:
    """Orders per day a location can still take; ``None`` means unlimited."""

    total: int | None = None
    hd: int | None = None
    cc: int | None = None

    def __post_init__(self) -> None:
        for name in ("total", "hd", "cc"):
            value = getattr(self, name)
            if value is not None:
                _check_non_negative_int(f"capacity.{name}", value)


@dataclass(frozen=True, slots=True)
class Location:
    """A candidate location: a warehouse, DC, store, vendor or 3PL.

    Costs are in minor currency units: ``fixed_cost`` per fulfilment,
    ``handling_cost`` per unit, ``shipping_cost_per_km`` per unit and km.
    """

    ref: str
    type: LocationType
    point: GeoPoint
    stock: Mapping[str, StockPosition]
    networks: frozenset[str] = frozenset()
    fixed_cost: float = 0.0
    handling_cost: float = 0.0
    shipping_cost_per_km: float = 0.0
    pick_pack_hours: float = 0.0
    capacity: Capacity = Capacity()
    open_orders: int = 0
    hd_open_order_limit: int | None = None
    hd_enabled: bool = True
    cc_enabled: bool = True
    flagship: bool = False
    vip_service: bool = False
    expedited_shipping: bool = False
    # When set, the location's working hours and the carriers it ships with
    # (``carriers``): its parcels are priced from the rate cards instead of
    # the fixed and per-km terms, and its fulfilments get ETAs from them.
    calendar: Calendar | None = None
    carrier_services: tuple[CarrierService, ...] = ()

    def __post_init__(self) -> None:
        if not self.ref:
            raise InvalidProblem("Expected location.ref to be a non-empty string, got ''.")
        object.__setattr__(
            self, "type", _check_enum(f"location {self.ref}: type", self.type, LocationType)
        )
        _check_coordinates(f"location {self.ref}", self.point.latitude, self.point.longitude)
        object.__setattr__(self, "networks", frozenset(self.networks))
        for name in ("fixed_cost", "handling_cost", "shipping_cost_per_km", "pick_pack_hours"):
            _check_finite(f"location {self.ref}: {name}", getattr(self, name), 0.0)
        _check_non_negative_int(f"location {self.ref}: open_orders", self.open_orders)
        if self.hd_open_order_limit is not None:
            _check_non_negative_int(
                f"location {self.ref}: hd_open_order_limit", self.hd_open_order_limit
            )
        object.__setattr__(self, "carrier_services", tuple(self.carrier_services))
        codes = [service.code for service in self.carrier_services]
        if len(set(codes)) != len(codes):
            raise InvalidProblem(
                f"Expected location {self.ref}: carrier_services codes to be unique, got {codes!r}."
            )

    @property
    def parcel_services(self) -> tuple[CarrierService, ...]:
        """The services that take parcels to customers (not the transfer ones)."""
        return tuple(s for s in self.carrier_services if not s.transfer)

    @property
    def transfer_service(self) -> CarrierService | None:
        """The service that moves stock to other locations, if one is configured."""
        return next((s for s in self.carrier_services if s.transfer), None)


@dataclass(frozen=True, slots=True)
class Rules:
    """The retailer's sourcing rules beyond costs.

    * ``vip_only_products``: only VIP customers may order these.
    * ``vip_reserve_qty``: per product, the stock level at a location below
      which only VIP customers may take the item.
    * ``cc_only_products``: these can only be sourced for CC orders.
    * ``excluded_products`` / ``excluded_categories``: never sourced.
    * ``excluded_locations``: never used, e.g. a location that already
      rejected this order's fulfilment.
    * ``hd_open_order_limit``: a location with at least this many open orders
      takes only CC orders.
    * ``flagship_extra_buffer``: units added to the buffer at flagship
      locations, to protect their shelves.
    * ``hd_network`` / ``cc_network``: the network each order type sources
      from; ``None`` means any location.
    """

    vip_only_products: frozenset[str] = frozenset()
    vip_reserve_qty: Mapping[str, int] = field(default_factory=dict)
    cc_only_products: frozenset[str] = frozenset()
    excluded_products: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    excluded_locations: frozenset[str] = frozenset()
    hd_open_order_limit: int | None = None
    flagship_extra_buffer: int = 0
    hd_network: str | None = None
    cc_network: str | None = None

    def __post_init__(self) -> None:
        for name in (
            "vip_only_products",
            "cc_only_products",
            "excluded_products",
            "excluded_categories",
            "excluded_locations",
        ):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        for product, qty in self.vip_reserve_qty.items():
            _check_non_negative_int(f"rules.vip_reserve_qty[{product}]", qty)
        if self.hd_open_order_limit is not None:
            _check_non_negative_int("rules.hd_open_order_limit", self.hd_open_order_limit)
        _check_non_negative_int("rules.flagship_extra_buffer", self.flagship_extra_buffer)

    def network_for(self, order_type: OrderType) -> str | None:
        """The network an order of this type sources from."""
        return self.hd_network if order_type is OrderType.HD else self.cc_network


@dataclass(frozen=True, slots=True)
class SourcingProfile:
    """Weights, split limit and rules a retailer sources under."""

    weights: Weights = field(default_factory=Weights)
    split_limit: int = DEFAULT_SPLIT_LIMIT
    rules: Rules = field(default_factory=Rules)
    rejection_location_ref: str = DEFAULT_REJECTION_LOCATION_REF
    service_choice: ServiceChoice = ServiceChoice.CHEAPEST

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "service_choice",
            _check_enum("profile.service_choice", self.service_choice, ServiceChoice),
        )
        s = self.split_limit
        if not isinstance(s, int) or isinstance(s, bool) or s < 1:
            raise InvalidProblem(f"Expected split_limit to be an integer of at least 1, got {s!r}.")
        if not self.rejection_location_ref:
            raise InvalidProblem("Expected rejection_location_ref to be non-empty, got ''.")

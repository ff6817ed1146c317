"""ConfigService messages <-> the set-up dataclasses and tables of ``sourcing.models``.

``*_from_proto`` checks every field and names the bad one by its request
path (``field`` is the path of the message itself, e.g. ``"location"``);
``*_to_proto`` builds the response message from what was stored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import asdict, replace
from urllib.parse import urlsplit

from sourcing.models.config.profiles import BEFORE_PICKING, OverdueAction, ProfileRules, ProfileSpec
from sourcing.models.config.setup import (
    CustomerSpec,
    LocationSpec,
    NetworkSpec,
    ProductSpec,
    VirtualCatalogueSpec,
    WebhookEventType,
    WebhookSpec,
)
from sourcing.models.config.tables import Customer, Location, Network, Product, VirtualCatalogue
from sourcing.models.config.tables import SourcingProfile as ProfileRow
from sourcing.models.db.enums import CustomerTier, FulfilmentStatus, LocationType, OrderType
from sourcing.models.events.tables import WebhookSubscription
from sourcing.server.convert.carriers import (
    calendar_from_proto,
    calendar_to_proto,
    service_to_proto,
    services_from_proto,
)
from sourcing.server.convert.fields import (
    URL_LENGTH,
    check_count,
    check_name,
    check_number,
    enum_from_proto,
    enum_to_proto,
    money_from_proto,
    optional_ref,
    refs,
    require_ref,
    timestamp,
)
from sourcing.server.errors import FieldError
from sourcing.solver import DEFAULT_REJECTION_LOCATION_REF, DEFAULT_SPLIT_LIMIT, Weights
from sourcing.v1 import common_pb2, config_pb2, domain_pb2


def location_from_proto(location: config_pb2.Location, field: str) -> LocationSpec:
    """A location to store; output-only fields are ignored."""
    fixed_cost, _ = money_from_proto(
        location.fixed_cost, f"{field}.fixed_cost", currency_required=False
    )
    handling_cost, _ = money_from_proto(
        location.handling_cost, f"{field}.handling_cost", currency_required=False
    )
    capacities = {
        name: check_count(getattr(location, name), f"{field}.{name}")
        if location.HasField(name)
        else None
        for name in ("daily_capacity", "daily_capacity_hd", "daily_capacity_cc", "open_order_limit")
    }
    return LocationSpec(
        ref=require_ref(location.ref, f"{field}.ref"),
        name=check_name(location.name, f"{field}.name"),
        type=enum_from_proto(location.type, config_pb2.LocationType, LocationType, f"{field}.type"),
        latitude=check_number(location.latitude, f"{field}.latitude", low=-90.0, high=90.0),
        longitude=check_number(location.longitude, f"{field}.longitude", low=-180.0, high=180.0),
        network_refs=refs(location.network_refs, f"{field}.network_refs"),
        fixed_cost_minor=fixed_cost,
        handling_cost_minor=handling_cost,
        shipping_cost_per_unit_km=check_number(
            location.shipping_cost_per_unit_km, f"{field}.shipping_cost_per_unit_km", low=0.0
        ),
        pick_pack_hours=check_number(location.pick_pack_hours, f"{field}.pick_pack_hours", low=0),
        capacity_total=capacities["daily_capacity"],
        capacity_hd=capacities["daily_capacity_hd"],
        capacity_cc=capacities["daily_capacity_cc"],
        open_order_limit=capacities["open_order_limit"],
        hd_enabled=location.hd_enabled if location.HasField("hd_enabled") else True,
        cc_enabled=location.cc_enabled if location.HasField("cc_enabled") else True,
        flagship=location.flagship,
        vip_service=location.vip_service,
        expedited_shipping=location.expedited_shipping,
        calendar=calendar_from_proto(location.calendar, f"{field}.calendar"),
        carrier_services=services_from_proto(
            list(location.carrier_services), f"{field}.carrier_services"
        ),
    )


def location_to_proto(row: Location) -> config_pb2.Location:
    """The stored location; costs carry no currency (the table keeps none)."""
    message = config_pb2.Location(
        ref=row.ref,
        name=row.name,
        type=enum_to_proto(row.type, config_pb2.LocationType),
        latitude=row.latitude,
        longitude=row.longitude,
        network_refs=sorted(network.ref for network in row.networks),
        fixed_cost=common_pb2.Money(amount_minor=row.fixed_cost_minor),
        handling_cost=common_pb2.Money(amount_minor=row.handling_cost_minor),
        shipping_cost_per_unit_km=row.shipping_cost_per_unit_km,
        pick_pack_hours=row.pick_pack_hours,
        hd_enabled=row.hd_enabled,
        cc_enabled=row.cc_enabled,
        flagship=row.flagship,
        vip_service=row.vip_service,
        expedited_shipping=row.expedited_shipping,
        create_time=timestamp(row.created_at),
        carrier_services=[service_to_proto(s) for s in row.carrier_services or ()],
    )
    calendar = calendar_to_proto(row.calendar)
    if calendar is not None:
        message.calendar.CopyFrom(calendar)
    for name, value in (
        ("daily_capacity", row.capacity_total),
        ("daily_capacity_hd", row.capacity_hd),
        ("daily_capacity_cc", row.capacity_cc),
        ("open_order_limit", row.open_order_limit),
    ):
        if value is not None:
            setattr(message, name, value)
    return message


# Location fields an update mask may name: everything but the ref and the
# output-only times.
UPDATABLE_LOCATION_FIELDS = frozenset(
    f.name
    for f in config_pb2.Location.DESCRIPTOR.fields
    if f.name not in {"ref", "create_time", "update_time"}
)


def location_update_paths(paths: list[str]) -> list[str]:
    """The update mask's paths, each a field of Location that may change."""
    if not paths:
        raise FieldError("update_mask", "Expected at least one field of location to change.")
    for i, path in enumerate(paths):
        if path not in UPDATABLE_LOCATION_FIELDS:
            raise FieldError(
                f"update_mask.paths[{i}]",
                f"Expected one of {', '.join(sorted(UPDATABLE_LOCATION_FIELDS))}, got {path!r}.",
            )
    return list(paths)


def network_from_proto(network: config_pb2.Network, field: str) -> NetworkSpec:
    """A network to create."""
    return NetworkSpec(
        ref=require_ref(network.ref, f"{field}.ref"),
        name=check_name(network.name, f"{field}.name"),
        order_type=enum_from_proto(
            network.order_type, common_pb2.OrderType, OrderType, f"{field}.order_type"
        ),
        location_refs=refs(network.location_refs, f"{field}.location_refs"),
    )


def network_to_proto(row: Network) -> config_pb2.Network:
    """The stored network, its locations by ref."""
    return config_pb2.Network(
        ref=row.ref,
        name=row.name,
        order_type=enum_to_proto(row.order_type, common_pb2.OrderType),
        location_refs=sorted(location.ref for location in row.locations),
    )


def virtual_catalogue_from_proto(
    catalogue: config_pb2.VirtualCatalogue, field: str
) -> VirtualCatalogueSpec:
    """A virtual catalogue to create."""
    category_buffers = {
        require_ref(category, f"{field}.category_buffer_qty"): check_count(
            qty, f"{field}.category_buffer_qty[{category}]"
        )
        for category, qty in sorted(catalogue.category_buffer_qty.items())
    }
    return VirtualCatalogueSpec(
        ref=require_ref(catalogue.ref, f"{field}.ref"),
        name=check_name(catalogue.name, f"{field}.name"),
        network_ref=require_ref(catalogue.network_ref, f"{field}.network_ref"),
        extra_buffer_qty=check_count(catalogue.extra_buffer_qty, f"{field}.extra_buffer_qty"),
        category_buffer_qty=category_buffers,
    )


def virtual_catalogue_to_proto(row: VirtualCatalogue) -> config_pb2.VirtualCatalogue:
    """The stored virtual catalogue."""
    return config_pb2.VirtualCatalogue(
        ref=row.ref,
        name=row.name,
        network_ref=row.network.ref,
        extra_buffer_qty=row.extra_buffer_qty,
        category_buffer_qty={k: int(v) for k, v in row.category_buffers.items()},
    )


def product_from_proto(product: config_pb2.Product, field: str) -> ProductSpec:
    """A product to create; its price needs a currency."""
    if not product.HasField("price"):
        raise FieldError(f"{field}.price", "Expected a price with a currency.")
    price, currency = money_from_proto(product.price, f"{field}.price", currency_required=True)
    return ProductSpec(
        ref=require_ref(product.ref, f"{field}.ref"),
        name=check_name(product.name, f"{field}.name"),
        price_minor=price,
        currency=currency,
        category=optional_ref(product.category, f"{field}.category"),
        weight_grams=check_count(product.weight_grams, f"{field}.weight_grams")
        if product.HasField("weight_grams")
        else None,
    )


def product_to_proto(row: Product) -> config_pb2.Product:
    """The stored product."""
    return config_pb2.Product(
        ref=row.ref,
        name=row.name,
        category=row.category or "",
        price=common_pb2.Money(amount_minor=row.price_minor, currency=row.currency),
        weight_grams=row.weight_grams,
    )


def customer_from_proto(customer: domain_pb2.Customer, field: str) -> CustomerSpec:
    """A customer to create or replace; an unset tier is STANDARD. The name is not stored."""
    check_name(customer.name, f"{field}.name")
    return CustomerSpec(
        ref=require_ref(customer.ref, f"{field}.ref"),
        tier=enum_from_proto(
            customer.tier,
            common_pb2.CustomerTier,
            CustomerTier,
            f"{field}.tier",
            default=CustomerTier.STANDARD,
        ),
    )


def customer_to_proto(row: Customer) -> domain_pb2.Customer:
    """The stored customer."""
    return domain_pb2.Customer(ref=row.ref, tier=enum_to_proto(row.tier, common_pb2.CustomerTier))


def weights_from_proto(weights: config_pb2.SourcingWeights, field: str) -> dict[str, float]:
    """The weights that are set, by the solver's names; each checked by ``Weights`` itself."""
    given: dict[str, float] = {}
    for name in Weights.names():
        if weights.HasField(name):
            value = getattr(weights, name)
            try:
                Weights.from_mapping({name: value})
            except ValueError as error:
                raise FieldError(f"{field}.{name}", str(error)) from None
            given[name] = float(value)
    return given


def weights_to_proto(weights: Weights) -> config_pb2.SourcingWeights:
    """Every weight, set."""
    return config_pb2.SourcingWeights(**asdict(weights))


def _statuses(values: Iterable[int], field: str) -> tuple[FulfilmentStatus, ...]:
    statuses = (
        enum_from_proto(v, common_pb2.FulfilmentStatus, FulfilmentStatus, f"{field}[{i}]")
        for i, v in enumerate(values)
    )
    return tuple(dict.fromkeys(statuses)) or BEFORE_PICKING


def rules_from_proto(rules: config_pb2.SourcingRules, field: str) -> ProfileRules:
    """A profile's rules, with the contract's defaults for what is left empty."""
    reserve = {
        require_ref(product, f"{field}.vip_reserve_qty"): check_count(
            qty, f"{field}.vip_reserve_qty[{product}]"
        )
        for product, qty in sorted(rules.vip_reserve_qty.items())
    }
    open_order_limit = (
        check_count(rules.hd_open_order_limit, f"{field}.hd_open_order_limit")
        if rules.HasField("hd_open_order_limit")
        else None
    )
    return ProfileRules(
        vip_only_products=refs(rules.vip_only_product_refs, f"{field}.vip_only_product_refs"),
        vip_reserve_qty=reserve,
        cc_only_products=refs(rules.cc_only_product_refs, f"{field}.cc_only_product_refs"),
        excluded_products=refs(rules.excluded_product_refs, f"{field}.excluded_product_refs"),
        excluded_categories=refs(rules.excluded_categories, f"{field}.excluded_categories"),
        excluded_locations=refs(rules.excluded_location_refs, f"{field}.excluded_location_refs"),
        hd_open_order_limit=open_order_limit,
        flagship_extra_buffer=check_count(
            rules.flagship_extra_buffer, f"{field}.flagship_extra_buffer"
        ),
        network=optional_ref(rules.network_ref, f"{field}.network_ref"),
        rejection_location_ref=optional_ref(
            rules.rejection_location_ref, f"{field}.rejection_location_ref"
        )
        or DEFAULT_REJECTION_LOCATION_REF,
        sla_slack_minutes=check_count(rules.sla_slack_minutes, f"{field}.sla_slack_minutes"),
        overdue_action=enum_from_proto(
            rules.overdue_action,
            config_pb2.OverdueAction,
            OverdueAction,
            f"{field}.overdue_action",
            default=OverdueAction.ESCALATE,
        ),
        cancellable_statuses=_statuses(rules.cancellable_statuses, f"{field}.cancellable_statuses"),
        revisable_statuses=_statuses(rules.revisable_statuses, f"{field}.revisable_statuses"),
    )


def rules_to_proto(rules: ProfileRules) -> config_pb2.SourcingRules:
    """A profile's stored rules."""
    message = config_pb2.SourcingRules(
        vip_only_product_refs=rules.vip_only_products,
        vip_reserve_qty=dict(rules.vip_reserve_qty),
        cc_only_product_refs=rules.cc_only_products,
        excluded_product_refs=rules.excluded_products,
        excluded_categories=rules.excluded_categories,
        excluded_location_refs=rules.excluded_locations,
        flagship_extra_buffer=rules.flagship_extra_buffer,
        rejection_location_ref=rules.rejection_location_ref,
        sla_slack_minutes=rules.sla_slack_minutes,
        overdue_action=enum_to_proto(rules.overdue_action, config_pb2.OverdueAction),
        cancellable_statuses=[
            enum_to_proto(s, common_pb2.FulfilmentStatus) for s in rules.cancellable_statuses
        ],
        revisable_statuses=[
            enum_to_proto(s, common_pb2.FulfilmentStatus) for s in rules.revisable_statuses
        ],
        network_ref=rules.network or "",
    )
    if rules.hd_open_order_limit is not None:
        message.hd_open_order_limit = rules.hd_open_order_limit
    return message


def profile_from_proto(profile: config_pb2.SourcingProfile, field: str) -> ProfileSpec:
    """A new profile version; output-only fields are ignored."""
    split_limit = (
        check_count(profile.split_limit, f"{field}.split_limit", minimum=1)
        if profile.HasField("split_limit")
        else DEFAULT_SPLIT_LIMIT
    )
    return ProfileSpec(
        order_type=enum_from_proto(
            profile.order_type, common_pb2.OrderType, OrderType, f"{field}.order_type"
        ),
        weights=weights_from_proto(profile.weights, f"{field}.weights"),
        split_limit=split_limit,
        rules=replace(
            rules_from_proto(profile.rules, f"{field}.rules"),
            service_choice=_SERVICE_CHOICES.get(profile.service_choice, "CHEAPEST"),
        ),
    )


# The stored service choice of each wire value (unset: the cheapest).
_SERVICE_CHOICES = {
    config_pb2.SERVICE_CHOICE_CHEAPEST: "CHEAPEST",
    config_pb2.SERVICE_CHOICE_MEETS_NEED_BY: "MEETS_NEED_BY",
}
_WIRE_CHOICES = {stored: wire for wire, stored in _SERVICE_CHOICES.items()}


def profile_to_proto(row: ProfileRow) -> config_pb2.SourcingProfile:
    """A stored profile version, its unset weights filled with the solver's defaults."""
    return config_pb2.SourcingProfile(
        order_type=enum_to_proto(row.order_type, common_pb2.OrderType),
        version=row.version,
        active=row.active,
        weights=weights_to_proto(Weights.from_mapping(row.weights)),
        split_limit=row.split_limit,
        rules=rules_to_proto(ProfileRules.from_json(row.rules)),
        service_choice=_WIRE_CHOICES.get(
            (row.rules or {}).get("service_choice", "CHEAPEST"),
            config_pb2.SERVICE_CHOICE_CHEAPEST,
        ),
        # Version 0 is the solver's defaults, never stored, so never created.
        create_time=timestamp(row.created_at) if row.version else None,
    )


def webhook_from_proto(
    subscription: config_pb2.WebhookSubscription, field: str, *, allow_http: bool = False
) -> WebhookSpec:
    """A subscription to create: an https URL, a secret, the events wanted.

    Plain http would send the signed payloads (order data) in clear: only a
    loopback receiver (local development, the tests) or ``allow_http`` may use it.
    """
    url = check_name(subscription.url, f"{field}.url", required=True, max_length=URL_LENGTH)
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        hostname = None
    if not hostname or parts.scheme not in {"http", "https"}:
        raise FieldError(f"{field}.url", f"Expected an http:// or https:// URL, got {url!r}.")
    if parts.scheme == "http" and not allow_http and not _loopback_host(hostname):
        raise FieldError(
            f"{field}.url",
            f"Expected an https:// URL, got {url!r} (http only to loopback, "
            "or with the server's --allow-http-webhooks).",
        )
    event_types = (
        enum_from_proto(
            v, config_pb2.WebhookEventType, WebhookEventType, f"{field}.event_types[{i}]"
        )
        for i, v in enumerate(subscription.event_types)
    )
    return WebhookSpec(
        url=url,
        secret=check_name(subscription.secret, f"{field}.secret", required=True),
        event_types=tuple(dict.fromkeys(event_types)),
    )


def _loopback_host(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def webhook_to_proto(row: WebhookSubscription) -> config_pb2.WebhookSubscription:
    """A stored subscription, without its secret."""
    return config_pb2.WebhookSubscription(
        id=str(row.id),
        url=row.url,
        event_types=[
            enum_to_proto(WebhookEventType(name), config_pb2.WebhookEventType)
            for name in row.event_types
        ],
        create_time=timestamp(row.created_at),
    )

"""ConfigService: the retailer's set-up, a thin adapter over ``sourcing.models.config.calls``.

Each RPC checks and converts its request first (``convert.config``), then
makes one call; the call owns the transaction and hands each row it yields
to the ``convert`` function given, before the commit.
"""

from __future__ import annotations

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config import calls
from sourcing.models.config.setup import LocationSpec
from sourcing.models.config.tables import Location
from sourcing.models.db.enums import LocationType, OrderType
from sourcing.server.convert import config as convert
from sourcing.server.convert.fields import (
    Page,
    check_count,
    enum_from_proto,
    optional_ref,
    refs,
    require_ref,
)
from sourcing.v1 import common_pb2, config_pb2, config_pb2_grpc


class ConfigServicer(config_pb2_grpc.ConfigServiceServicer):  # type: ignore[misc]
    """Locations, networks, catalogues, products, customers, profiles and webhooks."""

    def __init__(
        self, sessions: sessionmaker[Session], *, allow_http_webhooks: bool = False
    ) -> None:
        self.sessions = sessions
        self.allow_http_webhooks = allow_http_webhooks

    def CreateLocation(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateLocationRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateLocationResponse:
        """Create a location; ALREADY_EXISTS when the ref is taken."""
        spec = convert.location_from_proto(request.location, "location")
        location = calls.create_location(self.sessions, spec, convert.location_to_proto)
        return config_pb2.CreateLocationResponse(location=location)

    def UpdateLocation(  # noqa: N802 - the RPC's name
        self, request: config_pb2.UpdateLocationRequest, context: grpc.ServicerContext
    ) -> config_pb2.UpdateLocationResponse:
        """Change the masked fields of a location, checked as a whole afterwards."""
        mask = FieldMask(paths=convert.location_update_paths(list(request.update_mask.paths)))
        ref = require_ref(request.location.ref, "location.ref")

        def revise(stored: Location) -> LocationSpec:
            merged = convert.location_to_proto(stored)
            mask.MergeMessage(
                request.location, merged, replace_message_field=True, replace_repeated_field=True
            )
            return convert.location_from_proto(merged, "location")

        location = calls.update_location(self.sessions, ref, revise, convert.location_to_proto)
        return config_pb2.UpdateLocationResponse(location=location)

    def ListLocations(  # noqa: N802 - the RPC's name
        self, request: config_pb2.ListLocationsRequest, context: grpc.ServicerContext
    ) -> config_pb2.ListLocationsResponse:
        """One page of locations by ref, filtered."""
        page = Page.from_request(request.page_size, request.page_token)
        only = refs(request.refs, "refs")
        network_ref = optional_ref(request.network_ref, "network_ref")
        location_type = (
            enum_from_proto(request.type, config_pb2.LocationType, LocationType, "type")
            if request.type
            else None
        )
        locations = calls.list_locations(
            self.sessions,
            convert.location_to_proto,
            refs=only,
            network_ref=network_ref,
            location_type=location_type,
            offset=page.offset,
            limit=page.limit + 1,
        )
        shown, token = page.cut(locations)
        return config_pb2.ListLocationsResponse(locations=shown, next_page_token=token)

    def CreateNetwork(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateNetworkRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateNetworkResponse:
        """Create a network of existing locations."""
        spec = convert.network_from_proto(request.network, "network")
        network = calls.create_network(self.sessions, spec, convert.network_to_proto)
        return config_pb2.CreateNetworkResponse(network=network)

    def CreateVirtualCatalogue(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateVirtualCatalogueRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateVirtualCatalogueResponse:
        """Create a virtual catalogue over an existing network."""
        spec = convert.virtual_catalogue_from_proto(request.virtual_catalogue, "virtual_catalogue")
        catalogue = calls.create_virtual_catalogue(
            self.sessions, spec, convert.virtual_catalogue_to_proto
        )
        return config_pb2.CreateVirtualCatalogueResponse(virtual_catalogue=catalogue)

    def CreateProduct(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateProductRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateProductResponse:
        """Create a product; ALREADY_EXISTS when the ref is taken."""
        spec = convert.product_from_proto(request.product, "product")
        product = calls.create_product(self.sessions, spec, convert.product_to_proto)
        return config_pb2.CreateProductResponse(product=product)

    def UpsertCustomer(  # noqa: N802 - the RPC's name
        self, request: config_pb2.UpsertCustomerRequest, context: grpc.ServicerContext
    ) -> config_pb2.UpsertCustomerResponse:
        """Create a customer or replace the one with its ref."""
        spec = convert.customer_from_proto(request.customer, "customer")
        customer, created = calls.upsert_customer(self.sessions, spec, convert.customer_to_proto)
        return config_pb2.UpsertCustomerResponse(customer=customer, created=created)

    def SetSourcingProfile(  # noqa: N802 - the RPC's name
        self, request: config_pb2.SetSourcingProfileRequest, context: grpc.ServicerContext
    ) -> config_pb2.SetSourcingProfileResponse:
        """Store a new profile version for its order type and make it the active one."""
        spec = convert.profile_from_proto(request.profile, "profile")
        profile = calls.set_sourcing_profile(self.sessions, spec, convert.profile_to_proto)
        return config_pb2.SetSourcingProfileResponse(profile=profile)

    def GetSourcingProfile(  # noqa: N802 - the RPC's name
        self, request: config_pb2.GetSourcingProfileRequest, context: grpc.ServicerContext
    ) -> config_pb2.GetSourcingProfileResponse:
        """The active profile of an order type, or one version of it."""
        order_type = enum_from_proto(
            request.order_type, common_pb2.OrderType, OrderType, "order_type"
        )
        version = (
            check_count(request.version, "version", minimum=1)
            if request.HasField("version")
            else None
        )
        profile = calls.get_sourcing_profile(
            self.sessions, order_type, version, convert.profile_to_proto
        )
        return config_pb2.GetSourcingProfileResponse(profile=profile)

    def CreateWebhookSubscription(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateWebhookSubscriptionRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateWebhookSubscriptionResponse:
        """Subscribe a URL to webhook events; the secret is never returned."""
        spec = convert.webhook_from_proto(
            request.subscription, "subscription", allow_http=self.allow_http_webhooks
        )
        subscription = calls.create_webhook_subscription(
            self.sessions, spec, convert.webhook_to_proto
        )
        return config_pb2.CreateWebhookSubscriptionResponse(subscription=subscription)

    def ListWebhookSubscriptions(  # noqa: N802 - the RPC's name
        self, request: config_pb2.ListWebhookSubscriptionsRequest, context: grpc.ServicerContext
    ) -> config_pb2.ListWebhookSubscriptionsResponse:
        """Every subscription, oldest first, without secrets."""
        subscriptions = calls.list_webhook_subscriptions(self.sessions, convert.webhook_to_proto)
        return config_pb2.ListWebhookSubscriptionsResponse(subscriptions=subscriptions)

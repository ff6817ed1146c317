"""ConfigService: the retailer's set-up, a thin adapter over ``sourcing.models``.

Each RPC checks and converts its request first (``convert.config``), then
runs one transaction (``run_in_transaction``) that writes through
``sourcing.models.config.setup`` and ``sourcing.models.config.profiles`` and builds the
response while the rows are still attached to their session.
"""

from __future__ import annotations

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config import profiles, setup
from sourcing.models.db.enums import LocationType, OrderType
from sourcing.models.db.retry import run_in_transaction
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

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def CreateLocation(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateLocationRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateLocationResponse:
        """Create a location; ALREADY_EXISTS when the ref is taken."""
        spec = convert.location_from_proto(request.location, "location")

        def work(session: Session) -> config_pb2.CreateLocationResponse:
            row = setup.create_location(session, spec)
            return config_pb2.CreateLocationResponse(location=convert.location_to_proto(row))

        return run_in_transaction(self.sessions, work, entity="location")

    def UpdateLocation(  # noqa: N802 - the RPC's name
        self, request: config_pb2.UpdateLocationRequest, context: grpc.ServicerContext
    ) -> config_pb2.UpdateLocationResponse:
        """Change the masked fields of a location, checked as a whole afterwards."""
        mask = FieldMask(paths=convert.location_update_paths(list(request.update_mask.paths)))
        ref = require_ref(request.location.ref, "location.ref")

        def work(session: Session) -> config_pb2.UpdateLocationResponse:
            merged = convert.location_to_proto(setup.get_location(session, ref))
            mask.MergeMessage(
                request.location, merged, replace_message_field=True, replace_repeated_field=True
            )
            spec = convert.location_from_proto(merged, "location")
            row = setup.update_location(session, spec)
            return config_pb2.UpdateLocationResponse(location=convert.location_to_proto(row))

        return run_in_transaction(self.sessions, work, entity="location")

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

        def work(session: Session) -> config_pb2.ListLocationsResponse:
            rows = setup.list_locations(
                session,
                refs=only,
                network_ref=network_ref,
                location_type=location_type,
                offset=page.offset,
                limit=page.limit + 1,
            )
            shown, token = page.cut(rows)
            return config_pb2.ListLocationsResponse(
                locations=[convert.location_to_proto(row) for row in shown], next_page_token=token
            )

        return run_in_transaction(self.sessions, work)

    def CreateNetwork(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateNetworkRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateNetworkResponse:
        """Create a network of existing locations."""
        spec = convert.network_from_proto(request.network, "network")

        def work(session: Session) -> config_pb2.CreateNetworkResponse:
            row = setup.create_network(session, spec)
            return config_pb2.CreateNetworkResponse(network=convert.network_to_proto(row))

        return run_in_transaction(self.sessions, work, entity="network")

    def CreateVirtualCatalogue(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateVirtualCatalogueRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateVirtualCatalogueResponse:
        """Create a virtual catalogue over an existing network."""
        spec = convert.virtual_catalogue_from_proto(request.virtual_catalogue, "virtual_catalogue")

        def work(session: Session) -> config_pb2.CreateVirtualCatalogueResponse:
            row = setup.create_virtual_catalogue(session, spec)
            return config_pb2.CreateVirtualCatalogueResponse(
                virtual_catalogue=convert.virtual_catalogue_to_proto(row)
            )

        return run_in_transaction(self.sessions, work, entity="virtual catalogue")

    def CreateProduct(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateProductRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateProductResponse:
        """Create a product; ALREADY_EXISTS when the ref is taken."""
        spec = convert.product_from_proto(request.product, "product")

        def work(session: Session) -> config_pb2.CreateProductResponse:
            row = setup.create_product(session, spec)
            return config_pb2.CreateProductResponse(product=convert.product_to_proto(row))

        return run_in_transaction(self.sessions, work, entity="product")

    def UpsertCustomer(  # noqa: N802 - the RPC's name
        self, request: config_pb2.UpsertCustomerRequest, context: grpc.ServicerContext
    ) -> config_pb2.UpsertCustomerResponse:
        """Create a customer or replace the one with its ref."""
        spec = convert.customer_from_proto(request.customer, "customer")

        def work(session: Session) -> config_pb2.UpsertCustomerResponse:
            row, created = setup.upsert_customer(session, spec)
            return config_pb2.UpsertCustomerResponse(
                customer=convert.customer_to_proto(row), created=created
            )

        return run_in_transaction(self.sessions, work, entity="customer")

    def SetSourcingProfile(  # noqa: N802 - the RPC's name
        self, request: config_pb2.SetSourcingProfileRequest, context: grpc.ServicerContext
    ) -> config_pb2.SetSourcingProfileResponse:
        """Store a new profile version for its order type and make it the active one."""
        spec = convert.profile_from_proto(request.profile, "profile")

        def work(session: Session) -> config_pb2.SetSourcingProfileResponse:
            row = profiles.set_sourcing_profile(session, spec)
            return config_pb2.SetSourcingProfileResponse(profile=convert.profile_to_proto(row))

        return run_in_transaction(self.sessions, work, entity="sourcing profile")

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

        def work(session: Session) -> config_pb2.GetSourcingProfileResponse:
            row = profiles.get_sourcing_profile(session, order_type, version)
            return config_pb2.GetSourcingProfileResponse(profile=convert.profile_to_proto(row))

        return run_in_transaction(self.sessions, work)

    def CreateWebhookSubscription(  # noqa: N802 - the RPC's name
        self, request: config_pb2.CreateWebhookSubscriptionRequest, context: grpc.ServicerContext
    ) -> config_pb2.CreateWebhookSubscriptionResponse:
        """Subscribe a URL to webhook events; the secret is never returned."""
        spec = convert.webhook_from_proto(request.subscription, "subscription")

        def work(session: Session) -> config_pb2.CreateWebhookSubscriptionResponse:
            row = setup.create_webhook_subscription(session, spec)
            return config_pb2.CreateWebhookSubscriptionResponse(
                subscription=convert.webhook_to_proto(row)
            )

        return run_in_transaction(self.sessions, work, entity="webhook subscription")

    def ListWebhookSubscriptions(  # noqa: N802 - the RPC's name
        self, request: config_pb2.ListWebhookSubscriptionsRequest, context: grpc.ServicerContext
    ) -> config_pb2.ListWebhookSubscriptionsResponse:
        """Every subscription, oldest first, without secrets."""

        def work(session: Session) -> config_pb2.ListWebhookSubscriptionsResponse:
            rows = setup.list_webhook_subscriptions(session)
            return config_pb2.ListWebhookSubscriptionsResponse(
                subscriptions=[convert.webhook_to_proto(row) for row in rows]
            )

        return run_in_transaction(self.sessions, work)

"""Authentication through a real server over real TLS, on both databases.

Every refused call is checked to have written nothing: no table's row count
changes, the audit trail included.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sourcing.models.access import audit
from sourcing.models.access.keys import revoke_key, split_key
from sourcing.models.db.base import utcnow
from sourcing.server.auth.client import secure_channel
from sourcing.v1 import config_pb2, inventory_pb2, orders_pb2
from tests.server.auth.conftest import AUDIENCE, Secured, status_of

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
NEW_LOCATION = config_pb2.CreateLocationRequest(
    location=config_pb2.Location(
        ref="NEW",
        name="New store",
        type=config_pb2.LOCATION_TYPE_STORE,
        latitude=1.0,
        longitude=1.0,
    )
)


def create_location(
    secured: Secured, bearer: str | None, host: str = "localhost"
) -> grpc.StatusCode:
    """CreateLocation with ``bearer``: a write every refused caller must not get through."""
    with secured.clients(bearer, host) as clients:
        return status_of(lambda: clients.config.CreateLocation(NEW_LOCATION, timeout=10))


def test_no_credentials_wrong_expired_and_revoked_keys(secured: Secured) -> None:
    """Each is UNAUTHENTICATED and writes nothing; the admin key then writes (and is audited)."""
    admin = secured.key("admin")
    expired = secured.key("admin", expires_at=utcnow() - timedelta(minutes=1))
    revoked = secured.key("admin")
    revoke_key(secured.sessions, split_key(revoked)[0])  # type: ignore[index]
    wrong = admin[:-4] + "AAAA"
    before = secured.rows()
    for bearer in (None, wrong, expired, revoked, "sk_unknown.secret"):
        assert create_location(secured, bearer) is UNAUTHENTICATED, bearer
    assert secured.rows() == before
    assert create_location(secured, admin) is grpc.StatusCode.OK
    rows = audit.read(secured.sessions, audit.AuditFilter())
    assert [(r.method, r.outcome, r.location_ref) for r in rows] == [
        ("/sourcing.v1.ConfigService/CreateLocation", "OK", None)
    ]
    assert rows[0].principal == f"key:{split_key(admin)[0]}"  # type: ignore[index]


def test_jwts(secured: Secured) -> None:
    """A good token passes; a bad signature, a wrong audience or an expiry does not."""
    assert create_location(secured, secured.token(roles=["admin"])) is grpc.StatusCode.OK
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    before = secured.rows()
    refused = [
        secured.token(roles=["admin"], key=stranger),
        secured.token(roles=["admin"], aud="someone-else"),
        secured.token(roles=["admin"], exp=utcnow() - timedelta(minutes=5)),
        secured.token(roles=["admin"], iss="https://evil.test/"),
    ]
    for token in refused:
        assert create_location(secured, token) is UNAUTHENTICATED
    assert secured.rows() == before
    # A valid token whose roles lack the permission: known caller, PERMISSION_DENIED.
    analyst = secured.token(roles="analyst", aud=AUDIENCE)
    assert create_location(secured, analyst) is grpc.StatusCode.PERMISSION_DENIED
    assert secured.rows() == before


STOCK = inventory_pb2.SetStockRequest(
    positions=[inventory_pb2.StockPosition(location_ref="NOWHERE", product_ref="NONE", on_hand=1)]
)


@pytest.mark.parametrize(
    ("role", "allowed", "forbidden"),
    [
        ("admin", "ListLocations", None),
        ("order_host", "ListOrders", "SetStock"),
        ("store", "ListOrders", "CreateLocation"),
        ("inventory_feed", "SetStock", "ListOrders"),
        ("analyst", "ListLocations", "SetStock"),
    ],
)
def test_each_role(secured: Secured, role: str, allowed: str, forbidden: str | None) -> None:
    """A role's own call passes the gate; another role's call is PERMISSION_DENIED, unwritten.

    (SetStock for an unknown location passes the gate and then fails NOT_FOUND.)
    """
    key = secured.key(role, locations=("A",) if role == "store" else ())
    calls = {
        "ListLocations": lambda c: c.config.ListLocations(config_pb2.ListLocationsRequest()),
        "ListOrders": lambda c: c.orders.ListOrders(orders_pb2.ListOrdersRequest()),
        "SetStock": lambda c: c.inventory.SetStock(STOCK),
        "CreateLocation": lambda c: c.config.CreateLocation(NEW_LOCATION),
    }
    with secured.clients(key) as clients:
        passed = status_of(lambda: calls[allowed](clients))
        assert passed in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND), passed
        if forbidden is not None:
            before = secured.rows()
            denied = status_of(lambda: calls[forbidden](clients))
            assert denied is grpc.StatusCode.PERMISSION_DENIED
            assert secured.rows() == before


def test_health_is_open_and_reflection_is_admin_only(secured: Secured) -> None:
    """A load balancer checks health without credentials; reflection needs an admin."""
    with secure_channel(secured.target, secured.ca.cert_pem) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=5
        )
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    analyst = secured.key("analyst")
    ask = reflection_pb2.ServerReflectionRequest(list_services="")
    for bearer, expected in ((None, UNAUTHENTICATED), (analyst, grpc.StatusCode.PERMISSION_DENIED)):
        with secure_channel(secured.target, secured.ca.cert_pem, bearer) as channel:
            info = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo
            assert status_of(lambda: list(info(iter([ask]), timeout=5))) is expected  # noqa: B023
    with secure_channel(secured.target, secured.ca.cert_pem, secured.key("admin")) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = list(stub.ServerReflectionInfo(iter([ask]), timeout=5))
        assert answers[0].list_services_response.service


def test_repeated_failures_lock_the_peer_out(secured: Secured) -> None:
    """After max_failures bad keys the peer is refused, even with a good key; others are not.

    ``localhost`` reaches the server over IPv6 (::1) here and ``127.0.0.1``
    over IPv4: two peer hosts on one machine.
    """
    good = secured.key("admin")
    codes = [create_location(secured, "sk_bad.guess", "[::1]") for _ in range(6)]
    assert codes == [UNAUTHENTICATED] * 6
    assert create_location(secured, good, "[::1]") is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert secured.rows()["locations"] == 1  # only RJT_1, from the migration
    assert create_location(secured, good, "127.0.0.1") is grpc.StatusCode.OK


def test_secrets_never_reach_logs_or_audit(
    secured: Secured, caplog: pytest.LogCaptureFixture
) -> None:
    """Keys, tokens and webhook secrets appear in no log line and no audit row."""
    caplog.set_level(logging.DEBUG)
    admin = secured.key("admin")
    token = secured.token(roles=["admin"], aud="wrong")
    create_location(secured, admin[:-2] + "xx")
    create_location(secured, token)
    hook = config_pb2.CreateWebhookSubscriptionRequest(
        subscription=config_pb2.WebhookSubscription(
            url="https://hooks.example.test/in", secret="whsec-very-secret"
        )
    )
    with secured.clients(admin) as clients:
        clients.config.CreateWebhookSubscription(hook, timeout=10)
    rows = audit.read(secured.sessions, audit.AuditFilter())
    assert len(rows) == 1
    text = caplog.text + repr(rows)
    for secret in (admin, admin.partition(".")[2], token, "whsec-very-secret"):
        assert secret not in text

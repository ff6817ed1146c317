"""AccessService over TLS: admins issue, list and revoke keys and read the audit trail."""

from __future__ import annotations

import grpc

from sourcing.server.auth.client import secure_channel
from sourcing.v1 import access_pb2, access_pb2_grpc, orders_pb2
from tests.server.auth.conftest import Secured, status_of
from tests.server.auth.test_secure_server import create_location


def test_keys_and_audit_over_grpc(secured: Secured) -> None:
    """A key issued over gRPC works at once, is listed without its secret, and stops on revoke."""
    admin_key = secured.key("admin")
    with secure_channel(secured.target, secured.ca.cert_pem, admin_key) as channel:
        access = access_pb2_grpc.AccessServiceStub(channel)
        issued = access.CreateKey(
            access_pb2.CreateKeyRequest(key=access_pb2.ApiKey(name="ops", role="admin")),
            timeout=10,
        )
        secret_key = issued.secret_key
        assert secret_key.startswith(f"sk_{issued.key.key_id}.")
        assert create_location(secured, secret_key) is grpc.StatusCode.OK
        listed = access.ListKeys(access_pb2.ListKeysRequest(), timeout=10)
        assert [k.name for k in listed.keys] == ["admin key", "ops"]
        assert secret_key.partition(".")[2] not in str(listed)
        access.RevokeKey(access_pb2.RevokeKeyRequest(key_id=issued.key.key_id), timeout=10)
        assert create_location(secured, secret_key) is grpc.StatusCode.UNAUTHENTICATED
        audit = access.ListAudit(
            access_pb2.ListAuditRequest(method="/sourcing.v1.ConfigService/CreateLocation"),
            timeout=10,
        )
        assert [(e.principal, e.outcome) for e in audit.entries] == [
            (f"key:{issued.key.key_id}", "OK")
        ]
        everything = access.ListAudit(access_pb2.ListAuditRequest(), timeout=10).entries
        assert [e.method.rsplit("/", 1)[1] for e in everything] == [
            "RevokeKey",
            "CreateLocation",
            "CreateKey",
        ]
        bad_role = access_pb2.CreateKeyRequest(key=access_pb2.ApiKey(name="x", role="root"))
        assert status_of(lambda: access.CreateKey(bad_role, timeout=10)) is (
            grpc.StatusCode.INVALID_ARGUMENT
        )


def test_only_admins_reach_access_service(secured: Secured) -> None:
    """An order host may not issue keys or read the audit trail; nothing is written."""
    host = secured.key("order_host")
    before = secured.rows()
    with secure_channel(secured.target, secured.ca.cert_pem, host) as channel:
        access = access_pb2_grpc.AccessServiceStub(channel)
        create = access_pb2.CreateKeyRequest(key=access_pb2.ApiKey(name="me", role="admin"))
        for call in (
            lambda: access.CreateKey(create, timeout=10),
            lambda: access.ListAudit(access_pb2.ListAuditRequest(), timeout=10),
        ):
            assert status_of(call) is grpc.StatusCode.PERMISSION_DENIED
        orders = channel.unary_unary(
            "/sourcing.v1.OrderService/ListOrders",
            request_serializer=orders_pb2.ListOrdersRequest.SerializeToString,
            response_deserializer=orders_pb2.ListOrdersResponse.FromString,
        )
        assert status_of(lambda: orders(orders_pb2.ListOrdersRequest(), timeout=10)) is (
            grpc.StatusCode.OK
        )
    assert secured.rows() == before

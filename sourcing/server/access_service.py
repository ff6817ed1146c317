"""AccessService: API keys and the audit trail over gRPC, for administrators only.

The permission table (``sourcing.server.auth.permissions``) limits every RPC
here to the admin role.
"""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access import audit, keys
from sourcing.server.convert import access as convert
from sourcing.v1 import access_pb2, access_pb2_grpc


class AccessServicer(access_pb2_grpc.AccessServiceServicer):  # type: ignore[misc]
    """Issue, list and revoke keys; read the audit trail."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def CreateKey(  # noqa: N802 - the RPC's name
        self, request: access_pb2.CreateKeyRequest, context: grpc.ServicerContext
    ) -> access_pb2.CreateKeyResponse:
        """Issue a key; its secret is in this response only."""
        name, role, locations, expires = convert.key_request(request.key, "key")
        secret_key, record = keys.create_key(
            self.sessions, name=name, role=role, locations=locations, expires_at=expires
        )
        return access_pb2.CreateKeyResponse(key=convert.key_to_proto(record), secret_key=secret_key)

    def ListKeys(  # noqa: N802 - the RPC's name
        self, request: access_pb2.ListKeysRequest, context: grpc.ServicerContext
    ) -> access_pb2.ListKeysResponse:
        """Every key, oldest first, without secrets."""
        records = keys.list_keys(self.sessions)
        return access_pb2.ListKeysResponse(keys=[convert.key_to_proto(r) for r in records])

    def RevokeKey(  # noqa: N802 - the RPC's name
        self, request: access_pb2.RevokeKeyRequest, context: grpc.ServicerContext
    ) -> access_pb2.RevokeKeyResponse:
        """Revoke a key at once; NOT_FOUND for an unknown key id."""
        record = keys.revoke_key(self.sessions, request.key_id)
        return access_pb2.RevokeKeyResponse(key=convert.key_to_proto(record))

    def ListAudit(  # noqa: N802 - the RPC's name
        self, request: access_pb2.ListAuditRequest, context: grpc.ServicerContext
    ) -> access_pb2.ListAuditResponse:
        """Audit rows, newest first, filtered."""
        rows = audit.read(self.sessions, convert.audit_filter(request))
        return access_pb2.ListAuditResponse(entries=[convert.audit_to_proto(r) for r in rows])

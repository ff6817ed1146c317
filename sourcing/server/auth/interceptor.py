"""The auth interceptor: who is calling, may they, within their stores; audit what changed.

Credentials come as ``authorization: Bearer <API key or JWT>`` metadata, or
as a client certificate under mTLS. Missing or bad credentials are
UNAUTHENTICATED, a known caller without the permission (or outside their
store scope) PERMISSION_DENIED; neither reaches a use case, so neither
writes anything. Repeated failures from one peer host are refused for a
while with RESOURCE_EXHAUSTED. Calls that change something get an audit
row with their outcome. Messages and log lines never carry a credential.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from google.protobuf.message import Message
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.access import audit
from sourcing.models.access.keys import VerifiedKeys
from sourcing.server.auth.identity import LOCAL_DEVELOPER, Identity, acting_as
from sourcing.server.auth.permissions import READ_ONLY, Permission, permission_for
from sourcing.server.auth.scope import OutOfScope, check_scope
from sourcing.server.auth.settings import Security
from sourcing.server.auth.throttle import FailureThrottle
from sourcing.server.auth.tokens import BadToken, JwtVerifier
from sourcing.server.interceptors import (
    Continuation,
    UnaryBehaviour,
    UnaryInterceptor,
    note_caller,
)

log = logging.getLogger(__name__)

ANONYMOUS = Identity("anonymous", ())
_AUDITED_REFS = {"order_ref", "fulfilment_id", "location_ref"}


class AuthInterceptor(UnaryInterceptor):
    """Authenticate, authorise, scope and audit every call (streams: authorise only)."""

    def __init__(self, sessions: sessionmaker[Session], security: Security) -> None:
        self.sessions = sessions
        self.security = security
        self.keys = VerifiedKeys(sessions)
        self.tokens = JwtVerifier(security.jwt) if security.jwt is not None else None
        self.throttle = FailureThrottle(
            security.max_failures, security.failure_window_s, security.lockout_s
        )

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = super().intercept_service(continuation, handler_call_details)
        if handler is None or handler.unary_unary is not None:
            return handler
        return self._guard_stream(handler_call_details.method, handler)

    def wrap(self, method: str, inner: UnaryBehaviour) -> UnaryBehaviour:
        permission = permission_for(method)
        audited = permission not in READ_ONLY and self.security.require_auth

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            identity = self.admit(method, permission, context)
            try:
                check_scope(self.sessions, identity, method, request)
            except OutOfScope as error:
                context.abort(grpc.StatusCode.PERMISSION_DENIED, str(error))
            note_caller(identity.principal)
            with acting_as(identity):
                if not audited:
                    return inner(request, context)
                outcome = "OK"
                try:
                    return inner(request, context)
                except Exception:
                    code = context.code()
                    outcome = code.name if code is not None else "UNKNOWN"
                    raise
                finally:
                    self._audit(identity, method, request, outcome)

        return guarded

    def _guard_stream(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        """Streaming handlers (reflection, health's Watch) are authorised, not scoped or audited."""
        permission = permission_for(method)
        if permission is Permission.REFLECTION and self.security.reflection_open:
            return handler
        kind, make = next(
            (kind, make)
            for kind, make in (
                ("unary_stream", grpc.unary_stream_rpc_method_handler),
                ("stream_unary", grpc.stream_unary_rpc_method_handler),
                ("stream_stream", grpc.stream_stream_rpc_method_handler),
            )
            if getattr(handler, kind) is not None
        )
        inner = getattr(handler, kind)
        streams_out = kind.endswith("_stream")

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            self.admit(method, permission, context)
            yield from inner(request, context)

        def guarded_once(request: Any, context: grpc.ServicerContext) -> Any:
            self.admit(method, permission, context)
            return inner(request, context)

        return make(
            guarded if streams_out else guarded_once,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def admit(
        self, method: str, permission: Permission | None, context: grpc.ServicerContext
    ) -> Identity:
        """The caller, once authenticated and allowed ``permission``; aborts otherwise."""
        if permission is Permission.OPEN:
            return ANONYMOUS
        if not self.security.require_auth:
            return LOCAL_DEVELOPER
        peer = context.peer()
        if self.throttle.refused(peer):
            context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "too many failed authentications from your address; try again later",
            )
        identity, problem = self._authenticate(context)
        if identity is None:
            self.throttle.failed(peer)
            log.warning("%s refused: %s (peer=%s)", method, problem, peer)
            context.abort(grpc.StatusCode.UNAUTHENTICATED, problem)
            raise AssertionError("abort raises")  # for the type checker
        self.throttle.succeeded(peer)
        if permission is None or not identity.may(permission):
            needed = permission.value if permission is not None else "an entry in the table"
            log.warning("%s denied to %s (needs %s)", method, identity.principal, needed)
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"{identity.principal} ({', '.join(identity.roles) or 'no role'}) "
                f"lacks {needed} for {method}",
            )
        return identity

    def _authenticate(self, context: grpc.ServicerContext) -> tuple[Identity | None, str]:
        bearer = _bearer(context)
        if bearer is None:
            certified = self._certificate_identity(context)
            if certified is not None:
                return certified, ""
            return None, "missing credentials: send 'authorization: Bearer <key or token>'"
        if bearer.startswith("sk_"):
            record = self.keys.check(bearer)
            if record is None:
                return None, "unknown, revoked or expired API key"
            return Identity(f"key:{record.key_id}", (record.role,), frozenset(record.locations)), ""
        if self.tokens is None:
            return None, "bearer tokens are not accepted by this server; use an API key"
        try:
            return self.tokens.identity(bearer), ""
        except BadToken as error:
            return None, str(error)

    def _certificate_identity(self, context: grpc.ServicerContext) -> Identity | None:
        names = context.auth_context().get("x509_common_name") or []
        for name in names:
            identity = self.security.client_certs.get(name.decode(errors="replace"))
            if identity is not None:
                return identity
        return None

    def _audit(self, identity: Identity, method: str, request: Message, outcome: str) -> None:
        refs: dict[str, str] = {}
        _collect_refs(request, refs)
        try:
            audit.record(
                self.sessions,
                audit.AuditRecord(
                    principal=identity.principal,
                    method=method,
                    outcome=outcome,
                    order_ref=refs.get("order_ref"),
                    fulfilment_id=refs.get("fulfilment_id"),
                    location_ref=refs.get("location_ref"),
                ),
            )
        except Exception:
            # The call's own result stands; a lost audit row must be loud in the log.
            log.exception("could not write the audit row for %s by %s", method, identity.principal)


def _bearer(context: grpc.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, credential = value.partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip()
    return None


def _collect_refs(message: Message, refs: dict[str, str], parent: str = "") -> None:
    """The first order ref, fulfilment id and location ref a request names, for the audit row."""
    for field, value in message.ListFields():
        if field.message_type is not None:
            if field.message_type.GetOptions().map_entry:
                continue
            children = value if field.is_repeated else [value]
            for child in children[:1]:
                _collect_refs(child, refs, field.name)
            continue
        name = "order_ref" if (parent == "order" and field.name == "ref") else field.name
        if name in _AUDITED_REFS and name not in refs and isinstance(value, str | int):
            refs[name] = str(value)[:64]

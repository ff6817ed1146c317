"""Safe defaults: loopback-only dev mode, https-only webhooks, and JWKS-verified tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcing.server.app import create_server
from sourcing.server.auth.settings import Security, TlsFiles, refusal
from sourcing.server.auth.tokens import BadToken, JwtSettings, JwtVerifier
from sourcing.server.convert.config import webhook_from_proto
from sourcing.server.errors import FieldError
from sourcing.v1 import config_pb2
from tests.server.auth.conftest import AUDIENCE, ISSUER, Secured, jwks_of

TLS = TlsFiles(Path("cert.pem"), Path("key.pem"))


@pytest.mark.parametrize(
    ("address", "security", "refused"),
    [
        ("127.0.0.1:0", Security(), False),
        ("[::1]:50051", Security(), False),
        ("localhost:50051", Security(), False),
        ("0.0.0.0:50051", Security(), True),
        ("0.0.0.0:50051", Security(require_auth=True), True),
        ("0.0.0.0:50051", Security(tls=TLS), True),
        ("0.0.0.0:50051", Security(require_auth=True, tls=TLS), False),
        ("0.0.0.0:50051", Security(insecure=True), False),
    ],
)
def test_where_a_server_may_listen(address: str, security: Security, refused: bool) -> None:
    """Beyond loopback only with TLS and credentials, or when told --insecure."""
    assert (refusal(address, security) is not None) is refused


def test_create_server_refuses_a_public_address_in_dev_mode(tmp_path: Path) -> None:
    """No credentials and 0.0.0.0: the server does not start."""
    with pytest.raises(PermissionError, match="no credentials"):
        create_server(f"sqlite:///{tmp_path / 'db.sqlite'}", address="0.0.0.0:0")


@pytest.mark.parametrize(
    ("url", "allow_http", "ok"),
    [
        ("https://hooks.example.test/in", False, True),
        ("http://hooks.example.test/in", False, False),
        ("http://hooks.example.test/in", True, True),
        ("http://127.0.0.1:8080/in", False, True),
        ("http://localhost:8080/in", False, True),
    ],
)
def test_webhooks_are_https_unless_loopback_or_allowed(
    url: str, allow_http: bool, ok: bool
) -> None:
    """Plain http only to a loopback receiver or with --allow-http-webhooks."""
    subscription = config_pb2.WebhookSubscription(url=url, secret="s")
    if ok:
        assert webhook_from_proto(subscription, "subscription", allow_http=allow_http).url == url
    else:
        with pytest.raises(FieldError, match=r"subscription\.url"):
            webhook_from_proto(subscription, "subscription", allow_http=allow_http)


def test_tokens_verified_against_a_jwks_file(secured: Secured, tmp_path: Path) -> None:
    """The key is picked by kid; roles and store scope come from the configured claims."""
    public_pem = (secured.folder / "idp.pem").read_bytes()
    (tmp_path / "jwks.json").write_text(jwks_of(public_pem, "k1"))
    settings = JwtSettings(
        ISSUER,
        AUDIENCE,
        jwks_file=tmp_path / "jwks.json",
        roles_claim="realm_access.roles",
        locations_claim="stores",
    )
    verifier = JwtVerifier(settings)
    token = secured.token(realm_access={"roles": ["store"]}, stores=["A", "B"])
    identity = verifier.identity(token)
    assert (identity.principal, identity.roles, identity.locations) == (
        "jwt:user-7",
        ("store",),
        frozenset({"A", "B"}),
    )
    with pytest.raises(BadToken, match="Audience"):
        verifier.identity(secured.token(aud="other"))

"""A real server over TLS with authentication on, on each database, and credentials for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models import Base
from sourcing.models.access.keys import create_key
from sourcing.models.db.engine import session_factory
from sourcing.server.app import RunningServer, create_server
from sourcing.server.auth.client import secure_channel
from sourcing.server.auth.devcerts import DevCa
from sourcing.server.auth.identity import Identity
from sourcing.server.auth.settings import Security, TlsFiles
from sourcing.server.auth.tokens import JwtSettings
from sourcing.server.observability.setup import Observability
from tests.server.conftest import Clients
from tests.server.lifecycle import status_of

__all__ = ["Secured", "start_secured", "status_of"]

ISSUER = "https://id.example-retailer.test/"
AUDIENCE = "sourcing-engine"


def _rsa_pem() -> tuple[Any, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public


@dataclass
class Secured:
    """The server, its CA, its sessions and the identity provider's signing key."""

    server: RunningServer
    ca: DevCa
    sessions: sessionmaker[Session]
    signing_key: Any
    folder: Path

    @property
    def target(self) -> str:
        return f"localhost:{self.server.port}"

    def key(self, role: str, *, locations: tuple[str, ...] = (), expires_at: Any = None) -> str:
        """A fresh API key of ``role``."""
        key, _ = create_key(
            self.sessions, name=f"{role} key", role=role, locations=locations, expires_at=expires_at
        )
        return key

    def token(self, *, key: Any = None, **claims: Any) -> str:
        """A JWT signed by the identity provider (or ``key``), valid unless ``claims`` say not."""
        now = datetime.now(UTC)
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-7",
            "exp": now + timedelta(minutes=5),
            "roles": ["analyst"],
        }
        body.update(claims)
        return jwt.encode(body, key or self.signing_key, algorithm="RS256")

    @contextmanager
    def clients(
        self, bearer: str | None, host: str = "localhost", **kwargs: Any
    ) -> Iterator[Clients]:
        """Stubs on a TLS channel to ``host`` sending ``bearer``."""
        target = f"{host}:{self.server.port}"
        with secure_channel(target, self.ca.cert_pem, bearer, **kwargs) as channel:
            yield Clients(channel)

    def rows(self) -> dict[str, int]:
        """Rows per table: what "nothing written" is checked against."""
        with self.sessions.begin() as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }


def start_secured(
    db_url: str, tmp_path: Path, *, mtls: bool = False, observability: Observability | None = None
) -> Secured:
    """A migrated server over TLS requiring keys or JWTs (``mtls``: and client certificates)."""
    ca = DevCa()
    issued = ca.issue("localhost", server=True)
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    cert.write_bytes(issued.cert_pem)
    key.write_bytes(issued.key_pem)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    signing_key, public_pem = _rsa_pem()
    (tmp_path / "idp.pem").write_bytes(public_pem)
    security = Security(
        require_auth=True,
        tls=TlsFiles(cert, key, ca_file if mtls else None),
        jwt=JwtSettings(ISSUER, AUDIENCE, public_key_pem=tmp_path / "idp.pem"),
        client_certs={"pos-gateway": Identity("cert:pos-gateway", ("store",), frozenset({"A"}))},
        max_failures=6,
    )
    running = create_server(
        db_url, address="localhost:0", security=security, observability=observability
    )
    return Secured(running, ca, session_factory(running.engine), signing_key, tmp_path)


@pytest.fixture
def secured(db_url: str, tmp_path: Path) -> Iterator[Secured]:
    """A server over TLS that requires an API key or a JWT, stopped afterwards."""
    started = start_secured(db_url, tmp_path)
    try:
        yield started
    finally:
        started.server.stop(grace_s=1.0)


def jwks_of(public_pem: bytes, kid: str) -> str:
    """A JWKS document holding one RSA public key."""
    public = serialization.load_pem_public_key(public_pem)
    assert isinstance(public, rsa.RSAPublicKey)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    jwk.update(kid=kid, use="sig", alg="RS256")
    return json.dumps({"keys": [jwk]})

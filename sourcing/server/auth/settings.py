"""How a server authenticates: dev mode, or keys, tokens and client certificates over TLS."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from sourcing.server.auth.identity import Identity
from sourcing.server.auth.tokens import JwtSettings


@dataclass(frozen=True)
class TlsFiles:
    """The server's certificate and key (PEM), and the CA that signs client certificates."""

    cert: Path
    key: Path
    client_ca: Path | None = None


@dataclass(frozen=True)
class Security:
    """Everything the auth interceptor and the listening port need to know.

    ``require_auth`` False is dev mode: every caller acts as an admin and the
    server only listens on loopback (unless ``insecure``). ``client_certs``
    maps a client certificate's common name to who it is (mTLS).
    """

    require_auth: bool = False
    jwt: JwtSettings | None = None
    client_certs: dict[str, Identity] = field(default_factory=dict)
    tls: TlsFiles | None = None
    reflection_open: bool = False
    allow_http_webhooks: bool = False
    insecure: bool = False
    max_failures: int = 10
    failure_window_s: float = 60.0
    lockout_s: float = 60.0


def is_loopback(address: str) -> bool:
    """Whether ``host:port`` listens on a loopback address only."""
    host = address.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(address: str, security: Security) -> str | None:
    """Why the server must not listen on ``address`` with ``security``; None when it may."""
    if is_loopback(address) or security.insecure:
        return None
    if not security.require_auth:
        return (
            f"refusing to listen on {address} with no credentials configured: create a key "
            "(`sourcing keys create`) or configure JWT/mTLS, use a loopback address, "
            "or pass --insecure"
        )
    if security.tls is None:
        return (
            f"refusing to listen on {address} without TLS: pass --tls-cert and --tls-key, "
            "or --insecure"
        )
    return None

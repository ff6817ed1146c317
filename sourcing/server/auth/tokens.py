"""Bearer JWTs from the retailer's identity provider, verified with PyJWT.

The signature is checked against a configured PEM public key or a JWKS file
(the key chosen by the token's ``kid``), and so are the issuer, the audience
and the expiry; roles come from a configurable claim (a dotted path such as
``realm_access.roles`` reaches into nested claims) and the store scope from
another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from sourcing.server.auth.identity import Identity

# Asymmetric only: with a shared secret anyone who can verify could also sign.
ALGORITHMS = ("RS256", "ES256")


class BadToken(Exception):  # noqa: N818 - named as the caller sees it
    """The token is not one this server accepts; the message never repeats the token."""


@dataclass(frozen=True)
class JwtSettings:
    """Where the verification keys are and which claims to trust.

    Exactly one of ``public_key_pem`` (a PEM file) and ``jwks_file`` (a JSON
    Web Key Set file) is given.
    """

    issuer: str
    audience: str
    public_key_pem: Path | None = None
    jwks_file: Path | None = None
    roles_claim: str = "roles"
    locations_claim: str = "locations"
    leeway_s: float = 30.0

    def __post_init__(self) -> None:
        if (self.public_key_pem is None) == (self.jwks_file is None):
            raise ValueError("Expected exactly one of public_key_pem and jwks_file.")
        if not self.issuer or not self.audience:
            raise ValueError("Expected an issuer and an audience to check tokens against.")


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


class JwtVerifier:
    """Turns a bearer JWT into an :class:`Identity`, or raises :class:`BadToken`."""

    def __init__(self, settings: JwtSettings) -> None:
        self.settings = settings
        self._pem: bytes | None = None
        self._jwks: jwt.PyJWKSet | None = None
        if settings.public_key_pem is not None:
            self._pem = settings.public_key_pem.read_bytes()
        elif settings.jwks_file is not None:
            self._jwks = jwt.PyJWKSet.from_json(settings.jwks_file.read_text())

    def _key(self, token: str) -> Any:
        if self._pem is not None:
            return self._pem
        assert self._jwks is not None
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise BadToken("no key in the JWKS matches the token's kid")

    def identity(self, token: str) -> Identity:
        """The verified caller; raises :class:`BadToken` saying what failed."""
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=list(ALGORITHMS),
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            # PyJWT's messages name the failed check, never the token itself.
            raise BadToken(f"token rejected: {error}") from None
        roles = _strings(_claim(claims, self.settings.roles_claim))
        locations = frozenset(_strings(_claim(claims, self.settings.locations_claim)))
        return Identity(f"jwt:{claims['sub']}", roles, locations)

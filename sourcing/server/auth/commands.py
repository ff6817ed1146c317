"""``sourcing keys ...`` and the security options of ``sourcing serve``."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

from sourcing.models.access import keys
from sourcing.models.db.base import utcnow
from sourcing.models.db.engine import make_engine, session_factory, upgrade
from sourcing.server.auth.identity import Identity
from sourcing.server.auth.permissions import ROLES
from sourcing.server.auth.settings import Security, TlsFiles, is_loopback
from sourcing.server.auth.tokens import JwtSettings


def add_key_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``keys create|list|revoke`` to the command line."""
    parser = commands.add_parser("keys", help="create, list and revoke API keys")
    actions = parser.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", help="issue a key; it is shown once, only its hash kept")
    create.add_argument("--role", required=True, choices=sorted(ROLES))
    create.add_argument("--name", required=True, help="who holds it, e.g. 'web shop'")
    create.add_argument(
        "--location",
        action="append",
        default=[],
        help="limit the key to this location ref (repeat for several; none: every location)",
    )
    create.add_argument("--expires-in-days", type=float, help="the key stops working after this")
    list_ = actions.add_parser("list", help="every key, without secrets")
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", help="the key id, as `keys list` shows it")
    for sub in (create, list_, revoke):
        sub.add_argument("--db", default="sqlite:///sourcing.db", help="the server's database URL")
    parser.set_defaults(run=run_keys)


def run_keys(args: argparse.Namespace) -> int:
    """Carry out one ``keys`` sub-command; prints the new key once on create."""
    engine = make_engine(args.db)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        if args.keys_command == "create":
            expires = None
            if args.expires_in_days is not None:
                expires = utcnow() + timedelta(days=args.expires_in_days)
            key, record = keys.create_key(
                sessions,
                name=args.name,
                role=args.role,
                locations=tuple(args.location),
                expires_at=expires,
            )
            print(f"key id {record.key_id} ({record.role}) for {record.name!r}")
            print(f"key (shown once, store it now): {key}")
        elif args.keys_command == "list":
            for record in keys.list_keys(sessions):
                print(_describe(record))
        else:
            print(_describe(keys.revoke_key(sessions, args.key_id)))
    finally:
        engine.dispose()
    return 0


def _describe(record: keys.KeyRecord) -> str:
    state = (
        "usable" if record.usable_at(utcnow()) else "REVOKED" if record.revoked_at else "EXPIRED"
    )
    scope = ",".join(record.locations) or "all locations"
    expires = _when(record.expires_at) if record.expires_at else "never"
    return (
        f"{record.key_id}  {record.role:<14} {state:<8} {scope}  expires {expires}  {record.name}"
    )


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """TLS, mTLS, JWT and the safety switches of ``sourcing serve``."""
    group = parser.add_argument_group("security")
    group.add_argument("--tls-cert", type=Path, help="server certificate chain (PEM)")
    group.add_argument("--tls-key", type=Path, help="server private key (PEM)")
    group.add_argument(
        "--tls-client-ca", type=Path, help="require client certificates signed by this CA (mTLS)"
    )
    group.add_argument(
        "--client-cert-role",
        action="append",
        default=[],
        metavar="CN=ROLE[@LOC,LOC]",
        help="who a client certificate's common name is (repeat per client)",
    )
    group.add_argument("--jwt-public-key", type=Path, help="PEM public key that signs JWTs")
    group.add_argument("--jwt-jwks", type=Path, help="JWKS file with the keys that sign JWTs")
    group.add_argument("--jwt-issuer", help="the 'iss' tokens must carry")
    group.add_argument("--jwt-audience", help="the 'aud' tokens must carry")
    group.add_argument("--jwt-roles-claim", default="roles", help="claim (dotted path) of roles")
    group.add_argument("--jwt-locations-claim", default="locations", help="claim of store scope")
    group.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback address without TLS and credentials (never in production)",
    )
    group.add_argument(
        "--allow-http-webhooks", action="store_true", help="let webhooks target plain http URLs"
    )
    group.add_argument(
        "--open-reflection", action="store_true", help="serve reflection to every caller"
    )


def _client_certs(specs: list[str]) -> dict[str, Identity]:
    granted = {}
    for spec in specs:
        name, _, grant = spec.partition("=")
        role, _, locations = grant.partition("@")
        if not name or role not in ROLES:
            raise SystemExit(f"--client-cert-role {spec!r}: expected CN=ROLE with a known role")
        scope = frozenset(ref for ref in locations.split(",") if ref)
        granted[name] = Identity(f"cert:{name}", (role,), scope)
    return granted


def security_from_args(args: argparse.Namespace) -> Security:
    """The server's security from the command line and whether any key exists yet."""
    if (args.tls_cert is None) != (args.tls_key is None):
        raise SystemExit("--tls-cert and --tls-key go together")
    tls = TlsFiles(args.tls_cert, args.tls_key, args.tls_client_ca) if args.tls_cert else None
    if args.tls_client_ca is not None and tls is None:
        raise SystemExit("--tls-client-ca needs --tls-cert and --tls-key")
    jwt = None
    if args.jwt_public_key or args.jwt_jwks:
        jwt = JwtSettings(
            issuer=args.jwt_issuer or "",
            audience=args.jwt_audience or "",
            public_key_pem=args.jwt_public_key,
            jwks_file=args.jwt_jwks,
            roles_claim=args.jwt_roles_claim,
            locations_claim=args.jwt_locations_claim,
        )
    client_certs = _client_certs(args.client_cert_role)
    engine = make_engine(args.db)
    try:
        upgrade(engine)
        key_count = keys.usable_key_count(session_factory(engine))
    finally:
        engine.dispose()
    return Security(
        require_auth=bool(jwt or client_certs or key_count),
        jwt=jwt,
        client_certs=client_certs,
        tls=tls,
        reflection_open=args.open_reflection,
        allow_http_webhooks=args.allow_http_webhooks,
        insecure=args.insecure,
    )


def announce(security: Security, address: str) -> str:
    """One line saying how the server guards itself, printed at start."""
    transport = "TLS" if security.tls else "plaintext"
    if security.tls and security.tls.client_ca:
        transport = "mutual TLS"
    if not security.require_auth:
        where = "loopback only" if is_loopback(address) else "NOT loopback (--insecure)"
        return (
            f"no credentials configured: dev mode, every caller is an admin, {where}, {transport}"
        )
    return f"authentication required ({transport})"

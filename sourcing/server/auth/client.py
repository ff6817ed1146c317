"""A client channel over TLS carrying a bearer credential, as the README's clients connect."""

from __future__ import annotations

import grpc


def secure_channel(
    target: str,
    ca_pem: bytes,
    bearer: str | None = None,
    *,
    client_cert: tuple[bytes, bytes] | None = None,
) -> grpc.Channel:
    """A TLS channel to ``target`` trusting ``ca_pem``, sending ``bearer`` with every call.

    ``client_cert`` is ``(certificate PEM, private key PEM)`` for mTLS.
    """
    cert, key = client_cert if client_cert is not None else (None, None)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ca_pem, private_key=key, certificate_chain=cert
    )
    if bearer is not None:
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(bearer)
        )
    return grpc.secure_channel(target, credentials)

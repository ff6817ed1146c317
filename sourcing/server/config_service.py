"""ConfigService: placeholder until implemented (every RPC answers UNIMPLEMENTED)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from sourcing.v1 import config_pb2_grpc


class ConfigServicer(config_pb2_grpc.ConfigServiceServicer):  # type: ignore[misc]
    """Thin adapter over sourcing.models."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

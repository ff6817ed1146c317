"""SourcingService: placeholder until implemented."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from sourcing.v1 import sourcing_pb2_grpc


class SourcingServicer(sourcing_pb2_grpc.SourcingServiceServicer):  # type: ignore[misc]
    """Thin adapter over sourcing.models."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

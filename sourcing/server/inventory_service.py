"""InventoryService: placeholder until implemented (every RPC answers UNIMPLEMENTED)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from sourcing.v1 import inventory_pb2_grpc


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):  # type: ignore[misc]
    """Thin adapter over sourcing.models."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

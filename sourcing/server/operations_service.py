"""OperationsService: the status summary over gRPC (``sourcing status`` on the wire)."""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.ops.status import read_status
from sourcing.server.convert.operations import escalation_days, status_to_proto
from sourcing.v1 import operations_pb2, operations_pb2_grpc


class OperationsServicer(operations_pb2_grpc.OperationsServiceServicer):  # type: ignore[misc]
    """GetStatus."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def GetStatus(  # noqa: N802 - the generated interface's name
        self, request: operations_pb2.GetStatusRequest, context: grpc.ServicerContext
    ) -> operations_pb2.GetStatusResponse:
        """Orders by status, escalations per day, overdue, parked webhooks, low positions."""
        summary = read_status(self.sessions, escalation_days=escalation_days(request))
        return status_to_proto(summary)

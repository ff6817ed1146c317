"""SourcingService: a thin adapter from the wire to ``sourcing.models.sourcing``."""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.reassign import reassign
from sourcing.models.sourcing import source_order
from sourcing.server.convert.orders import (
    deadline_seconds,
    order_from_proto,
    plan_to_proto,
    reassign_from_proto,
    source_options,
)
from sourcing.server.errors import FieldError, rpc
from sourcing.v1 import sourcing_pb2, sourcing_pb2_grpc

DEFAULT_TIME_LIMIT_S = 10.0


class SourcingServicer(sourcing_pb2_grpc.SourcingServiceServicer):  # type: ignore[misc]
    """Source and Reassign; SourceBatch and Rebalance come with wave sourcing."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @rpc
    def Source(  # noqa: N802 - the generated interface's name
        self, request: sourcing_pb2.SourceRequest, context: grpc.ServicerContext
    ) -> sourcing_pb2.SourceResponse:
        """Source one order; see the contract for idempotency and dry runs."""
        if not request.HasField("order"):
            raise FieldError("order", "is required")
        order = order_from_proto(request.order)
        options = source_options(
            request, deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)
        )
        outcome = source_order(self.sessions, order, options)
        plan = plan_to_proto(
            outcome.plan,
            order_type=outcome.order_type,
            fulfilment_ids=outcome.fulfilment_ids,
            profile_version=outcome.profile_version,
            explain=request.explain,
        )
        return sourcing_pb2.SourceResponse(plan=plan, replayed=outcome.replayed)

    @rpc
    def Reassign(  # noqa: N802 - the generated interface's name
        self, request: sourcing_pb2.ReassignRequest, context: grpc.ServicerContext
    ) -> sourcing_pb2.ReassignResponse:
        """Source a fulfilment's units again elsewhere; see the contract."""
        reassign_input = reassign_from_proto(
            request, deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)
        )
        outcome = reassign(self.sessions, reassign_input)
        plan = plan_to_proto(
            outcome.plan,
            order_type=outcome.order_type,
            fulfilment_ids=outcome.fulfilment_ids,
            profile_version=outcome.profile_version,
            explain=request.explain,
        )
        return sourcing_pb2.ReassignResponse(plan=plan)

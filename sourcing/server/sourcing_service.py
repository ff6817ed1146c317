"""SourcingService: a thin adapter from the wire to the sourcing use cases.

Source and Reassign are in ``sourcing.models.orders.calls``, SourceBatch and
Rebalance in ``sourcing.models.waves.calls``; each owns its transactions.
"""

from __future__ import annotations

import grpc
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.orders.calls import fulfilment_options, reassign, source_order
from sourcing.models.orders.source_call import OrderInput, SourcingOutcome
from sourcing.models.waves.calls import rebalance, source_batch
from sourcing.server.convert.batch import (
    batch_orders,
    batch_to_proto,
    rebalance_from_proto,
    rebalance_to_proto,
    refused_orders,
    time_limit,
)
from sourcing.server.convert.fields import optional_ref
from sourcing.server.convert.options import options_from_proto, options_to_proto
from sourcing.server.convert.orders import (
    deadline_seconds,
    order_from_proto,
    plan_to_proto,
    reassign_from_proto,
    source_options,
)
from sourcing.server.errors import FieldError
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S
from sourcing.v1 import sourcing_pb2, sourcing_pb2_grpc

# Share of a wave's time budget its solve may take; storing takes the rest.
BATCH_SOLVE_SHARE = 0.6


class SourcingServicer(sourcing_pb2_grpc.SourcingServiceServicer):  # type: ignore[misc]
    """Source, Reassign, SourceBatch (a wave of orders together) and Rebalance."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

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
            explain=_explained(outcome, request.explain),
        )
        return sourcing_pb2.SourceResponse(plan=plan, replayed=outcome.replayed)

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
            explain=_explained(outcome, request.explain),
        )
        return sourcing_pb2.ReassignResponse(plan=plan, replayed=outcome.replayed)

    def SourceBatch(  # noqa: N802 - the generated interface's name
        self, request: sourcing_pb2.SourceBatchRequest, context: grpc.ServicerContext
    ) -> sourcing_pb2.SourceBatchResponse:
        """Source a wave of orders together; each order's plan or error, in request order."""
        parsed = batch_orders(request)
        budget = deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)
        # Storing the plans, order by order, takes part of the call's time too.
        options = source_options(
            request, time_limit(request.time_limit, budget * BATCH_SOLVE_SHARE)
        )
        request_id = optional_ref(request.request_id, "request_id")
        orders = [item for item in parsed if isinstance(item, OrderInput)]
        outcome = source_batch(
            self.sessions,
            orders,
            options,
            request_id=request_id,
            refused=refused_orders(request, parsed),
        )
        return batch_to_proto(request, parsed, outcome)

    def Rebalance(  # noqa: N802 - the generated interface's name
        self, request: sourcing_pb2.RebalanceRequest, context: grpc.ServicerContext
    ) -> sourcing_pb2.RebalanceResponse:
        """Re-optimise the open orders' unpicked fulfilments together; report the saving."""
        budget = deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)
        limit = time_limit(request.time_limit, budget * BATCH_SOLVE_SHARE)
        outcome = rebalance(self.sessions, rebalance_from_proto(request, limit))
        return rebalance_to_proto(outcome)

    def GetFulfilmentOptions(  # noqa: N802 - the generated interface's name
        self, request: sourcing_pb2.GetFulfilmentOptionsRequest, context: grpc.ServicerContext
    ) -> sourcing_pb2.GetFulfilmentOptionsResponse:
        """Collection stores and delivery options for a cart; reserves nothing."""
        question = options_from_proto(request)
        budget = deadline_seconds(context.time_remaining(), DEFAULT_TIME_LIMIT_S)
        return options_to_proto(fulfilment_options(self.sessions, question, budget))


def _explained(outcome: SourcingOutcome, asked: bool) -> bool:
    """A replay answers as the first call did (with its explanation or without), whatever
    the retry asks: the same call returns the same answer, byte for byte."""
    return outcome.plan.explanation is not None if outcome.replayed else asked

"""What the use cases report as they run: a recorder object, no-op by default.

The server hands its recorder to each call (and the housekeeping thread to
each round) with :func:`recording`; the use cases report to :func:`current`.
A context variable rather than a module-level registry, so two servers in
one process (as in the tests) each count only their own calls, and rather
than a parameter on every use case, since a fulfilment changes status in
some thirty places under half a dozen entry points.

What a transaction does is reported only once it commits (see
:func:`sourcing.models.db.observed.after_commit`): a rolled-back or retried
transaction counts nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

from sourcing.solver import Plan


class Recorder:
    """Receives what happens; this base records nothing and costs a method call."""

    def span(self, name: str, order_ref: str | None = None) -> AbstractContextManager[None]:
        """A child span of the call for one step (read, solve, write, webhook delivery)."""
        return nullcontext()

    def solved(self, plan: Plan) -> None:
        """A plan came back from the solver (stored or not, including re-solves)."""

    def sourced(self, plan: Plan, order_type: str) -> None:
        """A Source call's plan was stored (not a replay, not a dry run)."""

    def stock_race(self) -> None:
        """A plan's stock was taken before it was written: it is solved again."""

    def fulfilment_moved(self, previous: str, new: str) -> None:
        """A fulfilment went from status ``previous`` to ``new``."""

    def short_pick(self, units: int) -> None:
        """A pick came back ``units`` short."""

    def reassigned(self, units: int) -> None:
        """``units`` of a fulfilment were sourced again elsewhere."""

    def overdue_found(self, count: int) -> None:
        """The SLA sweep found ``count`` overdue fulfilments."""

    def webhook_delivered(self, outcome: str, seconds: float) -> None:
        """One webhook attempt ended ``outcome`` (DELIVERED, PENDING, PARKED) after ``seconds``."""


NO_RECORDING = Recorder()
_CURRENT: ContextVar[Recorder] = ContextVar("sourcing_recorder", default=NO_RECORDING)


def current() -> Recorder:
    """The recorder of the call or round running in this thread (no-op outside one)."""
    return _CURRENT.get()


@contextmanager
def recording(recorder: Recorder) -> Iterator[None]:
    """Report to ``recorder`` for the duration of the block, in this thread only."""
    token = _CURRENT.set(recorder)
    try:
        yield
    finally:
        _CURRENT.reset(token)

"""Report what a transaction did once it commits, never when it rolls back or is retried."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from sourcing.ops.recorder import Recorder, current

_PENDING = "sourcing.observed"
Report = Callable[[Recorder], None]


def after_commit(session: Session, report: Report) -> None:
    """Call ``report`` with the current recorder after ``session``'s transaction commits.

    A report made inside a savepoint that is rolled back (a lost stock race
    retried within the transaction) is dropped with it. The recorder is the
    one current now, in the thread of the call that did the work.
    """
    scope = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((scope, current(), report))


def _within(scope: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while scope is not None:
        if scope is ended:
            return True
        scope = scope.parent
    return False


@event.listens_for(Session, "after_commit")
def _commit(session: Session) -> None:
    for _, recorder, report in session.info.pop(_PENDING, ()):
        report(recorder)


@event.listens_for(Session, "after_soft_rollback")
def _rollback(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [p for p in pending if not _within(p[0], previous)]

"""Report what a transaction did once it commits, never when it rolls back or is retried."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from sourcing.ops.recorder import Recorder, current

_PENDING = "sourcing.observed"


def after_commit(session: Session, report: Callable[[Recorder], None]) -> None:
    """Call ``report`` with the current recorder after ``session``'s transaction commits.

    The recorder is the one current now (the call's), not the one current
    at commit time, which is the same thread in every use case here anyway.
    """
    recorder = current()
    session.info.setdefault(_PENDING, []).append((recorder, report))


@event.listens_for(Session, "after_commit")
def _commit(session: Session) -> None:
    for recorder, report in session.info.pop(_PENDING, ()):
        report(recorder)


@event.listens_for(Session, "after_rollback")
def _rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)

"""What-if runs as use cases, each in its own short transaction.

A run's record moves QUEUED -> RUNNING -> SUCCEEDED / FAILED / CANCELLED.
The worker that replays the orders (``sourcing.server.simulations``) holds no
transaction while it works: it claims the run, reports progress now and then
(learning from the answer whether someone cancelled it), and finishes it.
Like every use case here, calls that yield rows take ``present``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.config.tables import Location, SourcingProfile
from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import LocationType
from sourcing.models.db.errors import InvalidState, NotFound
from sourcing.models.db.retry import run_in_transaction
from sourcing.models.simulations.tables import UNFINISHED, SimulationRun, SimulationState

R = TypeVar("R")
RESTARTED = "the server restarted before the run finished"


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What a caller asks to simulate: the window, the scenario file's text and its names."""

    window_start: datetime
    window_end: datetime
    scenarios: str
    scenario_names: tuple[str, ...]
    requested_by: str = ""


def _get(session: Session, run_id: int) -> SimulationRun:
    run = session.get(SimulationRun, run_id)
    if run is None:
        raise NotFound("simulation", run_id, field="id")
    return run


def start_run(
    sessions: sessionmaker[Session], request: RunRequest, present: Callable[[SimulationRun], R]
) -> R:
    """Store a QUEUED run."""

    def work(session: Session) -> R:
        run = SimulationRun(
            state=SimulationState.QUEUED,
            requested_by=request.requested_by,
            window_start=request.window_start,
            window_end=request.window_end,
            scenarios=request.scenarios,
            scenario_names=list(request.scenario_names),
            decisions_done=0,
            decisions_total=0,
        )
        session.add(run)
        session.flush()
        return present(run)

    return run_in_transaction(sessions, work, entity="simulation")


def get_run(
    sessions: sessionmaker[Session], run_id: int, present: Callable[[SimulationRun], R]
) -> R:
    """One run; ``NotFound`` for an unknown id."""
    return run_in_transaction(sessions, lambda s: present(_get(s, run_id)), entity="simulation")


def list_runs(
    sessions: sessionmaker[Session],
    offset: int,
    limit: int,
    present: Callable[[SimulationRun], R],
) -> list[R]:
    """Up to ``limit`` runs after the first ``offset``, newest first."""
    query = (
        select(SimulationRun)
        .order_by(SimulationRun.created_at.desc(), SimulationRun.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return run_in_transaction(
        sessions, lambda s: [present(r) for r in s.scalars(query)], entity="simulation"
    )


def cancel_run(
    sessions: sessionmaker[Session], run_id: int, present: Callable[[SimulationRun], R]
) -> R:
    """Mark a QUEUED or RUNNING run CANCELLED; ``InvalidState`` once it ended."""

    def work(session: Session) -> R:
        run = _get(session, run_id)
        if run.state not in UNFINISHED:
            allowed = tuple(s.value for s in UNFINISHED)
            raise InvalidState(
                "simulation", run.state.value, "CANCELLED", ref=run_id, allowed=allowed
            )
        run.state = SimulationState.CANCELLED
        run.finished_at = utcnow()
        session.flush()
        return present(run)

    return run_in_transaction(sessions, work, entity="simulation")


def claim_run(sessions: sessionmaker[Session], run_id: int) -> str | None:
    """Move a QUEUED run to RUNNING and return its scenario text; ``None`` if it is not QUEUED."""

    def work(session: Session) -> str | None:
        moved = session.execute(
            update(SimulationRun)
            .where(SimulationRun.id == run_id, SimulationRun.state == SimulationState.QUEUED)
            .values(state=SimulationState.RUNNING, updated_at=utcnow())
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return _get(session, run_id).scenarios

    return run_in_transaction(sessions, work, entity="simulation")


def report_progress(sessions: sessionmaker[Session], run_id: int, done: int, total: int) -> bool:
    """Record progress of a RUNNING run; ``False`` when it is no longer RUNNING (cancelled)."""

    def work(session: Session) -> bool:
        moved = session.execute(
            update(SimulationRun)
            .where(SimulationRun.id == run_id, SimulationRun.state == SimulationState.RUNNING)
            .values(decisions_done=done, decisions_total=total, updated_at=utcnow())
        )
        return bool(moved.rowcount == 1)  # type: ignore[attr-defined]

    return run_in_transaction(sessions, work, entity="simulation")


def finish_run(
    sessions: sessionmaker[Session],
    run_id: int,
    state: SimulationState,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """End a RUNNING run as SUCCEEDED or FAILED (a cancelled one stays CANCELLED)."""

    def work(session: Session) -> None:
        session.execute(
            update(SimulationRun)
            .where(SimulationRun.id == run_id, SimulationRun.state.in_(UNFINISHED))
            .values(
                state=state, result=result, error=error, finished_at=utcnow(), updated_at=utcnow()
            )
        )

    run_in_transaction(sessions, work, entity="simulation")


def fail_unfinished(sessions: sessionmaker[Session], reason: str = RESTARTED) -> Sequence[int]:
    """Mark every QUEUED or RUNNING run FAILED (at start-up: no worker is left to finish them)."""

    def work(session: Session) -> list[int]:
        ids = list(
            session.scalars(select(SimulationRun.id).where(SimulationRun.state.in_(UNFINISHED)))
        )
        if ids:
            now = utcnow()
            session.execute(
                update(SimulationRun)
                .where(SimulationRun.id.in_(ids))
                .values(state=SimulationState.FAILED, error=reason, finished_at=now, updated_at=now)
            )
        return ids

    return run_in_transaction(sessions, work, entity="simulation")


def network_names(sessions: sessionmaker[Session]) -> tuple[frozenset[str], frozenset[int]]:
    """The refs of the sourcing locations and the stored profile versions, to check scenarios."""

    def work(session: Session) -> tuple[frozenset[str], frozenset[int]]:
        refs = session.scalars(select(Location.ref).where(Location.type != LocationType.REJECTION))
        versions = session.scalars(select(SourcingProfile.version))
        return frozenset(refs), frozenset(versions)

    return run_in_transaction(sessions, work, entity="simulation")

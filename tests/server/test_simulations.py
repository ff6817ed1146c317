"""The what-if worker and its run records: QUEUED -> RUNNING -> an end; a cancel wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.errors import InvalidState, NotFound
from sourcing.models.simulations import calls
from sourcing.models.simulations.tables import SimulationState
from sourcing.server.simulations import Cancelled, SimulationRunner
from sourcing.whatif.scenarios import ScenarioFile

TOML = "[baseline]\n"


def _start(sessions: sessionmaker[Session]) -> int:
    now = datetime.now(UTC)
    request = calls.RunRequest(now - timedelta(hours=1), now, TOML, ("baseline",), "ana")
    run_id: int = calls.start_run(sessions, request, lambda r: r.id)
    return run_id


def _state(sessions: sessionmaker[Session], run_id: int) -> SimulationState:
    state: SimulationState = calls.get_run(sessions, run_id, lambda r: r.state)
    return state


def test_a_run_cancelled_while_queued_is_never_claimed(sessions: sessionmaker[Session]) -> None:
    """The worker finds it CANCELLED and leaves it so; cancelling again is refused."""
    run_id = _start(sessions)
    calls.cancel_run(sessions, run_id, lambda r: None)
    runner = SimulationRunner(sessions, 1)
    runner.submit(run_id)
    runner.pool.shutdown(wait=True)
    assert _state(sessions, run_id) is SimulationState.CANCELLED
    with pytest.raises(InvalidState):
        calls.cancel_run(sessions, run_id, lambda r: None)


def test_a_run_cancelled_while_running_stops_at_its_next_progress(
    sessions: sessionmaker[Session],
) -> None:
    """Progress reports False once cancelled, the worker stops, and the end stays CANCELLED."""
    run_id = _start(sessions)
    assert calls.claim_run(sessions, run_id) == TOML
    assert calls.report_progress(sessions, run_id, 0, 10)
    calls.cancel_run(sessions, run_id, lambda r: None)
    assert not calls.report_progress(sessions, run_id, 1, 10)
    with pytest.raises(Cancelled):
        SimulationRunner(sessions, 1)._simulate(run_id, ScenarioFile.parse(TOML))
    calls.finish_run(sessions, run_id, SimulationState.SUCCEEDED, result={})
    assert _state(sessions, run_id) is SimulationState.CANCELLED


def test_an_empty_window_succeeds_with_empty_kpis(sessions: sessionmaker[Session]) -> None:
    """No orders in the window: SUCCEEDED, every scenario with 0 orders."""
    run_id = _start(sessions)
    runner = SimulationRunner(sessions, 1)
    runner.submit(run_id)
    runner.pool.shutdown(wait=True)
    state, result = calls.get_run(sessions, run_id, lambda r: (r.state, r.result or {}))
    assert state is SimulationState.SUCCEEDED
    assert [k["orders"] for k in result["kpis"]] == [0]


def test_unknown_run_is_not_found(sessions: sessionmaker[Session]) -> None:
    """An id never given out: NotFound naming the id field."""
    with pytest.raises(NotFound) as info:
        calls.get_run(sessions, 12345, lambda r: r)
    assert info.value.field == "id"

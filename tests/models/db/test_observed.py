"""What a transaction reports reaches the recorder only if, and once, it commits."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.observed import after_commit
from sourcing.ops.recorder import NO_RECORDING, Recorder, current, recording


class Shorts(Recorder):
    """Counts short-picked units, the simplest report there is."""

    def __init__(self) -> None:
        self.units = 0

    def short_pick(self, units: int) -> None:
        self.units += units


def _lose(session: Session, units: int) -> None:
    """Report ``units``, then fail, so the transaction or savepoint around it rolls back."""
    after_commit(session, lambda r: r.short_pick(units))
    raise RuntimeError("lost a race")


def test_commit_reports_rollback_does_not(sessions: sessionmaker[Session]) -> None:
    """Committed: reported once; rolled back (whole or a savepoint): never."""
    shorts = Shorts()
    with recording(shorts):
        with sessions.begin() as session:
            after_commit(session, lambda r: r.short_pick(1))
            savepoint = session.begin_nested()
            with pytest.raises(RuntimeError), savepoint:
                _lose(session, 10)
            with session.begin_nested():
                after_commit(session, lambda r: r.short_pick(100))
        assert shorts.units == 101
        session = sessions()
        with pytest.raises(RuntimeError), session.begin():
            _lose(session, 1000)
        session.close()
    assert shorts.units == 101


def test_recording_is_scoped_to_the_block() -> None:
    """Outside ``recording`` the no-op recorder is current."""
    shorts = Shorts()
    with recording(shorts):
        assert current() is shorts
    assert current() is NO_RECORDING

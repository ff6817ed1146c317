"""The table of what-if simulation runs (``sourcing.whatif`` does the work; this is the record)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from sourcing.models.db.base import Base, Id, JsonDict, JsonList, Name, utcnow


class SimulationState(enum.StrEnum):
    """Where a run is: QUEUED -> RUNNING -> SUCCEEDED / FAILED / CANCELLED."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


UNFINISHED = (SimulationState.QUEUED, SimulationState.RUNNING)


class SimulationRun(Base):
    """One what-if run over a window of stored orders.

    ``scenarios`` is the scenario file's text as sent; ``result`` holds the
    KPIs and differences once SUCCEEDED (``{"kpis": [...], "differences":
    [...]}``); ``decisions_done`` / ``decisions_total`` count order decisions
    over every scenario, for progress.
    """

    __tablename__ = "simulation_runs"
    __table_args__ = (Index("ix_simulation_runs_created_at", "created_at"),)

    id: Mapped[Id]
    state: Mapped[SimulationState] = mapped_column(default=SimulationState.QUEUED)
    requested_by: Mapped[Name] = mapped_column(default="")
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    scenarios: Mapped[str] = mapped_column(Text)
    scenario_names: Mapped[JsonList] = mapped_column(default=list)
    decisions_done: Mapped[int] = mapped_column(BigInteger, default=0)
    decisions_total: Mapped[int] = mapped_column(BigInteger, default=0)
    result: Mapped[JsonDict | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    def as_dict(self) -> dict[str, Any]:
        """The run's columns by name (for presenting it outside a session)."""
        return {c.name: getattr(self, c.key) for c in self.__table__.columns}

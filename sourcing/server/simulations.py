"""What-if runs in the background: at most ``max_running`` at once, off the request threads.

``StartSimulation`` stores a QUEUED run and hands its id here. A worker
thread claims it (QUEUED -> RUNNING), reads the window as one read-only
snapshot (``sourcing.whatif.database.read_snapshot``), replays every scenario
and the sweep, and stores the KPIs and differences. Progress is written at
most every ``PROGRESS_EVERY_S`` seconds, and the answer tells the worker
whether the run was cancelled meanwhile (by any replica, since it is in the
database), so a cancelled run stops within about that time. A run left
QUEUED or RUNNING when the process ends stays so until the next start,
which marks it FAILED (``fail_unfinished``).

The replay is CPU work under the GIL: while it runs, the server's calls share
the CPU with it, which is why the number of runs at once is small and
configurable (``serve --max-simulations``).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.simulations import calls
from sourcing.models.simulations.tables import SimulationState
from sourcing.whatif.database import read_snapshot
from sourcing.whatif.engine import run_scenario, sweep_scenarios
from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.network import check_scenario
from sourcing.whatif.report import WhatIf
from sourcing.whatif.scenarios import ScenarioFile

log = logging.getLogger(__name__)

DEFAULT_MAX_SIMULATIONS = 2
PROGRESS_EVERY_S = 0.5
KPI_FIELDS = (
    "scenario", "policy", "orders", "service_cost", "cost_to_serve", "parcels_per_order",
    "split_orders", "km", "rejected_units", "escalated_orders", "below_ideal_units", "store_share",
)  # fmt: skip


class Cancelled(Exception):  # noqa: N818 - named as the domain says
    """The run was cancelled while it ran."""


class SimulationRunner:
    """A small pool of worker threads running what-if simulations."""

    def __init__(self, sessions: sessionmaker[Session], max_running: int) -> None:
        if max_running < 1:
            raise ValueError(f"Expected max_running of at least 1, got {max_running}.")
        self.sessions = sessions
        self.pool = ThreadPoolExecutor(max_workers=max_running, thread_name_prefix="simulation")

    def submit(self, run_id: int) -> None:
        """Run ``run_id`` when a worker is free."""
        self.pool.submit(self._run, run_id)

    def stop(self) -> None:
        """Take no more runs; runs in flight end with the process (and FAILED at next start)."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, run_id: int) -> None:
        try:
            text = calls.claim_run(self.sessions, run_id)
            if text is None:  # cancelled while queued
                return
            result = self._simulate(run_id, ScenarioFile.parse(text, "scenarios_toml"))
            calls.finish_run(self.sessions, run_id, SimulationState.SUCCEEDED, result=result)
        except Cancelled:
            log.info("simulation %d cancelled", run_id)
        except WhatIfInputError as exc:
            calls.finish_run(self.sessions, run_id, SimulationState.FAILED, error=str(exc))
        except Exception as exc:  # a run must end FAILED, whatever went wrong
            log.exception("simulation %d failed", run_id)
            calls.finish_run(
                self.sessions, run_id, SimulationState.FAILED, error=f"{type(exc).__name__}: {exc}"
            )

    def _simulate(self, run_id: int, file: ScenarioFile) -> dict[str, Any]:
        start, end = calls.get_run(self.sessions, run_id, lambda r: (r.window_start, r.window_end))
        history = read_snapshot(self.sessions, start, end)
        for scenario in file.scenarios:
            check_scenario(history, scenario, file)
        sweep = sweep_scenarios(file)
        total = len(history.orders) * (len(file.scenarios) + len(sweep))
        done = 0
        last = 0.0

        def progress(_: str, n: int) -> None:
            nonlocal done, last
            done += n
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY_S or done == total:
                last = now
                if not calls.report_progress(self.sessions, run_id, done, total):
                    raise Cancelled

        progress("", 0)
        runs = [run_scenario(history, s, file, progress) for s in file.scenarios]
        points = [run_scenario(history, s, file, progress, explain=False) for s in sweep]
        return result_json(WhatIf.of(history, file, runs, points))


def result_json(result: WhatIf) -> dict[str, Any]:
    """What a run stores of its result: KPIs per scenario and the differences."""
    return {
        "kpis": [{name: getattr(k, name) for name in KPI_FIELDS} for k in result.kpis],
        "differences": [
            {
                "scenario": d.scenario,
                "measure": d.measure,
                "difference": d.difference,
                "low": d.low,
                "high": d.high,
            }
            for d in result.deltas
        ],
        "sweep": [{name: getattr(k, name) for name in KPI_FIELDS} for k in result.sweep],
        "fidelity": None
        if result.fidelity is None
        else {
            "replay_compared": result.fidelity.compared,
            "replay_differing": len(result.fidelity.differing),
            "stock_corrections": result.fidelity.stock_corrections,
        },
    }

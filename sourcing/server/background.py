"""Background loops inside ``serve``: housekeeping, and the scarce-stock price refresh.

Housekeeping (the SLA sweep and webhook delivery, every few seconds) is safe
to run on every replica at once (see ``sourcing.models.orders.sla`` and
``sourcing.models.events.webhooks``), so each server runs its own loop with
no leader election. So is the price refresh: each refresh replaces every
price in one transaction, so replicas refreshing at once only repeat work.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.events.calls import deliver_due
from sourcing.models.events.webhooks import DeliveryPolicy, DeliveryReport
from sourcing.models.inventory.calls import refresh_scarcity_prices
from sourcing.models.inventory.scarcity import PriceSettings, RefreshReport
from sourcing.models.orders.calls import sweep
from sourcing.ops.recorder import NO_RECORDING, Recorder, recording

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 5.0


class _Loop:
    """A daemon thread running ``run_once`` every ``interval_s`` seconds until stopped.

    An error in one round is logged and the next round runs anyway.
    """

    name = "loop"

    def __init__(self, sessions: sessionmaker[Session], interval_s: float) -> None:
        if not interval_s > 0:
            raise ValueError(f"Expected interval_s > 0, got {interval_s}.")
        self.sessions = sessions
        self.interval_s = interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> None:
        """Start the loop; the first round runs at once."""
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the loop's thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout_s: float | None = None) -> None:
        """Ask the loop to stop after the round in flight, and wait for it."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(self._stop_timeout_s() if timeout_s is None else timeout_s)
            if self._thread.is_alive():
                log.warning("%s did not stop in time; leaving the daemon thread", self.name)

    def _stop_timeout_s(self) -> float:
        return 5.0

    def run_once(self) -> object:
        """One round of the loop's work."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # the loop must outlive a bad round (database restarting, ...)
                log.exception("%s round failed", self.name)
            self._stopping.wait(self.interval_s)


class Housekeeping(_Loop):
    """A daemon thread that sweeps overdue fulfilments and delivers due webhooks.

    Each round sweeps once, then delivers batches until one comes back short
    (or stopping was asked); then it waits ``interval_s``. Stopping waits for
    the POST in flight; rows claimed but not yet sent are handed back for the
    next worker.
    """

    name = "housekeeping"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        interval_s: float = DEFAULT_INTERVAL_S,
        policy: DeliveryPolicy | None = None,
        recorder: Recorder = NO_RECORDING,
    ) -> None:
        super().__init__(sessions, interval_s)
        self.policy = policy or DeliveryPolicy()
        self.recorder = recorder

    def _stop_timeout_s(self) -> float:
        return self.policy.timeout_s + 5.0

    def run_once(self) -> DeliveryReport:
        """One round: sweep, then deliver until nothing due is left; the delivery total."""
        with recording(self.recorder):
            return self._round()

    def _round(self) -> DeliveryReport:
        report = sweep(self.sessions)
        if report.escalated or report.reassigned or report.skipped:
            log.info("; ".join(report.lines()))
        total = DeliveryReport()
        while not self._stopping.is_set():
            batch = deliver_due(self.sessions, self.policy, stop=self._stopping)
            total += batch
            if batch.claimed < self.policy.batch_size:
                break
        if total.claimed:
            log.info("%s", total)
        return total


class PriceRefresh(_Loop):
    """A daemon thread that refreshes the scarce-stock prices every ``interval_s`` seconds."""

    name = "scarcity-prices"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        interval_s: float,
        settings: PriceSettings | None = None,
    ) -> None:
        super().__init__(sessions, interval_s)
        self.settings = settings or PriceSettings()
        self.last: RefreshReport | None = None

    def run_once(self) -> RefreshReport:
        """Refresh every price once."""
        self.last = refresh_scarcity_prices(self.sessions, self.settings)
        log.info("%s", self.last.line())
        return self.last

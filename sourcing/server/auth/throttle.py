"""Refusing a peer for a while after repeated failed authentications.

Failures are counted per peer host (the port changes with every
connection); after ``max_failures`` within ``window_s`` the host is refused
for ``lockout_s``, and other hosts are not affected. Guessing a 256-bit key
is hopeless anyway; this keeps a misconfigured or hostile client from
burning the server's scrypt time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


def peer_host(peer: str) -> str:
    """``ipv4:10.0.0.7:53122`` -> ``ipv4:10.0.0.7``; ``ipv6:[::1]:4000`` -> ``ipv6:[::1]``."""
    host, sep, port = peer.rpartition(":")
    return host if sep and port.isdigit() else peer


@dataclass
class _Record:
    failures: list[float]
    refused_until: float = 0.0


class FailureThrottle:
    """Counts failed authentications per peer host and says when to refuse one."""

    def __init__(
        self,
        max_failures: int = 10,
        window_s: float = 60.0,
        lockout_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or window_s <= 0 or lockout_s <= 0:
            raise ValueError("Expected max_failures >= 1 and positive window_s and lockout_s.")
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def refused(self, peer: str) -> bool:
        """Whether ``peer``'s host is locked out now."""
        with self._lock:
            record = self._records.get(peer_host(peer))
            return record is not None and record.refused_until > self.clock()

    def failed(self, peer: str) -> None:
        """Count one failed authentication from ``peer``; lock its host out at the limit."""
        now = self.clock()
        with self._lock:
            record = self._records.setdefault(peer_host(peer), _Record([]))
            record.failures = [t for t in record.failures if now - t < self.window_s]
            record.failures.append(now)
            if len(record.failures) >= self.max_failures:
                record.refused_until = now + self.lockout_s
                record.failures.clear()
            if len(self._records) > 10_000:
                self._forget_idle(now)

    def succeeded(self, peer: str) -> None:
        """A good credential clears the host's count."""
        with self._lock:
            self._records.pop(peer_host(peer), None)

    def _forget_idle(self, now: float) -> None:
        # Bound memory under a spray from many addresses.
        idle = [
            host
            for host, r in self._records.items()
            if r.refused_until <= now and all(now - t >= self.window_s for t in r.failures)
        ]
        for host in idle:
            del self._records[host]

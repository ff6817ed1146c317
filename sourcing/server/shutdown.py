"""Stopping without lying to callers: a drain window, then a gate on commits.

A SIGTERM is handled in three steps (``RunningServer.stop``):

1. **Drain**: every health status turns NOT_SERVING while calls are still
   taken, for ``drain_s`` seconds, so a load balancer polling ``Check`` (not
   only ``Watch``) sees the server leave and sends new calls elsewhere.
2. **Grace**: the server stops taking calls and the ones in flight have
   ``grace_s`` seconds to finish.
3. **Gate**: when grace ends, gRPC has told the callers still waiting that
   their call failed. From then on no transaction may commit (the gate makes
   the commit raise, so it rolls back), so "failed" is the truth: a retry
   does the work once, never twice, and nothing is committed behind the
   caller's back.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker


class ShuttingDown(RuntimeError):  # noqa: N818 - named as the caller sees it
    """A transaction tried to commit after the server's grace period ended."""


class CommitGate:
    """Refuses every commit of the sessions it guards once closed."""

    def __init__(self) -> None:
        self._closed = threading.Event()

    def guard(self, sessions: sessionmaker[Session]) -> None:
        """Check the gate before every commit of a session made by ``sessions``."""
        event.listen(sessions, "before_commit", self._before_commit)

    def close(self) -> None:
        """From now on, every commit raises :class:`ShuttingDown` (and rolls back)."""
        self._closed.set()

    @property
    def closed(self) -> bool:
        """Whether commits are refused."""
        return self._closed.is_set()

    def _before_commit(self, _session: Any) -> None:
        if self._closed.is_set():
            raise ShuttingDown("the server's grace period ended; the transaction rolls back")


__all__ = ["CommitGate", "ShuttingDown"]

"""The one way a use case survives a lost race: retry the transaction, or read again.

Two kinds of race, one list each:

* a transaction that loses to a concurrent one at the database (a deadlock, a
  serialization failure, a stale version, SQLite staying locked) is simply
  run again: :func:`run_in_transaction`;
* a plan solved on a snapshot whose stock (or a ref, or a fulfilment) was
  taken before it was written is read, solved and written again:
  :func:`until_it_holds`, with the errors in :data:`LOST_RACE`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from sourcing.models.db.errors import ConcurrencyConflict, InsufficientStock
from sourcing.ops.recorder import current

T = TypeVar("T")

# How many times a read -> solve -> write is tried before ConcurrencyConflict.
MAX_SOLVE_ATTEMPTS = 8
# What a write raises when what it read moved meanwhile: the stock was taken
# (InsufficientStock), a ref or a request id was stored first (IntegrityError),
# or the write's own transaction kept losing (ConcurrencyConflict).
LOST_RACE: tuple[type[Exception], ...] = (InsufficientStock, IntegrityError, ConcurrencyConflict)

_RETRYABLE_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available
    }
)


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` means a concurrent transaction won and a retry may succeed."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate in _RETRYABLE_SQLSTATES:
            return True
        message = str(error.orig).lower()
        return "database is locked" in message or "database is busy" in message
    return False


def run_in_transaction(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    attempts: int = 3,
    entity: str = "database",
) -> T:
    """Run ``work(session)`` in one transaction and commit; retry it if it loses a race.

    ``work`` must be safe to run again from the start (it gets a fresh
    session each time). Domain errors propagate unchanged after rollback.

    Raises
    ------
    ConcurrencyConflict
        When every attempt lost to a concurrent transaction (a deadlock, a
        serialization failure, a stale version, SQLite staying locked).
    """
    if attempts < 1:
        raise ValueError(f"Expected attempts >= 1, got {attempts}.")
    for attempt in range(1, attempts + 1):
        try:
            with sessions.begin() as session:
                return work(session)
        except Exception as error:
            if not is_retryable(error):
                raise
            if attempt == attempts:
                raise ConcurrencyConflict(
                    entity, attempts=attempts, detail=type(error).__name__
                ) from error
            # Exponential backoff with full jitter, so the losers do not collide again.
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


def until_it_holds(attempt: Callable[[], T], *, entity: str = "inventory") -> T:
    """Run ``attempt()`` (read, solve, write) until its write holds.

    ``attempt`` must read afresh each time. When it raises one of
    :data:`LOST_RACE`, what it read moved before it wrote: it is run again,
    at most :data:`MAX_SOLVE_ATTEMPTS` times.

    Raises
    ------
    ConcurrencyConflict
        When every attempt lost its race.
    """
    for _ in range(MAX_SOLVE_ATTEMPTS):
        try:
            return attempt()
        except LOST_RACE:
            current().stock_race()
            continue
    raise ConcurrencyConflict(entity, attempts=MAX_SOLVE_ATTEMPTS, detail="stock kept moving")

"""Stock positions, stock in transit, availability and the ledger as use cases.

Each call owns its one transaction (retried when it loses a race) and hands
what it yields to ``present`` inside it, so a servicer only converts and
calls, the same way for rows and for views. A call that fails writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from sourcing.models.db.retry import run_in_transaction
from sourcing.models.inventory import positions, scarcity, stock_reports
from sourcing.models.inventory.tables import InTransit

R = TypeVar("R")


def set_stock(
    sessions: sessionmaker[Session],
    levels: Sequence[positions.StockLevel],
    present: Callable[[positions.PositionView], R],
) -> list[R]:
    """Create or replace positions, all or nothing."""
    return run_in_transaction(
        sessions,
        lambda s: [present(view) for view in positions.set_stock_positions(s, levels)],
        entity="inventory position",
    )


def adjust_stock(
    sessions: sessionmaker[Session],
    adjustment: positions.StockAdjustment,
    present: Callable[[positions.PositionView], R],
) -> R:
    """Change on hand by a signed delta; ``InsufficientStock`` below zero."""
    return run_in_transaction(
        sessions,
        lambda s: present(positions.adjust_stock(s, adjustment)),
        entity="inventory position",
    )


def set_in_transit(
    sessions: sessionmaker[Session],
    location_ref: str,
    product_ref: str,
    arrivals: Sequence[positions.Arrival],
    present: Callable[[InTransit], R],
) -> list[R]:
    """Replace the arrivals expected at a position; earliest first."""

    def work(session: Session) -> list[R]:
        rows = positions.set_in_transit(session, location_ref, product_ref, arrivals)
        return [present(row) for row in rows]

    return run_in_transaction(sessions, work, entity="inventory position")


def get_availability(
    sessions: sessionmaker[Session],
    query: stock_reports.AvailabilityQuery,
    present: Callable[[stock_reports.Availability], R],
) -> R:
    """Availability per location, per network and per virtual catalogue."""
    return run_in_transaction(sessions, lambda s: present(stock_reports.get_availability(s, query)))


def list_reservations(
    sessions: sessionmaker[Session],
    ledger_filter: stock_reports.LedgerFilter,
    present: Callable[[stock_reports.LedgerRecord], R],
    *,
    offset: int = 0,
    limit: int = 100,
) -> list[R]:
    """Ledger records, oldest first, filtered."""

    def work(session: Session) -> list[R]:
        records = stock_reports.list_reservations(
            session, ledger_filter, offset=offset, limit=limit
        )
        return [present(record) for record in records]

    return run_in_transaction(sessions, work)


def refresh_scarcity_prices(
    sessions: sessionmaker[Session], settings: scarcity.PriceSettings
) -> scarcity.RefreshReport:
    """Replace every stored scarce-stock price from history and stock, all or nothing.

    The LP runs between the read and the write, holding no transaction (on
    SQLite a transaction holds the database's one write lock).
    """
    inputs = run_in_transaction(
        sessions, lambda s: scarcity.read_inputs(s, settings), entity="scarcity price"
    )
    prices = scarcity.solve_prices(inputs)
    return run_in_transaction(
        sessions, lambda s: scarcity.store_prices(s, inputs, prices), entity="scarcity price"
    )

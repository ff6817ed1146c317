"""Stock: positions, reservations and the ledger that records every movement,
availability reads, stock reports, and the daily capacity counters."""

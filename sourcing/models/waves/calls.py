"""Many orders at once as use cases: SourceBatch and Rebalance.

Both read, solve and write in transactions of their own (the solve runs
between them, holding no lock) and return plain outcomes, no rows; they are
named here so that every use case of the package is called from one place.
"""

from __future__ import annotations

from sourcing.models.waves.batch import source_batch
from sourcing.models.waves.rebalance import rebalance

__all__ = ["rebalance", "source_batch"]

"""The ledger check: positions whose counters and movement records do not add up.

Separate from ``sourcing.models.inventory.inventory``, which writes the ledger: this is
a read-only audit of the rules those writers keep (see
``sourcing.models.inventory.tables``), run by tests, benchmarks and operators rather
than on the sourcing path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sourcing.models.db.enums import QuantityStatus, QuantityType
from sourcing.models.inventory.tables import InventoryPosition, InventoryQuantity


@dataclass(frozen=True, slots=True)
class LedgerDiscrepancy:
    """A position whose numbers do not add up, and how.

    ``problems`` holds one or both of:

    * ``"movements"``: on_hand differs from sum(ACTIVE CORRECTION) -
      sum(ACTIVE SALE), i.e. stock changed without a ledger record;
    * ``"over_reserved"``: more units are actively reserved than are on
      hand. ``sourcing.models.inventory.inventory.reserve`` never causes this; a
      correction that takes on_hand below what was promised does, and the
      promised fulfilments must then be sourced again.
    * ``"reserved_counter"``: the position's ``reserved`` counter differs
      from sum(ACTIVE RESERVED), i.e. a reservation was written or released
      outside ``sourcing.models.inventory.inventory``.

    The buffer is deliberately not part of the check: it is a sales policy
    that may be raised, or eaten into by a correction, without anyone having
    promised units that are not there.
    """

    position_id: int
    product_id: int
    location_id: int
    on_hand: int
    reserved: int
    sold: int
    corrected: int
    problems: tuple[str, ...]


def ledger_check(
    session: Session, position_ids: Collection[int] | None = None
) -> list[LedgerDiscrepancy]:
    """Positions whose numbers do not add up (see :class:`LedgerDiscrepancy`), by id.

    An empty list means the ledger is consistent. ``position_ids`` limits the
    check to those positions.
    """
    totals: dict[int, dict[QuantityType, int]] = defaultdict(lambda: defaultdict(int))
    sums = select(
        InventoryQuantity.position_id, InventoryQuantity.type, func.sum(InventoryQuantity.quantity)
    ).where(InventoryQuantity.status == QuantityStatus.ACTIVE)
    positions = select(InventoryPosition).order_by(InventoryPosition.id)
    if position_ids is not None:
        sums = sums.where(InventoryQuantity.position_id.in_(list(position_ids)))
        positions = positions.where(InventoryPosition.id.in_(list(position_ids)))
    for position_id, kind, total in session.execute(
        sums.group_by(InventoryQuantity.position_id, InventoryQuantity.type)
    ).tuples():
        totals[position_id][kind] = int(total)
    found = []
    for position in session.scalars(positions):
        by_type = totals[position.id]
        reserved = by_type[QuantityType.RESERVED]
        sold = by_type[QuantityType.SALE]
        corrected = by_type[QuantityType.CORRECTION]
        problems = []
        if position.on_hand != corrected - sold:
            problems.append("movements")
        if reserved > position.on_hand:
            problems.append("over_reserved")
        if position.reserved != reserved:
            problems.append("reserved_counter")
        if problems:
            found.append(
                LedgerDiscrepancy(
                    position.id,
                    position.product_id,
                    position.location_id,
                    position.on_hand,
                    reserved,
                    sold,
                    corrected,
                    tuple(problems),
                )
            )
    return found

"""Availability reads: the units each position can promise now, directly or through a catalogue.

Separate from ``sourcing.models.inventory.inventory``, which writes the ledger: these
functions only read the ``on_hand``, ``reserved`` and ``buffer_qty`` counters
that module keeps in step, so availability comes from the positions alone
without summing the ledger. Readers (stock reports, position views, the
lifecycle's re-sourcing) need nothing else from the ledger.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from sourcing.models.config.tables import Product, VirtualCatalogue, network_locations
from sourcing.models.db.errors import NotFound
from sourcing.models.inventory.tables import InventoryPosition


@dataclass(frozen=True, slots=True)
class PositionAvailability:
    """The numbers behind one position's availability at one moment.

    ``buffer_qty`` is the buffer that applies to this view: the position's
    own, plus a virtual catalogue's extra buffers when read through one.
    """

    position_id: int
    product_id: int
    location_id: int
    on_hand: int
    reserved: int
    buffer_qty: int

    @property
    def available(self) -> int:
        """Units that may be promised now: on hand - reserved - buffer, never below zero."""
        return max(0, self.on_hand - self.reserved - self.buffer_qty)


def available_by_position(
    session: Session,
    product_ids: Collection[int],
    location_ids: Collection[int] | None = None,
) -> dict[tuple[int, int], PositionAvailability]:
    """Availability of products at locations, keyed by ``(product_id, location_id)``.

    ``location_ids=None`` means every location. A product with no position
    at a location is absent from the result (nothing available there).
    """
    if not product_ids or (location_ids is not None and not location_ids):
        return {}
    stmt = select(
        InventoryPosition.id,
        InventoryPosition.product_id,
        InventoryPosition.location_id,
        InventoryPosition.on_hand,
        InventoryPosition.reserved,
        InventoryPosition.buffer_qty,
    ).where(InventoryPosition.product_id.in_(list(product_ids)))
    if location_ids is not None:
        stmt = stmt.where(InventoryPosition.location_id.in_(list(location_ids)))
    return {(row[1], row[2]): PositionAvailability(*row) for row in session.execute(stmt).tuples()}


def available_in_catalogue(
    session: Session, catalogue_id: int, product_ids: Collection[int]
) -> dict[tuple[int, int], PositionAvailability]:
    """Availability through a virtual catalogue: its network's locations, its extra buffers.

    Keyed by ``(product_id, location_id)`` like :func:`available_by_position`.
    """
    catalogue = session.get(VirtualCatalogue, catalogue_id)
    if catalogue is None:
        raise NotFound("virtual catalogue", catalogue_id)
    location_ids = session.scalars(
        select(network_locations.c.location_id).where(
            network_locations.c.network_id == catalogue.network_id
        )
    ).all()
    base = available_by_position(session, product_ids, location_ids)
    categories = dict(
        session.execute(
            select(Product.id, Product.category).where(Product.id.in_(list(product_ids)))
        )
        .tuples()
        .all()
    )
    return {
        key: replace(
            position,
            buffer_qty=position.buffer_qty
            + catalogue.extra_buffer_qty
            + int(catalogue.category_buffers.get(categories.get(position.product_id) or "", 0)),
        )
        for key, position in base.items()
    }

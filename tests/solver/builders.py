"""Compact constructors for hand-built sourcing instances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sourcing.solver import (
    Customer,
    CustomerTier,
    GeoPoint,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Rules,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
    Weights,
)

# One degree of longitude on the equator is about 111.2 km.
HOME = GeoPoint(0.0, 0.0)


def loc(ref: str, km_east: float, stock: Mapping[str, int | StockPosition], **kw: Any) -> Location:
    """A store ``km_east`` km (roughly) east of HOME on the equator."""
    positions = {
        p: s if isinstance(s, StockPosition) else StockPosition(on_hand=s) for p, s in stock.items()
    }
    kw.setdefault("type", LocationType.STORE)
    return Location(ref=ref, point=GeoPoint(0.0, km_east / 111.195), stock=positions, **kw)


def order(
    lines: Iterable[tuple[str, int]] | Mapping[str, int],
    *,
    type: OrderType = OrderType.HD,
    vip: bool = False,
    need_by: datetime | None = None,
    categories: Mapping[str, str] | None = None,
    collection: str | None = None,
) -> Order:
    """An order of ``(product, quantity)`` lines, numbered L1, L2, ..."""
    items = list(lines.items()) if isinstance(lines, Mapping) else list(lines)
    cats = categories or {}
    return Order(
        ref="O1",
        type=type,
        lines=tuple(OrderLine(f"L{i + 1}", p, q, cats.get(p)) for i, (p, q) in enumerate(items)),
        delivery_point=HOME,
        customer=Customer("C1", CustomerTier.VIP if vip else CustomerTier.STANDARD),
        need_by=need_by,
        collection_location_ref=collection or ("S1" if type is OrderType.CC else None),
    )


def problem(
    the_order: Order,
    locations: Iterable[Location],
    *,
    split_limit: int = 1000,
    rules: Rules | None = None,
    **weights: float,
) -> SourcingProblem:
    """A problem with cost weights that only count what a test sets.

    By default the only cost is 1 per fulfilment (fixed cost 1 at weight 1
    needs ``fixed_cost`` on locations) and shipping; tests set what they need.
    """
    base = dict(fixed=0.0, handling=0.0, shipping=0.0, ideal_stock=0.0)
    base.update(weights)
    profile = SourcingProfile(Weights(**base), split_limit, rules or Rules())
    return SourcingProblem(the_order, tuple(locations), profile)

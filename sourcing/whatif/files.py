"""A history from CSV files, for a retailer not yet running the service.

A folder holds three files (``examples/whatif/`` has a small one):

``locations.csv``
    ``ref, type, latitude, longitude`` and optionally ``fixed_cost,
    handling_cost, shipping_cost_per_km, pick_pack_hours`` (minor units),
    ``capacity`` (orders per day, empty for none), ``hd_enabled, cc_enabled``
    (``true``/``false``).
``positions.csv``
    ``location_ref, product_ref, on_hand`` and optionally ``buffer_qty,
    ideal_qty``: the stock at the start of the window.
``orders.csv``
    One row per order line: ``order_ref, arrived_at`` (ISO 8601), ``type``
    (HD/CC), ``latitude, longitude`` (HD) or ``collection_location_ref`` (CC),
    ``line_ref, product_ref, quantity`` and optionally ``customer_tier``
    (STANDARD/VIP) and ``category``. An order's rows come together.

and optionally ``profile.toml`` with ``split_limit`` and a ``[weights]``
table. A bad row raises ``WhatIfInputError`` naming the file, line and column.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sourcing import solver
from sourcing.whatif.errors import WhatIfInputError
from sourcing.whatif.history import CANDIDATE_NETWORKS, History, HistoryOrder

T = TypeVar("T")
Row = tuple[int, dict[str, str]]


def read_history(folder: str | Path) -> History:
    """The history held in ``folder``'s CSV files."""
    folder = Path(folder)
    stock = _positions(folder / "positions.csv")
    locations = _locations(folder / "locations.csv", stock)
    orders = _orders(folder / "orders.csv", {loc.ref: loc for loc in locations})
    profile = _profile(folder / "profile.toml")
    return History(
        folder.name,
        locations,
        orders,
        dict.fromkeys(solver.OrderType, profile),
    )


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[Row]:
    if not path.exists():
        raise WhatIfInputError(str(path), None, "(file)", "Expected the file to exist.")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise WhatIfInputError(str(path), 1, missing[0], "Expected this column in the header.")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _cell(path: Path, line: int, row: dict[str, str], column: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(row.get(column, ""))
    except (ValueError, KeyError) as exc:
        message = f"Cannot read {row.get(column, '')!r}: {exc}"
        raise WhatIfInputError(str(path), line, column, message) from None


def _count(text: str) -> int:
    value = int(text or "0")
    if value < 0:
        raise ValueError("expected a count >= 0")
    return value


def _money(text: str) -> float:
    value = float(text or "0")
    if not value >= 0:
        raise ValueError("expected a number >= 0")
    return value


def _flag(text: str) -> bool:
    if text.lower() in ("", "true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise ValueError("expected true or false")


def _positions(path: Path) -> dict[str, dict[str, solver.StockPosition]]:
    stock: dict[str, dict[str, solver.StockPosition]] = {}
    for line, row in _rows(path, ("location_ref", "product_ref", "on_hand")):
        position = solver.StockPosition(
            on_hand=_cell(path, line, row, "on_hand", _count),
            buffer_qty=_cell(path, line, row, "buffer_qty", _count),
            ideal_qty=_cell(path, line, row, "ideal_qty", _count),
        )
        stock.setdefault(row["location_ref"], {})[row["product_ref"]] = position
    return stock


def _locations(
    path: Path, stock: dict[str, dict[str, solver.StockPosition]]
) -> tuple[solver.Location, ...]:
    out = []
    for line, row in _rows(path, ("ref", "type", "latitude", "longitude")):
        capacity = _cell(path, line, row, "capacity", lambda t: _count(t) if t else None)
        try:
            point = solver.GeoPoint(
                _cell(path, line, row, "latitude", float),
                _cell(path, line, row, "longitude", float),
            )
        except ValueError as exc:
            raise WhatIfInputError(str(path), line, "latitude", str(exc)) from None
        out.append(
            solver.Location(
                ref=_cell(path, line, row, "ref", _non_empty),
                type=_cell(path, line, row, "type", solver.LocationType),
                point=point,
                stock=stock.get(row["ref"], {}),
                networks=frozenset(CANDIDATE_NETWORKS.values()),
                fixed_cost=_cell(path, line, row, "fixed_cost", _money),
                handling_cost=_cell(path, line, row, "handling_cost", _money),
                shipping_cost_per_km=_cell(path, line, row, "shipping_cost_per_km", _money),
                pick_pack_hours=_cell(path, line, row, "pick_pack_hours", _money),
                capacity=solver.Capacity(total=capacity),
                hd_enabled=_cell(path, line, row, "hd_enabled", _flag),
                cc_enabled=_cell(path, line, row, "cc_enabled", _flag),
            )
        )
    return tuple(out)


def _non_empty(text: str) -> str:
    if not text:
        raise ValueError("expected a non-empty value")
    return text


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _orders(path: Path, locations: dict[str, solver.Location]) -> tuple[HistoryOrder, ...]:
    required = ("order_ref", "arrived_at", "type", "line_ref", "product_ref", "quantity")
    grouped: dict[str, tuple[int, dict[str, str], list[solver.OrderLine]]] = {}
    for line, row in _rows(path, required):
        ref = _cell(path, line, row, "order_ref", _non_empty)
        order_line = solver.OrderLine(
            _cell(path, line, row, "line_ref", _non_empty),
            _cell(path, line, row, "product_ref", _non_empty),
            _cell(path, line, row, "quantity", _positive),
            row.get("category") or None,
        )
        grouped.setdefault(ref, (line, row, []))[2].append(order_line)
    orders = [_order(path, first, row, lines, locations) for first, row, lines in grouped.values()]
    orders.sort(key=lambda o: o.arrived_at)  # stable: ties keep file order
    return tuple(orders)


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _order(
    path: Path,
    line: int,
    row: dict[str, str],
    lines: list[solver.OrderLine],
    locations: dict[str, solver.Location],
) -> HistoryOrder:
    kind = _cell(path, line, row, "type", solver.OrderType)
    store = row.get("collection_location_ref") or None
    if kind is solver.OrderType.CC:
        if store not in locations:
            message = f"Expected a known location for a CC order, got {store!r}."
            raise WhatIfInputError(str(path), line, "collection_location_ref", message)
        point = locations[store].point
    else:
        lat = _cell(path, line, row, "latitude", float)
        lon = _cell(path, line, row, "longitude", float)
        point = _cell(path, line, row, "latitude", lambda _: solver.GeoPoint(lat, lon))
    try:
        order = solver.Order(
            ref=row["order_ref"],
            type=kind,
            lines=tuple(lines),
            delivery_point=point,
            customer=solver.Customer("anonymous", _cell(path, line, row, "customer_tier", _tier)),
            collection_location_ref=store,
        )
    except ValueError as exc:
        raise WhatIfInputError(str(path), line, "line_ref", str(exc)) from None
    return HistoryOrder(order, _cell(path, line, row, "arrived_at", _when))


def _tier(text: str) -> solver.CustomerTier:
    return solver.CustomerTier(text or "STANDARD")


def _profile(path: Path) -> solver.SourcingProfile:
    if not path.exists():
        return solver.SourcingProfile()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        weights = solver.Weights.from_mapping(data.get("weights", {}))
        split_limit = data.get("split_limit", solver.DEFAULT_SPLIT_LIMIT)
        return solver.SourcingProfile(weights=weights, split_limit=split_limit)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise WhatIfInputError(
            str(path), getattr(exc, "lineno", None), "profile", str(exc)
        ) from None

"""An order's candidates, fast: the locations cached per process, what moves read per order.

Loading a thousand ``Location`` rows with their networks and turning them
into solver locations takes far longer than solving. Yet locations change
rarely, and every order of a type draws on the same ones. So, per database
engine, order type and network, a process keeps the candidates as one tuple
of ``solver.Location`` without stock (``CandidateSet``), built at one
``config_version`` (see ``sourcing.models.config.config_version``). Reusing the
very tuple also lets the solver reuse its columnar table of it.

Each order then reads, in its own transaction:

1. ``config_version``, one row: a set built at another version is rebuilt,
   so a location created or changed by any replica is seen by the next order;
2. the positions of the order's products with their reserved counters (one
   scan of the covering (product, location, ...) index);
3. when a candidate has a daily capacity: today's counters of fulfilments per
   location and order type (``sourcing.models.inventory.day_load``), for capacity left;
4. for an HD order when an open-order limit applies: open fulfilments per location.

These go to the solver as a ``solver.CandidateState``. Nothing read here is
trusted at write time: ``reserve_many`` re-checks the stock under row locks.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Engine, Executable, bindparam, func, select
from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidates import (
    OPEN_STATUSES,
    candidate_locations,
    solver_location,
    start_of_today,
)
from sourcing.models.config.config_version import config_version
from sourcing.models.db.enums import OrderType
from sourcing.models.inventory.day_load import day_of, used_on
from sourcing.models.inventory.tables import InventoryPosition
from sourcing.models.orders.tables import Fulfilment
from sourcing.solver.table import LocationTable
from sourcing.solver.types import FloatArray, IntArray

_UNLIMITED = -1


@dataclass(frozen=True, slots=True)
class CandidateSet:
    """The candidates of one order type and network, as stored at one config version.

    ``locations`` carry no stock, unlimited capacity and no open orders: each
    order's ``CandidateState`` supplies those. ``index_of[location id]`` is
    the candidate's index, -1 for a location that is not a candidate.
    ``capacity_*`` are the daily capacities, -1 where there is none.
    """

    version: int | None
    locations: tuple[solver.Location, ...]
    table: LocationTable  # the solver's arrays of ``locations``, built once per set
    location_ids: Mapping[str, int]
    pick_pack_hours: Mapping[str, float]
    index_of: IntArray
    capacity_total: IntArray
    capacity_hd: IntArray
    capacity_cc: IntArray
    own_open_order_limit: bool
    # What callers derive from the set alone (e.g. the collection stores and their
    # coordinates), kept with it so that it goes when the set is rebuilt.
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_capacity(self) -> bool:
        """Whether any candidate has a daily capacity."""
        return bool(
            (self.capacity_total >= 0).any()
            or (self.capacity_hd >= 0).any()
            or (self.capacity_cc >= 0).any()
        )

    @classmethod
    def read(
        cls, session: Session, order_type: OrderType, network_ref: str | None, version: int | None
    ) -> CandidateSet:
        """Build the set from the stored locations (``version`` is what was read just before)."""
        rows = candidate_locations(session, order_type, network_ref)
        shared: dict[object, object] = {}
        locations = tuple(solver_location(row, shared) for row in rows)
        ids = np.array([row.id for row in rows], dtype=np.int64)
        index_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        index_of[ids] = np.arange(len(ids))

        def capacity(name: str) -> IntArray:
            values = [getattr(row, name) for row in rows]
            return np.array([_UNLIMITED if v is None else v for v in values], dtype=np.int64)

        return cls(
            version=version,
            locations=locations,
            table=LocationTable.of(locations),
            location_ids={row.ref: row.id for row in rows},
            pick_pack_hours={row.ref: row.pick_pack_hours for row in rows},
            index_of=index_of,
            capacity_total=capacity("capacity_total"),
            capacity_hd=capacity("capacity_hd"),
            capacity_cc=capacity("capacity_cc"),
            own_open_order_limit=any(row.open_order_limit is not None for row in rows),
        )

    def indices(self, location_ids: IntArray) -> IntArray:
        """Candidate index of each location id, -1 for non-candidates (new ones included)."""
        known = location_ids < len(self.index_of)
        found: IntArray = np.full(len(location_ids), -1, dtype=np.int64)
        found[known] = self.index_of[location_ids[known]]
        return found


@dataclass(frozen=True, slots=True)
class Candidates:
    """One order's candidates: the shared tuple, this order's state, and ids for the write.

    ``positions`` maps (product id, location id) to the position id, for the
    positions the state lists.
    """

    candidates: CandidateSet
    state: solver.CandidateState
    positions: Mapping[tuple[int, int], int]


# The per-order statements, built once: SQLAlchemy then reuses their cache keys.
_STOCK = select(
    InventoryPosition.id,
    InventoryPosition.product_id,
    InventoryPosition.location_id,
    InventoryPosition.on_hand,
    InventoryPosition.reserved,
    InventoryPosition.buffer_qty,
    InventoryPosition.ideal_qty,
    InventoryPosition.markdown,
    InventoryPosition.sell_through,
    InventoryPosition.stock_age_days,
).where(InventoryPosition.product_id.in_(bindparam("products", expanding=True)))
_OPEN = (
    select(Fulfilment.location_id, func.count())
    .where(Fulfilment.status.in_(OPEN_STATUSES))
    .group_by(Fulfilment.location_id)
)

_LOCK = threading.Lock()
_SETS: weakref.WeakKeyDictionary[Engine, dict[tuple[OrderType, str | None], CandidateSet]] = (
    weakref.WeakKeyDictionary()
)


def candidate_set(session: Session, order_type: OrderType, network_ref: str | None) -> CandidateSet:
    """The candidates of this order type and network, from the process's cache when current."""
    version = config_version(session)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    key = (order_type, network_ref)
    with _LOCK:
        cached = _SETS.get(engine, {}).get(key)
    if cached is not None and version is not None and cached.version == version:
        return cached
    fresh = CandidateSet.read(session, order_type, network_ref, version)
    if version is not None:
        with _LOCK:
            _SETS.setdefault(engine, {})[key] = fresh
    return fresh


def read_candidates(
    session: Session,
    order_type: OrderType,
    network_ref: str | None,
    products: Mapping[int, str],
    *,
    profile_open_order_limit: int | None,
) -> Candidates:
    """The candidates of an order for ``products`` (id -> ref), with their current state."""
    cached = candidate_set(session, order_type, network_ref)
    stock, positions = _stock(session, cached, products)
    total, hd, cc = _capacity_left(session, cached)
    open_orders = np.zeros(len(cached.locations), dtype=np.int64)
    if order_type is OrderType.HD and (
        profile_open_order_limit is not None or cached.own_open_order_limit
    ):
        open_orders = _open_orders(session, cached)
    state = solver.CandidateState(stock, total, hd, cc, open_orders)
    return Candidates(cached, state, positions)


def _stock(
    session: Session, cached: CandidateSet, products: Mapping[int, str]
) -> tuple[dict[str, solver.ProductColumn], Mapping[tuple[int, int], int]]:
    """Each product's positions at the candidates, and their ids by (product, location)."""
    if not products:
        return {}, {}
    table = _stock_table(session, list(products))
    product_ids = table[:, 1].astype(np.int64)
    location_ids = table[:, 2].astype(np.int64)
    index = cached.indices(location_ids)
    # Candidates, grouped by product and in candidate order within each.
    key = product_ids * len(cached.index_of) + index
    order = np.argsort(key, kind="stable")
    order = order[index[order] >= 0]
    table, product_ids, index = table[order], product_ids[order], index[order]
    counts = np.maximum(table[:, 3:7], 0).astype(np.int64)
    fractions = np.clip(table[:, 7:9], 0.0, 1.0)
    age = np.maximum(table[:, 9], 0.0)
    columns: dict[str, solver.ProductColumn] = {}
    for product_id, ref in products.items():
        lo, hi = np.searchsorted(product_ids, [product_id, product_id + 1])
        columns[ref] = solver.ProductColumn(
            index=index[lo:hi],
            on_hand=counts[lo:hi, 0],
            reserved=counts[lo:hi, 1],
            buffer_qty=counts[lo:hi, 2],
            ideal_qty=counts[lo:hi, 3],
            markdown=fractions[lo:hi, 0],
            sell_through=fractions[lo:hi, 1],
            stock_age_days=age[lo:hi],
            in_transit=(),
        )
    positions = PositionIds(
        product_ids, index, table[:, 2].astype(np.int64), table[:, 0].astype(np.int64), cached
    )
    return columns, positions


def share_stock_reads(session: Session) -> None:
    """Let the reads of ``session`` reuse the stock rows already read for the same products,
    and the day's capacity use already read.

    For read-only work asking twice about one cart (the fulfilment options'
    HD and CC snapshots): the rows are the transaction's, so reading them
    again would give the same, but a write in between would not be seen.
    """
    session.info.setdefault(_SHARED_STOCK, {})
    session.info.setdefault(_SHARED_USE, {})


# session.info key of the shared stock tables, by the product ids asked for.
_SHARED_STOCK = "sourcing.shared_stock_rows"
# session.info key of the shared capacity use, by UTC day.
_SHARED_USE = "sourcing.shared_capacity_use"


def _stock_table(session: Session, product_ids: list[int]) -> FloatArray:
    """The stock rows of ``product_ids`` as a (rows, 10) array of ``_STOCK``'s columns,
    read and converted once per session when it shares them (read-only: never written to)."""
    shared: dict[tuple[int, ...], FloatArray] | None = session.info.get(_SHARED_STOCK)
    key = tuple(product_ids)
    if shared is not None and key in shared:
        return shared[key]
    rows = _raw_rows(session, _STOCK, {"products": product_ids})
    table = np.fromiter(chain.from_iterable(rows), dtype=float, count=10 * len(rows))
    table = table.reshape(len(rows), 10)
    if shared is not None:
        table.flags.writeable = False
        shared[key] = table
    return table


def _raw_rows(session: Session, statement: Executable, params: dict[str, Any]) -> list[Any]:
    """The driver's own row tuples, skipping SQLAlchemy's per-row Row objects.

    For statements whose columns are all numbers, which need no result
    processing; a thousand-odd stock rows per order made the Rows a cost.
    """
    result = session.connection().execute(statement, params)
    try:
        return list(result.cursor.fetchall()) if result.cursor is not None else []
    finally:
        result.close()


class PositionIds(Mapping[tuple[int, int], int]):
    """Position ids by (product id, location id), looked up only for the plan's few lines.

    Built from the arrays the read already has (rows grouped by product and
    in candidate order within each), instead of a dict of every position.
    """

    def __init__(
        self,
        product_ids: IntArray,
        index: IntArray,
        location_ids: IntArray,
        position_ids: IntArray,
        cached: CandidateSet,
    ) -> None:
        self._product_ids = product_ids
        self._index = index
        self._location_ids = location_ids
        self._position_ids = position_ids
        self._cached = cached

    def __getitem__(self, key: tuple[int, int]) -> int:
        product_id, location_id = key
        (candidate,) = self._cached.indices(np.array([location_id], dtype=np.int64))
        lo, hi = np.searchsorted(self._product_ids, [product_id, product_id + 1])
        at = lo + int(np.searchsorted(self._index[lo:hi], candidate))
        if candidate < 0 or at >= hi or self._index[at] != candidate:
            raise KeyError(key)
        return int(self._position_ids[at])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._product_ids.tolist(), self._location_ids.tolist(), strict=True)

    def __len__(self) -> int:
        return len(self._position_ids)


def _capacity_left(session: Session, cached: CandidateSet) -> tuple[IntArray, IntArray, IntArray]:
    """Orders each candidate can still take today in total, HD and CC; -1 when unlimited."""
    if not cached.has_capacity:
        return cached.capacity_total, cached.capacity_hd, cached.capacity_cc
    day = day_of(start_of_today())
    shared: dict[date, list[tuple[int, OrderType, int]]] | None = session.info.get(_SHARED_USE)
    rows = shared.get(day) if shared is not None else None
    if rows is None:
        rows = used_on(session, day)
        if shared is not None:
            shared[day] = rows
    used = {kind: np.zeros(len(cached.locations), dtype=np.int64) for kind in OrderType}
    if rows:
        location_ids = np.array([row[0] for row in rows], dtype=np.int64)
        index = cached.indices(location_ids)
        for i, (_, kind, count) in zip(index.tolist(), rows, strict=True):
            if i >= 0:
                used[kind][i] += count

    def left(capacity: IntArray, taken: IntArray) -> IntArray:
        remaining: IntArray = np.where(capacity < 0, _UNLIMITED, np.maximum(capacity - taken, 0))
        return remaining

    hd, cc = used[OrderType.HD], used[OrderType.CC]
    return (
        left(cached.capacity_total, hd + cc),
        left(cached.capacity_hd, hd),
        left(cached.capacity_cc, cc),
    )


def _open_orders(session: Session, cached: CandidateSet) -> IntArray:
    """Fulfilments not yet picked, per candidate."""
    rows = session.connection().execute(_OPEN).all()
    counts = np.zeros(len(cached.locations), dtype=np.int64)
    if rows:
        index = cached.indices(np.array([row[0] for row in rows], dtype=np.int64))
        values = np.array([row[1] for row in rows], dtype=np.int64)
        counts[index[index >= 0]] = values[index >= 0]
    return counts

"""The raw results of a run, and their CSV files.

A run writes what each job measured (``runs.csv``: one row per instance and
policy; ``bounds.csv``: one row per instance; ``orders.csv``: one row per
order and policy, with the cost term by term) and computes every figure of
the report from these, so a report can be rebuilt from a run's folder.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from sourcing.bench.simulation import OrderRecord
from sourcing.solver.objective import TERMS  # the real cost's terms: steering is not a cost

ORDERS_CSV, RUNS_CSV, BOUNDS_CSV, RUN_JSON = "orders.csv", "runs.csv", "bounds.csv", "run.json"


@dataclass(frozen=True, slots=True, order=True)
class InstanceKey:
    """Which instance: the family, its size in locations, the seed and the orders simulated."""

    family: str
    size: int
    seed: int
    orders: int

    @property
    def name(self) -> str:
        """A short label, e.g. ``clustered-300``."""
        return f"{self.family}-{self.size}"


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order as one policy handled it, with the instance it belongs to."""

    instance: InstanceKey
    policy: str
    record: OrderRecord


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One policy over one instance: what it used and what it cost to run.

    ``peak_rss_mb`` is the peak resident memory of the process that ran it;
    ``error`` is empty unless the job failed.
    """

    instance: InstanceKey
    policy: str
    capacity_used: int
    capacity_offered: int
    max_rejection_penalty: float
    wall_s: float
    peak_rss_mb: float
    error: str = ""


@dataclass(frozen=True, slots=True)
class BoundInfo:
    """The LP bound of one instance (``value`` is -inf when it was not proved).

    ``rejected_floor`` is the units the rejection MIP proved every integer
    plan rejects (0 when it was not run or proved nothing), ``floor_s`` its
    time.
    """

    instance: InstanceKey
    value: float
    lp_value: float
    rejected_units: float
    status: str
    variables: int
    constraints: int
    build_s: float
    solve_s: float
    peak_rss_mb: float
    error: str = ""
    rejected_floor: float = 0.0
    floor_s: float = 0.0


@dataclass(frozen=True, slots=True)
class RunMeta:
    """How a run was made: the command, how long it took, on what, when (ISO date), what weights.

    ``weights`` is empty for runs recorded before the bench took ``--weights``
    (they priced with ``BENCH_WEIGHTS``).
    """

    command: str
    runtime_s: float
    environment: str
    date: str
    weights: dict[str, float] = field(default_factory=dict)


@dataclass
class Results:
    """Everything a run measured."""

    orders: list[OrderRow]
    runs: list[RunInfo]
    bounds: list[BoundInfo]
    meta: RunMeta | None = None

    def write(self, folder: Path) -> None:
        """Write the CSV files, and ``run.json`` when the run is described, into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.meta is not None:
            text = json.dumps({f.name: getattr(self.meta, f.name) for f in fields(RunMeta)})
            (folder / RUN_JSON).write_text(text + "\n", encoding="utf-8")
        _write(folder / ORDERS_CSV, _ORDER_COLUMNS, (_order_cells(row) for row in self.orders))
        _write(folder / RUNS_CSV, _RUN_COLUMNS, (_flat(run) for run in self.runs))
        _write(folder / BOUNDS_CSV, _BOUND_COLUMNS, (_flat(b) for b in self.bounds))

    @classmethod
    def read(cls, folder: Path) -> Results:
        """Read a run's CSV files back."""
        orders = [_order_row(cells) for cells in _read(folder / ORDERS_CSV)]
        runs = [
            RunInfo(
                _key(c),
                c["policy"],
                int(c["capacity_used"]),
                int(c["capacity_offered"]),
                float(c["max_rejection_penalty"]),
                float(c["wall_s"]),
                float(c["peak_rss_mb"]),
                c["error"],
            )
            for c in _read(folder / RUNS_CSV)
        ]
        bounds = [
            BoundInfo(
                _key(c),
                float(c["value"]),
                float(c["lp_value"]),
                float(c["rejected_units"]),
                c["status"],
                int(c["variables"]),
                int(c["constraints"]),
                float(c["build_s"]),
                float(c["solve_s"]),
                float(c["peak_rss_mb"]),
                c["error"],
                # Runs recorded before the rejection floor have neither column.
                float(c.get("rejected_floor", "0")),
                float(c.get("floor_s", "0")),
            )
            for c in _read(folder / BOUNDS_CSV)
        ]
        meta_path = folder / RUN_JSON
        meta = None
        if meta_path.is_file():
            meta = RunMeta(**json.loads(meta_path.read_text(encoding="utf-8")))
        return cls(orders, runs, bounds, meta)


_KEY_COLUMNS = [f.name for f in fields(InstanceKey)]
_RECORD_COLUMNS = [f.name for f in fields(OrderRecord) if f.name not in ("terms", "latency_s")]
_ORDER_COLUMNS = [
    *_KEY_COLUMNS,
    "policy",
    *_RECORD_COLUMNS,
    "latency_ms",
    "cost",
    *(f"cost_{t}" for t in TERMS),
]
_RUN_COLUMNS = [*_KEY_COLUMNS, *(f.name for f in fields(RunInfo) if f.name != "instance")]
_BOUND_COLUMNS = [*_KEY_COLUMNS, *(f.name for f in fields(BoundInfo) if f.name != "instance")]


def _flat(item: RunInfo | BoundInfo) -> list[object]:
    key = item.instance
    rest = [getattr(item, f.name) for f in fields(item) if f.name != "instance"]
    return [key.family, key.size, key.seed, key.orders, *rest]


def _order_cells(row: OrderRow) -> list[object]:
    key, record = row.instance, row.record
    return [
        key.family,
        key.size,
        key.seed,
        key.orders,
        row.policy,
        *(getattr(record, name) for name in _RECORD_COLUMNS),
        record.latency_s * 1000.0,
        record.cost,
        *(record.terms.get(t, 0.0) for t in TERMS),
    ]


def _key(cells: dict[str, str]) -> InstanceKey:
    return InstanceKey(
        cells["family"], int(cells["size"]), int(cells["seed"]), int(cells["orders"])
    )


def _order_row(cells: dict[str, str]) -> OrderRow:
    record = OrderRecord(
        index=int(cells["index"]),
        order_ref=cells["order_ref"],
        day=int(cells["day"]),
        lines=int(cells["lines"]),
        units=int(cells["units"]),
        split_limit=int(cells["split_limit"]),
        shipments=int(cells["shipments"]),
        rejected_units=int(cells["rejected_units"]),
        latency_s=float(cells["latency_ms"]) / 1000.0,
        terms={t: float(cells[f"cost_{t}"]) for t in TERMS},
        error=cells["error"],
    )
    return OrderRow(_key(cells), cells["policy"], record)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(_cell(v) for v in row)


def _cell(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))

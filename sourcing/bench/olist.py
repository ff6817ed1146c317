"""The Olist sample: real geography, order sizes and purchase times.

Olist Brazilian E-Commerce Public Dataset (sample), CC BY-NC-SA 4.0. Only
geography, line counts, quantities and purchase times are taken from it;
stock is always generated. The package ships what the benchmarks use, derived
from the sample by ``scripts/derive_olist_sample.py`` into ``data/olist/``
beside this module (see its README for the licence), so a clone needs nothing
outside itself. ``SOURCING_OLIST_DIR`` points at another folder, holding
either such a derived sample or the raw Olist CSV files.
"""

from __future__ import annotations

import csv
import itertools
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from sourcing.solver.types import FloatArray, IntArray


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude box in decimal degrees."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the box (edges included)."""
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max

    def clip(self, points: FloatArray) -> FloatArray:
        """``points`` (N, 2) as (lat, lon), each moved to the nearest point of the box."""
        lat = np.clip(points[:, 0], self.lat_min, self.lat_max)
        lon = np.clip(points[:, 1], self.lon_min, self.lon_max)
        return np.column_stack([lat, lon])

    def uniform(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` points (N, 2) uniform over the box."""
        lat = rng.uniform(self.lat_min, self.lat_max, n)
        lon = rng.uniform(self.lon_min, self.lon_max, n)
        return np.column_stack([lat, lon])


BRAZIL_BOX = Box(-33.75, 5.27, -73.99, -34.79)
# The derived sample shipped inside the package.
DEFAULT_OLIST_DIR = Path(__file__).resolve().parent / "data" / "olist"
SAMPLE_FILES = ("sellers.csv", "customers.csv", "orders.csv", "purchases.csv")


@dataclass(frozen=True, slots=True)
class OlistData:
    """What the benchmarks take from the Olist sample, parsed once.

    ``seller_points`` and ``customer_points`` are (N, 2) arrays of (lat, lon),
    one row per seller or customer whose zip prefix the geolocation table
    places inside Brazil. ``lines_per_order`` holds the distinct products of
    each order, ``line_quantities`` the units of each (order, product) pair,
    ``purchase_times`` the orders' purchase timestamps in time order.
    """

    seller_points: FloatArray
    customer_points: FloatArray
    lines_per_order: IntArray
    line_quantities: IntArray
    purchase_times: tuple[datetime, ...]


def _read_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _zip_centroids(path: Path) -> dict[str, tuple[float, float]]:
    """Mean (lat, lon) of each zip prefix, ignoring the table's points outside Brazil."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in _read_rows(path):
        lat, lon = float(row["geolocation_lat"]), float(row["geolocation_lng"])
        if BRAZIL_BOX.contains(lat, lon):
            acc = sums[row["geolocation_zip_code_prefix"]]
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1.0
    return {zip_prefix: (s[0] / s[2], s[1] / s[2]) for zip_prefix, s in sums.items()}


def _points(zips: list[str], centroids: dict[str, tuple[float, float]]) -> FloatArray:
    return np.array([centroids[z] for z in zips if z in centroids], dtype=float).reshape(-1, 2)


@lru_cache(maxsize=4)
def load_olist(data_dir: str | None = None) -> OlistData:
    """The Olist data in ``data_dir`` (default: the shipped sample), derived or raw; cached."""
    folder = Path(data_dir or os.environ.get("SOURCING_OLIST_DIR") or DEFAULT_OLIST_DIR)
    if (folder / "geolocation.csv").is_file():
        return parse_raw_olist(folder)
    if all((folder / name).is_file() for name in SAMPLE_FILES):
        return read_sample(folder)
    raise FileNotFoundError(
        f"Expected the Olist data in {folder}: either the raw sample (geolocation.csv, ...) "
        f"or a derived one ({', '.join(SAMPLE_FILES)})."
    )


def parse_raw_olist(folder: Path) -> OlistData:
    """Parse the raw Olist CSV files (geolocation, sellers, customers, items, orders)."""
    centroids = _zip_centroids(folder / "geolocation.csv")
    sellers = [row["seller_zip_code_prefix"] for row in _read_rows(folder / "sellers.csv")]
    customers = [row["customer_zip_code_prefix"] for row in _read_rows(folder / "customers.csv")]
    units: dict[str, Counter[str]] = defaultdict(Counter)
    for row in _read_rows(folder / "order_items.csv"):
        units[row["order_id"]][row["product_id"]] += 1  # one row per unit
    purchases = sorted(
        datetime.fromisoformat(row["order_purchase_timestamp"])
        for row in _read_rows(folder / "orders.csv")
        if row["order_purchase_timestamp"]
    )
    return OlistData(
        seller_points=_points(sellers, centroids),
        customer_points=_points(customers, centroids),
        lines_per_order=np.array([len(c) for c in units.values()], dtype=np.int64),
        line_quantities=np.array([q for c in units.values() for q in c.values()], dtype=np.int64),
        purchase_times=tuple(purchases),
    )


def write_sample(data: OlistData, folder: Path) -> None:
    """Write ``data`` as the derived sample: exact floats, one row per seller, customer, order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, points in (
        ("sellers.csv", data.seller_points),
        ("customers.csv", data.customer_points),
    ):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["lat", "lon"])
            writer.writerows([repr(float(lat)), repr(float(lon))] for lat, lon in points)
    with (folder / "orders.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["line_quantities"])
        offsets = np.concatenate([[0], np.cumsum(data.lines_per_order)])
        for start, stop in itertools.pairwise(offsets):
            writer.writerow([" ".join(str(int(q)) for q in data.line_quantities[start:stop])])
    with (folder / "purchases.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["purchase_time"])
        writer.writerows([t.isoformat()] for t in data.purchase_times)


def read_sample(folder: Path) -> OlistData:
    """Read a sample written by :func:`write_sample`."""

    def points(name: str) -> FloatArray:
        rows = [(float(r["lat"]), float(r["lon"])) for r in _read_rows(folder / name)]
        return np.array(rows, dtype=float).reshape(-1, 2)

    orders = [
        [int(q) for q in row["line_quantities"].split()]
        for row in _read_rows(folder / "orders.csv")
    ]
    return OlistData(
        seller_points=points("sellers.csv"),
        customer_points=points("customers.csv"),
        lines_per_order=np.array([len(o) for o in orders], dtype=np.int64),
        line_quantities=np.array([q for o in orders for q in o], dtype=np.int64),
        purchase_times=tuple(
            datetime.fromisoformat(r["purchase_time"]) for r in _read_rows(folder / "purchases.csv")
        ),
    )

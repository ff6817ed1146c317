"""The Olist sample: real geography, order sizes and purchase times.

Reads the Olist Brazilian E-Commerce Public Dataset (sample), CC BY-NC-SA
4.0, from ``../shared/data/olist/`` beside the repository or the working
directory, or from the folder in the ``SOURCING_OLIST_DIR`` environment
variable. Only geography, line counts, quantities and purchase times are
taken from it; stock is always generated.
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


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
# Next to the repository checkout (the package sits at <repo>/sourcing/bench).
DEFAULT_OLIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "olist"


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


def _default_olist_dir() -> Path:
    """``../shared/data/olist`` beside the checkout, else beside the working directory.

    An installed package is not inside the checkout, so ``sourcing bench`` run
    from the repository finds the sample relative to where it runs.
    """
    beside_cwd = Path.cwd().resolve().parent / "shared" / "data" / "olist"
    if not DEFAULT_OLIST_DIR.is_dir() and beside_cwd.is_dir():
        return beside_cwd
    return DEFAULT_OLIST_DIR


@lru_cache(maxsize=4)
def load_olist(data_dir: str | None = None) -> OlistData:
    """Parse the Olist sample in ``data_dir`` (default ``../shared/data/olist``); cached."""
    folder = Path(data_dir or os.environ.get("SOURCING_OLIST_DIR") or _default_olist_dir())
    if not (folder / "geolocation.csv").is_file():
        raise FileNotFoundError(f"Expected the Olist sample in {folder}, found no geolocation.csv.")
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

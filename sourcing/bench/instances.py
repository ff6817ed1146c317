"""Seeded, reproducible sourcing instances for the benchmarks.

A *network* (the candidate locations, their stock and costs, the product
catalogue and the sourcing profile) is generated once per configuration; a
stream of orders is then drawn over it, each order only a delivery point, a
customer and its lines. The same configuration and seed always give the same
network and the same orders.

Families
--------
``uniform``
    Locations and customers uniform over a box around Brazil's south-east
    (latitude -25 to -19, longitude -50 to -40).
``clustered``
    Metropolitan geography in the same box: a few Gaussian city centres of
    unequal size, stores dense in the cities, a few warehouses on the
    outskirts, customers around the cities with some in the countryside.
``olist``
    Real geography: sellers' zip code prefixes as locations, customers' zip
    code prefixes as delivery points (both placed by the mean of the
    geolocation table's points for the prefix), real line counts and
    quantities per line from the order items; stock is generated.

The ``olist`` family reads the Olist Brazilian E-Commerce Public Dataset
(sample), CC BY-NC-SA 4.0, from ``../shared/data/olist/`` (or the folder in
the ``SOURCING_OLIST_DIR`` environment variable).

Costs are in minor currency units. Warehouses have a lower fixed cost per
fulfilment, handling and shipping cost than stores, slower pick-and-pack,
deeper stock and no ideal stock level; stores keep an ideal level near what
they hold, so sourcing from them costs the ideal-stock penalty.
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sourcing.solver import (
    DEFAULT_SPLIT_LIMIT,
    Capacity,
    Customer,
    CustomerTier,
    GeoPoint,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
)

FAMILIES = ("uniform", "clustered", "olist")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
PointSampler = Callable[[np.random.Generator, int], FloatArray]


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


SOUTH_EAST_BOX = Box(-25.0, -19.0, -50.0, -40.0)
BRAZIL_BOX = Box(-33.75, 5.27, -73.99, -34.79)

# Next to the repository checkout (the package sits at <repo>/sourcing/bench).
DEFAULT_OLIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "olist"


@dataclass(frozen=True, slots=True)
class InstanceConfig:
    """What to generate.

    Parameters
    ----------
    family
        One of ``FAMILIES``.
    n_locations
        Candidate locations in the network.
    lines_per_order
        Lines per order; ``None`` draws the line count from the Olist orders
        (``olist`` family only).
    n_products
        Size of the product catalogue.
    in_stock_share
        Share of (location, product) positions holding stock. The default
        0.3 leaves most positions empty, as in a store network with a wide
        catalogue; 0.2-0.5 is the stress setting (50-80% out of stock).
    binding_capacity
        Give stores a remaining capacity of 0 to 3 orders today, so about a
        quarter of them are out of capacity; otherwise 20 to 60.
    split_limit
        Most locations one order may be split over.
    warehouse_share
        Share of locations that are warehouses (at least one).
    vip_share
        Share of customers with the VIP tier.
    seed
        Seed of every random draw.
    """

    family: str = "uniform"
    n_locations: int = 200
    lines_per_order: int | None = 5
    n_products: int = 500
    in_stock_share: float = 0.3
    binding_capacity: bool = False
    split_limit: int = DEFAULT_SPLIT_LIMIT
    warehouse_share: float = 0.1
    vip_share: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"Expected family among {', '.join(FAMILIES)}, got {self.family!r}.")
        _check_int("n_locations", self.n_locations, 1)
        _check_int("n_products", self.n_products, 1)
        _check_int("split_limit", self.split_limit, 1)
        _check_int("seed", self.seed, 0)
        if self.lines_per_order is None:
            if self.family != "olist":
                raise ValueError(
                    f"Expected lines_per_order to be an integer for family {self.family!r}, "
                    "got None (real line counts exist only for 'olist')."
                )
        else:
            _check_int("lines_per_order", self.lines_per_order, 1)
        most_lines = self.lines_per_order or max(load_olist().lines_per_order)
        if most_lines > self.n_products:
            raise ValueError(
                f"Expected n_products >= {most_lines} lines per order, got {self.n_products}."
            )
        for name in ("in_stock_share", "warehouse_share", "vip_share"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
                raise ValueError(f"Expected {name} to be a number in [0, 1], got {value!r}.")


def _check_int(name: str, value: object, low: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"Expected {name} to be an integer >= {low}, got {value!r}.")


@dataclass(frozen=True, slots=True)
class Network:
    """A fixed network of candidate locations that a stream of orders runs over."""

    config: InstanceConfig
    locations: tuple[Location, ...]
    products: tuple[str, ...]
    profile: SourcingProfile
    draw_delivery_points: PointSampler


# Olist data -----------------------------------------------------------------


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


# Geography per family -------------------------------------------------------


def _uniform_geography(
    config: InstanceConfig, rng: np.random.Generator
) -> tuple[FloatArray, BoolArray, PointSampler]:
    points = SOUTH_EAST_BOX.uniform(rng, config.n_locations)
    return points, _warehouse_mask(config, rng), SOUTH_EAST_BOX.uniform


def _clustered_geography(
    config: InstanceConfig, rng: np.random.Generator
) -> tuple[FloatArray, BoolArray, PointSampler]:
    n = config.n_locations
    n_cities = int(np.clip(n // 40, 3, 12))
    inner = Box(-24.5, -19.5, -49.5, -40.5)
    centres = inner.uniform(rng, n_cities)
    # City sizes fall off like a Zipf law; radii (degrees) grow with size.
    size = 1.0 / np.arange(1, n_cities + 1)
    size = size / size.sum()
    radius = 0.08 + 0.25 * np.sqrt(size / size[0])
    is_warehouse = _warehouse_mask(config, rng)
    city = rng.choice(n_cities, size=n, p=size)
    # Warehouses sit on the outskirts: three times the city's spread.
    spread = radius[city] * np.where(is_warehouse, 3.0, 1.0)
    points = SOUTH_EAST_BOX.clip(centres[city] + rng.normal(size=(n, 2)) * spread[:, None])

    def customers(gen: np.random.Generator, m: int) -> FloatArray:
        home = gen.choice(n_cities, size=m, p=size)
        urban = centres[home] + gen.normal(size=(m, 2)) * (1.5 * radius[home])[:, None]
        rural = SOUTH_EAST_BOX.uniform(gen, m)
        return SOUTH_EAST_BOX.clip(np.where((gen.random(m) < 0.9)[:, None], urban, rural))

    return points, is_warehouse, customers


def _olist_geography(
    config: InstanceConfig, rng: np.random.Generator
) -> tuple[FloatArray, BoolArray, PointSampler]:
    data = load_olist()
    sellers = data.seller_points
    many = config.n_locations > len(sellers)
    points = sellers[rng.choice(len(sellers), size=config.n_locations, replace=many)]
    if many:  # more locations than sellers: spread repeats over a few km
        points = BRAZIL_BOX.clip(points + rng.normal(scale=0.03, size=points.shape))

    def customers(gen: np.random.Generator, m: int) -> FloatArray:
        return data.customer_points[gen.integers(0, len(data.customer_points), size=m)]

    return points, _warehouse_mask(config, rng), customers


def _warehouse_mask(config: InstanceConfig, rng: np.random.Generator) -> BoolArray:
    n = config.n_locations
    count = max(1, round(config.warehouse_share * n))
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=count, replace=False)] = True
    return mask


_GEOGRAPHIES = {
    "uniform": _uniform_geography,
    "clustered": _clustered_geography,
    "olist": _olist_geography,
}


# Network --------------------------------------------------------------------


def make_network(config: InstanceConfig) -> Network:
    """Generate the network of ``config``: locations with costs, stock and capacity."""
    network_seed, _ = np.random.SeedSequence(config.seed).spawn(2)
    rng = np.random.default_rng(network_seed)
    points, is_warehouse, customers = _GEOGRAPHIES[config.family](config, rng)
    products = tuple(f"P{j:05d}" for j in range(config.n_products))
    stock = _stock(config, rng, is_warehouse, products)
    n = config.n_locations
    store = ~is_warehouse
    fixed = np.where(store, rng.uniform(600, 900, n), rng.uniform(300, 500, n))
    handling = np.where(store, rng.uniform(50, 100, n), rng.uniform(20, 50, n))
    shipping = np.where(store, rng.uniform(0.8, 1.5, n), rng.uniform(0.5, 1.0, n))
    pick_pack = np.where(store, rng.uniform(1, 3, n), rng.uniform(2, 4, n))
    low, high = (0, 4) if config.binding_capacity else (20, 61)
    store_capacity = rng.integers(low, high, n)
    locations = tuple(
        Location(
            ref=f"WH{i:05d}" if is_warehouse[i] else f"ST{i:05d}",
            type=LocationType.WAREHOUSE if is_warehouse[i] else LocationType.STORE,
            point=GeoPoint(float(points[i, 0]), float(points[i, 1])),
            stock=stock[i],
            fixed_cost=round(float(fixed[i]), 2),
            handling_cost=round(float(handling[i]), 2),
            shipping_cost_per_km=round(float(shipping[i]), 3),
            pick_pack_hours=round(float(pick_pack[i]), 2),
            capacity=Capacity() if is_warehouse[i] else Capacity(total=int(store_capacity[i])),
        )
        for i in range(n)
    )
    profile = SourcingProfile(split_limit=config.split_limit)
    return Network(config, locations, products, profile, customers)


def _stock(
    config: InstanceConfig,
    rng: np.random.Generator,
    is_warehouse: BoolArray,
    products: tuple[str, ...],
) -> list[dict[str, StockPosition]]:
    """Each location's positions; only positions holding stock are listed."""
    shape = (config.n_locations, config.n_products)
    in_stock = rng.random(shape) < config.in_stock_share
    wh = is_warehouse[:, None]
    on_hand = np.where(wh, rng.integers(5, 41, shape), rng.integers(1, 7, shape))
    # Stores aim to keep about what they hold; warehouses have no ideal level.
    ideal = np.where(wh, 0, np.maximum(0, on_hand + rng.integers(-2, 4, shape)))
    # Positions are immutable, so equal ones are shared: the network builds a
    # few hundred StockPosition objects instead of one per position.
    shared: dict[tuple[int, int], StockPosition] = {}
    result = []
    for i in range(config.n_locations):
        columns = np.flatnonzero(in_stock[i])
        positions = {}
        for j, q, w in zip(
            columns.tolist(), on_hand[i, columns].tolist(), ideal[i, columns].tolist(), strict=True
        ):
            position = shared.get((q, w))
            if position is None:
                position = shared[(q, w)] = StockPosition(on_hand=q, ideal_qty=w)
            positions[products[j]] = position
        result.append(positions)
    return result


# Orders ---------------------------------------------------------------------


def order_stream(
    network: Network, n_orders: int, *, seed: int | None = None
) -> Iterator[SourcingProblem]:
    """Yield ``n_orders`` home-delivery orders over ``network``, as sourcing problems.

    Orders are drawn from ``seed`` (by default the network's own seed), so two
    streams with the same seed over the same network are identical.
    """
    _check_int("n_orders", n_orders, 0)
    config = network.config
    if seed is None:
        _, order_seed = np.random.SeedSequence(config.seed).spawn(2)
        rng = np.random.default_rng(order_seed)
    else:
        rng = np.random.default_rng([seed, config.seed])
    points = network.draw_delivery_points(rng, n_orders)
    line_counts, quantity_pool = _order_sizes(config, rng, n_orders)
    vip = rng.random(n_orders) < config.vip_share
    prefix = f"{config.family[:3].upper()}-{config.seed}"
    for o in range(n_orders):
        k = int(line_counts[o])
        products = rng.choice(config.n_products, size=k, replace=False)
        quantities = quantity_pool(k)
        lines = tuple(
            OrderLine(f"L{i + 1}", network.products[int(p)], int(q))
            for i, (p, q) in enumerate(zip(products, quantities, strict=True))
        )
        customer = Customer(
            f"C{int(rng.integers(1_000_000)):06d}",
            CustomerTier.VIP if vip[o] else CustomerTier.STANDARD,
        )
        order = Order(
            ref=f"{prefix}-{o:06d}",
            type=OrderType.HD,
            lines=lines,
            delivery_point=GeoPoint(float(points[o, 0]), float(points[o, 1])),
            customer=customer,
        )
        yield SourcingProblem(order, network.locations, network.profile)


def _order_sizes(
    config: InstanceConfig, rng: np.random.Generator, n_orders: int
) -> tuple[IntArray, Callable[[int], IntArray]]:
    """Line counts of the orders and a draw of ``k`` line quantities."""
    if config.family == "olist":
        data = load_olist()
        if config.lines_per_order is None:
            counts = rng.choice(data.lines_per_order, size=n_orders)
        else:
            counts = np.full(n_orders, config.lines_per_order, dtype=np.int64)
        return counts, lambda k: rng.choice(data.line_quantities, size=k)
    counts = np.full(n_orders, config.lines_per_order or 1, dtype=np.int64)
    return counts, lambda k: rng.integers(1, 4, size=k)


def make_problems(config: InstanceConfig, n_orders: int) -> list[SourcingProblem]:
    """``n_orders`` problems over one network generated from ``config``."""
    return list(order_stream(make_network(config), n_orders))


def make_problem(config: InstanceConfig) -> SourcingProblem:
    """One problem: the first order of ``config``'s stream over its network."""
    return make_problems(config, 1)[0]

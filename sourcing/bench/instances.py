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
(sample), CC BY-NC-SA 4.0, as a derived sample shipped in the package (or the
folder in the ``SOURCING_OLIST_DIR`` environment variable); see ``olist.py``.

Every order also has an arrival time (``arrival_times``): uniform over the
configured days for the synthetic families, a window of consecutive real
purchase times for ``olist``. Stress settings (sparse stock, binding store
capacity, large baskets with tight split limits) are parameters of any
family; ``sourcing.bench.families`` names the combinations the benchmark runs.

Costs are in minor currency units. Warehouses have a lower fixed cost per
fulfilment, handling and shipping cost than stores, slower pick-and-pack,
deeper stock and no ideal stock level; stores keep an ideal level near what
they hold, so sourcing from them costs the ideal-stock penalty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from sourcing.bench.olist import BRAZIL_BOX, Box, OlistData, load_olist
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
    Weights,
)
from sourcing.solver.table import LocationTable
from sourcing.solver.types import BoolArray, FloatArray, IntArray

__all__ = [
    "BRAZIL_BOX",
    "FAMILIES",
    "SOUTH_EAST_BOX",
    "Box",
    "InstanceConfig",
    "Network",
    "OlistData",
    "arrival_times",
    "load_olist",
    "make_network",
    "make_problem",
    "make_problems",
    "order_stream",
]

FAMILIES = ("uniform", "clustered", "olist")

PointSampler = Callable[[np.random.Generator, int], FloatArray]


SOUTH_EAST_BOX = Box(-25.0, -19.0, -50.0, -40.0)
# Synthetic arrivals start on a Monday at midnight.
ARRIVALS_START = datetime(2024, 3, 4)


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
    max_lines_per_order
        When set, each order draws its line count uniformly from
        ``lines_per_order`` to this number (large baskets).
    split_limits
        When not empty, each order draws its split limit from these values
        instead of using ``split_limit``.
    days
        Days the synthetic families' arrivals spread over; each location's
        capacity is per day.
    weights
        Objective weights of the sourcing profile.
    warehouse_share
        Share of locations that are warehouses (at least one).
    vip_share
        Share of customers with the VIP tier.
    units_per_product
        When set, every product's stock over the whole network is thinned
        to about this many units (each unit kept with the same chance), so
        that a wave can demand more than the network holds (scarcity).
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
    max_lines_per_order: int | None = None
    split_limits: tuple[int, ...] = ()
    days: int = 1
    weights: Weights = field(default_factory=Weights)
    units_per_product: float | None = None

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
        _check_int("days", self.days, 1)
        object.__setattr__(self, "split_limits", tuple(self.split_limits))
        for value in self.split_limits:
            _check_int("split_limits", value, 1)
        if self.max_lines_per_order is not None:
            low = self.lines_per_order
            if low is None or not isinstance(self.max_lines_per_order, int):
                raise ValueError(
                    "Expected max_lines_per_order only with an integer lines_per_order, "
                    f"got {self.max_lines_per_order!r} with {low!r}."
                )
            _check_int("max_lines_per_order", self.max_lines_per_order, low)
        most_lines = self.most_lines_per_order()
        if most_lines > self.n_products:
            raise ValueError(
                f"Expected n_products >= {most_lines} lines per order, got {self.n_products}."
            )
        units = self.units_per_product
        if units is not None and (not isinstance(units, int | float) or not units > 0):
            raise ValueError(f"Expected units_per_product to be a number > 0, got {units!r}.")
        for name in ("in_stock_share", "warehouse_share", "vip_share"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
                raise ValueError(f"Expected {name} to be a number in [0, 1], got {value!r}.")

    def most_lines_per_order(self) -> int:
        """The most lines an order of this configuration can have."""
        return (
            self.max_lines_per_order
            or self.lines_per_order
            or int(max(load_olist().lines_per_order))
        )

    def mean_units_per_order(self) -> float:
        """The units an order of this configuration asks for on average (``_order_sizes``).

        Synthetic lines ask 1 to 3 units (2 on average); ``olist`` lines ask
        the real quantities, and with ``lines_per_order`` None an order has
        the real line counts (about one line of about one unit).
        """
        low = self.lines_per_order
        if self.family == "olist":
            data = load_olist()
            lines = float(np.mean(data.lines_per_order)) if low is None else float(low)
            return lines * float(np.mean(data.line_quantities))
        low = low or 1
        lines = (low + self.max_lines_per_order) / 2.0 if self.max_lines_per_order else low
        return lines * 2.0


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
    profile = SourcingProfile(weights=config.weights, split_limit=config.split_limit)
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
    if config.units_per_product is not None:
        on_hand = _thinned(config, on_hand * in_stock)
        in_stock &= on_hand > 0
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


def _thinned(config: InstanceConfig, on_hand: IntArray) -> IntArray:
    """Each product's units kept with one chance, so the network holds about the target.

    Drawn from a generator of its own, so the rest of the network is the
    one the same configuration without scarcity gets.
    """
    assert config.units_per_product is not None
    rng = np.random.default_rng([config.seed, 7])
    total = np.maximum(on_hand.sum(axis=0), 1)
    keep = np.minimum(config.units_per_product / total, 1.0)
    thinned: IntArray = rng.binomial(on_hand, np.broadcast_to(keep, on_hand.shape))
    return thinned


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
    rng = _stream_rng(config, seed, 0)
    points = network.draw_delivery_points(rng, n_orders)
    line_counts, quantity_pool = _order_sizes(config, rng, n_orders)
    vip = rng.random(n_orders) < config.vip_share
    # Basket sizes and split limits come from a stream of their own, so
    # configurations without them draw exactly the orders they always did.
    extra = _stream_rng(config, seed, 1)
    if config.max_lines_per_order is not None:
        low = config.lines_per_order or 1
        line_counts = extra.integers(low, config.max_lines_per_order + 1, n_orders)
    profiles = {limit: replace(network.profile, split_limit=limit) for limit in config.split_limits}
    split_limits = (
        extra.choice(np.array(config.split_limits), n_orders) if config.split_limits else None
    )
    prefix = f"{config.family[:3].upper()}-{config.seed}"
    table = LocationTable.of(network.locations)  # built once, shared by every order
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
        profile = network.profile if split_limits is None else profiles[int(split_limits[o])]
        yield SourcingProblem(order, network.locations, profile, table=table)


def arrival_times(
    network: Network, n_orders: int, *, seed: int | None = None
) -> tuple[datetime, ...]:
    """When each of the first ``n_orders`` orders of the stream arrives, in time order.

    Synthetic families spread arrivals uniformly over ``config.days`` days
    from a fixed Monday; ``olist`` takes a seeded window of consecutive real
    purchase times (drawn with replacement when the sample has too few).
    """
    _check_int("n_orders", n_orders, 0)
    config = network.config
    rng = _stream_rng(config, seed, 2)
    if config.family == "olist":
        real = load_olist().purchase_times
        if n_orders <= len(real):
            start = int(rng.integers(0, len(real) - n_orders + 1))
            return real[start : start + n_orders]
        return tuple(sorted(real[i] for i in rng.integers(0, len(real), n_orders)))
    seconds = np.sort(rng.uniform(0.0, config.days * 86_400.0, n_orders))
    return tuple(ARRIVALS_START + timedelta(seconds=float(t)) for t in seconds)


def _stream_rng(config: InstanceConfig, seed: int | None, stream: int) -> np.random.Generator:
    """The generator of one of the order stream's independent draws (0: the orders)."""
    if seed is None:
        # Child 0 of the config's seed generates the network, child 1 the orders.
        return np.random.default_rng(np.random.SeedSequence(config.seed).spawn(stream + 2)[-1])
    key = [seed, config.seed] if stream == 0 else [seed, config.seed, stream]
    return np.random.default_rng(key)


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

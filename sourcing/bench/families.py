"""The instance families the benchmark runs, and the grids of its quick and full runs.

A family fixes everything about an instance except its size (candidate
locations), its number of orders and its seed. Three families are ordinary
networks with half of the (location, product) positions in stock; five are
stress families:

``stockout``
    80% of positions out of stock and few warehouses, so orders are split
    and, as stock runs down, rejected.
``capacity``
    Binding store capacity: every store takes only 0 to 3 orders a day, and
    few warehouses carry the rest.
``baskets``
    Large baskets of 5 to 10 lines, each order with a split limit of 1, 2
    or 3 shipments.
``scarce``
    The network holds less than the orders want: each product's stock
    over the whole network is cut to ``SCARCE_COVER`` of its expected
    demand, so a sizeable share of the units (about 15%) cannot be served
    by any plan (``scarcity``).
``scarce_capacity``
    Short stock as ``scarce`` and binding store capacity as ``capacity``.

Every family prices with the same weights: the solver's defaults plus a
penalty per shipment beyond the first (``BENCH_WEIGHTS``), unless a run asks
for others (``sourcing bench --weights``, read by ``weights_from``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sourcing.bench.instances import InstanceConfig
from sourcing.solver import Weights

# A retailer's profile: the defaults, plus a cost per extra parcel for the
# customer's trouble and the carrier's minimum charge.
BENCH_WEIGHTS = Weights(split=150.0)

# Orders arriving per simulated day in the synthetic families; a location's
# capacity is per day.
ORDERS_PER_DAY = 500
# Scarcity: the network's stock of a product as a share of the units the
# orders want of it, and the units the orders want of each product of the
# catalogue (four orders of five lines: each product is wanted often enough
# for its stock to run out, and by enough units that the share no plan
# serves stays near 1 - SCARCE_COVER, whatever the orders' sizes).
SCARCE_COVER = 0.9
UNITS_PER_PRODUCT = 40


@dataclass(frozen=True, slots=True)
class Family:
    """A named instance family: the generator settings all its instances share."""

    name: str
    description: str
    settings: dict[str, Any] = field(default_factory=dict)

    def config(
        self, n_locations: int, n_orders: int, seed: int, weights: Weights = BENCH_WEIGHTS
    ) -> InstanceConfig:
        """The instance configuration of this family at one size, priced with ``weights``."""
        days = max(1, math.ceil(n_orders / ORDERS_PER_DAY))
        settings = dict(self.settings)
        cover = settings.pop("stock_cover", None)
        config = InstanceConfig(
            n_locations=n_locations, seed=seed, days=days, weights=weights, **settings
        )
        return config if cover is None else scarcity(config, n_orders, cover)


def scarcity(config: InstanceConfig, n_orders: int, cover: float) -> InstanceConfig:
    """``config`` under which the network holds ``cover`` of what ``n_orders`` want.

    The orders want ``n_orders`` times ``InstanceConfig.mean_units_per_order``
    units (10 for five synthetic lines, about 1.1 for an Olist order). The
    catalogue shrinks so each product is wanted by about ``UNITS_PER_PRODUCT``
    of them (at least 20 products, at most 500), and each product's stock
    is thinned to ``cover`` of its expected demand.
    """
    units = n_orders * config.mean_units_per_order()
    most_lines = config.most_lines_per_order()
    n_products = int(min(500, max(20, units // UNITS_PER_PRODUCT, 2 * most_lines)))
    wanted = units / n_products
    return replace(config, n_products=n_products, units_per_product=cover * wanted)


def weights_from(text: str | None) -> Weights:
    """The weights a run prices with, from ``--weights``.

    ``text`` is either a TOML file, read as the solver reads any
    (``Weights.from_toml``: terms it leaves out take the solver's defaults),
    or comma-separated ``name=value`` pairs replacing terms of
    ``BENCH_WEIGHTS``, e.g. ``split=2500``. None gives ``BENCH_WEIGHTS``.
    """
    if text is None:
        return BENCH_WEIGHTS
    if Path(text).is_file():
        return Weights.from_toml(text)
    values: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = pair.partition("=")
        try:
            values[name.strip()] = float(value)
        except ValueError:
            raise ValueError(
                f"Expected --weights to be a TOML file or name=value pairs, got {pair!r} "
                f"in {text!r} (no such file, and not name=number)."
            ) from None
    if not values:
        raise ValueError(f"Expected --weights to be a TOML file or name=value pairs, got {text!r}.")
    try:
        return BENCH_WEIGHTS.override(values)
    except ValueError as exc:
        raise ValueError(f"--weights {text}: {exc}") from None


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "uniform",
            "locations and customers uniform over south-east Brazil; 50% of positions in stock",
            {"family": "uniform", "in_stock_share": 0.5},
        ),
        Family(
            "clustered",
            "metropolitan clusters of stores, warehouses on the outskirts; 50% in stock",
            {"family": "clustered", "in_stock_share": 0.5},
        ),
        Family(
            "olist",
            "Olist sellers as locations, customers, line counts, quantities and purchase "
            "times from the Olist sample; 50% in stock",
            {"family": "olist", "lines_per_order": None, "in_stock_share": 0.5},
        ),
        Family(
            "stockout",
            "clustered, 80% of positions out of stock, 5% warehouses",
            {"family": "clustered", "in_stock_share": 0.2, "warehouse_share": 0.05},
        ),
        Family(
            "capacity",
            "clustered, stores take 0-3 orders a day, 5% warehouses",
            {
                "family": "clustered",
                "in_stock_share": 0.5,
                "binding_capacity": True,
                "warehouse_share": 0.05,
            },
        ),
        Family(
            "baskets",
            "uniform, 5-10 lines per order, split limit 1, 2 or 3 per order",
            {
                "family": "uniform",
                "in_stock_share": 0.5,
                "lines_per_order": 5,
                "max_lines_per_order": 10,
                "split_limits": (1, 2, 3),
            },
        ),
        Family(
            "scarce",
            f"uniform, 50% in stock, each product's stock {SCARCE_COVER:.0%} of its demand",
            {"family": "uniform", "in_stock_share": 0.5, "stock_cover": SCARCE_COVER},
        ),
        Family(
            "scarce_capacity",
            f"clustered, stock {SCARCE_COVER:.0%} of demand, stores take 0-3 orders a day, "
            "5% warehouses",
            {
                "family": "clustered",
                "in_stock_share": 0.5,
                "stock_cover": SCARCE_COVER,
                "binding_capacity": True,
                "warehouse_share": 0.05,
            },
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Grid:
    """Which families, sizes and how many orders per size a run covers."""

    families: tuple[str, ...]
    sizes: tuple[int, ...]
    orders: dict[int, int]  # size -> orders; sizes not listed use ``default_orders``
    default_orders: int

    def orders_at(self, size: int) -> int:
        """Orders simulated on a network of ``size`` locations."""
        return self.orders.get(size, self.default_orders)


FULL = Grid(
    families=tuple(FAMILIES),
    sizes=(20, 100, 300, 1000, 3000),
    orders={1000: 200, 3000: 100},
    default_orders=400,
)
QUICK = Grid(families=tuple(FAMILIES), sizes=(20, 100), orders={}, default_orders=30)

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
from dataclasses import dataclass, field
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
# orders want of it, and the orders per product of the catalogue (so each
# product is wanted often enough for its stock to run out).
SCARCE_COVER = 0.9
ORDERS_PER_PRODUCT = 4


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
        if cover is not None:
            settings.update(scarcity(n_orders, cover, settings.get("lines_per_order", 5)))
        return InstanceConfig(
            n_locations=n_locations, seed=seed, days=days, weights=weights, **settings
        )


def scarcity(n_orders: int, cover: float, lines_per_order: int = 5) -> dict[str, Any]:
    """Instance settings under which the network holds ``cover`` of what ``n_orders`` want.

    The catalogue shrinks to ``n_orders / ORDERS_PER_PRODUCT`` products (at
    least 20, at most 500), so each is wanted by several orders, and each
    product's stock is thinned to ``cover`` of its expected demand (lines
    ask 1 to 3 units, 2 on average).
    """
    n_products = int(min(500, max(20, n_orders // ORDERS_PER_PRODUCT, 2 * lines_per_order)))
    wanted = n_orders * lines_per_order * 2.0 / n_products
    return {"n_products": n_products, "units_per_product": cover * wanted}


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

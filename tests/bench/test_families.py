"""The benchmark's named families: the stress settings the issue asks for, at any size."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sourcing.bench.families import BENCH_WEIGHTS, FAMILIES, FULL, QUICK, SCARCE_COVER, scarcity
from sourcing.bench.instances import make_network, order_stream
from sourcing.solver import SourcingProblem
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.wave import BatchProblem
from sourcing.solver.wave.served import ServedCollector
from sourcing.solver.wave.steps import WaveSolver


def test_families_cover_the_ordinary_and_stress_settings() -> None:
    """Three ordinary families and five stress families, with stable names."""
    assert list(FAMILIES) == [
        "uniform",
        "clustered",
        "olist",
        "stockout",
        "capacity",
        "baskets",
        "scarce",
        "scarce_capacity",
    ]
    stockout = FAMILIES["stockout"].config(100, 10, 0)
    assert 0.2 <= stockout.in_stock_share <= 0.5  # 50-80% of positions out of stock
    assert FAMILIES["capacity"].config(100, 10, 0).binding_capacity
    baskets = FAMILIES["baskets"].config(100, 10, 0)
    assert (baskets.lines_per_order, baskets.max_lines_per_order) == (5, 10)
    assert baskets.split_limits == (1, 2, 3)


@pytest.mark.parametrize("family", ["scarce", "scarce_capacity"])
def test_scarce_families_leave_units_no_plan_can_serve(family: str) -> None:
    """A sizeable share of the units wanted (about 15% from stock alone) cannot be served."""
    n_orders, n_locations = 300, 100
    config = replace(FAMILIES[family].config(n_locations, n_orders, 0), days=1)
    share = _unservable_share(list(order_stream(make_network(config), n_orders)))
    assert 0.08 <= share <= 0.6
    if family == "scarce":
        assert share <= 0.25
    assert config.binding_capacity == (family == "scarce_capacity")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_prices_with_the_bench_weights(family: str) -> None:
    """All families share one profile's weights, so costs compare across them."""
    network = make_network(FAMILIES[family].config(20, 10, 1))
    assert network.profile.weights == BENCH_WEIGHTS
    assert len(network.locations) == 20


def test_grids_span_20_to_3000_locations() -> None:
    """The full run covers 20 to 3,000 locations; the quick run every family at small sizes."""
    assert (min(FULL.sizes), max(FULL.sizes)) == (20, 3000)
    assert FULL.orders_at(3000) < FULL.orders_at(20)
    assert QUICK.families == FULL.families
    assert max(QUICK.sizes) <= 100


def test_days_follow_the_orders() -> None:
    """More orders than a day's arrivals spread over more days."""
    assert FAMILIES["uniform"].config(20, 100, 0).days == 1
    assert FAMILIES["uniform"].config(20, 1200, 0).days == 3


@pytest.mark.parametrize("geography", ["uniform", "clustered", "olist"])
def test_scarcity_leaves_units_unservable_on_every_geography(geography: str) -> None:
    """The scarce variant cuts stock to what the orders want, whatever their sizes.

    Olist orders ask about one unit, not ten: stock sized for ten units a
    order would serve every unit.
    """
    n_orders, n_locations = 300, 100
    base = replace(FAMILIES[geography].config(n_locations, n_orders, 0), days=1)
    config = scarcity(base, n_orders, SCARCE_COVER)
    problems = list(order_stream(make_network(config), n_orders))
    assert 0.08 <= _unservable_share(problems) <= 0.25


def _unservable_share(problems: list[SourcingProblem]) -> float:
    """The share of the wave's units that no plan can serve."""
    collector = ServedCollector(len(problems[0].locations))
    for o, problem in enumerate(problems):
        collector.add(o, SourcingArrays.build(problem))
    served = collector.served(WaveSolver(BatchProblem.from_problems(problems), 0.0, 0.0).capacity)
    return served.unservable / served.demanded

"""The benchmark instance families: reproducible, valid, of the sizes asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sourcing.bench.instances import (
    BRAZIL_BOX,
    FAMILIES,
    SOUTH_EAST_BOX,
    InstanceConfig,
    arrival_times,
    load_olist,
    make_network,
    make_problem,
    make_problems,
    order_stream,
)
from sourcing.bench.olist import read_sample, write_sample
from sourcing.solver import LocationType, SourcingProblem, solve


@pytest.mark.parametrize("family", FAMILIES)
def test_same_seed_gives_identical_problems(family: str) -> None:
    """Two generations from one configuration are equal, order by order."""
    config = InstanceConfig(family=family, n_locations=30, n_products=40, seed=7)
    assert make_problems(config, 5) == make_problems(config, 5)


@pytest.mark.parametrize("family", FAMILIES)
def test_different_seeds_give_different_problems(family: str) -> None:
    """Changing the seed changes the locations and the orders."""
    first = make_problem(InstanceConfig(family=family, n_locations=30, n_products=40, seed=1))
    second = make_problem(InstanceConfig(family=family, n_locations=30, n_products=40, seed=2))
    assert first.order != second.order
    assert first.locations != second.locations


def test_stream_seed_changes_orders_but_not_network() -> None:
    """A stream seed draws other orders over the same locations."""
    network = make_network(InstanceConfig(n_locations=20, n_products=30, seed=3))
    default = list(order_stream(network, 3))
    assert list(order_stream(network, 3)) == default
    other = list(order_stream(network, 3, seed=99))
    assert [p.order for p in other] != [p.order for p in default]
    assert all(p.locations is network.locations for p in other)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("n_locations", "lines"), [(1, 1), (50, 5), (120, 3)])
def test_problems_have_the_requested_sizes(family: str, n_locations: int, lines: int) -> None:
    """Every problem has the asked number of candidates and lines, and valid quantities."""
    config = InstanceConfig(
        family=family, n_locations=n_locations, lines_per_order=lines, n_products=20, seed=5
    )
    network = make_network(config)
    assert len(network.products) == 20
    assert sum(loc.type is LocationType.WAREHOUSE for loc in network.locations) >= 1
    for problem in order_stream(network, 4):
        assert isinstance(problem, SourcingProblem)
        assert len(problem.locations) == n_locations
        assert len(problem.order.lines) == lines
        assert len({line.product_ref for line in problem.order.lines}) == lines
        assert all(line.quantity >= 1 for line in problem.order.lines)


def test_synthetic_families_stay_in_the_south_east_box() -> None:
    """Uniform and clustered locations and delivery points lie in the south-east box."""
    for family in ("uniform", "clustered"):
        for problem in make_problems(InstanceConfig(family=family, n_locations=200), 20):
            point = problem.order.delivery_point
            assert SOUTH_EAST_BOX.contains(point.latitude, point.longitude)
            for loc in problem.locations:
                assert SOUTH_EAST_BOX.contains(loc.point.latitude, loc.point.longitude)


def test_olist_loads_real_coordinates_inside_brazil() -> None:
    """Sellers and customers are placed inside Brazil, from more than a handful of zip prefixes."""
    data = load_olist()
    assert len(data.seller_points) > 1000
    assert len(data.customer_points) > 5000
    for points in (data.seller_points, data.customer_points):
        assert (points[:, 0] >= BRAZIL_BOX.lat_min).all()
        assert (points[:, 0] <= BRAZIL_BOX.lat_max).all()
        assert (points[:, 1] >= BRAZIL_BOX.lon_min).all()
        assert (points[:, 1] <= BRAZIL_BOX.lon_max).all()
        assert len(np.unique(points, axis=0)) > 500
    assert data.lines_per_order.min() >= 1
    assert data.line_quantities.min() >= 1
    assert list(data.purchase_times) == sorted(data.purchase_times)


def test_olist_problems_use_real_geography_and_order_sizes() -> None:
    """Olist problems sit inside Brazil; without a line count the real counts are used."""
    config = InstanceConfig(family="olist", n_locations=2000, lines_per_order=None, seed=4)
    problems = make_problems(config, 30)
    data = load_olist()
    assert {len(p.order.lines) for p in problems} <= set(data.lines_per_order.tolist())
    for problem in problems[:3]:
        for loc in problem.locations:
            assert BRAZIL_BOX.contains(loc.point.latitude, loc.point.longitude)
    for problem in problems:
        point = problem.order.delivery_point
        assert BRAZIL_BOX.contains(point.latitude, point.longitude)


def test_stock_density_and_costs_follow_the_configuration() -> None:
    """Stock covers about the asked share of positions; warehouses cost less per fulfilment."""
    config = InstanceConfig(n_locations=200, n_products=100, in_stock_share=0.25, seed=2)
    locations = make_network(config).locations
    share = sum(len(loc.stock) for loc in locations) / (200 * 100)
    assert share == pytest.approx(0.25, abs=0.02)
    warehouses = [loc for loc in locations if loc.type is LocationType.WAREHOUSE]
    stores = [loc for loc in locations if loc.type is LocationType.STORE]
    assert max(w.fixed_cost for w in warehouses) < min(s.fixed_cost for s in stores)
    assert all(p.ideal_qty == 0 for w in warehouses for p in w.stock.values())


def test_binding_capacity_leaves_some_stores_without_capacity() -> None:
    """With binding capacity some stores are out of capacity; otherwise none are."""
    binding = make_network(InstanceConfig(n_locations=200, binding_capacity=True)).locations
    relaxed = make_network(InstanceConfig(n_locations=200)).locations
    assert any(loc.capacity.total == 0 for loc in binding)
    assert all(loc.capacity.total is None or loc.capacity.total > 3 for loc in relaxed)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family", "grid"),
        ("n_locations", 0),
        ("lines_per_order", 0),
        ("n_products", 0),
        ("in_stock_share", 1.5),
        ("split_limit", 0),
        ("seed", -1),
    ],
)
def test_bad_configuration_names_the_field(field: str, value: object) -> None:
    """A bad parameter raises ValueError naming it."""
    with pytest.raises(ValueError, match=field):
        InstanceConfig(**{field: value})  # type: ignore[arg-type]


def test_more_lines_than_products_is_refused() -> None:
    """An order cannot have more distinct lines than the catalogue has products."""
    with pytest.raises(ValueError, match="n_products"):
        InstanceConfig(n_products=3, lines_per_order=5)


@pytest.mark.parametrize("family", FAMILIES)
def test_mip_never_above_greedy_on_generated_instances(family: str) -> None:
    """Both policies solve small generated orders, the MIP at no higher cost than the greedy."""
    config = InstanceConfig(family=family, n_locations=20, n_products=30, split_limit=2, seed=11)
    for problem in make_problems(config, 3):
        greedy = solve(problem, policy="greedy")
        mip = solve(problem, policy="mip")
        assert mip.objective.total <= greedy.objective.total + 1e-6
        assert mip.split_count <= 2


def test_large_baskets_and_split_limits_are_drawn_per_order() -> None:
    """Line counts fall in the asked range and each order's split limit comes from the set."""
    config = InstanceConfig(
        n_locations=30,
        n_products=60,
        lines_per_order=5,
        max_lines_per_order=10,
        split_limits=(1, 2, 3),
        seed=8,
    )
    problems = make_problems(config, 60)
    assert {len(p.order.lines) for p in problems} <= set(range(5, 11))
    assert len({len(p.order.lines) for p in problems}) > 3
    assert {p.profile.split_limit for p in problems} == {1, 2, 3}


def test_new_options_leave_existing_streams_unchanged() -> None:
    """Split limits draw from a stream of their own: the orders themselves stay the same."""
    plain = make_problems(InstanceConfig(n_locations=20, n_products=40, seed=6), 5)
    limited = make_problems(
        InstanceConfig(n_locations=20, n_products=40, seed=6, split_limits=(2,)), 5
    )
    assert [p.order for p in plain] == [p.order for p in limited]
    assert {p.profile.split_limit for p in limited} == {2}


@pytest.mark.parametrize("days", [1, 3])
def test_synthetic_arrivals_spread_over_the_days_in_time_order(days: int) -> None:
    """Arrival times are sorted and fall within the configured days."""
    network = make_network(InstanceConfig(n_locations=10, n_products=20, days=days, seed=2))
    times = arrival_times(network, 200)
    assert list(times) == sorted(times)
    spread = {(t.date() - times[0].date()).days for t in times}
    assert spread == set(range(days))


def test_olist_arrivals_are_consecutive_real_purchase_times() -> None:
    """The Olist family's arrivals are a window of the sample's own purchase times."""
    network = make_network(InstanceConfig(family="olist", n_locations=10, seed=5))
    times = arrival_times(network, 50)
    real = load_olist().purchase_times
    start = real.index(times[0])
    assert times == real[start : start + 50]


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_lines_per_order", 3), ("split_limits", (2, 0)), ("days", 0)],
)
def test_bad_new_options_name_the_field(field: str, value: object) -> None:
    """Fewer max lines than lines, a split limit below 1 or no days raise naming the field."""
    with pytest.raises(ValueError, match=field):
        InstanceConfig(**{field: value})  # type: ignore[arg-type]


def test_the_shipped_sample_round_trips_exactly(tmp_path: Path) -> None:
    """Writing the loaded sample and reading it back gives the same arrays, floats included."""
    data = load_olist()
    write_sample(data, tmp_path)
    again = read_sample(tmp_path)
    assert np.array_equal(again.seller_points, data.seller_points)
    assert np.array_equal(again.customer_points, data.customer_points)
    assert np.array_equal(again.lines_per_order, data.lines_per_order)
    assert np.array_equal(again.line_quantities, data.line_quantities)
    assert again.purchase_times == data.purchase_times
    assert int(data.lines_per_order.sum()) == len(data.line_quantities)


def test_a_folder_without_olist_data_is_named_in_the_error(tmp_path: Path) -> None:
    """An empty SOURCING_OLIST_DIR-style folder is refused naming the folder and the files."""
    with pytest.raises(FileNotFoundError, match=r"purchases\.csv"):
        load_olist(str(tmp_path))

"""Bad input raises a ValueError that names the field and the value."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from sourcing.solver import (
    GeoPoint,
    Order,
    OrderLine,
    OrderType,
    SourcingProfile,
    StockPosition,
    Weights,
    solve,
)
from tests.solver.builders import HOME, loc, order, problem


def make_order(**changes: Any) -> Order:
    """A valid order with some fields replaced."""
    fields: dict[str, Any] = dict(
        ref="O1", type=OrderType.HD, lines=(OrderLine("L1", "p1", 1),), delivery_point=HOME
    )
    fields.update(changes)
    return Order(**fields)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: OrderLine("L1", "p1", 0), r"quantity .* positive integer, got 0"),
        (lambda: OrderLine("L1", "p1", -2), r"quantity .* positive integer, got -2"),
        (lambda: OrderLine("L1", "p1", 1.5), r"quantity .* positive integer, got 1.5"),  # type: ignore[arg-type]
        (lambda: GeoPoint(math.nan, 0.0), r"point.latitude .* got nan"),
        (lambda: GeoPoint(91.0, 0.0), r"point.latitude .* \[-90.0, 90.0\], got 91.0"),
        (lambda: GeoPoint(0.0, -180.5), r"point.longitude .* got -180.5"),
        (
            lambda: make_order(lines=(OrderLine("L1", "p1", 1), OrderLine("L1", "p2", 1))),
            r"line refs to be unique, got 'L1' twice",
        ),
        (lambda: make_order(lines=()), r"lines to hold at least one line"),
        (lambda: make_order(type="XX"), r"order.type to be one of HD, CC, got 'XX'"),
        (lambda: make_order(type=OrderType.CC), r"collection_location_ref"),
        (lambda: SourcingProfile(split_limit=0), r"split_limit .* at least 1, got 0"),
        (lambda: Weights(shipping=-1.0), r"weights.shipping .* in \[0, 1e\+09\], got -1.0"),
        (lambda: Weights(split=math.nan), r"weights.split .* got nan"),
        (lambda: Weights(fixed=math.inf), r"weights.fixed .* got inf"),
        (lambda: StockPosition(on_hand=-1), r"stock.on_hand .* non-negative integer, got -1"),
        (lambda: StockPosition(on_hand=1, markdown=1.5), r"stock.markdown .* got 1.5"),
        (lambda: loc("A", 1, {}, fixed_cost=-5.0), r"location A: fixed_cost .* got -5.0"),
    ],
)
def test_bad_input_names_field_and_value(build: Any, match: str) -> None:
    """Each bad value is refused at construction with the field and value in the message."""
    with pytest.raises(ValueError, match=match):
        build()


def test_duplicate_candidates_are_refused() -> None:
    """Two candidates under one ref would make the plan ambiguous."""
    with pytest.raises(ValueError, match="location refs to be unique, got 'A' twice"):
        problem(order({"p1": 1}), [loc("A", 1, {}), loc("A", 2, {})])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(policy="random"), "policy to be one of mip, greedy, got 'random'"),
        (dict(time_limit_s=0), "time_limit_s to be a positive number, got 0"),
        (dict(backend="gurobi"), "backend to be one of scip, highs, sat, got 'gurobi'"),
        (dict(weight_overrides={"speeed": 1.0}), "weight names among .* got speeed"),
        (dict(weight_overrides={"speed": -1.0}), r"weights.speed .* got -1.0"),
    ],
)
def test_bad_solve_arguments(kwargs: dict[str, Any], match: str) -> None:
    """solve() refuses unknown policies, backends, weights and time limits."""
    with pytest.raises(ValueError, match=match):
        solve(problem(order({"p1": 1}), [loc("A", 1, {"p1": 1})]), **kwargs)


def test_weights_load_from_toml(tmp_path: Path) -> None:
    """A [weights] table overrides the defaults it names and keeps the rest."""
    path = tmp_path / "profile.toml"
    path.write_text("[weights]\nsplit = 50.0\nshipping = 2\n")
    weights = Weights.from_toml(path)
    assert weights.split == 50.0 and weights.shipping == 2.0
    assert weights.fixed == Weights().fixed


def test_weights_from_toml_refuse_unknown_terms(tmp_path: Path) -> None:
    """A misspelt term in the file is an error, not silently ignored."""
    path = tmp_path / "profile.toml"
    path.write_text("[weights]\nsplits = 50.0\n")
    with pytest.raises(ValueError, match="got splits"):
        Weights.from_toml(path)


def test_weight_overrides_change_the_plan_for_one_call() -> None:
    """A per-request split penalty turns a two-location plan into a one-location plan."""
    p = problem(
        order({"p1": 1, "p2": 1}),
        [loc("A", 1, {"p1": 1}), loc("B", 1, {"p2": 1}), loc("C", 30, {"p1": 1, "p2": 1})],
        distance=1.0,
    )
    assert set(solve(p).served()) == {"A", "B"}
    assert set(solve(p, weight_overrides={"split": 500.0}).served()) == {"C"}
    assert set(solve(p).served()) == {"A", "B"}


@pytest.mark.parametrize("value", [1e308, 1e10, -1.0, float("inf")])
def test_a_weight_out_of_range_is_refused_naming_it(value: float) -> None:
    """A weight must lie in [0, MAX_WEIGHT]: 1e308 would overflow the wave's prices to inf."""
    from sourcing.solver.weights import MAX_WEIGHT, Weights

    with pytest.raises(ValueError, match=r"weights\.split"):
        Weights(split=value)
    assert Weights(split=MAX_WEIGHT).split == MAX_WEIGHT

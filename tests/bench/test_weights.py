"""``sourcing bench --weights``: the policies decide and the run prices with the weights asked."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from sourcing.bench.families import BENCH_WEIGHTS, weights_from
from sourcing.bench.options import add_arguments
from sourcing.bench.policies import make_policy
from sourcing.bench.results import InstanceKey
from sourcing.bench.runner import Job, build_instance, command_line, run_job, settings_from
from sourcing.bench.simulation import Instance, simulate
from sourcing.solver import LocationType, SourcingProblem, SourcingProfile, Weights
from tests.solver.builders import loc, order

CONSOLIDATE = Path(__file__).parents[2] / "sourcing" / "bench" / "weights_consolidate.toml"


def parse(*argv: str) -> argparse.Namespace:
    """The bench options as the CLI parses them."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_overrides_replace_terms_of_the_bench_weights() -> None:
    """name=value pairs change those terms and keep the bench's others, split 150 included."""
    assert weights_from(None) == BENCH_WEIGHTS
    assert weights_from("distance=0.5") == Weights(split=150.0, distance=0.5)
    assert weights_from("split=2500, fixed=2") == Weights(split=2500.0, fixed=2.0)


def test_a_toml_file_is_read_as_the_solver_reads_weights(tmp_path: Path) -> None:
    """A file gives Weights.from_toml's weights; the shipped consolidation profile prices splits."""
    path = tmp_path / "w.toml"
    path.write_text("[weights]\nsplit = 900\n")
    assert weights_from(str(path)) == Weights.from_toml(path) == Weights(split=900.0)
    consolidate = weights_from(str(CONSOLIDATE))
    assert consolidate.split > BENCH_WEIGHTS.split
    assert consolidate.rejection == BENCH_WEIGHTS.rejection


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("split", "name=value pairs, got 'split'"),
        ("split=abc", "not name=number"),
        ("no-such-file.toml", "no such file"),
        ("splits=3", "weight names among"),
        ("split=-1", "weights.split to be a number in"),
        (",", "name=value pairs"),
    ],
)
def test_bad_weights_say_what_was_expected(text: str, match: str) -> None:
    """A value that is neither a file nor name=number pairs of known terms is refused."""
    with pytest.raises(ValueError, match=match):
        weights_from(text)


def test_the_option_reaches_the_settings_the_instances_and_the_command() -> None:
    """--weights sets the run's weights, every order's profile, and the command to rerun it."""
    args = parse("--quick", "--weights", "split=900")
    settings = settings_from(args)
    assert settings.weights == Weights(split=900.0)
    assert settings_from(parse("--quick")).weights == BENCH_WEIGHTS
    instance = build_instance(InstanceKey("uniform", 20, 0, 3), settings.weights)
    assert {p.profile.weights for p in instance.problems} == {Weights(split=900.0)}
    assert command_line(args) == "sourcing bench --quick --weights split=900"


def test_every_order_is_priced_with_the_run_s_weights() -> None:
    """Each order's split cost is the run's split weight per shipment beyond the first."""
    weights = weights_from(str(CONSOLIDATE))
    settings = settings_from(parse("--quick", "--weights", str(CONSOLIDATE)))
    key = InstanceKey("baskets", 20, 0, 6)
    _, rows = run_job(Job(key, "mip"), settings)
    assert rows
    for row in rows:
        extra = max(row.record.shipments - 1, 0)
        assert row.record.terms["split"] == pytest.approx(weights.split * extra)


def test_a_dear_extra_parcel_consolidates_the_mip_s_plan() -> None:
    """Two near stores, one line each, beat a far warehouse with both until a parcel costs more."""
    locations = (
        loc("S1", 10.0, {"P1": 1}, shipping_cost_per_km=1.0),
        loc("S2", 10.0, {"P2": 1}, shipping_cost_per_km=1.0),
        loc("W1", 500.0, {"P1": 1, "P2": 1}, shipping_cost_per_km=1.0, type=LocationType.WAREHOUSE),
    )
    # Two stores: 20 of shipping and one extra parcel; the warehouse: 1,000 of shipping.

    def shipments(weights: Weights) -> int:
        the_problem = SourcingProblem(
            order({"P1": 1, "P2": 1}), locations, SourcingProfile(weights=weights)
        )
        [record] = simulate(make_policy("mip"), Instance("two", (the_problem,), (0,))).records
        return record.shipments

    assert shipments(BENCH_WEIGHTS) == 2
    assert shipments(weights_from(str(CONSOLIDATE))) == 1

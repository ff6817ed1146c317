"""The options of ``sourcing bench``, kept light so the CLI parser can import them cheaply."""

from __future__ import annotations

import argparse

from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

DEFAULT_OUT = "bench-out"
# Seconds per instance for the bound's rejection MIP: 0 leaves it out (see benchmarks/README).
DEFAULT_BOUND_MIP_TIME_LIMIT_S = 0.0


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in _names(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes of at least 1 location, got {text!r}")
    return sizes


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer of at least 1, got {text!r}")
    return value


def add_instance_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options that choose the instances and their weights (not ``--quick``).

    ``sourcing bench`` and scripts that rebuild its instances (such as
    ``benchmarks/shipment_floor.py``) take them alike.
    """
    parser.add_argument("--seed", type=int, default=0, help="seed of networks and orders")
    parser.add_argument(
        "--families", type=_names, default=None, help="comma-separated families (default all)"
    )
    parser.add_argument(
        "--sizes", type=_sizes, default=None, help="comma-separated numbers of locations"
    )
    parser.add_argument(
        "--orders", type=_positive_int, default=None, help="orders per instance (all sizes)"
    )
    parser.add_argument(
        "--weights",
        default=None,
        metavar="TOML|NAME=VALUE,...",
        help="objective weights: a TOML file (as Weights.from_toml reads it) or overrides of "
        "the bench's weights, e.g. split=2500 (default: the solver's, split 150)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the benchmark's options to ``parser``."""
    parser.add_argument(
        "--quick", action="store_true", help="small instances, about a minute (for CI)"
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"folder for the report (default {DEFAULT_OUT}/)"
    )
    add_instance_arguments(parser)
    parser.add_argument(
        "--policies",
        type=_names,
        default=None,
        help="comma-separated policies (default greedy,priority,fewest_splits,mip,batch)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="instances x policies run at once, each in its own process (0: all in this one)",
    )
    parser.add_argument(
        "--mip-time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT_S,
        help="seconds per order for the MIP",
    )
    parser.add_argument(
        "--bound-time-limit", type=float, default=1800.0, help="seconds per instance for the LP"
    )
    parser.add_argument(
        "--bound-mip-time-limit",
        type=float,
        default=DEFAULT_BOUND_MIP_TIME_LIMIT_S,
        help="seconds per instance for the MIP proving the units every plan rejects (0: off)",
    )
    parser.add_argument(
        "--report-from",
        default=None,
        metavar="DIR",
        help="rebuild the report from an earlier run's CSV files in DIR instead of running",
    )

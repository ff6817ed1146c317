"""Shipment floors: how few shipments per order any policy could make, beside greedy's.

Issue 7 asks wave sourcing for at least 15% fewer shipments than greedy
without rejecting more units. This script says, per family and size of
``sourcing bench``, whether that is within reach at all:

floor A
    Orders greedy sent at least one unit to, per order: each needs a
    shipment.
floor B
    For each order, the fewest locations that could serve everything it can
    on the untouched network (the per-order MIP with only the split priced,
    the rejection still dominant), summed and divided by the orders.

Stock and capacity only shrink as orders are sourced, so a plan serving an
order in full later is feasible on the untouched network and uses at least
floor B's locations. Where greedy rejects no unit, a policy rejecting no
more serves every order in full: floor B then bounds its shipments, and if
greedy less 15% is below it, 15% fewer is out of reach whatever the
weights. Where greedy rejects units, or a floor-B solve is not proved
optimal, floor B bounds nothing and the table says so.

The instances are the bench's own (same families, grid, seeds and orders:
``--quick`` and the other options mean what they mean to ``sourcing
bench``), and greedy runs through the bench's sequential simulation, or its
shipments are read from a run's ``orders.csv`` (``--orders-csv``). Neither
figure depends on ``--weights`` (greedy picks by distance; floor B prices
only the split, and the solver keeps the rejection dominant); it is taken so
the instances are built exactly as the run they are compared with built
them.

The run fails (exit status 1) if, where floor B is a bound, floor A <=
floor B <= greedy does not hold, or if a greedy plan broke a rule.

    python -m benchmarks.shipment_floor [--quick] [--families uniform,olist]
        [--sizes 20,100] [--orders N] [--seed S] [--weights TOML|NAME=VALUE,...]
        [--orders-csv bench-out/orders.csv] [--mip-time-limit 10]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

# The bench's own parsers of these options, so they accept exactly what ``sourcing bench`` does.
from sourcing.bench.options import add_instance_arguments
from sourcing.bench.policies import make_policy
from sourcing.bench.results import InstanceKey
from sourcing.bench.runner import Settings, build_instance, settings_from
from sourcing.bench.simulation import Instance, simulate
from sourcing.solver import SolveStatus, Weights, solve
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S

TARGET_REDUCTION = 0.15
GREEDY = "greedy"
# Floor B's objective: one per location beyond the first; every other term but
# the rejection is free (and the solver raises the rejection until it dominates).
SPLIT_ONLY = {name: 0.0 for name in Weights.names() if name != "rejection"} | {"split": 1.0}


@dataclass(frozen=True, slots=True)
class Greedy:
    """What greedy did with one instance's orders, summed over them."""

    orders: int = 0
    shipments: int = 0
    served_orders: int = 0
    rejected_units: int = 0
    errors: int = 0

    def add(self, shipments: int, rejected_units: int, error: str) -> Greedy:
        """These totals with one more order."""
        return Greedy(
            self.orders + 1,
            self.shipments + shipments,
            self.served_orders + (shipments > 0),
            self.rejected_units + rejected_units,
            self.errors + bool(error),
        )


@dataclass(frozen=True, slots=True)
class Floors:
    """Greedy's shipments and the two floors over some orders (one instance, or a family's)."""

    family: str
    locations: str
    greedy: Greedy
    fewest_locations: int  # floor B, summed over the orders
    unproved: int  # floor-B solves not proved optimal

    def __add__(self, other: Floors) -> Floors:
        g, h = self.greedy, other.greedy
        greedy = Greedy(
            g.orders + h.orders,
            g.shipments + h.shipments,
            g.served_orders + h.served_orders,
            g.rejected_units + h.rejected_units,
            g.errors + h.errors,
        )
        return Floors(
            self.family,
            "all",
            greedy,
            self.fewest_locations + other.fewest_locations,
            self.unproved + other.unproved,
        )

    @property
    def target(self) -> float:
        """Greedy's shipments less 15%: the most a policy meeting issue 7 may make."""
        return (1.0 - TARGET_REDUCTION) * self.greedy.shipments

    @property
    def why_not_a_bound(self) -> str:
        """Why floor B does not bound a policy rejecting no more than greedy; empty if it does."""
        if self.greedy.rejected_units:
            units = self.greedy.rejected_units
            return f"no: greedy rejects {units} unit{'s' if units > 1 else ''}"
        if self.unproved:
            return f"no: {self.unproved} solves unproved"
        return ""

    @property
    def reachable(self) -> str:
        """Whether 15% fewer shipments than greedy is possible without rejecting more."""
        if self.why_not_a_bound:
            return "unknown"
        return "no" if self.target < self.fewest_locations else "not ruled out"

    def contradiction(self) -> str:
        """What breaks floor A <= floor B <= greedy where floor B is a bound; empty if nothing."""
        g = self.greedy
        if self.why_not_a_bound or g.served_orders <= self.fewest_locations <= g.shipments:
            return ""
        return (
            f"{self.family} at {self.locations} locations: floor A {g.served_orders}, "
            f"floor B {self.fewest_locations}, greedy {g.shipments} shipments"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options: the instance options of ``sourcing bench``, and the CSV to read."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="the bench's quick instances")
    add_instance_arguments(parser)  # --weights: the bench run's; the floors do not use them
    parser.add_argument(
        "--orders-csv",
        type=Path,
        default=None,
        metavar="PATH",
        help="read greedy's shipments from a sourcing bench orders.csv instead of running it",
    )
    parser.add_argument(
        "--mip-time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT_S,
        help="seconds per floor-B solve",
    )
    return parser.parse_args(argv)


def bench_settings(args: argparse.Namespace) -> Settings:
    """The settings ``sourcing bench`` would run these options with, greedy its only policy."""
    bench = argparse.Namespace(
        **vars(args),
        policies=(GREEDY,),
        jobs=0,
        bound_time_limit=1.0,
        bound_mip_time_limit=0.0,
        report_from=None,
    )
    return settings_from(bench)


def greedy_by_simulation(instance: Instance, settings: Settings) -> Greedy:
    """Greedy over the instance's orders in the bench's sequential simulation."""
    run = simulate(make_policy(GREEDY, settings.options), instance)
    greedy = Greedy()
    for record in run.records:
        greedy = greedy.add(record.shipments, record.rejected_units, record.error)
    return greedy


def greedy_from_csv(path: Path) -> dict[InstanceKey, Greedy]:
    """Greedy's totals per instance from a ``sourcing bench`` ``orders.csv``."""
    found: dict[InstanceKey, Greedy] = defaultdict(Greedy)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["policy"] != GREEDY:
                continue
            key = InstanceKey(row["family"], int(row["size"]), int(row["seed"]), int(row["orders"]))
            found[key] = found[key].add(
                int(row["shipments"]), int(row["rejected_units"]), row["error"]
            )
    return dict(found)


def floor_b(instance: Instance, settings: Settings) -> tuple[int, int]:
    """Fewest locations per order on the untouched network, summed; and the solves unproved.

    Each order is solved alone over the network as it is before the first
    order (``instance.problems`` hold it so):

        minimise  rejection * rejected units + 1 * (locations used - 1)
        subject to  every rule of the order: stock, capacity, split limit, what the rules allow

    The rejection dominates, so the plan serves every unit that can be
    served and, among such plans, uses the fewest locations.
    """
    fewest = unproved = 0
    for problem in instance.problems:
        plan = solve(
            problem,
            policy="mip",
            weight_overrides=SPLIT_ONLY,
            time_limit_s=settings.options.mip_time_limit_s,
            backend=settings.options.mip_backend,
        )
        fewest += plan.split_count
        # A plan not proved optimal may use more locations than the fewest.
        unproved += plan.status is not SolveStatus.OPTIMAL
    return fewest, unproved


def table(rows: Iterable[Floors]) -> str:
    """The floors as a Markdown table, per order."""
    header = (
        "| family | locations | orders | greedy shipments / order | greedy rejected units "
        "| floor A | floor B | greedy less 15% | floor B a bound | 15% fewer reachable "
        "| floor B unproved |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for row in rows:
        n = row.greedy.orders
        cells = (
            row.family,
            row.locations,
            str(n),
            f"{row.greedy.shipments / n:.2f}",
            str(row.greedy.rejected_units),
            f"{row.greedy.served_orders / n:.2f}",
            f"{row.fewest_locations / n:.2f}",
            f"{row.target / n:.2f}",
            row.why_not_a_bound or "yes",
            row.reachable,
            str(row.unproved),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_family_totals(rows: Sequence[Floors]) -> list[Floors]:
    """The rows, each family's followed by its sizes together when it has more than one."""
    out: list[Floors] = []
    for family in dict.fromkeys(row.family for row in rows):
        sizes = [row for row in rows if row.family == family]
        out.extend(sizes)
        if len(sizes) > 1:
            total = sizes[0]
            for row in sizes[1:]:
                total = total + row
            out.append(total)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print the floors table; 1 if the floors contradict each other or greedy broke a rule."""
    args = parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    try:
        settings = bench_settings(args)
        read = greedy_from_csv(args.orders_csv) if args.orders_csv else None
    except (ValueError, OSError, KeyError) as exc:
        console.print(f"shipment_floor: {exc}", markup=False)
        return 2
    rows: list[Floors] = []
    for key in settings.instances():
        instance = build_instance(key, settings.weights)
        if read is None:
            greedy = greedy_by_simulation(instance, settings)
        elif key in read and read[key].orders == key.orders:
            greedy = read[key]
        else:
            console.print(
                f"shipment_floor: expected {key.orders} greedy orders of {key.name} "
                f"(seed {key.seed}) in {args.orders_csv}, found "
                f"{read[key].orders if key in read else 0}; give the options of that run.",
                markup=False,
            )
            return 2
        fewest, unproved = floor_b(instance, settings)
        rows.append(Floors(key.family, str(key.size), greedy, fewest, unproved))
        console.print(f"{key.name}: {key.orders} orders done", markup=False)
    source = f"read from {args.orders_csv}" if args.orders_csv else "simulated as the bench does"
    print(f"Shipment floors, seed {settings.seed}; greedy {source}.\n")
    print(table(with_family_totals(rows)))
    failures = [c for c in (row.contradiction() for row in rows) if c]
    failures += [
        f"{row.family}-{row.locations}: {row.greedy.errors} greedy plans broke a rule"
        for row in rows
        if row.greedy.errors
    ]
    for failure in failures:
        console.print(f"FAIL {failure}", markup=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

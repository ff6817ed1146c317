"""Where ``Source`` spends its time, in-process and without gRPC: read, solve, write.

``benchmarks/grpc_source.py`` measures ``Source`` end to end on real server
processes; this script explains its figure. It writes the same generated
network to a fresh SQLite file (or, with ``--pg``, a fresh PostgreSQL
schema), calls the real ``SourcingServicer.Source`` for ``--orders`` orders
after ``--warmup`` untimed ones, and times the whole call and its parts
(``read_snapshot``, ``solve``, ``write_order`` and the pieces of each) by
wrapping them for the run. Printed: p50 and mean per part, in ms.

    python -m benchmarks.source_parts [--quick] [--pg] [--orders N]
        [--warmup N] [--locations N] [--products N] [--seed N]
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.grpc_source import fresh_schema, load, populate, requests
from sourcing import solver
from sourcing.bench.instances import InstanceConfig, make_network
from sourcing.models.config import candidate_cache
from sourcing.models.db.engine import find_postgres, make_engine, session_factory, upgrade
from sourcing.models.orders import plan_store
from sourcing.models.orders import source as source_module
from sourcing.server.sourcing_service import SourcingServicer

# (module, function name, label): what is timed, outermost first within each part.
PARTS: tuple[tuple[ModuleType, str, str], ...] = (
    (source_module, "replay_of", "replay check"),
    (source_module, "read_snapshot", "read"),
    (candidate_cache, "candidate_set", "read: candidate set"),
    (candidate_cache, "_stock", "read: stock"),
    (candidate_cache, "_capacity_left", "read: capacity"),
    (solver, "solve", "solve"),
    (source_module, "write_order", "write"),
    (source_module, "_customer_id", "write: customer"),
    (source_module, "store_fulfilments", "write: fulfilments"),
    (plan_store, "reserve_many", "write: reservations"),
    (plan_store, "count_new", "write: day loads"),
)


class _Context:
    """The servicer asks the call for its time left; 30 s, as the benchmark's client gives."""

    def time_remaining(self) -> float:
        return 30.0


@contextmanager
def timed(times: dict[str, list[float]]) -> Iterator[None]:
    """Wrap every part of ``PARTS`` so each call's wall time lands in ``times``."""
    originals = [(module, name, getattr(module, name)) for module, name, _ in PARTS]

    def wrap(function: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                times[label].append(time.perf_counter() - started)

        return timed_call

    try:
        for (module, name, label), (_, _, function) in zip(PARTS, originals, strict=True):
            setattr(module, name, wrap(function, label))
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def run(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    """Source the orders on ``url``; each part's wall times, the whole call's as ``Source``."""
    network = make_network(
        InstanceConfig(
            family="uniform",
            n_locations=args.locations,
            n_products=args.products,
            lines_per_order=5,
            seed=args.seed,
        )
    )
    engine = make_engine(url)
    try:
        upgrade(engine)
        populate(engine, network)
        servicer = SourcingServicer(session_factory(engine))
        calls = requests(network, args.warmup + args.orders, args.seed + 1, "SP")
        for request in calls[: args.warmup]:
            servicer.Source(request, _Context())
        gc.collect()
        gc.freeze()  # as grpc_source's client and sourcing serve do
        times: dict[str, list[float]] = defaultdict(list)
        with timed(times):
            for request in calls[args.warmup :]:
                started = time.perf_counter()
                servicer.Source(request, _Context())
                times["Source"].append(time.perf_counter() - started)
        gc.unfreeze()
    finally:
        engine.dispose()
    return times


def report(times: dict[str, list[float]], backend: str) -> None:
    """One line per part: calls, p50 and mean in ms."""
    print(f"Source in-process on {backend}, {len(times['Source'])} orders; {load()}")
    print(f"{'part':24} {'calls':>6} {'p50 ms':>8} {'mean ms':>8}")
    for label in ["Source", *(label for _, _, label in PARTS)]:
        values = times.get(label, [])
        if values:
            p50, mean = 1000 * float(np.median(values)), 1000 * float(np.mean(values))
            print(f"{label:24} {len(values):6d} {p50:8.2f} {mean:8.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run on SQLite, or PostgreSQL with ``--pg``; exit 1 if PostgreSQL is asked for and absent."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument("--pg", action="store_true", help="a fresh PostgreSQL schema")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--orders", type=int, default=None, help="timed orders (default 300)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed orders (default 30)")
    parser.add_argument("--locations", type=int, default=1000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.orders = args.orders or (20 if args.quick else 300)
    args.warmup = args.warmup if args.warmup is not None else (3 if args.quick else 30)
    with ExitStack() as stack:
        if args.pg:
            admin = find_postgres(args.pg_url)
            if admin is None:
                print("PostgreSQL: no server answered (use --pg-url)")
                return 1
            url, backend = stack.enter_context(fresh_schema(admin)), "PostgreSQL"
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="parts_")))
            url, backend = f"sqlite:///{folder / 'parts.db'}", "SQLite"
        report(run(url, args), backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())

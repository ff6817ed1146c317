"""Issue 15's targets: fulfilment options over gRPC, and rate cards in the per-order solve.

1. **GetFulfilmentOptions on SQLite**, 1,000 locations: every location gets
   a calendar and STANDARD / EXPRESS rate cards, products a weight; one
   ``sourcing serve`` process, one client. The same seeded 5-line carts are
   asked for their options (3 HD options at most, up to 10 collection stores
   within 50 km) and then placed with ``Source``, alternately, so both are
   measured in the same run on the same data: p50 / p95 / p99 of each, next
   to the targets (options p50 <= 25 ms, p99 <= 80 ms).
2. **Per-order solve with rate cards**, in process: the same orders over the
   same 1,000 locations, without and with rate cards on every location;
   the p50 ratio (target <= 3x) and, with rate cards, the share of orders
   whose reduced solve is proved optimal and agrees with the full model
   (target >= 99%): equal to its objective when the full model proves its
   plan within its 10 s, else no dearer than the plan it stopped with.
   The quick run takes the ratio over 40 orders and checks the first 5
   against the full model (``--checked``).

    python -m benchmarks.promise [--quick] [--seed N] [--orders N] [--solves N] [--checked N]
        [--part 1|2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

import grpc
import numpy as np
from sqlalchemy import select, update

from benchmarks.grpc_source import cpu_seconds, load, ms, populate, quiet_collector, requests
from sourcing import solver
from sourcing.bench.instances import InstanceConfig, Network, make_network, order_stream
from sourcing.models import Location, Product
from sourcing.models.config.carriers import calendar_to_json, service_to_json
from sourcing.models.config.config_version import bump_config_version
from sourcing.models.db.engine import make_engine, session_factory, upgrade
from sourcing.solver.carriers import (
    Calendar,
    CarrierService,
    DistanceBand,
    OpeningHours,
    WeightBand,
)
from sourcing.solver.table import LocationTable
from sourcing.v1 import sourcing_pb2, sourcing_pb2_grpc
from tests.server.processes import serve

TARGET_OPTIONS_P50_MS = 25.0
TARGET_OPTIONS_P99_MS = 80.0
TARGET_RATIO = 3.0
TARGET_OPTIMAL_SHARE = 0.99
LOCATIONS = 1000
LINES = 5
CALL_TIMEOUT_S = 30.0
NOW = datetime(2026, 12, 7, 13, tzinfo=UTC)  # a Monday morning in São Paulo


def _service(
    code: str, cut_off: int, transit: tuple[int, int, int], scale: float
) -> CarrierService:
    """Three distance bands x four weight bands, prices growing with both."""
    grams = (0, 500, 2000, 10000)
    rows = tuple(
        tuple(round(scale * (800 + 400 * d + 300 * w)) for w in range(len(grams))) for d in range(3)
    )
    return CarrierService(
        code=code,
        cut_off=clock(cut_off),
        distance_bands=(
            DistanceBand(0, 50, transit[0]),
            DistanceBand(50, 300, transit[1]),
            DistanceBand(300, None, transit[2]),
        ),
        weight_bands=tuple(
            WeightBand(lo, grams[i + 1] if i + 1 < len(grams) else None)
            for i, lo in enumerate(grams)
        ),
        prices=rows,
        delivery_weekdays=frozenset(range(6)),
    )


SERVICES = (_service("STANDARD", 16, (2, 3, 5), 1.0), _service("EXPRESS", 12, (1, 1, 2), 2.2))
CALENDAR = Calendar(
    "America/Sao_Paulo",
    tuple(OpeningHours(d, clock(8), clock(22)) for d in range(7)),
    frozenset(),
)


def weight_of(product: str) -> int:
    """A product's unit weight in grams, fixed by its ref (100 g to 3 kg)."""
    return 100 + (int(product.removeprefix("P")) * 7919) % 2900


def rated(network: Network) -> Network:
    """The same network with a calendar and both services on every location."""
    locations = tuple(
        replace(loc, calendar=CALENDAR, carrier_services=SERVICES) for loc in network.locations
    )
    return replace(network, locations=locations)


# Part 2: the per-order solve ---------------------------------------------------


def solve_part(network: Network, n: int, seed: int, checked: int | None = None) -> bool:
    """Same orders without and with rate cards; print p50s, the ratio, the optimal share.

    The full model (up to 10 s an order) checks the first ``checked`` orders, every
    one when None; the ratio is taken over all ``n``.
    """
    flat_problems = list(order_stream(network, n + 1, seed=seed))
    with_rates = rated(network)
    table = LocationTable.of(with_rates.locations)
    rated_problems = [
        replace(
            p,
            order=replace(
                p.order,
                lines=tuple(
                    replace(line, weight_g=weight_of(line.product_ref)) for line in p.order.lines
                ),
            ),
            locations=with_rates.locations,
            table=table,
            now=NOW,
        )
        for p in flat_problems
    ]
    solver.solve(flat_problems[0])  # warm-up, untimed
    solver.solve(rated_problems[0])
    flat_s, rated_s, exact, full_optimal, dearer = [], [], 0, 0, 0
    checks = n if checked is None else min(checked, n)
    for i, (flat, rates) in enumerate(zip(flat_problems[1:], rated_problems[1:], strict=True)):
        started = time.perf_counter()
        solver.solve(flat)
        flat_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        plan = solver.solve(rates)
        rated_s.append(time.perf_counter() - started)
        if i >= checks:
            continue
        full = solver.solve(rates, reduce=False, time_limit_s=10.0)
        # The full model is the reference when it proves its plan; when it stops at
        # its time limit its plan is only an upper bound the reduced solve must meet.
        slack = 1e-6 * max(1.0, abs(full.objective.total))
        proved = full.status is solver.SolveStatus.OPTIMAL
        full_optimal += proved
        if proved:
            agrees = abs(plan.objective.total - full.objective.total) <= slack
        else:
            agrees = plan.objective.total <= full.objective.total + slack
        dearer += plan.objective.total > full.objective.total + slack
        exact += plan.status is solver.SolveStatus.OPTIMAL and agrees
    ratio = ms(rated_s, 50) / ms(flat_s, 50)
    share = exact / checks
    print(
        f"Per-order solve, {len(network.locations)} locations, {len(rated_s)} orders: "
        f"without rate cards p50 {ms(flat_s, 50):.1f} ms, p99 {ms(flat_s, 99):.1f} ms; "
        f"with rate cards p50 {ms(rated_s, 50):.1f} ms, p99 {ms(rated_s, 99):.1f} ms; "
        f"p50 ratio {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x); proved optimal and "
        f"agreeing with the full model {exact}/{checks} checked = {share:.1%} "
        f"(target >= {TARGET_OPTIMAL_SHARE:.0%}; the full model proved its own plan on "
        f"{full_optimal}, the reduced plan was dearer than the full model's on {dearer})",
        flush=True,
    )
    return True


# Part 1: GetFulfilmentOptions over gRPC -----------------------------------------


def add_carriers(url: str, network: Network) -> None:
    """Give every stored location the calendar and services, every product its weight."""
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            session.execute(
                update(Location).values(
                    calendar=calendar_to_json(CALENDAR),
                    carrier_services=[service_to_json(s, "BRL") for s in SERVICES],
                )
            )
            for ref, pid in session.execute(select(Product.ref, Product.id)).tuples():
                session.execute(
                    update(Product).where(Product.id == pid).values(weight_grams=weight_of(ref))
                )
            # Bulk UPDATEs skip the ORM hook: bump the version so the cache reloads.
            bump_config_version(session)
    finally:
        engine.dispose()


def options_request(source: sourcing_pb2.SourceRequest) -> sourcing_pb2.GetFulfilmentOptionsRequest:
    """The cart of a Source request, asked for its options."""
    return sourcing_pb2.GetFulfilmentOptionsRequest(
        lines=source.order.lines,
        customer_position=source.order.delivery_point,
        radius_km=50.0,
        max_options=10,
    )


def seed_database(url: str, network: Network) -> None:
    """A migrated database at ``url`` holding ``network``, its calendars and rate cards."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        populate(engine, network)
    finally:
        engine.dispose()
    add_carriers(url, network)


def grpc_part(network: Network, n: int, warmup: int, seed: int, workdir: Path) -> bool:
    """Options then Source for each cart on one SQLite server; print both percentiles."""
    url = f"sqlite:///{workdir / 'promise.db'}"
    seed_database(url, network)
    calls = requests(network, warmup + n, seed + 1, "PR")
    options_s, source_s, hd_options, stores = [], [], [], []
    options_cpu = source_cpu = 0.0  # the server's CPU seconds during the calls
    with serve(url, cwd=workdir) as server, grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        stub = sourcing_pb2_grpc.SourcingServiceStub(ch)
        pid = server.popen.pid
        for request in calls[:warmup]:
            stub.GetFulfilmentOptions(options_request(request), timeout=CALL_TIMEOUT_S)
            stub.Source(request, timeout=CALL_TIMEOUT_S)
        quiet_collector()
        for request in calls[warmup:]:
            used, started = cpu_seconds(pid), time.perf_counter()
            answer = stub.GetFulfilmentOptions(options_request(request), timeout=CALL_TIMEOUT_S)
            options_s.append(time.perf_counter() - started)
            options_cpu += cpu_seconds(pid) - used
            hd_options.append(len(answer.delivery))
            stores.append(len(answer.collection))
            used, started = cpu_seconds(pid), time.perf_counter()
            stub.Source(request, timeout=CALL_TIMEOUT_S)
            source_s.append(time.perf_counter() - started)
            source_cpu += cpu_seconds(pid) - used
    print(
        f"SQLite, {len(network.locations)} locations, {len(options_s)} carts of {LINES} lines, "
        f"1 client: GetFulfilmentOptions p50 {ms(options_s, 50):.1f} ms "
        f"(target <= {TARGET_OPTIONS_P50_MS:.0f}), p95 {ms(options_s, 95):.1f} ms, "
        f"p99 {ms(options_s, 99):.1f} ms (target <= {TARGET_OPTIONS_P99_MS:.0f}); "
        f"Source p50 {ms(source_s, 50):.1f} ms, p95 {ms(source_s, 95):.1f} ms, "
        f"p99 {ms(source_s, 99):.1f} ms; server CPU per call (mean, less sensitive to "
        f"the load than the wall times): options {1000 * options_cpu / len(options_s):.1f} ms, "
        f"Source {1000 * source_cpu / len(source_s):.1f} ms; "
        f"mean HD options {np.mean(hd_options):.1f}, "
        f"mean collection stores {np.mean(stores):.1f}; {load()}",
        flush=True,
    )
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few carts and orders, for CI")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--orders", type=int, help="carts over gRPC (default 200, quick 5)")
    parser.add_argument("--solves", type=int, help="orders solved in process (200, quick 40)")
    parser.add_argument(
        "--checked", type=int, help="of those, checked against the full model (all, quick 5)"
    )
    parser.add_argument("--part", type=int, choices=(1, 2), help="run only this part")
    args = parser.parse_args(argv)
    n_calls = args.orders or (5 if args.quick else 200)
    n_solves = args.solves or (40 if args.quick else 200)
    # The full model takes up to 10 s an order: the quick run checks only a few.
    checked = args.checked if args.checked is not None else (5 if args.quick else None)
    network = make_network(
        InstanceConfig(
            family="uniform",
            n_locations=LOCATIONS,
            n_products=60 if args.quick else 300,
            lines_per_order=LINES,
            seed=args.seed,
        )
    )
    ok = True
    if args.part in (None, 2):
        ok &= solve_part(network, n_solves, args.seed, checked)
    if args.part in (None, 1):
        with tempfile.TemporaryDirectory(prefix="promise_") as tmp:
            ok &= grpc_part(network, n_calls, 3 if args.quick else 20, args.seed, Path(tmp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

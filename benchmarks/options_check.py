"""The fulfilment options of many seeded carts, in process: their text, their time, a profile.

For changes that must not move any answer: run it on two builds over the
same database file and compare the ``--dump`` files (they are text protos
of every answer, ``now`` fixed; ``--now`` moves it, since the time of day
decides which cut-offs and delivery dates the rated searches weigh). The
carts are issue 15's benchmark carts (``benchmarks.promise``: 1,000
locations with calendars and rate cards, 5-line carts, 10 stores within
50 km), plus every fourth asked with a 150 km radius, every fifth for click
and collect only, every seventh with a need-by date two days on.

    python -m benchmarks.options_check --db /tmp/o.db [--carts N] [--seed N]
        [--dump FILE] [--profile FILE] [--products N] [--now 2026-12-07T13:50:00+00:00]
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from google.protobuf import text_format

from benchmarks.grpc_source import load, ms, requests
from benchmarks.promise import LINES, LOCATIONS, NOW, options_request, seed_database
from sourcing.bench.instances import InstanceConfig, Network, make_network
from sourcing.models.db.engine import make_engine, session_factory
from sourcing.models.orders import order_problem
from sourcing.models.orders.options import OptionsInput, fulfilment_options
from sourcing.server.convert.options import options_from_proto, options_to_proto
from sourcing.v1 import common_pb2


def seeded_carts(network: Network, n: int, seed: int, now: datetime = NOW) -> list[OptionsInput]:
    """The benchmark's carts; every fourth with a 150 km radius, every fifth asked for
    click and collect only, every seventh with a need-by two days after ``now``."""
    carts = []
    for i, source in enumerate(requests(network, n, seed + 1, "OC")):
        request = options_request(source)
        if i % 4 == 1:
            request.radius_km = 150.0
        if i % 5 == 2:
            request.order_types.append(common_pb2.ORDER_TYPE_CC)
        if i % 7 == 3:
            request.need_by_time.FromDatetime(now + timedelta(days=2))
        carts.append(options_from_proto(request))
    return carts


def _moment(text: str) -> datetime:
    """An ISO 8601 moment with its UTC offset (a naive one would be ambiguous)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"expected an offset such as +00:00 in {text!r}")
    return moment


def main(argv: Sequence[str] | None = None) -> int:
    """Answer the carts; print the percentiles; write the answers and the profile."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="SQLite file (built if missing)")
    parser.add_argument("--carts", type=int, default=70)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--products", type=int, default=60, help="300 is the default benchmark run's network"
    )
    parser.add_argument("--dump", type=Path, help="write every answer here as text")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed calls")
    parser.add_argument(
        "--now",
        type=_moment,
        default=NOW,
        help="the fixed now, ISO 8601 with its offset (default: the promise benchmark's)",
    )
    args = parser.parse_args(argv)
    network = make_network(
        InstanceConfig(
            family="uniform",
            n_locations=LOCATIONS,
            n_products=args.products,
            lines_per_order=LINES,
            seed=0,
        )
    )
    url = f"sqlite:///{args.db}"
    if not args.db.exists():
        seed_database(url, network)
    now: datetime = args.now
    order_problem.utcnow = lambda: now  # type: ignore[attr-defined]  # one fixed now
    sessions = session_factory(make_engine(url))
    carts = seeded_carts(network, args.warmup + args.carts, args.seed, now)
    for cart in carts[: args.warmup]:
        fulfilment_options(sessions, cart, 10.0)
    profile = cProfile.Profile() if args.profile else None
    seconds, cpu, texts = [], [], []
    for cart in carts[args.warmup :]:
        if profile:
            profile.enable()
        started, used = time.perf_counter(), time.process_time()
        answer = fulfilment_options(sessions, cart, 10.0)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
        if profile:
            profile.disable()
        texts.append(text_format.MessageToString(options_to_proto(answer)))
    if profile and args.profile:
        profile.dump_stats(str(args.profile))
    if args.dump:
        args.dump.write_text(
            "".join(f"# cart {i}\n{text}" for i, text in enumerate(texts)), encoding="utf-8"
        )
    print(
        f"{len(seconds)} carts in process: p50 {ms(seconds, 50):.1f} ms, "
        f"p95 {ms(seconds, 95):.1f} ms, p99 {ms(seconds, 99):.1f} ms; "
        f"CPU p50 {ms(cpu, 50):.1f} ms, p99 {ms(cpu, 99):.1f} ms; {load()}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

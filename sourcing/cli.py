"""The ``sourcing`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.console import Console

from sourcing.solver.options import DEFAULT_TIME_LIMIT_S


def _example(args: argparse.Namespace) -> int:
    from sourcing.example import example_problem
    from sourcing.report import print_plan
    from sourcing.solver import solve

    console = Console()
    problem = example_problem()
    for policy in ("greedy", "mip"):
        plan = solve(problem, policy=policy, explain=True, time_limit_s=args.time_limit)
        print_plan(plan, console, explain=policy == "mip")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sourcing.demo import run

    run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import logging

    from sourcing.server.app import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    interval = args.housekeeping_interval or None  # 0 turns housekeeping off
    serve(
        args.db,
        f"{args.host}:{args.port}",
        grace_s=args.grace,
        drain_s=args.drain,
        housekeeping_interval_s=interval,
        max_simulations=args.max_simulations,
    )
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from sourcing.models.db.engine import make_engine, session_factory
    from sourcing.models.orders.sla import sweep

    engine = make_engine(args.db)
    try:
        report = sweep(session_factory(engine))
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from sourcing.bench.runner import main

    return main(args)


def _whatif(args: argparse.Namespace) -> int:
    from sourcing.whatif.cli import main

    return main(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(prog="sourcing", description="Order sourcing engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    example = commands.add_parser("example", help="solve a built-in order with greedy and MIP")
    example.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, help="seconds for the MIP"
    )
    example.set_defaults(run=_example)
    demo = commands.add_parser(
        "demo",
        help="start a server on a temporary database, set it up over gRPC, source two orders",
    )
    demo.set_defaults(run=_demo)
    serve = commands.add_parser("serve", help="run the gRPC server")
    serve.add_argument(
        "--db",
        default="sqlite:///sourcing.db",
        help="SQLAlchemy URL: an SQLite file (default ./sourcing.db) or postgresql+psycopg://...",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=50051, help="port (0 picks a free one)")
    serve.add_argument(
        "--grace", type=float, default=10.0, help="seconds calls in flight get on SIGTERM"
    )
    serve.add_argument(
        "--drain",
        type=float,
        default=0.0,
        help="seconds of NOT_SERVING (still taking calls) before that, for load balancers",
    )
    serve.add_argument(
        "--housekeeping-interval",
        type=float,
        default=5.0,
        help="seconds between SLA sweeps and webhook deliveries in the background (0: off)",
    )
    serve.add_argument(
        "--max-simulations",
        type=int,
        default=2,
        help="what-if runs (SimulationService) executing at once; more wait QUEUED",
    )
    serve.set_defaults(run=_serve)
    from sourcing.bench.options import add_arguments as add_bench_arguments

    bench = commands.add_parser("bench", help="compare sourcing policies against a lower bound")
    add_bench_arguments(bench)
    bench.set_defaults(run=_bench)
    from sourcing.whatif.cli import add_arguments as add_whatif_arguments

    whatif = commands.add_parser(
        "whatif", help="replay past orders under scenarios (weights, rules, policy) and compare"
    )
    add_whatif_arguments(whatif)
    whatif.set_defaults(run=_whatif)
    sweep = commands.add_parser(
        "sweep", help="escalate or reassign overdue fulfilments once, and say what was done"
    )
    sweep.add_argument(
        "--db",
        default="sqlite:///sourcing.db",
        help="SQLAlchemy URL of the server's database (default ./sourcing.db)",
    )
    sweep.set_defaults(run=_sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())

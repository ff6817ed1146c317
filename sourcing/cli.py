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
    from sourcing.server.app import serve
    from sourcing.server.auth.commands import announce, security_from_args
    from sourcing.server.auth.settings import refusal
    from sourcing.server.observability.cli import observability_of

    observability, metrics_address = observability_of(args)
    interval = args.housekeeping_interval or None  # 0 turns housekeeping off
    address = f"{args.host}:{args.port}"
    security = security_from_args(args)
    problem = refusal(address, security)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    print(announce(security, address), flush=True)
    serve(
        args.db,
        address,
        grace_s=args.grace,
        drain_s=args.drain,
        housekeeping_interval_s=interval,
        observability=observability,
        metrics_address=metrics_address,
        security=security,
        scarcity_refresh_s=args.scarcity_refresh_s or None,  # 0 (the default): off
        max_simulations=args.max_simulations,
    )
    return 0


def _prices_refresh(args: argparse.Namespace) -> int:
    from sourcing.models.db.engine import make_engine, session_factory
    from sourcing.models.inventory.calls import refresh_scarcity_prices
    from sourcing.models.inventory.scarcity import PriceSettings

    settings = PriceSettings(args.window_days, args.horizon_days, args.cell_deg, args.samples)
    engine = make_engine(args.db)
    try:
        report = refresh_scarcity_prices(session_factory(engine), settings)
    finally:
        engine.dispose()
    print(report.line())
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


def _status(args: argparse.Namespace) -> int:
    from sourcing.models.db.engine import make_engine, session_factory
    from sourcing.ops.status import read_status

    engine = make_engine(args.db)
    try:
        summary = read_status(session_factory(engine), escalation_days=args.days)
    finally:
        engine.dispose()
    print("\n".join(summary.lines()))
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
    from sourcing.server.observability.cli import add_arguments as add_observability_arguments

    add_observability_arguments(serve)
    from sourcing.server.auth.commands import add_key_commands, add_serve_arguments

    add_serve_arguments(serve)
    add_key_commands(commands)
    serve.add_argument(
        "--scarcity-refresh-s",
        type=float,
        default=0.0,
        help="seconds between refreshes of the scarce-stock prices in the background (0: off)",
    )
    serve.add_argument(
        "--max-simulations",
        type=int,
        default=2,
        help="what-if runs (SimulationService) executing at once; more wait QUEUED",
    )
    serve.set_defaults(run=_serve)
    _add_prices(commands)
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
    status = commands.add_parser(
        "status", help="orders, escalations, overdue fulfilments, parked webhooks, low stock"
    )
    status.add_argument(
        "--db",
        default="sqlite:///sourcing.db",
        help="SQLAlchemy URL of the server's database (default ./sourcing.db)",
    )
    status.add_argument("--days", type=int, default=14, help="days of escalations (1 to 90)")
    status.set_defaults(run=_status)
    return parser


def _add_prices(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prices = commands.add_parser("prices", help="scarce-stock prices")
    actions = prices.add_subparsers(dest="action", required=True)
    refresh = actions.add_parser(
        "refresh",
        help="recompute every position's and every short capacity's price from order history, "
        "stock and capacity, once",
    )
    refresh.add_argument(
        "--db",
        default="sqlite:///sourcing.db",
        help="SQLAlchemy URL of the server's database (default ./sourcing.db)",
    )
    refresh.add_argument(
        "--window-days", type=float, default=28.0, help="days of order history to forecast from"
    )
    refresh.add_argument(
        "--horizon-days", type=float, default=7.0, help="days of demand the prices look ahead"
    )
    refresh.add_argument(
        "--cell-deg", type=float, default=0.5, help="degrees of latitude/longitude per region"
    )
    refresh.add_argument(
        "--samples",
        type=int,
        default=8,
        help="histories resampled from the window whose LP prices are averaged (0: one LP)",
    )
    refresh.set_defaults(run=_prices_refresh)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())

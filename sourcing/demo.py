"""``sourcing demo``: a real server, set up from nothing over gRPC, sourcing two orders.

Before placing them it shows the HD cart's fulfilment options
(``sourcing.demo_options``): prices and arrival dates, and collection stores.

Everything goes through the generated client, as an order host's would: a
warehouse and four São Paulo stores, an HD and a CC network, products and
stock, a sourcing profile per order type, then one home-delivery and one
click-and-collect order, each printed as a table with the reasons per
candidate.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import grpc
from rich.console import Console
from rich.table import Table

from sourcing.demo_options import WEIGHTS_G, add_carriers, options_tables
from sourcing.models.access.keys import create_key
from sourcing.models.db.engine import session_factory
from sourcing.server.app import create_server
from sourcing.server.auth.client import secure_channel
from sourcing.server.auth.devcerts import DevCa
from sourcing.server.auth.settings import Security, TlsFiles
from sourcing.v1 import (
    common_pb2,
    config_pb2,
    config_pb2_grpc,
    domain_pb2,
    inventory_pb2,
    inventory_pb2_grpc,
    plan_pb2,
    sourcing_pb2,
    sourcing_pb2_grpc,
)

# ref, type, latitude, longitude, networks, fixed cost, handling, shipping per unit-km, hours
LOCATIONS = (
    (
        "WH_CAMPINAS",
        config_pb2.LOCATION_TYPE_WAREHOUSE,
        -22.9056,
        -47.0608,
        ("HD",),
        350,
        25,
        0.6,
        3.0,
    ),
    (
        "ST_PAULISTA",
        config_pb2.LOCATION_TYPE_STORE,
        -23.5614,
        -46.6559,
        ("HD", "CC"),
        700,
        60,
        1.1,
        1.5,
    ),
    (
        "ST_PINHEIROS",
        config_pb2.LOCATION_TYPE_STORE,
        -23.5674,
        -46.6919,
        ("HD", "CC"),
        650,
        55,
        1.0,
        1.0,
    ),
    (
        "ST_MOOCA",
        config_pb2.LOCATION_TYPE_STORE,
        -23.5503,
        -46.5997,
        ("HD", "CC"),
        600,
        50,
        1.0,
        2.0,
    ),
    (
        "ST_SANTO_ANDRE",
        config_pb2.LOCATION_TYPE_STORE,
        -23.6639,
        -46.5383,
        ("CC",),
        700,
        50,
        1.0,
        1.0,
    ),
)
# product ref, category, price in centavos
PRODUCTS = (("TSHIRT", "tops", 7990), ("JEANS", "bottoms", 19990), ("CAP", "accessories", 4990))
# location, product, on hand, ideal
STOCK = (
    ("WH_CAMPINAS", "TSHIRT", 200, 0),
    ("WH_CAMPINAS", "JEANS", 80, 0),
    ("ST_PAULISTA", "TSHIRT", 6, 4),
    ("ST_PAULISTA", "CAP", 3, 2),
    ("ST_PINHEIROS", "TSHIRT", 12, 10),
    ("ST_PINHEIROS", "JEANS", 5, 6),
    ("ST_MOOCA", "CAP", 9, 3),
    ("ST_MOOCA", "JEANS", 4, 0),
    ("ST_SANTO_ANDRE", "TSHIRT", 30, 0),
    ("ST_SANTO_ANDRE", "JEANS", 20, 0),
    ("ST_SANTO_ANDRE", "CAP", 20, 0),
)


def set_up(channel: grpc.Channel) -> None:
    """Create the network, products, stock and profiles over gRPC."""
    config = config_pb2_grpc.ConfigServiceStub(channel)
    inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
    for ref, kind, lat, lon, _, fixed, handling, shipping, hours in LOCATIONS:
        config.CreateLocation(
            config_pb2.CreateLocationRequest(
                location=config_pb2.Location(
                    ref=ref,
                    name=ref.replace("_", " ").title(),
                    type=kind,
                    latitude=lat,
                    longitude=lon,
                    fixed_cost=common_pb2.Money(amount_minor=fixed, currency="BRL"),
                    handling_cost=common_pb2.Money(amount_minor=handling, currency="BRL"),
                    shipping_cost_per_unit_km=shipping,
                    pick_pack_hours=hours,
                )
            ),
            timeout=10,
        )
    for network, order_type in (("HD", common_pb2.ORDER_TYPE_HD), ("CC", common_pb2.ORDER_TYPE_CC)):
        members = [loc[0] for loc in LOCATIONS if network in loc[4]]
        config.CreateNetwork(
            config_pb2.CreateNetworkRequest(
                network=config_pb2.Network(
                    ref=network,
                    name=f"{network} network",
                    order_type=order_type,
                    location_refs=members,
                )
            ),
            timeout=10,
        )
        config.SetSourcingProfile(
            config_pb2.SetSourcingProfileRequest(
                profile=config_pb2.SourcingProfile(
                    order_type=order_type,
                    weights=config_pb2.SourcingWeights(split=300.0, ideal_stock=40.0),
                    split_limit=2,
                    rules=config_pb2.SourcingRules(network_ref=network),
                )
            ),
            timeout=10,
        )
    for ref, category, price in PRODUCTS:
        config.CreateProduct(
            config_pb2.CreateProductRequest(
                product=config_pb2.Product(
                    ref=ref,
                    name=ref.title(),
                    category=category,
                    price=common_pb2.Money(amount_minor=price, currency="BRL"),
                    weight_grams=WEIGHTS_G[ref],
                )
            ),
            timeout=10,
        )
    inventory.SetStock(
        inventory_pb2.SetStockRequest(
            positions=[
                inventory_pb2.StockPosition(
                    location_ref=loc, product_ref=product, on_hand=on_hand, ideal_qty=ideal
                )
                for loc, product, on_hand, ideal in STOCK
            ]
        ),
        timeout=10,
    )


def orders() -> tuple[domain_pb2.Order, domain_pb2.Order]:
    """A home-delivery order to Vila Mariana and a click-and-collect order at Pinheiros."""
    lines = [
        domain_pb2.OrderLine(
            ref="1",
            product_ref="TSHIRT",
            quantity=2,
            unit_price=common_pb2.Money(amount_minor=7990, currency="BRL"),
        ),
        domain_pb2.OrderLine(
            ref="2",
            product_ref="JEANS",
            quantity=1,
            unit_price=common_pb2.Money(amount_minor=19990, currency="BRL"),
        ),
        domain_pb2.OrderLine(
            ref="3",
            product_ref="CAP",
            quantity=1,
            unit_price=common_pb2.Money(amount_minor=4990, currency="BRL"),
        ),
    ]
    hd = domain_pb2.Order(
        ref="SO-1001",
        type=common_pb2.ORDER_TYPE_HD,
        lines=lines,
        delivery_point=common_pb2.GeoPoint(latitude=-23.5880, longitude=-46.6580),
        customer=domain_pb2.Customer(ref="C-77", tier=common_pb2.CUSTOMER_TIER_STANDARD),
    )
    cc = domain_pb2.Order(
        ref="SO-1002",
        type=common_pb2.ORDER_TYPE_CC,
        lines=lines[:2],
        collection_location_ref="ST_PINHEIROS",
        customer=domain_pb2.Customer(ref="C-78", tier=common_pb2.CUSTOMER_TIER_VIP),
    )
    return hd, cc


def plan_table(plan: plan_pb2.Plan, title: str) -> Table:
    """A stored plan: one row per fulfilment line, the rejected fulfilment last."""
    table = Table(title=title, title_justify="left")
    for column in ("fulfilment", "location", "status", "line", "product", "units"):
        table.add_column(column, justify="right" if column == "units" else "left")
    parts = list(plan.fulfilments)
    if plan.HasField("rejected_fulfilment"):
        parts.append(plan.rejected_fulfilment)
    for part in parts:
        status = common_pb2.FulfilmentStatus.Name(part.status).removeprefix("FULFILMENT_STATUS_")
        for i, line in enumerate(part.lines):
            first = i == 0
            table.add_row(
                part.id if first else "",
                part.location_ref if first else "",
                status if first else "",
                line.line_ref,
                line.product_ref,
                str(line.quantity),
            )
    solve_status = plan_pb2.SolveStatus.Name(plan.solve_status).removeprefix("SOLVE_STATUS_")
    terms = ", ".join(f"{k} {v:,.0f}" for k, v in sorted(plan.objective.terms.items()) if v)
    total = f"{plan.objective.total:,.0f}"
    table.caption = f"{solve_status}, objective {total} ({terms}), {plan.solve_time_ms:.1f} ms"
    return table


def candidates_table(plan: plan_pb2.Plan) -> Table:
    """Why each candidate was or was not used."""
    table = Table(title="Candidates", title_justify="left")
    for column in ("location", "km", "reasons", "detail"):
        table.add_column(column)
    for item in plan.candidates:
        reasons = ", ".join(
            plan_pb2.CandidateReason.Name(r).removeprefix("CANDIDATE_REASON_") for r in item.reasons
        )
        table.add_row(item.location_ref, f"{item.distance_km:,.1f}", reasons, item.detail)
    return table


def _certificates(folder: Path) -> tuple[bytes, TlsFiles]:
    """A throw-away CA and a server certificate signed by it, written under ``folder``."""
    ca = DevCa()
    issued = ca.issue("localhost", server=True)
    cert, key = folder / "server.pem", folder / "server.key"
    cert.write_bytes(issued.cert_pem)
    key.write_bytes(issued.key_pem)
    return ca.cert_pem, TlsFiles(cert, key)


def run(console: Console | None = None, workdir: Path | None = None) -> list[plan_pb2.Plan]:
    """Start a server on a temporary SQLite file, set it up, source two orders, print them."""
    console = console or Console()
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        db_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        ca, tls = _certificates(Path(folder))
        security = Security(require_auth=True, tls=tls)
        running = create_server(db_url, address="127.0.0.1:0", security=security)
        key, record = create_key(session_factory(running.engine), name="demo", role="admin")
        console.print(
            f"Server on localhost:{running.port} over TLS (a throw-away CA), database {db_url}, "
            f"admin key {record.key_id}"
        )
        try:
            with secure_channel(f"localhost:{running.port}", ca, key) as channel:
                set_up(channel)
                # Pinheiros keeps its flat costs: rate cards apply where a location has carriers.
                add_carriers(channel, [loc[0] for loc in LOCATIONS if loc[0] != "ST_PINHEIROS"])
                hd_order = orders()[0]
                for table in options_tables(channel, list(hd_order.lines), hd_order.delivery_point):
                    console.print(table)
                stub = sourcing_pb2_grpc.SourcingServiceStub(channel)
                plans = []
                for order, title in zip(
                    orders(), ("Home delivery", "Click and collect"), strict=True
                ):
                    reply = stub.Source(
                        sourcing_pb2.SourceRequest(order=order, explain=True), timeout=30
                    )
                    console.print(plan_table(reply.plan, f"{title}: order {order.ref}"))
                    console.print(candidates_table(reply.plan))
                    plans.append(reply.plan)
        finally:
            running.stop(grace_s=1.0)
    return plans

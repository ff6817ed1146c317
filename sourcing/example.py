"""A small built-in sourcing instance: the quickest look at what the solver does."""

from __future__ import annotations

from sourcing.solver import (
    Capacity,
    Customer,
    GeoPoint,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Rules,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
    Weights,
)


def example_problem() -> SourcingProblem:
    """A São Paulo home-delivery order over a warehouse and four stores.

    The nearest store is busy, one store is switched off for home delivery,
    and no single location holds the whole basket at its ideal stock, so the
    rules and the costs all matter.
    """
    locations = (
        Location(
            "WH_CAMPINAS",
            LocationType.WAREHOUSE,
            GeoPoint(-22.9056, -47.0608),
            {"TSHIRT": StockPosition(200), "JEANS": StockPosition(80), "CAP": StockPosition(0)},
            networks=frozenset({"HD"}),
            fixed_cost=350.0,
            handling_cost=25.0,
            shipping_cost_per_km=0.6,
            pick_pack_hours=3.0,
        ),
        Location(
            "ST_PAULISTA",
            LocationType.STORE,
            GeoPoint(-23.5614, -46.6559),
            {"TSHIRT": StockPosition(6, ideal_qty=4), "CAP": StockPosition(3, ideal_qty=2)},
            networks=frozenset({"HD", "CC"}),
            fixed_cost=700.0,
            handling_cost=60.0,
            shipping_cost_per_km=1.1,
            pick_pack_hours=1.5,
            capacity=Capacity(total=40, hd=0),
        ),
        Location(
            "ST_PINHEIROS",
            LocationType.STORE,
            GeoPoint(-23.5674, -46.6919),
            {"TSHIRT": StockPosition(12, ideal_qty=10), "JEANS": StockPosition(5, ideal_qty=6)},
            networks=frozenset({"HD", "CC"}),
            fixed_cost=650.0,
            handling_cost=55.0,
            shipping_cost_per_km=1.0,
            pick_pack_hours=1.0,
        ),
        Location(
            "ST_MOOCA",
            LocationType.STORE,
            GeoPoint(-23.5503, -46.5997),
            {"CAP": StockPosition(9, ideal_qty=3), "JEANS": StockPosition(4, buffer_qty=2)},
            networks=frozenset({"HD", "CC"}),
            fixed_cost=600.0,
            handling_cost=50.0,
            shipping_cost_per_km=1.0,
            pick_pack_hours=2.0,
        ),
        Location(
            "ST_SANTO_ANDRE",
            LocationType.STORE,
            GeoPoint(-23.6639, -46.5383),
            {"TSHIRT": StockPosition(30), "JEANS": StockPosition(20), "CAP": StockPosition(20)},
            networks=frozenset({"CC"}),
            fixed_cost=600.0,
            handling_cost=50.0,
            shipping_cost_per_km=1.0,
            hd_enabled=False,
        ),
    )
    order = Order(
        "SO-1001",
        OrderType.HD,
        (OrderLine("1", "TSHIRT", 2), OrderLine("2", "JEANS", 1), OrderLine("3", "CAP", 1)),
        GeoPoint(-23.5880, -46.6580),
        Customer("C-77"),
    )
    profile = SourcingProfile(
        Weights(split=300.0, ideal_stock=40.0), split_limit=2, rules=Rules(hd_network="HD")
    )
    return SourcingProblem(order, locations, profile)

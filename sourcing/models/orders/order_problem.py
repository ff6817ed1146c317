"""The one place an order's solver problem is built from what was read.

Source (and, through it, SourceBatch's per-order reads and the fulfilment
options), Reassign and every re-sourcing in a caller's transaction (short
picks, a location's rejection, Revise) solve a ``solver.SourcingProblem``
over the candidates read for the order. Building it here means each of them
reads the room its candidates have left per day the same way (``day_room``:
what the ready-by needs, read only when a candidate has a daily capacity),
and the stored scarce-stock prices: only when the weights the order is
solved under give ``scarcity_price`` a weight above 0 (the checkout path
reads nothing more otherwise), and only for the order's products at its
candidates. A SourceBatch wave takes the prices its
orders read (``wave_prices``); Rebalance reads its group's through
``weighed_prices``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy.orm import Session

from sourcing import solver
from sourcing.models.config.candidate_cache import Candidates, CandidateSet
from sourcing.models.db.base import utcnow
from sourcing.models.db.enums import OrderType
from sourcing.models.inventory.day_room import day_room
from sourcing.models.inventory.scarcity import read_prices

# Room read once per candidate set and order type within one read transaction (a
# SourceBatch wave's): the key holds the set's id, the value the set itself, so the id
# cannot be reused while the memo lives.
Room = dict[str, dict[date, int]] | None
RoomMemo = dict[tuple[int, OrderType], tuple[CandidateSet, Room]]


def order_problem(
    session: Session,
    order: solver.Order,
    candidates: Candidates,
    profile: solver.SourcingProfile,
    products: Mapping[int, str],
    weight_overrides: Mapping[str, float] | None = None,
    rooms: RoomMemo | None = None,
) -> solver.SourcingProblem:
    """``order`` over ``candidates`` under ``profile``, priced when its weights say so.

    ``products`` maps the order's product ids to refs (the prices are read
    for these); ``weight_overrides`` are the call's own weights, which the
    solver applies on top of the profile's. ``rooms``, for the orders read
    in one transaction that writes nothing between them, shares the room
    per day between the orders on the same candidates: it counts fulfilments
    already stored, which no read in that transaction changes.
    """
    now = utcnow()  # the ETAs count from the read; the write stores what they promised
    kind = OrderType(order.type.value)
    if rooms is None:
        room = day_room(session, candidates.candidates, kind, now)
    else:
        key = (id(candidates.candidates), kind)
        if key not in rooms:
            rooms[key] = (
                candidates.candidates,
                day_room(session, candidates.candidates, kind, now),
            )
        room = rooms[key][1]
    return solver.SourcingProblem(
        order,
        candidates.candidates.locations,
        profile,
        candidates.state,
        table=candidates.candidates.table,
        scarcity_prices=weighed_prices(
            session, candidates.candidates, products, profile.weights, weight_overrides
        ),
        now=now,
        day_room=room,
    )


def weighed_prices(
    session: Session,
    cached: CandidateSet,
    products: Mapping[int, str],
    weights: solver.Weights,
    weight_overrides: Mapping[str, float] | None = None,
) -> solver.ScarcityPrices | None:
    """The stored prices of ``products`` at ``cached``, or None when they carry no weight."""
    weight = (weight_overrides or {}).get("scarcity_price", weights.scarcity_price)
    return read_prices(session, cached, products) if weight > 0 else None


def wave_prices(problems: Iterable[solver.SourcingProblem]) -> solver.ScarcityPrices | None:
    """The prices the orders' problems read, as one set for their wave (None when none read).

    Each order read its own products' prices at the wave's candidates, so
    the union is what every order of the wave would have read; a location's
    fulfilment price is the same whichever order read it.
    """
    by_product: dict[str, dict[str, float]] = {}
    per_fulfilment: dict[str, float] = {}
    read = False
    for problem in problems:
        prices = problem.scarcity_prices
        if prices is None:
            continue
        read = True
        for product, at in prices.by_product.items():
            by_product.setdefault(product, {}).update(at)
        per_fulfilment.update(prices.per_fulfilment)
    return solver.ScarcityPrices(by_product, per_fulfilment) if read else None

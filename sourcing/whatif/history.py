"""A history to replay: the network as it was at the window's start and the orders after it.

Whatever it was read from (the service's database or a retailer's files), a
history is plain solver dataclasses held in memory: the replay works on its
own copy and never writes back.

The service sources an order of one type from that type's candidates (the
profile's network, else every network made for the type, else every
location). The replay keeps one tuple of locations for all orders, as the
bench's simulation needs, and says which locations an order type may use by
two networks of its own (``HD_CANDIDATES`` / ``CC_CANDIDATES``) that the
profiles' ``hd_network`` / ``cc_network`` point at: the solver's network rule
then keeps out exactly the locations the service would not have offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sourcing import solver

HD_CANDIDATES = "whatif:HD"
CC_CANDIDATES = "whatif:CC"
CANDIDATE_NETWORKS = {solver.OrderType.HD: HD_CANDIDATES, solver.OrderType.CC: CC_CANDIDATES}


@dataclass(frozen=True, slots=True)
class HistoryOrder:
    """One order as it arrived, and (from the database) the plan the service stored for it.

    ``stored_plan`` maps location ref to units the service allocated there
    when the order arrived (empty when it rejected every unit); ``None`` for
    orders read from files.
    """

    order: solver.Order
    arrived_at: datetime
    stored_plan: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class History:
    """The network at the window's start, the profiles, and the window's orders in arrival order.

    ``locations`` carry their stock at the window's start and their daily
    capacity. ``profiles`` is the live profile per order type;
    ``profile_versions`` every stored version by (order type, version).
    ``stock_corrections`` counts stock corrections (feeds, counts) recorded
    inside the window: the replay starts from the stock at the window's start
    and does not see them, so orders after them may differ from what was stored.
    """

    name: str
    locations: tuple[solver.Location, ...]
    orders: tuple[HistoryOrder, ...]
    profiles: Mapping[solver.OrderType, solver.SourcingProfile]
    profile_versions: Mapping[tuple[solver.OrderType, int], solver.SourcingProfile] = field(
        default_factory=dict
    )
    stock_corrections: int = 0

    def __post_init__(self) -> None:
        times = [o.arrived_at for o in self.orders]
        if times != sorted(times):
            raise ValueError("Expected history orders in arrival order.")
        refs = [loc.ref for loc in self.locations]
        if len(set(refs)) != len(refs):
            raise ValueError("Expected location refs to be unique in the history.")

    @property
    def days(self) -> tuple[int, ...]:
        """Each order's day, counted from the first order's (UTC) day."""
        if not self.orders:
            return ()
        first = self.orders[0].arrived_at.date()
        return tuple((o.arrived_at.date() - first).days for o in self.orders)

    def location(self, ref: str) -> solver.Location:
        """The location ``ref``; ``KeyError`` when the history has none."""
        for loc in self.locations:
            if loc.ref == ref:
                return loc
        raise KeyError(ref)


def candidate_profile(
    profile: solver.SourcingProfile, order_type: solver.OrderType
) -> solver.SourcingProfile:
    """``profile`` restricted, for ``order_type``, to the locations the service would offer."""
    network = CANDIDATE_NETWORKS[order_type]
    if order_type is solver.OrderType.HD:
        rules = replace(profile.rules, hd_network=network)
    else:
        rules = replace(profile.rules, cc_network=network)
    return replace(profile, rules=rules)


def with_candidate_networks(
    location: solver.Location, order_types: frozenset[solver.OrderType]
) -> solver.Location:
    """``location`` marked as a candidate of each of ``order_types``."""
    extra = frozenset(CANDIDATE_NETWORKS[t] for t in order_types)
    return replace(location, networks=location.networks | extra)

"""The sourcing problem: one order, its candidate locations and the profile.

The parts (orders, locations, stock, rules, the profile) live in ``inputs``
and are re-exported here; each checks itself on construction and raises
``ValueError`` naming the field, so a problem that reaches the model is
always well formed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sourcing.solver.errors import InvalidProblem
from sourcing.solver.inputs import (
    DEFAULT_REJECTION_LOCATION_REF,
    DEFAULT_SPLIT_LIMIT,
    Capacity,
    Customer,
    CustomerTier,
    GeoPoint,
    InTransit,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Rules,
    SourcingProfile,
    StockPosition,
)
from sourcing.solver.overrides import CandidateState

__all__ = [
    "DEFAULT_REJECTION_LOCATION_REF",
    "DEFAULT_SPLIT_LIMIT",
    "Capacity",
    "Customer",
    "CustomerTier",
    "GeoPoint",
    "InTransit",
    "Location",
    "LocationType",
    "Order",
    "OrderLine",
    "OrderType",
    "Rules",
    "SourcingProblem",
    "SourcingProfile",
    "StockPosition",
]


@dataclass(frozen=True, slots=True)
class SourcingProblem:
    """One order, the locations that could serve it, and the profile.

    ``state``, when given, holds the candidates' stock, capacity left and
    open orders for this order, replacing their own: a caller sourcing many
    orders over one network keeps one ``locations`` tuple and passes only
    what moved (see ``sourcing.solver.overrides``).
    """

    order: Order
    locations: tuple[Location, ...]
    profile: SourcingProfile = SourcingProfile()  # noqa: RUF009 - frozen, so one is safe
    state: CandidateState | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "locations", tuple(self.locations))
        if self.state is not None and self.state.size != len(self.locations):
            raise InvalidProblem(
                f"Expected a state of {len(self.locations)} candidates, "
                f"got one of {self.state.size}."
            )
        rejection = self.profile.rejection_location_ref
        if rejection in _unique_refs(self.locations):
            raise InvalidProblem(
                f"Expected candidates to exclude the rejection location, got {rejection!r}."
            )


def _unique_refs(locations: tuple[Location, ...]) -> frozenset[str]:
    """The candidates' refs, checked unique once per candidate tuple.

    Callers source many orders over one tuple (see ``SourcingProblem.state``),
    so the check of a thousand refs is not repeated for every order.
    """
    key = id(locations)
    with _REFS_LOCK:
        hit = _REFS_CACHE.get(key)
        if hit is not None and hit[0] is locations:
            return hit[1]
    seen: set[str] = set()
    for location in locations:
        if location.ref in seen:
            raise InvalidProblem(
                f"Expected location refs to be unique, got {location.ref!r} twice."
            )
        seen.add(location.ref)
    refs = frozenset(seen)
    with _REFS_LOCK:
        _REFS_CACHE[key] = (locations, refs)
        while len(_REFS_CACHE) > _REFS_CACHE_SIZE:
            _REFS_CACHE.popitem(last=False)
    return refs


_REFS_CACHE_SIZE = 4
_REFS_LOCK = threading.Lock()
_REFS_CACHE: OrderedDict[int, tuple[tuple[Location, ...], frozenset[str]]] = OrderedDict()

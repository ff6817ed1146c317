"""The sourcing problem: one order, its candidate locations and the profile.

The parts (orders, locations, stock, rules, the profile) live in ``inputs``
and are re-exported here; each checks itself on construction and raises
``ValueError`` naming the field, so a problem that reaches the model is
always well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sourcing.solver.clock import Clock
from sourcing.solver.errors import InvalidProblem
from sourcing.solver.eta import days_without_room
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
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.table import LocationTable

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
    what moved (see ``sourcing.solver.overrides``). ``scarcity_prices``,
    when given, price each unit taken from a scarce position.
    """

    order: Order
    locations: tuple[Location, ...]
    profile: SourcingProfile = SourcingProfile()  # noqa: RUF009 - frozen, so one is safe
    state: CandidateState | None = None
    # The candidates' arrays, built once by a caller sourcing many orders over one
    # tuple (``LocationTable.of(locations)``); not part of the problem's identity.
    table: LocationTable | None = field(default=None, compare=False, repr=False)
    # Scarce-stock prices of the candidates' positions; they steer the plan only
    # when the weights' ``scarcity_price`` is above 0 (see ``sourcing.solver.scarcity``).
    scarcity_prices: ScarcityPrices | None = None
    # The moment the ETAs count from (aware); None: plans carry no promise.
    now: datetime | None = None
    # Per location ref, the fulfilments it can still take on each of its local dates
    # (its daily capacity less those already due that day); a date absent has room.
    # A date at 0 takes no more work: the ready-by moves on (see ``eta.ready_by``).
    day_room: Mapping[str, Mapping[date, int]] | None = None
    # A ``Clock`` at ``now`` that a caller shares between the problems of one call over
    # these very locations (its memo is keyed by their calendars' identity); None: each
    # use takes its own (``eta_clock``). Not part of the problem's identity.
    clock: Clock | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locations", tuple(self.locations))
        if self.state is not None and self.state.size != len(self.locations):
            raise InvalidProblem(
                f"Expected a state of {len(self.locations)} candidates, "
                f"got one of {self.state.size}."
            )
        rejection = self.profile.rejection_location_ref
        if self.table is None:
            refs = frozenset(loc.ref for loc in self.locations)
            if len(refs) != len(self.locations):
                LocationTable.of(self.locations)  # names the ref given twice
            among = rejection in refs
        else:
            source = self.table.source
            # The same tuple (the common case, free to check) or equal locations.
            if source is not self.locations and source != self.locations:
                raise InvalidProblem("Expected table to be the table of these locations.")
            # The table's ref index is built once per table, not once per problem.
            among = self.table.index_of(rejection) is not None
        if self.now is not None and self.now.utcoffset() is None:
            raise InvalidProblem(f"Expected now to carry a time zone, got {self.now.isoformat()}.")
        if self.clock is not None and (self.now is None or self.clock.now != self.now):
            raise InvalidProblem(
                f"Expected clock to be a Clock at now ({self.now}), got one at {self.clock.now}."
            )
        if among:
            raise InvalidProblem(
                f"Expected candidates to exclude the rejection location, got {rejection!r}."
            )

    def candidate_table(self) -> LocationTable:
        """The candidates' arrays with this order's state applied (built when not given)."""
        table = self.table if self.table is not None else LocationTable.of(self.locations)
        return table.with_state(self.state)

    def eta_clock(self) -> Clock:
        """The shared ``clock``, or a new one at ``now`` (which must be set)."""
        if self.clock is not None:
            return self.clock
        if self.now is None:
            raise InvalidProblem("Expected now to be set for a clock, got None.")
        return Clock(self.now)

    def full_days(self, location_ref: str) -> frozenset[date]:
        """The local dates on which location ``location_ref`` has no room left (``day_room``)."""
        if not self.day_room:
            return _NO_DAYS
        room = self.day_room.get(location_ref)
        return days_without_room(room) if room else _NO_DAYS


_NO_DAYS: frozenset[date] = frozenset()

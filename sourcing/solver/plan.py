"""What a solve returns: the plan, its cost broken down, and the reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sourcing.solver.eta import Promise


class SolveStatus(StrEnum):
    """How good the plan is known to be."""

    OPTIMAL = "OPTIMAL"  # proved best under the profile
    FEASIBLE = "FEASIBLE"  # valid, but the proof ran out of time; see ``gap``


class FulfilmentStatus(StrEnum):
    """The status a fulfilment starts in."""

    CREATED = "CREATED"
    ESCALATED = "ESCALATED"  # the fulfilment at the rejection location


class CandidateReason(StrEnum):
    """Why a candidate location was or was not used."""

    USED = "USED"
    NO_STOCK = "NO_STOCK"
    OUT_OF_CAPACITY = "OUT_OF_CAPACITY"
    SWITCHED_OFF = "SWITCHED_OFF"
    OUTSIDE_NETWORK = "OUTSIDE_NETWORK"
    EXCLUDED = "EXCLUDED"
    MORE_EXPENSIVE = "MORE_EXPENSIVE"


@dataclass(frozen=True, slots=True)
class FulfilmentLine:
    """Units of one order line that a fulfilment serves (or rejects)."""

    line_ref: str
    product_ref: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """The part of the order one location fulfils, and when it is promised (see ``eta``)."""

    location_ref: str
    lines: tuple[FulfilmentLine, ...]
    status: FulfilmentStatus = FulfilmentStatus.CREATED
    promise: Promise | None = None

    @property
    def units(self) -> int:
        """Units in this fulfilment."""
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class RejectedFulfilment(Fulfilment):
    """Units nobody can serve, placed at the system rejection location."""

    status: FulfilmentStatus = FulfilmentStatus.ESCALATED


@dataclass(frozen=True, slots=True)
class ObjectiveBreakdown:
    """The plan's cost, term by term, each already multiplied by its weight.

    ``steering`` holds what the solver minimised on top of the cost but the
    plan does not cost (scarce-stock prices): it is not in ``total``.
    """

    terms: Mapping[str, float]
    steering: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """The plan's real cost: the sum of the terms."""
        return float(sum(self.terms.values()))

    @property
    def priced_total(self) -> float:
        """What the solver minimised: the real cost plus the steering terms."""
        return self.total + float(sum(self.steering.values()))

    def __getitem__(self, term: str) -> float:
        return self.terms[term]


@dataclass(frozen=True, slots=True)
class CandidateExplanation:
    """Why one candidate location was or was not used.

    ``reasons`` holds every rule that kept the location out (or ``USED``);
    ``detail`` says it in words, e.g. which products had no stock.
    """

    location_ref: str
    used: bool
    reasons: tuple[CandidateReason, ...]
    detail: str = ""
    distance_km: float = 0.0


@dataclass(frozen=True, slots=True)
class Plan:
    """A sourcing decision for one order.

    ``gap`` is the relative distance between the plan's objective and the
    best proved bound: 0 when OPTIMAL. ``candidates_kept`` is how many
    candidate locations the MIP's exact reduction kept (``None`` when no
    reduction ran); a statistic, not part of the decision.
    """

    order_ref: str
    policy: str
    fulfilments: tuple[Fulfilment, ...]
    rejected: RejectedFulfilment | None
    objective: ObjectiveBreakdown
    status: SolveStatus
    gap: float = 0.0
    solve_time_s: float = 0.0
    explanation: tuple[CandidateExplanation, ...] | None = field(default=None, compare=False)
    candidates_kept: int | None = field(default=None, compare=False)

    @property
    def split_count(self) -> int:
        """Number of locations that fulfil part of the order."""
        return len(self.fulfilments)

    @property
    def rejected_units(self) -> int:
        """Units sent to the rejection location."""
        return self.rejected.units if self.rejected else 0

    def served(self) -> dict[str, dict[str, int]]:
        """Units per line ref per location ref."""
        return {
            f.location_ref: {ln.line_ref: ln.quantity for ln in f.lines} for f in self.fulfilments
        }

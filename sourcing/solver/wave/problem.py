"""What a wave is and what solving it returns: ``BatchProblem`` in, ``BatchPlan`` out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sourcing.solver.errors import InvalidProblem
from sourcing.solver.overrides import CandidateState
from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.problem import Location, Order, SourcingProblem, SourcingProfile
from sourcing.solver.scarcity import ScarcityPrices
from sourcing.solver.table import LocationTable


@dataclass(frozen=True, slots=True)
class BatchProblem:
    """A wave of orders over one network.

    ``orders`` are in arrival order (older first). ``profile`` applies to
    every order unless ``order_profiles`` gives one per order (e.g. split
    limits per order). ``priorities`` are numbers >= 0, higher first when
    stock is short; empty means the default (``default_priorities``).
    ``state``, when given, is the network's stock and capacity for every
    order (see ``CandidateState``). ``scarcity_prices``, when given, are
    the wave's scarce-stock prices: every order's problem carries them, so
    its costs include them where its weights give ``scarcity_price`` a
    weight above 0 (see ``SourcingProblem``).
    """

    orders: tuple[Order, ...]
    locations: tuple[Location, ...]
    profile: SourcingProfile = field(default_factory=SourcingProfile)
    priorities: tuple[float, ...] = ()
    order_profiles: tuple[SourcingProfile, ...] = ()
    state: CandidateState | None = None
    scarcity_prices: ScarcityPrices | None = None
    # The candidates' arrays, built once here unless the caller holds them.
    table: LocationTable | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("orders", "locations", "priorities", "order_profiles"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        refs = [order.ref for order in self.orders]
        if len(set(refs)) != len(refs):
            twice = sorted({r for r in refs if refs.count(r) > 1})
            raise InvalidProblem(f"Expected order refs unique within the wave, got {twice} twice.")
        for name in ("priorities", "order_profiles"):
            count = len(getattr(self, name))
            if count not in (0, len(self.orders)):
                raise InvalidProblem(
                    f"Expected {name} to be empty or one per order ({len(self.orders)}), "
                    f"got {count}."
                )
        for i, value in enumerate(self.priorities):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidProblem(f"Expected priorities[{i}] to be a number, got {value!r}.")
            if not math.isfinite(value) or value < 0:
                raise InvalidProblem(
                    f"Expected priorities[{i}] to be finite and >= 0, got {value!r}."
                )
        if self.state is not None and self.state.size != len(self.locations):
            raise InvalidProblem(
                f"Expected a state of {len(self.locations)} candidates, got {self.state.size}."
            )
        if self.table is None:
            object.__setattr__(self, "table", LocationTable.of(self.locations))
        if self.orders:  # the single-order checks of the candidates, once
            self.problem_of(0)

    @classmethod
    def from_problems(
        cls, problems: Sequence[SourcingProblem], priorities: Sequence[float] = ()
    ) -> BatchProblem:
        """The wave of single-order problems over one candidate tuple and state."""
        if not problems:
            raise InvalidProblem("Expected at least one problem, got none.")
        first = problems[0]
        for i, p in enumerate(problems):
            if p.locations is not first.locations and p.locations != first.locations:
                raise InvalidProblem(
                    f"Expected every problem over one network, problem {i} differs."
                )
            if p.state is not first.state:
                raise InvalidProblem(f"Expected every problem with one state, problem {i} differs.")
            if p.scarcity_prices != first.scarcity_prices:
                raise InvalidProblem(
                    f"Expected every problem with one set of scarcity prices, problem {i} differs."
                )
        return cls(
            orders=tuple(p.order for p in problems),
            locations=first.locations,
            profile=first.profile,
            table=first.table,
            priorities=tuple(priorities),
            order_profiles=tuple(p.profile for p in problems),
            state=first.state,
            scarcity_prices=first.scarcity_prices,
        )

    def profile_of(self, index: int) -> SourcingProfile:
        """The profile order ``index`` is sourced under."""
        return self.order_profiles[index] if self.order_profiles else self.profile

    def problem_of(self, index: int, state: CandidateState | None = None) -> SourcingProblem:
        """Order ``index`` alone over the wave's candidates (``state`` replaces the wave's)."""
        return SourcingProblem(
            self.orders[index],
            self.locations,
            self.profile_of(index),
            state if state is not None else self.state,
            table=self.table,
            scarcity_prices=self.scarcity_prices,
        )


def default_priorities(orders: Sequence[Order]) -> tuple[float, ...]:
    """VIP orders first, then older orders: 1 + age for a VIP, age otherwise.

    ``age`` falls from 1 for the first order of the wave to nearly 0 for the
    last one.
    """
    n = len(orders)
    return tuple(float(order.customer.is_vip) + (n - i) / n for i, order in enumerate(orders))


@dataclass(frozen=True, slots=True)
class BatchStats:
    """How the wave was solved, for benchmarks and logs.

    The ``greedy_*`` figures are the sequential greedy's on the same orders.
    ``trace`` holds (seconds, best plan's cost as the model prices it,
    bound) as they improved: the anytime curve. ``max_served`` bounds the
    units any plan serves, ``rejection_floor`` the rejection cost no plan
    avoids (``served``); ``rescued_units`` counts, by step, units the
    wave's plan served after a step rescued them.
    """

    candidates: int
    lagrangian_steps: int
    repairs: int
    refits: int
    fallback_orders: int
    greedy_objective: float
    greedy_shipments: int
    greedy_rejected_units: int
    seconds: dict[str, float]
    trace: tuple[tuple[float, float, float], ...] = ()
    max_served: int = 0
    rejection_floor: float = 0.0
    rescued_units: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The wave's plans, one per order in the problem's order, and how good they are together.

    ``objective`` is the sum of the plans' real costs (``objective.total``).
    ``priced`` is the sum of what the wave minimised (``priced_total``: the
    cost plus the scarce-stock prices' steering, None when nothing steered);
    ``bound`` is a proved lower bound on any wave plan's priced objective and
    ``gap`` its relative distance from ``priced_objective``.
    ``sequence`` lists the orders in the order their plans take stock:
    store them in that order. ``policy`` is ``"batch"``, or ``"greedy"``
    when the sequential greedy's plan was the cheaper.
    """

    plans: tuple[Plan, ...]
    objective: float
    bound: float
    gap: float
    status: SolveStatus
    solve_time_s: float
    sequence: tuple[int, ...]
    policy: str
    stats: BatchStats
    priced: float | None = None

    @property
    def priced_objective(self) -> float:
        """What the wave minimised and its bound bounds: the cost plus any steering."""
        return self.objective if self.priced is None else self.priced

    @property
    def shipments(self) -> int:
        """Fulfilments at real locations over all orders."""
        return sum(plan.split_count for plan in self.plans)

    @property
    def rejected_units(self) -> int:
        """Units rejected over all orders."""
        return sum(plan.rejected_units for plan in self.plans)

    @property
    def controlled_gap(self) -> float:
        """The gap on what the plan controls, above the rejection no plan avoids."""
        return controlled_gap(self.priced_objective, self.bound, self.stats.rejection_floor)


def controlled_gap(cost: float, bound: float, floor: float) -> float:
    """``(cost - floor) / (bound - floor) - 1``: the gap with the unavoidable rejections out.

    Under shortage the penalty of units no plan can serve dominates both the
    plan's cost and the bound, so the plain gap is tiny whatever the plan
    does; subtracting the floor from both leaves what the plan controls.
    Infinite when the bound proves nothing above the floor (and the plan
    costs more than it); zero when the plan is at the floor.
    """
    above = cost - floor
    proved = bound - floor
    if above <= 1e-9 * max(abs(cost), 1.0):
        return 0.0
    if not math.isfinite(proved) or proved <= 0:
        return math.inf
    return max(0.0, above / proved - 1.0)

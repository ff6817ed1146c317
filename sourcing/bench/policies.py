"""The sourcing policies the benchmark compares.

``greedy``
    The solver's reference greedy (``solve(policy="greedy")``).
``priority``
    A fixed source priority, as common platforms' source selection does:
    warehouses first, then stores, each by reference; walk the list and take
    what each location has until the order is served or the split limit is
    reached; reject the rest.
``fewest_splits``
    As some commercial routing engines do: search combinations of locations
    by increasing number of shipments and take the first that serves the
    whole order (everything any location could serve), ties broken by the
    shortest average distance; units go to the nearest member first. Pairs
    are searched over every location; three and four shipments over the
    locations nearest the customer and nearest for each product
    (``COMBINATION_CANDIDATES``), as such engines bound their search. When no
    combination within the split limit serves the order, serve as much as
    possible (the reference greedy).
``mip``
    The per-order solver (``solve(policy="mip")``): the cheapest plan.
``mip_priced``
    The per-order solver with scarce-stock prices (``sourcing.bench.priced``):
    each unit taken also costs its position's opportunity cost for the
    orders expected later, refreshed from the network's stock as it runs down.
``batch``, ``batch_10``, ``batch_50``, ``batch_200``
    Wave sourcing (``solve_batch``): the orders of a wave solved together
    against shared stock and capacity, a whole day's orders at once or waves
    of 10, 50 or 200 orders; the MIP's time limit is the wave's. Every order
    has one priority (the bench compares cost; see ``BatchPolicy``).

A policy decides a wave of problems (one problem for the per-order
policies) and returns, per problem, an (L, K) allocation of units of line k
from candidate l. The simulation checks and prices every allocation the same
way, whatever policy made it.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sourcing.bench.priced import (
    PRICE_WEIGHT,
    REFRESH_ORDERS,
    OrderHistory,
    StockView,
    network_prices,
)
from sourcing.solver import LocationType, Plan, ScarcityPrices, SourcingProblem, solve
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.options import DEFAULT_TIME_LIMIT_S
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave import BatchProblem, solve_batch

# fewest_splits: most shipments searched by combination, and how many
# locations (nearest overall, plus nearest per product) those searches use.
MAX_COMBINATION_SHIPMENTS = 4
COMBINATION_CANDIDATES = 16
NEAREST_PER_PRODUCT = 2


@dataclass(frozen=True, slots=True)
class PolicyOptions:
    """Settings the policies share: the MIP's time limit and backend."""

    mip_time_limit_s: float = DEFAULT_TIME_LIMIT_S
    mip_backend: str = "scip"

    def __post_init__(self) -> None:
        if not self.mip_time_limit_s > 0:
            raise ValueError(
                f"Expected mip_time_limit_s to be positive, got {self.mip_time_limit_s!r}."
            )


class Policy(ABC):
    """Decides a wave of orders; ``wave_size`` 1 is one order at a time, None a whole day."""

    name: str = ""
    wave_size: int | None = 1

    @abstractmethod
    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        """One (L, K) allocation per problem, in the problems' order."""

    def prepare(self, instance: OrderHistory, state: StockView, next_order: int) -> None:  # noqa: B027
        """Look at the network before the wave starting at ``next_order`` (most policies don't)."""


class OrderPolicy(Policy):
    """A policy that decides each order on its own."""

    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        """Allocate each problem in turn."""
        return [self.allocate(problem) for problem in problems]

    @abstractmethod
    def allocate(self, problem: SourcingProblem) -> IntArray:
        """The (L, K) allocation of one order."""


class SolverPolicy(OrderPolicy):
    """A policy of the per-order solver: ``greedy`` or ``mip``."""

    def __init__(self, name: str, options: PolicyOptions) -> None:
        self.name = name
        self.options = options

    def allocate(self, problem: SourcingProblem) -> IntArray:
        """Solve the order and read the allocation off the plan."""
        plan = solve(
            problem,
            policy=self.name,
            time_limit_s=self.options.mip_time_limit_s,
            backend=self.options.mip_backend,
        )
        return allocation_of(plan, problem)


class PricedMipPolicy(SolverPolicy):
    """The per-order MIP with each position's scarce-stock price added per unit taken."""

    def __init__(
        self,
        options: PolicyOptions,
        weight: float = PRICE_WEIGHT,
        refresh_orders: int = REFRESH_ORDERS,
    ) -> None:
        super().__init__("mip", options)
        self.name = "mip_priced"
        self.weight = weight
        self.refresh_orders = refresh_orders
        self.prices = ScarcityPrices()
        self._refreshed_at: int | None = None
        # What the plans so far placed: units served and fulfilments, for the LP's capacity.
        self._served_units = 0
        self._fulfilments = 0

    def prepare(self, instance: OrderHistory, state: StockView, next_order: int) -> None:
        """Refresh the prices when ``refresh_orders`` orders have passed since the last time."""
        last = self._refreshed_at
        if last is not None and next_order - last < self.refresh_orders:
            return
        self._refreshed_at = next_order
        measured = self._served_units / self._fulfilments if self._fulfilments else None
        self.prices = network_prices(instance, state, next_order, measured)

    def allocate(self, problem: SourcingProblem) -> IntArray:
        """Solve the order at the current prices; the allocation, to be priced for real."""
        plan = solve(
            replace(problem, scarcity_prices=self.prices),
            policy="mip",
            time_limit_s=self.options.mip_time_limit_s,
            backend=self.options.mip_backend,
            weight_overrides={"scarcity_price": self.weight},
        )
        allocation = allocation_of(plan, problem)
        self._served_units += int(allocation.sum())
        self._fulfilments += int((allocation.sum(axis=1) > 0).sum())
        return allocation


class PriorityPolicy(OrderPolicy):
    """Walk a fixed ranking of locations, taking what each has."""

    name = "priority"

    def allocate(self, problem: SourcingProblem) -> IntArray:
        """Take from the locations in ranking order until served or at the split limit."""
        arrays = SourcingArrays.build(problem)
        ranking = sorted(
            range(len(problem.locations)),
            key=lambda i: (
                problem.locations[i].type is not LocationType.WAREHOUSE,
                problem.locations[i].ref,
            ),
        )
        return fill_in_order(arrays, np.array(ranking, dtype=np.int64))


class FewestSplitsPolicy(OrderPolicy):
    """The first combination of locations, by number of shipments, that serves the order."""

    name = "fewest_splits"

    def allocate(self, problem: SourcingProblem) -> IntArray:
        """Search combinations of 1, 2, ... locations; fall back to the greedy."""
        arrays = SourcingArrays.build(problem)
        combination = fewest_splits_combination(arrays)
        if combination is None:
            return greedy_allocation(arrays)
        nearest_first = combination[np.argsort(arrays.distance_km[combination], kind="stable")]
        return fill_in_order(arrays, nearest_first)


class BatchPolicy(Policy):
    """Wave sourcing: every order of a wave solved together."""

    def __init__(self, wave_size: int | None, options: PolicyOptions) -> None:
        self.wave_size = wave_size
        self.name = "batch" if wave_size is None else f"batch_{wave_size}"
        self.options = options

    def decide(self, problems: Sequence[SourcingProblem]) -> list[IntArray]:
        """Solve the wave jointly and read each order's allocation off its plan."""
        # One priority for every order: the bench compares cost, and no other policy pays to
        # hand the last units to VIP or older orders (the wave's default priorities would).
        flat = [1.0] * len(problems)
        wave = solve_batch(
            BatchProblem.from_problems(problems, flat), time_limit_s=self.options.mip_time_limit_s
        )
        return [allocation_of(p, q) for p, q in zip(wave.plans, problems, strict=True)]


POLICIES: dict[str, Callable[[PolicyOptions], Policy]] = {
    "greedy": lambda options: SolverPolicy("greedy", options),
    "priority": lambda options: PriorityPolicy(),
    "fewest_splits": lambda options: FewestSplitsPolicy(),
    "mip": lambda options: SolverPolicy("mip", options),
    "mip_priced": lambda options: PricedMipPolicy(options),
    "batch": lambda options: BatchPolicy(None, options),
    "batch_10": lambda options: BatchPolicy(10, options),
    "batch_50": lambda options: BatchPolicy(50, options),
    "batch_200": lambda options: BatchPolicy(200, options),
}
DEFAULT_POLICIES = ("greedy", "priority", "fewest_splits", "mip", "mip_priced", "batch")


def make_policy(name: str, options: PolicyOptions | None = None) -> Policy:
    """The policy registered under ``name``."""
    if name not in POLICIES:
        raise ValueError(f"Expected a policy among {', '.join(POLICIES)}, got {name!r}.")
    return POLICIES[name](options or PolicyOptions())


def allocation_of(plan: Plan, problem: SourcingProblem) -> IntArray:
    """A plan's fulfilments as an (L, K) allocation over ``problem``'s candidates and lines."""
    locations = {loc.ref: i for i, loc in enumerate(problem.locations)}
    lines = {line.ref: k for k, line in enumerate(problem.order.lines)}
    allocation = np.zeros((len(locations), len(lines)), dtype=np.int64)
    for fulfilment in plan.fulfilments:
        for line in fulfilment.lines:
            allocation[locations[fulfilment.location_ref], lines[line.line_ref]] += line.quantity
    return allocation


def fill_in_order(arrays: SourcingArrays, locations: IntArray) -> IntArray:
    """Take what each of ``locations`` can give, in that order, within the split limit."""
    allocation = np.zeros(arrays.cap.shape, dtype=np.int64)
    remaining = arrays.quantity.copy()
    stock_left = arrays.stock.copy()
    shipments = 0
    for location in locations[arrays.cap[locations].sum(axis=1) > 0]:
        if shipments == arrays.split_limit or not remaining.any():
            break
        for k in np.flatnonzero(arrays.cap[location] * remaining):
            product = arrays.line_product[k]
            take = min(remaining[k], stock_left[location, product], arrays.cap[location, k])
            allocation[location, k] = take
            remaining[k] -= take
            stock_left[location, product] -= take
        shipments += int(allocation[location].any())
    return allocation


def fewest_splits_combination(arrays: SourcingArrays) -> IntArray | None:
    """The locations of the first combination that serves the order, or None within the limit.

    "Serves" means every unit that all locations together could serve; among
    combinations of the fewest locations, the one nearest on average wins.
    """
    supply, target = _supply_and_target(arrays)
    if not target.any():
        return None
    able = np.flatnonzero(supply.sum(axis=1) > 0)
    distance = arrays.distance_km
    limit = min(arrays.split_limit, len(able))
    for size in range(1, min(limit, MAX_COMBINATION_SHIPMENTS) + 1):
        if size <= 2:
            found = _best_small_combination(supply[able], target, distance[able], size)
            if found is not None:
                return able[found]
            continue
        candidates = _combination_candidates(supply, distance, able)
        combos = np.array(list(itertools.combinations(candidates, size)), dtype=np.int64)
        if len(combos) == 0:
            break
        covers = (supply[combos].sum(axis=1) >= target).all(axis=1)
        if covers.any():
            total = np.where(covers, distance[combos].sum(axis=1), np.inf)
            best: IntArray = combos[int(np.argmin(total))]
            return best
    return None


def _supply_and_target(arrays: SourcingArrays) -> tuple[IntArray, IntArray]:
    """What each location can give of each product for this order, and what all can serve."""
    n_products = arrays.stock.shape[1]
    wanted = np.zeros((arrays.cap.shape[0], n_products), dtype=np.int64)
    np.add.at(wanted, (slice(None), arrays.line_product), arrays.cap)  # type: ignore[arg-type]
    supply: IntArray = np.minimum(arrays.stock, wanted)
    demand = np.zeros(n_products, dtype=np.int64)
    np.add.at(demand, arrays.line_product, arrays.quantity)
    target: IntArray = np.minimum(demand, supply.sum(axis=0))
    return supply, target


def _best_small_combination(
    supply: IntArray, target: IntArray, distance: FloatArray, size: int
) -> IntArray | None:
    """The nearest single location or pair that covers ``target``, over all of them."""
    if size == 1:
        covers = (supply >= target).all(axis=1)
        if not covers.any():
            return None
        return np.array([int(np.argmin(np.where(covers, distance, np.inf)))], dtype=np.int64)
    best: tuple[float, int, int] | None = None
    chunk = max(1, 2_000_000 // max(1, supply.size))
    for start in range(0, len(supply), chunk):
        rows = np.arange(start, min(start + chunk, len(supply)))
        covers = ((supply[rows, None, :] + supply[None, :, :]) >= target).all(axis=2)
        covers &= np.arange(len(supply))[None, :] > rows[:, None]  # each pair once
        if not covers.any():
            continue
        total = np.where(covers, distance[rows, None] + distance[None, :], np.inf)
        r, c = np.unravel_index(int(np.argmin(total)), total.shape)
        if best is None or total[r, c] < best[0]:
            best = (float(total[r, c]), int(rows[r]), int(c))
    return None if best is None else np.array(best[1:], dtype=np.int64)


def _combination_candidates(supply: IntArray, distance: FloatArray, able: IntArray) -> IntArray:
    """The nearest able locations, plus the nearest few holding each product."""
    by_distance = able[np.argsort(distance[able], kind="stable")]
    chosen = list(by_distance[:COMBINATION_CANDIDATES])
    for product in range(supply.shape[1]):
        holders = by_distance[supply[by_distance, product] > 0]
        chosen.extend(holders[:NEAREST_PER_PRODUCT])
    return np.array(sorted({int(c) for c in chosen}), dtype=np.int64)

"""Property tests: on random small instances the MIP matches brute force.

The brute force enumerates every integer allocation and prices it with its
own vectorised formula (independent of ``objective.evaluate``), so a bug in
the model, the objective or the plan assembly shows up as a mismatch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcing.solver import (
    Capacity,
    Customer,
    CustomerTier,
    GeoPoint,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderType,
    Plan,
    Rules,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
    Weights,
    solve,
)
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate, violations

PRODUCTS = ("p1", "p2", "p3")
WEIGHT = st.sampled_from([0.0, 1.0, 5.0, 40.0])


@st.composite
def positions(draw: st.DrawFn) -> StockPosition:
    """A stock position with small numbers."""
    return StockPosition(
        on_hand=draw(st.integers(0, 4)),
        reserved=draw(st.integers(0, 1)),
        buffer_qty=draw(st.integers(0, 1)),
        ideal_qty=draw(st.integers(0, 4)),
        markdown=draw(st.sampled_from([0.0, 0.5])),
        sell_through=draw(st.sampled_from([0.1, 0.9])),
        stock_age_days=draw(st.sampled_from([0.0, 200.0])),
    )


@st.composite
def locations(draw: st.DrawFn, index: int) -> Location:
    """A candidate with random stock, costs and switches."""
    stock = draw(st.dictionaries(st.sampled_from(PRODUCTS), positions(), max_size=3))
    return Location(
        ref=f"S{index}",
        type=LocationType.STORE,
        point=GeoPoint(draw(st.floats(-1.0, 1.0)), draw(st.floats(-1.0, 1.0))),
        stock=stock,
        fixed_cost=draw(st.sampled_from([0.0, 10.0, 50.0])),
        handling_cost=draw(st.sampled_from([0.0, 2.0])),
        shipping_cost_per_km=draw(st.sampled_from([0.0, 0.1])),
        pick_pack_hours=draw(st.sampled_from([1.0, 3.0])),
        capacity=Capacity(total=draw(st.sampled_from([None, None, None, 0]))),
        hd_enabled=draw(st.booleans()) or draw(st.booleans()),
        vip_service=draw(st.booleans()),
        flagship=draw(st.booleans()),
    )


@st.composite
def problems(draw: st.DrawFn) -> SourcingProblem:
    """A random small order over one to four candidates."""
    n_lines = draw(st.integers(1, 3))
    lines = tuple(
        OrderLine(f"L{k}", draw(st.sampled_from(PRODUCTS)), draw(st.integers(1, 3)))
        for k in range(n_lines)
    )
    vip = draw(st.booleans())
    order = Order(
        "O1",
        OrderType.HD,
        lines,
        GeoPoint(draw(st.floats(-1.0, 1.0)), draw(st.floats(-1.0, 1.0))),
        Customer("C1", CustomerTier.VIP if vip else CustomerTier.STANDARD),
    )
    weights = Weights(
        fixed=draw(WEIGHT),
        handling=draw(WEIGHT),
        shipping=draw(WEIGHT),
        distance=draw(WEIGHT),
        split=draw(WEIGHT),
        speed=draw(WEIGHT),
        ideal_stock=draw(WEIGHT),
        markdown=draw(WEIGHT),
        overstock=draw(WEIGHT),
        stock_age=draw(WEIGHT),
        sell_through=draw(WEIGHT),
        vip_service=draw(WEIGHT),
    )
    rules = Rules(
        vip_reserve_qty={"p1": draw(st.integers(0, 2))},
        flagship_extra_buffer=draw(st.integers(0, 1)),
    )
    n_locations = draw(st.integers(1, 4))
    candidates = tuple(draw(locations(i)) for i in range(n_locations))
    profile = SourcingProfile(weights, draw(st.integers(1, 3)), rules)
    return SourcingProblem(order, candidates, profile)


def all_allocations(arrays: SourcingArrays) -> np.ndarray:
    """Every integer allocation within the caps and the ordered quantities: (N, L, K)."""
    n_locations, n_lines = arrays.cap.shape
    per_line = []
    for k in range(n_lines):
        ranges = [range(int(arrays.cap[i, k]) + 1) for i in range(n_locations)]
        options = [c for c in itertools.product(*ranges) if sum(c) <= arrays.quantity[k]]
        per_line.append(np.array(options, dtype=np.int64).reshape(-1, n_locations))
    grids = np.meshgrid(*[np.arange(len(o)) for o in per_line], indexing="ij")
    picks = [g.ravel() for g in grids]
    return np.stack([per_line[k][picks[k]] for k in range(n_lines)], axis=2)


@dataclass(frozen=True)
class Enumerated:
    """Every allocation of a tiny instance, with what pricing and checking each one needs."""

    x: np.ndarray  # (N, L, K) units of line k from location l
    by_product: np.ndarray  # (N, L, P) units of each product taken at each location
    used: np.ndarray  # (N, L) whether the location gets a fulfilment
    n_used: np.ndarray  # (N,) fulfilments
    valid: np.ndarray  # (N,) within stock and the split limit
    rejected: np.ndarray  # (N,) units not served

    @classmethod
    def of(cls, arrays: SourcingArrays) -> Enumerated:
        """Enumerate ``arrays``' allocations (see :func:`all_allocations`)."""
        x = all_allocations(arrays)
        by_product = np.zeros((len(x), *arrays.stock.shape), dtype=np.int64)
        for k, p in enumerate(arrays.line_product):
            by_product[:, :, p] += x[:, :, k]
        used = x.sum(axis=2) > 0
        n_used = used.sum(axis=1)
        valid = (by_product <= arrays.stock).all(axis=(1, 2)) & (n_used <= arrays.split_limit)
        rejected = arrays.quantity.sum() - x.sum(axis=(1, 2))
        return cls(x, by_product, used, n_used, valid, rejected)

    def split_and_ideal_cost(self, arrays: SourcingArrays) -> np.ndarray:
        """The split penalty and the ideal-stock penalty of each allocation."""
        w = arrays.weights
        below_ideal = np.maximum(self.by_product - arrays.surplus, 0).sum(axis=(1, 2))
        cost: np.ndarray = w.split * np.maximum(self.n_used - 1, 0) + w.ideal_stock * below_ideal
        return cost


def brute_force_optimum(arrays: SourcingArrays) -> tuple[float, np.ndarray]:
    """The cheapest valid allocation and its cost, by enumeration."""
    every = Enumerated.of(arrays)
    cost = (
        (every.x * arrays.unit_cost).sum(axis=(1, 2))
        + (every.used * arrays.fulfilment_cost).sum(axis=1)
        + every.split_and_ideal_cost(arrays)
        + arrays.rejection_penalty * every.rejected
    )
    cost = np.where(every.valid, cost, np.inf)
    best = int(np.argmin(cost))
    return float(cost[best]), every.x[best]


def allocation_of(plan: Plan, arrays: SourcingArrays) -> np.ndarray:
    """The plan's units as an (L, K) array."""
    refs = {ref: i for i, ref in enumerate(arrays.location_refs)}
    lines = {line.ref: k for k, line in enumerate(arrays.problem.order.lines)}
    x = np.zeros(arrays.cap.shape, dtype=np.int64)
    for fulfilment in plan.fulfilments:
        for line in fulfilment.lines:
            x[refs[fulfilment.location_ref], lines[line.line_ref]] += line.quantity
    return x


def assert_plan_is_valid(plan: Plan, arrays: SourcingArrays) -> None:
    """No stock, capacity or split limit exceeded; served plus rejected equals ordered per line."""
    x = allocation_of(plan, arrays)
    assert violations(arrays, x) == []
    assert plan.split_count <= arrays.split_limit
    rejected = {ln.line_ref: ln.quantity for ln in plan.rejected.lines} if plan.rejected else {}
    for k, line in enumerate(arrays.problem.order.lines):
        assert x[:, k].sum() + rejected.get(line.ref, 0) == line.quantity
    assert plan.objective.total == evaluate(arrays, x).total


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_mip_matches_brute_force_and_never_loses_to_greedy(problem: SourcingProblem) -> None:
    """Reduced and full MIP reach the enumerated optimum, at most the greedy's; plans are valid."""
    arrays = SourcingArrays.build(problem)
    optimum, best = brute_force_optimum(arrays)
    mip = solve(problem)
    full = solve(problem, reduce=False)
    greedy = solve(problem, policy="greedy")
    assert_plan_is_valid(mip, arrays)
    assert_plan_is_valid(full, arrays)
    assert_plan_is_valid(greedy, arrays)
    tolerance = 1e-6 * max(1.0, abs(optimum))
    assert abs(mip.objective.total - optimum) <= tolerance
    assert abs(full.objective.total - optimum) <= tolerance
    assert abs(evaluate(arrays, best).total - optimum) <= tolerance
    assert mip.objective.total <= greedy.objective.total + tolerance
    assert mip.rejected_units <= greedy.rejected_units

"""Wave sourcing: shared stock and capacity, priorities, brute force, greedy, bad input."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sourcing.solver import (
    Capacity,
    Customer,
    CustomerTier,
    GeoPoint,
    Location,
    Order,
    OrderLine,
    OrderType,
    SolveStatus,
    SourcingProblem,
    SourcingProfile,
    StockPosition,
    Weights,
    solve,
)
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.objective import evaluate
from sourcing.solver.wave import (
    BatchPlan,
    BatchProblem,
    default_priorities,
    solve_batch,
)
from sourcing.solver.wave.steps import PRIORITY_WEIGHT
from tests.solver.builders import loc

# Costs are 1 per km of shipping a unit and 10 per fulfilment, nothing else.
PROFILE = SourcingProfile(
    Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0), split_limit=1000
)


def store(ref: str, km_east: float, stock: dict[str, int], **kw: object) -> Location:
    """A store with a fixed cost of 10 and a shipping cost of 1 per unit and km."""
    return loc(ref, km_east, stock, fixed_cost=10.0, shipping_cost_per_km=1.0, **kw)


def order(ref: str, km_east: float, lines: dict[str, int], *, vip: bool = False) -> Order:
    """An order delivered ``km_east`` km east of HOME."""
    return Order(
        ref=ref,
        type=OrderType.HD,
        lines=tuple(OrderLine(f"L{i + 1}", p, q) for i, (p, q) in enumerate(lines.items())),
        delivery_point=GeoPoint(0.0, km_east / 111.195),
        customer=Customer(f"C-{ref}", CustomerTier.VIP if vip else CustomerTier.STANDARD),
    )


def served_by(wave: BatchPlan, order_ref: str) -> set[str]:
    """The locations that fulfil part of ``order_ref``."""
    plan = next(p for p in wave.plans if p.order_ref == order_ref)
    return {f.location_ref for f in plan.fulfilments}


def sequential_greedy(problem: BatchProblem) -> float:
    """The reference greedy order after order, each taking stock and a day's capacity."""
    locations = list(problem.locations)
    total = 0.0
    for o, the_order in enumerate(problem.orders):
        single = SourcingProblem(the_order, tuple(locations), problem.profile_of(o))
        plan = solve(single, policy="greedy")
        total += plan.objective.total
        for fulfilment in plan.fulfilments:
            i = next(i for i, x in enumerate(locations) if x.ref == fulfilment.location_ref)
            stock = dict(locations[i].stock)
            for line in fulfilment.lines:
                position = stock[line.product_ref]
                stock[line.product_ref] = replace(
                    position, reserved=position.reserved + line.quantity
                )
            total_left = locations[i].capacity.total
            capacity = Capacity(total=None if total_left is None else total_left - 1)
            locations[i] = replace(locations[i], stock=stock, capacity=capacity)
    return total


# The last unit near both customers: X could go elsewhere cheaply, Y could not.
# X is 10 km from A and 30 km from B; Y is 100 km from A and 140 km from B.
A, B = store("A", 0.0, {"P": 1}), store("B", 40.0, {"P": 10})
X, Y = order("X", 10.0, {"P": 1}), order("Y", -100.0, {"P": 1})


def test_last_unit_goes_to_the_order_that_saves_more() -> None:
    """The joint plan gives the last unit at A to Y and sends X to B; the greedy does not."""
    problem = BatchProblem((X, Y), (A, B), PROFILE)
    wave = solve_batch(problem, gap_target=0.0)
    assert served_by(wave, "X") == {"B"} and served_by(wave, "Y") == {"A"}
    assert wave.objective == pytest.approx(30 + 100 + 2 * 10, abs=1e-3)
    assert sequential_greedy(problem) == pytest.approx(10 + 140 + 2 * 10, abs=1e-3)
    assert wave.bound <= wave.objective + 1e-6


def test_capacity_goes_to_the_order_that_saves_more() -> None:
    """A takes one order more today: Y gets it, X goes to B."""
    a = store("A", 0.0, {"P": 5}, capacity=Capacity(total=1))
    wave = solve_batch(BatchProblem((X, Y), (a, B), PROFILE), gap_target=0.0)
    assert served_by(wave, "X") == {"B"} and served_by(wave, "Y") == {"A"}
    assert wave.objective == pytest.approx(30 + 100 + 2 * 10, abs=1e-3)


def test_two_lines_of_one_order_share_the_last_units() -> None:
    """Shared stock counts every order's units: 3 units at A serve X fully, Y partly."""
    a = store("A", 0.0, {"P": 3})
    x, y = order("X", 0.0, {"P": 2}), order("Y", 0.0, {"P": 2})
    wave = solve_batch(BatchProblem((x, y), (a,), PROFILE), gap_target=0.0)
    assert wave.rejected_units == 1
    assert sum(p.units for plan in wave.plans for p in plan.fulfilments) == 3


@pytest.mark.parametrize(
    ("first_vip", "second_vip", "winner"),
    [(False, True, "Y"), (False, False, "X"), (True, False, "X")],
)
def test_vip_first_then_older_orders_when_stock_is_short(
    first_vip: bool, second_vip: bool, winner: str
) -> None:
    """One unit for two orders: a VIP gets it, else the older (earlier) order."""
    a = store("A", 0.0, {"P": 1})
    # Y is nearer, so without priorities it would win on cost.
    x = order("X", 50.0, {"P": 1}, vip=first_vip)
    y = order("Y", 0.0, {"P": 1}, vip=second_vip)
    wave = solve_batch(BatchProblem((x, y), (a,), PROFILE), gap_target=0.0)
    assert wave.rejected_units == 1
    assert served_by(wave, winner) == {"A"}
    assert wave.sequence[0] == (0 if winner == "X" else 1)


def test_default_priorities_put_vips_first_then_arrival_order() -> None:
    """A VIP outranks every standard order; among equals the earlier ranks higher."""
    orders = (
        order("A1", 0, {"P": 1}),
        order("A2", 0, {"P": 1}, vip=True),
        order("A3", 0, {"P": 1}),
    )
    first, vip, last = default_priorities(orders)
    assert vip > first > last


# Brute force on tiny waves -------------------------------------------------


def _allocations(arrays: SourcingArrays) -> list[np.ndarray]:
    """Every allocation of one order within its caps, stock and split limit."""
    n_loc, n_lines = arrays.cap.shape
    per_line = []
    for k in range(n_lines):
        options = [
            column
            for column in itertools.product(*(range(int(c) + 1) for c in arrays.cap[:, k]))
            if sum(column) <= arrays.quantity[k]
        ]
        per_line.append(options)
    result = []
    for columns in itertools.product(*per_line):
        allocation = np.array(columns, dtype=np.int64).T.reshape(n_loc, n_lines)
        used = (allocation.sum(axis=1) > 0).sum()
        if used <= arrays.split_limit:
            result.append(allocation)
    return result


def _brute_force(problem: BatchProblem) -> tuple[float, int]:
    """The cheapest wave plan and its rejected units, by trying every combination.

    "Cheapest" is on what the wave minimises: the cost plus any scarce-stock
    steering (the cost alone when the wave carries no prices).
    Each order's cost comes from ``evaluate`` on its own arrays without the
    ideal-stock term; the shared ideal-stock term, stock and capacity are
    checked and priced here over the whole wave.
    """
    products = sorted({line.product_ref for o in problem.orders for line in o.lines})
    n_loc = len(problem.locations)
    available = np.array(
        [
            [loc.stock[p].available if p in loc.stock else 0 for p in products]
            for loc in problem.locations
        ]
    )
    surplus = np.array(
        [
            [
                max(loc.stock[p].net_stock - loc.stock[p].ideal_qty, 0) if p in loc.stock else 0
                for p in products
            ]
            for loc in problem.locations
        ]
    )
    capacity = [loc.capacity.total for loc in problem.locations]
    options = []
    for o, the_order in enumerate(problem.orders):
        arrays = SourcingArrays.build(problem.problem_of(o))
        column = np.array([products.index(line.product_ref) for line in the_order.lines])
        priced = []
        for allocation in _allocations(arrays):
            objective = evaluate(arrays, allocation)  # priced when the wave carries prices
            takes = np.zeros((n_loc, len(products)), dtype=np.int64)
            for k, j in enumerate(column):
                takes[:, j] += allocation[:, k]
            rejected = int(arrays.quantity.sum() - allocation.sum())
            cost = objective.priced_total - objective.terms["ideal_stock"]
            priced.append((cost, takes, allocation.sum(axis=1) > 0, rejected))
        options.append(priced)
    ideal = problem.profile.weights.ideal_stock
    best, best_rejected = np.inf, 0
    for combo in itertools.product(*options):
        takes = np.sum([c[1] for c in combo], axis=0)
        if (takes > available).any():
            continue
        used = sum(c[2].astype(int) for c in combo)
        if any(cap is not None and u > cap for u, cap in zip(used, capacity, strict=True)):
            continue
        total = sum(c[0] for c in combo) + ideal * np.maximum(takes - surplus, 0).sum()
        if total < best:
            best, best_rejected = total, sum(c[3] for c in combo)
    return float(best), best_rejected


@st.composite
def tiny_waves(draw: st.DrawFn) -> BatchProblem:
    n_loc = draw(st.integers(1, 3))
    n_orders = draw(st.integers(2, 3))
    products = ("p1", "p2")
    locations = []
    for i in range(n_loc):
        stock = {
            p: StockPosition(on_hand=draw(st.integers(0, 2)), ideal_qty=draw(st.integers(0, 2)))
            for p in products
            if draw(st.booleans())
        }
        limit = draw(st.sampled_from([None, None, 1]))
        locations.append(
            loc(
                f"S{i}",
                draw(st.integers(0, 300)),
                stock,
                fixed_cost=float(draw(st.sampled_from([0, 50, 200]))),
                shipping_cost_per_km=1.0,
                capacity=Capacity(total=limit),
            )
        )
    orders = []
    for o in range(n_orders):
        n_lines = draw(st.integers(1, 2 if n_orders == 2 else 1))
        chosen = draw(st.permutations(products))[:n_lines]
        lines = {p: draw(st.integers(1, 2)) for p in chosen}
        orders.append(order(f"O{o}", draw(st.integers(-300, 300)), lines, vip=draw(st.booleans())))
    weights = Weights(
        fixed=1.0,
        handling=0.0,
        shipping=1.0,
        ideal_stock=float(draw(st.sampled_from([0, 30]))),
        split=float(draw(st.sampled_from([0, 100]))),
    )
    profile = SourcingProfile(weights, split_limit=draw(st.sampled_from([1, 2, 1000])))
    return BatchProblem(tuple(orders), tuple(locations), profile)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_waves())
def test_batch_matches_brute_force_on_tiny_waves(problem: BatchProblem) -> None:
    """The wave's plan is the cheapest there is, and its bound is below it."""
    best, rejected = _brute_force(problem)
    assume(np.isfinite(best))
    wave = solve_batch(problem, gap_target=0.0, time_limit_s=20.0)
    assert wave.bound <= best + 1e-6 * max(1.0, abs(best))
    assert wave.rejected_units == rejected
    # Priorities may hand a rejected unit to a dearer order: at most their weight per unit.
    slack = PRIORITY_WEIGHT * problem.profile.weights.rejection * rejected
    assert best - 1e-6 * abs(best) <= wave.objective <= best + slack + 1e-6 * abs(best)
    assert wave.gap >= 0.0


def test_bound_holds_when_prices_make_serving_dearer_than_rejecting() -> None:
    """A subset's price serves a unit only where that beats rejecting it, so the bound holds.

    S0 holds one p1 and one p2. O0 (older, 2 km away) wants both, O1 (at
    S0) wants p1, and each order may use one location. Cheapest: O1 takes
    p1, O0 takes p2 and rejects p1 (1,000,002); the older order's priority
    gives O0 both instead (1,000,004). A bound that priced O0's subset {S0}
    as serving p1 whatever p1's price claimed 1,000,004 was proved optimal.
    """
    both = {"p1": StockPosition(on_hand=1), "p2": StockPosition(on_hand=1)}
    locations = (loc("S0", 0, both, shipping_cost_per_km=1.0), loc("S1", 0, {}))
    orders = (order("O0", 2.0, {"p1": 1, "p2": 1}), order("O1", 0.0, {"p1": 1}))
    weights = Weights(fixed=1.0, handling=0.0, shipping=1.0, ideal_stock=0.0, split=0.0)
    problem = BatchProblem(orders, locations, SourcingProfile(weights, split_limit=1))
    best, rejected = _brute_force(problem)
    assert (round(best), rejected) == (1_000_002, 1)
    wave = solve_batch(problem, gap_target=0.0, time_limit_s=20.0)
    assert wave.bound <= best + 1e-6
    assert round(wave.objective) == 1_000_004
    assert wave.status is SolveStatus.FEASIBLE and wave.gap > 0.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_waves())
def test_never_worse_than_sequential_greedy(problem: BatchProblem) -> None:
    """On the same orders the wave's plan never costs more than the greedy's, order by order."""
    wave = solve_batch(problem)
    assert wave.objective <= sequential_greedy(problem) + 1e-6


def test_anytime_under_a_tiny_time_limit() -> None:
    """With next to no time the wave still returns a valid plan for every order, with its gap."""
    locations = tuple(store(f"S{i}", 10.0 * i, {"P": 2, "Q": 1}) for i in range(30))
    orders = tuple(order(f"O{o}", 3.0 * o, {"P": 1, "Q": 1}) for o in range(40))
    wave = solve_batch(BatchProblem(orders, locations, PROFILE), time_limit_s=0.01)
    assert len(wave.plans) == 40
    taken: dict[tuple[str, str], int] = {}
    for plan in wave.plans:
        for f in plan.fulfilments:
            for line in f.lines:
                key = (f.location_ref, line.product_ref)
                taken[key] = taken.get(key, 0) + line.quantity
    assert all(units <= (2 if p == "P" else 1) for (_, p), units in taken.items())
    assert wave.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert wave.bound <= wave.objective + 1e-6 and wave.gap >= 0


def test_from_problems_keeps_each_order_profile() -> None:
    """Per-order profiles (e.g. split limits) carry over from single-order problems."""
    strict = replace(PROFILE, split_limit=1)
    problems = [
        SourcingProblem(X, (A, B), PROFILE),
        SourcingProblem(Y, (A, B), strict),
    ]
    batch = BatchProblem.from_problems(problems)
    assert batch.profile_of(1).split_limit == 1 and batch.profile_of(0).split_limit == 1000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"orders": (X, X)}, "unique within the wave"),
        ({"priorities": (1.0,)}, "priorities to be empty or one per order"),
        ({"priorities": (1.0, -1.0)}, "finite and >= 0"),
        ({"priorities": (1.0, float("nan"))}, "finite and >= 0"),
        ({"order_profiles": (PROFILE,)}, "order_profiles to be empty or one per order"),
        ({"locations": (A, A)}, "unique"),
    ],
)
def test_bad_wave_is_refused_naming_the_field(kwargs: dict[str, object], message: str) -> None:
    """Each malformed wave raises ValueError saying what was expected."""
    fields: dict[str, object] = {"orders": (X, Y), "locations": (A, B), "profile": PROFILE}
    fields.update(kwargs)
    with pytest.raises(ValueError, match=message):
        BatchProblem(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "value"), [("time_limit_s", 0.0), ("gap_target", -0.1)])
def test_bad_settings_are_refused(name: str, value: float) -> None:
    """A non-positive time limit or a negative gap target is refused."""
    with pytest.raises(ValueError, match=name):
        solve_batch(BatchProblem((X, Y), (A, B), PROFILE), **{name: value})  # type: ignore[arg-type]


def test_problems_over_different_networks_are_refused() -> None:
    """A wave is over one candidate tuple: problems over others are refused."""
    with pytest.raises(ValueError, match="one network"):
        BatchProblem.from_problems(
            [SourcingProblem(X, (A, B), PROFILE), SourcingProblem(Y, (A,), PROFILE)]
        )


def test_empty_wave() -> None:
    """No orders, no plans, nothing to prove."""
    wave = solve_batch(BatchProblem((), (A, B), PROFILE))
    assert wave.plans == () and wave.objective == 0.0 and wave.gap == 0.0

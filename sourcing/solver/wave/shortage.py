"""A wave surely short of stock: the transport flow first, no Lagrangian.

On a wave of 10,000 orders over 1,000 locations short of stock, building
every order's candidate model and the first prices takes a third of the
time limit, and no price step follows (``batch_scale --variant scarce``:
0 steps): the bound is the transport flow's (``served``) and the plan the
greedy's or the flow's. On the 300-order scarce bench waves the same holds
(0 or 1 steps, a Lagrangian bound of 1.0M under a rejection floor of 537M)
and the models and prices took 1.5 s of the 10 idle, 4-5 s at load 7. So
when some product is ordered beyond all the stock the network could give of
it and the wave is too large for the joint MIP over every location (or
that large), ``ShortWave`` skips them:

1. every order's arrays feed the served maximum and the flow (``served``);
2. the sequential greedy's plan is applied; where it fills some store's
   capacity in orders, the orders solved one by one at the wave's own
   prices are tried (``priced_sequence``); the transport flow seeded
   with the greedy's pairs (``capped``) is solved beside them, then
   applied, and (unless the greedy's plan is at the rejection floor or the
   priced plan stands) seeded again with its own plan while that serves more;
   on a wave of ``SUB_ORDERS`` orders or more where that does not run,
   groups of the orders left short are re-planned for units (``sub_served``; ``batch_scale
   --variant scarce`` at 2,000 x 200: 3,672 units rejected against 3,702
   at 30 s, 3,551 against 3,584 at 60 s); on a smaller one where the
   priced plan stands, the whole wave is re-planned for units by the
   most-units MIP hinted with the plan (``most_served``);
3. the time left improves the best plan as ``Finishing._polished`` does:
   augmenting paths, neighbourhoods, exchanges.

The bound is the better of the rejection floor and the transport flow's
cost; the plan never rejects more units than the greedy (it is kept only
when it rejects fewer, or as many at a lower cost).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable

from sourcing.solver.plan import Plan, SolveStatus
from sourcing.solver.wave.capped import cells_units, seeded
from sourcing.solver.wave.joint import relative_gap
from sourcing.solver.wave.most_served import most_served
from sourcing.solver.wave.neighbourhood import cells_of
from sourcing.solver.wave.polish import Polishing
from sourcing.solver.wave.problem import BatchPlan, BatchProblem, BatchStats
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import Decide, apply, with_gap
from sourcing.solver.wave.served import ServedCollector, plan_key, real_and_priced
from sourcing.solver.wave.sub_served import sub_served

# A wave of at least this many orders x locations skips the Lagrangian when surely short.
SHORT_CELLS = 4_000_000
# A further round of the seeded flow runs while the time left covers this many times the last
# (it serves more units than augmenting paths in that time, full-size: 31 against 0 to 21).
RESEED_MARGIN = 1.25
# A wave of at least this many orders where reseeding does not run (the priced plan stands)
# re-plans groups of its short orders for units (``sub_served``), taking this share of the
# time left. Not in place of reseeding: at full size (10,000 x 1,000) it rescued 1 unit in
# 36.8 s where reseeding rescued 36 in 56.4 s (13,081 units rejected against 13,058).
SUB_ORDERS = 2_000
SUB_SHARE = 0.5
# Where the orders solved at the wave's prices gave the plan (stores' order slots bind), the
# whole wave's most-units MIP (``most_served``), the plan as its hint, takes this share of the
# time left before the neighbourhoods, on rounds over each line's MOST_ARCS cheapest arcs
# while a round ends in time: SCIP's root LP is most of its time (scarce_capacity at 300
# locations, the wave's plan as hint, load 1.7-2.8: 6 arcs optimal in 1.6 s, 9 in 4 s, 12 in
# 13.4 s). A round is started with at least MOST_LEAST_S left.
MOST_SHARE = 0.6
MOST_ARCS = (6, 9, 12)
MOST_LEAST_S = 0.3
# A round is the last when it gained fewer units than MOST_GAIN (at 3,000 locations 6 arcs
# gained 1 unit in 0.5 s and 9 arcs none in 1 s, time the neighbourhoods use better) or when
# the time left is under MOST_GROWTH times what it took (a round over more arcs takes longer:
# at 100 locations 9 arcs found nothing in the 1.2 s left after 6 arcs took 3.3 s).
MOST_GAIN = 5
MOST_GROWTH = 1.5
# The step runs only when the plan rejects at least this many units above the flow's floor:
# at 3,000 locations the priced plan rejected 21 above it, the MIP's first round served 1 of
# them and the neighbourhoods lost its time (847 units rejected against main's 845); at 100,
# 300 and 1,000 locations 101-209 above it.
MOST_FROM = 50


def surely_short(problem: BatchProblem) -> bool:
    """Whether some product is ordered beyond every unit the network could give of it.

    A location gives at most its units on hand and in transit less those
    reserved (``constraints.stock`` takes buffers off too), so a wave
    ordering more than their sum of a product rejects some of it.
    """
    ordered: Counter[str] = Counter()
    for order in problem.orders:
        for line in order.lines:
            ordered[line.product_ref] += line.quantity
    state = problem.state or (problem.table.state() if problem.table is not None else None)
    if state is None:
        return False
    for product, units in ordered.items():
        column = state.stock.get(product)
        if column is None:
            return True
        arriving = sum(t.quantity for _, lots in column.in_transit for t in lots)
        held = (column.on_hand - column.reserved).clip(min=0).sum()
        if units > int(held) + arriving:
            return True
    return False


class ShortWave(Polishing):
    """The steps of a large wave short of stock; a mixin of ``WaveSolver``."""

    started: float
    trace: list[tuple[float, float, float]]
    collector: ServedCollector | None
    greedy_total: float
    # ``Finishing``'s: the orders solved at the wave's prices where capacity binds, and the
    # paths, neighbourhoods and exchanges on the applied plan until the limit.
    _priced_first: Callable[
        [dict[int, Plan], list[int], tuple[int, float], bool],
        tuple[dict[int, Plan], list[int], int, float],
    ]
    _polished: Callable[
        [dict[int, Plan], list[int], tuple[int, float], bool],
        tuple[dict[int, Plan], list[int], int, float],
    ]

    def _run_short(self, explain: bool, decide_greedy: Decide) -> BatchPlan:
        """The greedy's plan and the transport flow's, improved until the limit."""
        mark = time.perf_counter()
        n = len(self.orders)
        for o in range(n):  # every order's arrays feed the flow
            self._arrays(o)
        mark = self._timed("collect", mark)
        assert self.collector is not None
        self.served = self.collector.served(self.capacity)
        self.collector = None
        mark = self._timed("served", mark)
        greedy = apply(self._state(), self.orders, self.profiles, range(n), decide_greedy, "greedy")
        self.greedy_plans = greedy
        self.greedy_total = plan_key(greedy.values())[1]
        self._seed_transport()
        mark = self._timed("greedy", mark)
        key = plan_key(greedy.values())
        plans, order, rejected, total = self._priced_first(greedy, list(range(n)), key, explain)
        priced = plans is not greedy  # the orders solved at the wave's prices gave a better plan
        plans, order, rejected, total = self._transport(plans, order, (rejected, total), explain)
        mark = self._timed("apply", mark)
        # Reseeding serves more units; with the greedy's plan at the floor none is left to serve
        # and its applications (0.55 s on scarce-300) are the neighbourhoods' time.
        if plans is not greedy and not priced and not self._greedy_at_floor():
            plans, rejected, total = self._reseeded(plans, order, (rejected, total), explain)
            self._timed("reseed", mark)
        elif n >= SUB_ORDERS and not self._greedy_at_floor():
            plans, rejected, total = self._sub_served(plans, order, (rejected, total))
            self._timed("sub_served", mark)
        elif priced:
            plans, rejected, total = self._most_units(plans, order, (rejected, total))
        plans, order, rejected, total = self._polished(plans, order, (rejected, total), explain)
        policy = "batch"
        if plans is greedy:
            policy, order = "greedy", list(range(n))
            if explain:
                state = self._state()
                plans = apply(
                    state, self.orders, self.profiles, order, decide_greedy, "greedy", explain=True
                )
        return self._short_plan(plans, order, policy, total)

    def _reseeded(
        self, plans: dict[int, Plan], order: list[int], key: tuple[int, float], explain: bool
    ) -> tuple[dict[int, Plan], int, float]:
        """The transport flow seeded with the wave's own plan, again while it serves more.

        Each round keeps that plan's pairs and opens others where slots are
        left (``capped.seeded``), so it serves at least its units; a round
        runs while the time left covers ``RESEED_MARGIN`` times what the last took.
        """
        graph = self.served.graph
        took = self.seconds.get("transport", 0.0) + self.seconds.get("apply", 0.0)
        while graph is not None and self._left() > RESEED_MARGIN * took:
            mark = time.perf_counter()
            cells = seeded(graph, cells_of(self.problem, plans), self.capacity)
            state = self._state()
            applied = apply(state, self.orders, self.profiles, order, decide_from(cells), "batch")
            took = time.perf_counter() - mark
            after = plan_key(applied.values())
            if not after < key:
                break
            self.rescued["reseed"] = self.rescued.get("reseed", 0) + key[0] - after[0]
            plans, key = applied, after
        return plans, key[0], key[1]

    def _sub_served(
        self, plans: dict[int, Plan], order: list[int], key: tuple[int, float]
    ) -> tuple[dict[int, Plan], int, float]:
        """The plan with groups of its short orders re-planned for more units (``sub_served``).

        It takes ``SUB_SHARE`` of the time left and is kept only when, applied
        in sequence, it rejects fewer units.
        """
        graph = self.served.graph
        if graph is None:
            return plans, key[0], key[1]
        cells, gained = sub_served(
            graph, self.capacity, cells_of(self.problem, plans), SUB_SHARE * self._left()
        )
        if gained <= 0:
            return plans, key[0], key[1]
        applied = apply(
            self._state(), self.orders, self.profiles, order, decide_from(cells), "batch"
        )
        after = plan_key(applied.values())
        if not after < key:
            return plans, key[0], key[1]
        self.rescued["sub_served"] = key[0] - after[0]
        return applied, after[0], after[1]

    def _most_units(
        self, plans: dict[int, Plan], order: list[int], key: tuple[int, float]
    ) -> tuple[dict[int, Plan], int, float]:
        """The plan re-planned for units by the whole wave's most-units MIP, kept when better.

        ``most_served`` over each line's cheapest arcs and the plan's, the plan
        as its hint, on rounds of more arcs (``MOST_ARCS``) while one ends
        before ``MOST_SHARE`` of the time left (less an application) is spent;
        its plan, applied in sequence, is kept only when it rejects fewer
        units (or as many at a lower cost).
        """
        graph = self.served.graph
        if graph is None or key[0] < self.served.demanded - self.served.max_served + MOST_FROM:
            return plans, key[0], key[1]
        mark = time.perf_counter()
        until = mark + MOST_SHARE * (self._left() - self._application_time())
        seed, cells = cells_of(self.problem, plans), None
        for arcs in MOST_ARCS:
            budget = until - time.perf_counter()
            if budget < MOST_LEAST_S:
                break
            began = time.perf_counter()
            found = most_served(graph, self.capacity, seed, budget, None, arcs)
            if found is None:
                break
            gained = cells_units(found) - cells_units(seed)
            cells = seed = found
            now = time.perf_counter()
            if until - now < MOST_GROWTH * (now - began) or gained < MOST_GAIN:
                break  # a round over more arcs would not end in time, or not pay for its LP
        self._timed("most_units", mark)
        if cells is None:
            return plans, key[0], key[1]
        mark = time.perf_counter()
        state = self._state()
        applied = apply(state, self.orders, self.profiles, order, decide_from(cells), "batch")
        self._timed("most_units", mark)
        after = plan_key(applied.values())
        if not after < key:
            return plans, key[0], key[1]
        self.rescued["most_units"] = key[0] - after[0]
        return applied, after[0], after[1]

    def _short_plan(
        self, plans: dict[int, Plan], order: list[int], policy: str, total: float
    ) -> BatchPlan:
        """The wave's result: the plans with the bound the floor and the flow prove."""
        bound = max(self.served.floor, self.served.transport_bound)
        self.trace.append((time.perf_counter() - self.started, total, bound))
        return self._result(plans, order, policy, total, bound, (0, 0, 0, 0, 0))

    def _result(
        self,
        plans: dict[int, Plan],
        order: list[int],
        policy: str,
        total: float,
        bound: float,
        counts: tuple[int, int, int, int, int],
    ) -> BatchPlan:
        """The wave's ``BatchPlan``: ``plans`` with their gap to ``bound``, and the stats.

        ``counts`` are the candidates, Lagrangian steps, repairs, refits and
        fallback orders of the steps that ran (0 where none did).
        """
        real, priced = real_and_priced(plans.values())  # ``total`` is ``priced`` when steered
        gap = relative_gap(total, bound)
        status = SolveStatus.OPTIMAL if gap <= 1e-9 else SolveStatus.FEASIBLE
        plans = with_gap(plans, status, gap)
        greedy = self.greedy_plans.values()
        candidates, steps, repairs, refits, fallback = counts
        stats = BatchStats(
            candidates=candidates,
            lagrangian_steps=steps,
            repairs=repairs,
            refits=refits,
            fallback_orders=fallback,
            greedy_objective=real_and_priced(greedy)[0],
            greedy_shipments=sum(p.split_count for p in greedy),
            greedy_rejected_units=sum(p.rejected_units for p in greedy),
            seconds=dict(self.seconds),
            trace=tuple(self.trace),
            max_served=self.served.max_served,
            rejection_floor=self.served.floor,
            rescued_units=dict(self.rescued),
        )
        return BatchPlan(
            plans=tuple(plans[o] for o in range(len(self.orders))),
            objective=real,
            bound=bound,
            gap=gap if math.isfinite(gap) else math.inf,
            status=status,
            solve_time_s=time.perf_counter() - self.started,
            sequence=tuple(order),
            policy=policy,
            stats=stats,
            priced=priced,
        )

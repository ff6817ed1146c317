"""Large-neighbourhood search on an applied wave plan: a few competing orders re-solved jointly.

When the bound stalls, the plan is improved where orders compete. A
neighbourhood (``choice``: the orders wanting a scarce product, those
around a location the plan saturates, an order and the ones most related to
it) is taken out of the network, every other order's units held
(``exchange.Exchanger``), and solved together as one MIP (``wave.mip``) over
each order's cheapest locations and the ones it uses now, their current
plans as the hint. Its orders are then checked and priced in turn on what
the others hold, as ``apply`` would place them after every other order; the
move is kept only when it lowers their (rejected units, cost), rejected
units first, so the plan never loses a unit. Neighbourhoods follow one
another until the deadline; their size shrinks when a MIP is slow and grows
when moves stop, and a neighbourhood of twice the size is taken whenever
those gained more per second of late. Under shortage the search is
throughput-bound (nearly every neighbourhood moves), so a move is kept
cheap: candidates at the first line prices (``data.fit`` without
ascent), only the orders from the first changed one priced. While some
units are left to win, the search opens with one neighbourhood of the
orders rejecting units, over fewer candidates each. The whole plan
is applied again in sequence at the end (the orders of each kept move
after the others), and kept only when that lowers the wave's key.
"""

from __future__ import annotations

import math
import time
from collections.abc import Container, Sequence
from dataclasses import replace

import numpy as np

from sourcing.solver.instance import OrderStatics, SourcingArrays
from sourcing.solver.plan import Plan
from sourcing.solver.problem import SourcingProfile
from sourcing.solver.table import LocationTable
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.choice import KINDS, KINDS_AT_FLOOR, Chooser
from sourcing.solver.wave.data import fit
from sourcing.solver.wave.exchange import Exchanger
from sourcing.solver.wave.mip import solve_wave_mip
from sourcing.solver.wave.model import OrderModel, Wave
from sourcing.solver.wave.problem import BatchProblem
from sourcing.solver.wave.repair import Assignment
from sourcing.solver.wave.rescue import decide_from
from sourcing.solver.wave.sequence import (
    GIVEN_FACTOR,
    GIVEN_MARGIN_S,
    Cell,
    NetworkState,
    apply,
)
from sourcing.solver.wave.served import plan_key

# Orders of one neighbourhood at first and at least (the whole wave when it is smaller), at
# most, and the candidates of each of its orders (the cheapest, and the locations it uses).
START, SMALLEST, LARGEST = 10, 4, 40
CANDIDATES = 30
# At the rejection floor (no unit left to win, only cost) each order gets more: with SCIP
# heuristics off and a whole hint the MIPs cost a third less, and on the scarce bench waves
# 40 candidates closed 79.0 / 79.2 / 78.9% of the gap against 30's 78.7 / 78.4 / 78.5%
# (paired, one wave at a time, load 1.8-2.5; most of it at 3,000 locations, whose supersets
# grow with it); on scarce_capacity, not at the floor, 40 rejected 4,902 / 4,910 units
# against 4,900 / 4,909, so it keeps 30 (50 at the floor: 78.4% against 78.3%).
CANDIDATES_AT_FLOOR = 40
# On a network of more than SUPERSET_FROM locations, a settled order's neighbourhoods look
# among its SUPERSET times its candidates cheapest locations at the wave's start and the ones
# it uses (its penalty is the same over any locations): arrays and candidates over those
# instead of the whole network. On the scarce 3,000-location bench wave a neighbourhood took
# 61-67 ms against 89-97 ms (89-103 neighbourhoods against 63-67, paired); at 300 and 1,000
# locations finding each order's superset cost what it saved (79 against 90, 73 against 74).
SUPERSET, SUPERSET_FROM = 2, 2000
# Time one neighbourhood's MIP may take, and the least worth starting one with (its MIPs
# take 10-50 ms on the scarce bench waves).
MIP_TIME_S = 2.0
LEAST_TIME_S = 0.1
# Many small neighbourhoods improve a plan faster than a few large ones: a MIP that took
# more than SLOW_S shrinks the next neighbourhood by SHRINK; STALE neighbourhoods in a row
# that move nothing grow it by GROW (the plan is as good as moves of that size make it).
SLOW_S, SHRINK = 0.3, 0.8
STALE, GROW = 8, 1.5
# Neighbourhoods of that size and of twice it take turns by their recent gain per second (an
# average weighting the last one by RECENT), the slower one still tried every EXPLORE-th
# time: which gains faster differs between waves and over a search (twice the size did on
# the scarce bench waves at 100 and 300 locations, not where store capacity binds).
RECENT, EXPLORE = 0.3, 4
# With units left to win, the search opens with one neighbourhood of the orders rejecting units
# (at most REJECTING_ORDERS, most rejected first, REJECTING_CANDIDATES candidates each, its
# MIP at most REJECTING_TIME_S): on the scarce_capacity bench waves they compete for the
# same few store slots, and one MIP over them all served 6-30 more units in 0.4-1.2 s (16 in
# 3 s at 100 locations), two to three times the small neighbourhoods' units per second.
REJECTING_ORDERS, REJECTING_CANDIDATES, REJECTING_TIME_S = 150, 10, 3.0
# Orders priced before the search, evenly spread over the wave, for the pace of the final
# application (``_kept``).
PACE_ORDERS = 20


class Neighbourhoods:
    """The applied plan, improved one neighbourhood at a time."""

    def __init__(
        self,
        problem: BatchProblem,
        profiles: Sequence[SourcingProfile],
        penalty_raise: FloatArray,
        rank: IntArray,
        settled: Container[int] = (),
        at_floor: bool = False,
    ) -> None:
        self.problem, self.profiles = problem, profiles
        self.settled = settled  # orders ``apply`` may place on their locations alone
        self.penalty_raise, self.rank = penalty_raise, rank
        n = len(problem.orders)
        # At most half the wave: the whole wave is the joint MIP's (``joint``).
        self.largest = max(min(LARGEST, n // 2), min(SMALLEST, n))
        self.size = min(START, self.largest)
        self.stale = 0  # neighbourhoods in a row that moved nothing
        # ``at_floor``: the plan rejects only units no plan serves; no move can serve more.
        self.chooser = Chooser(problem, kinds=KINDS_AT_FLOOR if at_floor else KINDS)
        self.at_floor = at_floor
        self.tried = self.moves = 0
        self.superset: dict[int, IntArray] = {}  # per settled order, see SUPERSET
        # Per settled order, the locations its last arrays covered, the table and its statics
        # there: the same again while it uses none outside its superset.
        self.over: dict[int, tuple[IntArray, LocationTable, OrderStatics]] = {}
        self.candidates = CANDIDATES_AT_FLOOR if at_floor else CANDIDATES
        self.superset_size = SUPERSET * self.candidates
        self.mip_s = 0.0  # the last MIP's time
        self.rate = [math.nan, math.nan]  # gain per second at the size and at twice it

    def run(
        self, plans: dict[int, Plan], sequence: list[int], deadline: float, apply_s: float = 0.0
    ) -> tuple[dict[int, Plan], list[int]]:
        """Better plans and their sequence, neighbourhood after neighbourhood until ``deadline``.

        A neighbourhood is started only while the time left covers ``apply_s``
        (what applying the wave's plan takes: the result is applied at the
        end) and a MIP. Its size follows its MIPs: larger while they finish
        well within their time, smaller when they run out of it.
        """
        p = self.problem
        state = NetworkState(p.locations, p.state, p.table, p.scarcity_prices, self.settled)
        network = Exchanger(
            state,
            p.orders,
            self.profiles,
            # The wave's starting network: the statics are the same on any.
            lambda o: SourcingArrays.build(p.problem_of(o), statics=network.statics(o)),
            self.penalty_raise,
        )
        network.load(plans)
        self.chooser.moved(network.allocation(), network.cost)
        order = list(sequence)
        # A sample of the orders priced as applying them does: the final application's pace.
        network.measure(list(range(0, len(p.orders), max(len(p.orders) // PACE_ORDERS, 1))))
        stop = deadline - self._kept(network, apply_s)  # the neighbourhoods' own deadline
        if not self.at_floor:
            order = self._rejecting_first(network, order, stop)
        while (started := time.perf_counter()) + LEAST_TIME_S < (
            stop := deadline - self._kept(network, apply_s)
        ):
            if self.stale >= STALE and self.size >= self.largest:
                break  # nothing moves, even in the largest neighbourhoods
            twice = self._twice()
            chosen = self.chooser.next(min(self.size * (1 + twice), self.largest))
            if chosen is None:
                break
            chosen = sorted(chosen, key=lambda o: int(self.rank[o]))
            self.tried += 1
            before = sum(network.cost[o] for o in chosen)
            moved = self._solve(network, chosen, stop)
            gain = before - sum(network.cost[o] for o in chosen)
            self._learn(twice, gain / max(time.perf_counter() - started, 1e-6))
            self._resize(moved)
            if moved:
                inside = set(chosen)
                order = [*(o for o in order if o not in inside), *chosen]
                self.moves += 1
                # Every order may be worth a look again.
                self.chooser.moved(network.allocation(), network.cost)
        if not self.moves:
            return plans, sequence
        fresh = NetworkState(p.locations, p.state, p.table, p.scarcity_prices, self.settled)
        given = decide_from(network.allocation())
        applied = apply(fresh, p.orders, self.profiles, order, given, "batch")
        if plan_key(applied.values()) < plan_key(plans.values()):
            return applied, order
        return plans, sequence

    def _kept(self, network: Exchanger, apply_s: float) -> float:
        """Time kept for the final application: ``apply_s``, or less once moves measured it.

        Each move checks and prices its orders as applying them does
        (``Exchanger.priced_s``; a sample of ``PACE_ORDERS`` is before the first):
        the wave's orders at that pace, with the margin kept for a measured
        application, bound it.
        """
        if not network.priced:
            return apply_s
        pace = network.priced_s / network.priced
        return min(apply_s, GIVEN_FACTOR * pace * len(self.problem.orders) + GIVEN_MARGIN_S)

    def _rejecting_first(self, network: Exchanger, order: list[int], stop: float) -> list[int]:
        """The orders rejecting units solved as one neighbourhood; the sequence after it."""
        rejecting = [o for o, units in network.rejected.items() if units > 0]
        if len(rejecting) < 2 or time.perf_counter() + LEAST_TIME_S >= stop:
            return order
        rejecting.sort(key=lambda o: (-network.rejected[o], o))
        chosen = sorted(rejecting[:REJECTING_ORDERS], key=lambda o: int(self.rank[o]))
        self.tried += 1
        if not self._solve(network, chosen, stop, REJECTING_CANDIDATES, REJECTING_TIME_S, True):
            return order
        self.moves += 1
        self.chooser.moved(network.allocation(), network.cost)
        inside = set(chosen)
        return [*(o for o in order if o not in inside), *chosen]

    def _twice(self) -> int:
        """1 for a neighbourhood of twice the size, else 0: each once, then the faster gain.

        The other is tried every ``EXPLORE``-th neighbourhood, so that a
        rate gone stale is measured again.
        """
        if math.isnan(self.rate[0]) or math.isnan(self.rate[1]):
            return int(math.isnan(self.rate[1]) and not math.isnan(self.rate[0]))
        faster = int(self.rate[1] > self.rate[0])
        return 1 - faster if self.tried % EXPLORE == 0 else faster

    def _learn(self, twice: int, rate: float) -> None:
        """Fold a neighbourhood's gain per second into the recent rate of its size."""
        old = self.rate[twice]
        self.rate[twice] = rate if math.isnan(old) else (1 - RECENT) * old + RECENT * rate

    def _resize(self, moved: bool) -> None:
        """Shrink the neighbourhoods when their MIPs are slow; grow them when moves stop.

        At the largest size, ``STALE`` neighbourhoods in a row that move
        nothing end the search.
        """
        self.stale = 0 if moved else self.stale + 1
        if self.mip_s > SLOW_S:
            self.size = max(min(SMALLEST, self.largest), int(self.size * SHRINK))
        elif self.stale >= STALE and self.size < self.largest:
            self.size = min(self.largest, max(self.size + 1, int(self.size * GROW)))
            self.stale = 0

    def _solve(
        self,
        network: Exchanger,
        chosen: list[int],
        deadline: float,
        candidates: int | None = None,
        mip_time_s: float = MIP_TIME_S,
        heuristics: bool = False,
    ) -> bool:
        """Solve ``chosen`` jointly on what the others hold; whether their new plans were kept.

        Each order over its ``candidates`` (by default the search's) cheapest
        locations and the ones it uses, the MIP for at most ``mip_time_s``.
        Its hint, the orders' plans as held, is a whole plan that holds: SCIP
        starts from it, without ``heuristics`` (its primal heuristics) unless
        asked, as for the long MIP over every rejecting order (not measured
        without them).
        """
        old = network.release(chosen)
        state = network.state
        built = [self._arrays(network, o, old[o]) for o in chosen]
        # The orders' cheapest locations and the ones they use now (the hint stays feasible).
        keep = {}
        for i, o in enumerate(chosen):
            used = np.unique(np.array([loc for loc, _ in old[o]], dtype=np.int64))
            at = built[i][1]
            keep[i] = used if at is None else np.searchsorted(at, used)
        models = fit(
            lambda i: built[i][0],
            range(len(chosen)),
            {},
            keep=keep,
            candidates=self.candidates if candidates is None else candidates,
            ascent=False,
        )
        wave = Wave.of([_over(m, at) for m, (_, at) in zip(models, built, strict=True)])
        capacity = np.stack([state.total, state.hd, state.cc], axis=1).astype(np.int64)
        # What is left after the MIP (checking and pricing its plans) takes far less than this.
        limit = min(mip_time_s, deadline - time.perf_counter() - LEAST_TIME_S / 2)
        if limit <= 0:
            return network.replace(old, old)
        penalty = wave.plan_penalty * self.penalty_raise[chosen]
        rank = np.arange(len(chosen), dtype=np.int64)
        mark = time.perf_counter()
        hint = _hint(old, chosen)
        joint = solve_wave_mip(wave, capacity, penalty, rank, hint, limit, 0.0, 1.0, heuristics)
        self.mip_s = time.perf_counter() - mark
        if joint.assignment is None:
            return network.replace(old, old)
        a = joint.assignment
        cells: dict[int, dict[Cell, int]] = {o: {} for o in chosen}
        for o, loc, line, units in zip(a.order, a.location, a.line, a.units, strict=True):
            cell = (int(loc), int(line))
            target = cells[chosen[int(o)]]
            target[cell] = target.get(cell, 0) + int(units)
        return network.replace(old, cells)

    def _arrays(
        self, network: Exchanger, o: int, cells: dict[Cell, int]
    ) -> tuple[SourcingArrays, IntArray | None]:
        """Order o's arrays on the network as it is, and the locations they cover (None: all).

        A settled order's cover its ``SUPERSET`` and the locations of ``cells``
        on a network of more than ``SUPERSET_FROM`` locations.
        """
        order, profile = self.problem.orders[o], self.profiles[o]
        if o not in self.settled or len(self.problem.locations) <= SUPERSET_FROM:
            return network.arrays(o), None
        if o not in self.superset:
            start = network.arrays_of(o)
            size = self.superset_size
            model = fit(lambda _: start, [o], {}, candidates=size, ascent=False)[0]
            self.superset[o] = model.cand_location
        used = np.array([loc for loc, _ in cells], dtype=np.int64)
        at = np.union1d(self.superset[o], used)
        if not len(at):
            return network.arrays(o), None
        over = self.over.get(o)
        if over is None or not np.array_equal(over[0], at):
            over = self.over[o] = (at, network.state.table.subset(at), network.statics(o).at(at))
        problem = network.state.problem(order, profile, at, over[1])
        return SourcingArrays.build(problem, statics=over[2]), at


def _over(model: OrderModel, at: IntArray | None) -> OrderModel:
    """``model``, fitted over the locations ``at`` (None: every one), over the whole network."""
    if at is None:
        return model
    code = model.entry_code
    return replace(
        model,
        cand_location=at[model.cand_location],
        entry_code=(at[code >> 32] << 32) | (code & 0xFFFFFFFF),
        outside_location=at[model.outside_location],
    )


def cells_of(problem: BatchProblem, plans: dict[int, Plan]) -> dict[int, dict[Cell, int]]:
    """Every order's plan as (location, line) -> units."""
    index = {location.ref: i for i, location in enumerate(problem.locations)}
    result: dict[int, dict[Cell, int]] = {}
    for o, plan in plans.items():
        lines = {line.ref: k for k, line in enumerate(problem.orders[o].lines)}
        cells: dict[Cell, int] = {}
        for part in plan.fulfilments:
            for line in part.lines:
                cell = (index[part.location_ref], lines[line.line_ref])
                cells[cell] = cells.get(cell, 0) + line.quantity
        result[o] = cells
    return result


def _hint(old: dict[int, dict[Cell, int]], chosen: list[int]) -> Assignment:
    """The chosen orders' cells as an assignment over their local indices."""
    rows = [
        (i, loc, line, units) for i, o in enumerate(chosen) for (loc, line), units in old[o].items()
    ]
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    none = np.zeros(len(chosen), dtype=bool)
    n = np.arange(len(chosen))
    return Assignment(table[:, 0], table[:, 1], table[:, 2], table[:, 3], n, none, none, np.inf)

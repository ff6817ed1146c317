"""Keep improving a wave's plan until the time limit: orders re-solved and exchanged.

Applying a plan order by order lets an earlier order keep a store's last
order slot or last units that a later order needed more: in the smallest
case (issue 12) a store with one slot left serves 1 unit of the older
order where it could serve 2 of the newer one, and the wave rejects 3
units where 2 is optimal. No path that moves units one at a time
(``rescue``) finds that, because the newer order's units only fit once
the older one gives up its slot.

This step works on the whole plan, every other order's units held:

* re-solve: one order is taken out of the network and solved exactly by
  the single-order solver on what the others leave;
* exchange: an order that rejects units and an order that holds what it
  could use (units of its product, or a slot at a store with no slot
  left) are both taken out; the rejecting one is solved first, then the
  other on what is left.

A move is kept only when it lowers (rejected units, cost) of the orders it
touches, rejected units first, so the plan never loses a unit. The orders
that reject units are exchanged first, until no move improves; then every
order is re-solved, dearest first, until ``deadline``; the caller applies the result
again in sequence (every allocation is checked there) and keeps it only
when the whole plan's (rejected, cost) is lower.

The network with every plan held is also where ``neighbourhood`` tries its
moves (``release``, then ``replace``): no whole plan is applied per move.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sourcing.solver.instance import OrderStatics, SourcingArrays
from sourcing.solver.objective import evaluate, violations
from sourcing.solver.plan import Plan
from sourcing.solver.problem import Order, OrderType, SourcingProfile
from sourcing.solver.solve import solve_arrays
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.sequence import Cell, NetworkState, allocation_of, arrays_at

# Time the single-order solver may take per order solved in a move.
MOVE_TIME_LIMIT_S = 0.5
# Locations looked at per rejected line (cheapest first), and orders tried as partners.
LOCATIONS_PER_LINE = 8
PARTNERS = 6
# Passes over the orders that reject units.
PASSES = 2


@dataclass
class _Held:
    """What an order holds in the network: its cells and the slots it took."""

    cells: dict[Cell, int]
    slots: list[tuple[int, int]] = field(default_factory=list)  # (location, capacity column)


class Exchanger:
    """The network with every order's units held, and the moves on it."""

    def __init__(
        self,
        state: NetworkState,
        orders: Sequence[Order],
        profiles: Sequence[SourcingProfile],
        arrays_of: Callable[[int], SourcingArrays],
        penalty_raise: FloatArray,
    ) -> None:
        self.state, self.orders, self.profiles = state, orders, profiles
        # Priorities: a rejected unit of order o costs penalty_raise[o] times the penalty, so
        # between plans rejecting as many units the one keeping the higher-ranked order wins.
        self.penalty_raise = penalty_raise
        self.arrays_of = arrays_of  # each order in the wave's starting state: where rules let it
        self.held: dict[int, _Held] = {}
        self.rejected: dict[int, int] = {}
        self.cost: dict[int, float] = {}  # each order's cost when its plan was loaded
        self.holders: dict[int, set[int]] = defaultdict(set)  # location -> orders using it
        self.index = {loc.ref: i for i, loc in enumerate(state.locations)}
        self.moves = {"resolve": 0, "exchange": 0}
        self.priced, self.priced_s = 0, 0.0  # orders ``_key`` priced, seconds taken: a pace
        # Per order, what of its arrays no stock or capacity changes (``statics``).
        self._statics: dict[int, OrderStatics] = {}

    def load(self, plans: Mapping[int, Plan]) -> None:
        """Hold every order's plan in the network."""
        for o, plan in plans.items():
            lines = {line.ref: k for k, line in enumerate(self.orders[o].lines)}
            cells: dict[Cell, int] = defaultdict(int)
            for part in plan.fulfilments:
                for line in part.lines:
                    cells[(self.index[part.location_ref], lines[line.line_ref])] += line.quantity
            self._hold(o, dict(cells))
            self.rejected[o] = plan.rejected_units
            self.cost[o] = plan.objective.priced_total

    def allocation(self) -> dict[int, dict[Cell, int]]:
        """Every order's units, as (location, line) -> units."""
        return {o: dict(h.cells) for o, h in self.held.items()}

    def improve(self, deadline: float) -> int:
        """Re-solve and exchange the orders that reject units until none improves; units won."""
        before = sum(self.rejected.values())
        for _ in range(PASSES):
            short = sorted((o for o, r in self.rejected.items() if r > 0), key=self._most_rejected)
            improved = False
            for o in short:
                if time.perf_counter() >= deadline:
                    return before - sum(self.rejected.values())
                if self.rejected[o] == 0:
                    continue
                if self._move((o,)):
                    self.moves["resolve"] += 1
                    improved = True
                    continue
                for partner in self._partners(o):
                    if time.perf_counter() >= deadline:
                        break
                    if self._move((o, partner)):
                        self.moves["exchange"] += 1
                        improved = True
                        break
            if not improved:
                break
        self._polish(deadline)
        return before - sum(self.rejected.values())

    def _polish(self, deadline: float) -> None:
        """Re-solve every order on what the others leave, dearest first, until ``deadline``."""
        for o in sorted(self.cost, key=lambda o: (-self.cost[o], o)):
            if time.perf_counter() >= deadline:
                return
            if self._move((o,)):
                self.moves["resolve"] += 1

    def _most_rejected(self, o: int) -> tuple[int, int]:
        return -self.rejected[o], o

    def _partners(self, o: int) -> list[int]:
        """Orders holding what o's rejected lines could use: its product's units, or a last slot."""
        arrays = self.arrays_of(o)
        served = np.zeros(arrays.cap.shape[1], dtype=np.int64)
        for (_, k), q in self.held[o].cells.items():
            served[k] += q
        short = np.flatnonzero(arrays.quantity - served > 0)
        found: dict[int, int] = {}
        for k in short.tolist():
            able = np.flatnonzero(arrays.cap[:, k] > 0)
            cost = arrays.unit_cost[able, k] + arrays.fulfilment_cost[able]
            for loc in able[np.argsort(cost, kind="stable")][:LOCATIONS_PER_LINE].tolist():
                product = self.orders[o].lines[k].product_ref
                for other in self.holders[loc]:
                    if other == o:
                        continue
                    theirs = self.held[other].cells
                    same = sum(
                        q
                        for (at, line), q in theirs.items()
                        if at == loc and self.orders[other].lines[line].product_ref == product
                    )
                    if same > 0 or self._full(loc, o):
                        # Fewest units held there first: the cheapest to give up.
                        held = sum(q for (at, _), q in theirs.items() if at == loc)
                        found[other] = min(found.get(other, 2**62), held)
        return sorted(found, key=lambda other: (found[other], other))[:PARTNERS]

    def _full(self, loc: int, o: int) -> bool:
        per_type = self.state.cc if self.orders[o].type is OrderType.CC else self.state.hd
        return bool(self.state.total[loc] == 0 or per_type[loc] == 0)

    def _move(self, touched: tuple[int, ...]) -> bool:
        """Take ``touched`` out, solve them exactly in turn; keep it when their key drops."""
        old = {o: self.held[o].cells for o in touched}
        for o in touched:
            self._release(o)
        new: dict[int, dict[Cell, int]] = {}
        after_rejected, after_cost = 0, 0.0
        for o in touched:
            arrays = self.arrays(o)
            plan = solve_arrays(arrays, time_limit_s=MOVE_TIME_LIMIT_S)
            cells = _cells(allocation_of(plan, arrays))
            self._hold(o, cells)
            new[o] = cells
            after_rejected += plan.rejected_units
            priority = self._priority(o, arrays, plan.rejected_units)
            after_cost += plan.objective.priced_total + priority
        for o in touched:
            self._release(o)
        before_rejected, before_cost = 0, 0.0
        for o in touched:  # the old units priced on the same network as the new ones
            arrays = self.arrays(o)
            allocation = _dense(old[o], arrays.cap.shape)
            rejected = int(arrays.quantity.sum() - allocation.sum())
            before_rejected += rejected
            priced = evaluate(arrays, allocation).priced_total
            before_cost += priced + self._priority(o, arrays, rejected)
            self._hold(o, old[o])
        if (after_rejected, after_cost) >= (before_rejected, before_cost - 1e-9):
            return False
        for o in touched:
            self._release(o)
        for o in touched:
            self._hold(o, new[o])
            self.rejected[o] = self.orders[o].total_units - sum(new[o].values())
        return True

    def release(self, touched: Sequence[int]) -> dict[int, dict[Cell, int]]:
        """Take ``touched`` out of the network; their cells, to ``replace`` or hold again."""
        old = {o: self.held[o].cells for o in touched}
        for o in touched:
            self._release(o)
        return old

    def replace(
        self,
        old: Mapping[int, dict[Cell, int]],
        new: Mapping[int, dict[Cell, int]],
    ) -> bool:
        """Hold ``new`` for the released orders of ``old`` when it lowers their key, else ``old``.

        The orders are checked and priced in turn (their order in ``old``),
        each on the network the others and the ones before it leave, as
        ``apply`` would place them after every other order. A new allocation
        that breaks a rule there is not taken. Unchanged orders apart from every
        change (``_apart``) price alike on both sides and are held as they are.
        """
        touched = list(old)
        # The leading orders whose cells do not change price alike on both sides: held as they
        # are, only the orders from the first change on are compared.
        same = 0
        while same < len(touched) and new[touched[same]] == old[touched[same]]:
            same += 1
        if same == len(touched):
            for o in touched:
                self._hold(o, dict(old[o]))
            return False
        for o in touched[:same]:
            self._hold(o, dict(old[o]))
        touched = touched[same:]
        apart = self._apart(touched, old, new)
        for o in apart:
            self._hold(o, dict(old[o]))
        touched = [o for o in touched if o not in apart]
        after = self._key(touched, new)
        # The old cells' key as kept when loaded or last moved, not priced again (half a move's
        # pricing; on the scarce bench wave the same key in 89 of 89 moves: only the ideal-stock
        # term reads the stock others took since), unless a priority raises a penalty.
        before = self._held_key(touched, old)
        better = after is not None and (before is None or after[:2] < (before[0], before[1] - 1e-9))
        for o in touched:
            self._hold(o, dict((new if better else old)[o]))
            if better and after is not None:
                self.rejected[o] = self.orders[o].total_units - sum(new[o].values())
                self.cost[o] = after[2][o]
        return better

    def _apart(
        self,
        touched: Sequence[int],
        old: Mapping[int, dict[Cell, int]],
        new: Mapping[int, dict[Cell, int]],
    ) -> set[int]:
        """The unchanged orders of ``touched`` whose pricing no change can reach.

        A settled order is checked and priced on the locations its cells use
        alone (``_arrays_for``): one using none that a changed order uses
        before or after, nor that such an order shares, prices alike on both
        sides wherever it is held. Another order's arrays span the whole
        network, so with one among ``touched`` none is apart. On the scarce
        bench waves about half of a neighbourhood's orders keep their cells.
        """
        if any(o not in self.state.settled for o in touched):
            return set()

        def places(o: int) -> set[int]:
            return {loc for (loc, _), q in (*old[o].items(), *new[o].items()) if q > 0}

        near: set[int] = set()
        unchanged: dict[int, set[int]] = {}
        for o in touched:
            if new[o] == old[o]:
                unchanged[o] = places(o)
            else:
                near |= places(o)
        grew = True
        while grew:  # an unchanged order sharing a location with a priced one is priced too
            reached = [o for o, at in unchanged.items() if at & near]
            grew = bool(reached)
            for o in reached:
                near |= unchanged.pop(o)
        return set(unchanged)

    def _held_key(
        self, touched: Sequence[int], old: Mapping[int, dict[Cell, int]]
    ) -> tuple[int, float, dict[int, float]] | None:
        """``_key`` of the released ``old`` cells, as kept when loaded or last moved."""
        if any(self.penalty_raise[o] != 1.0 for o in touched):
            return self._key(touched, old)
        return sum(self.rejected[o] for o in touched), sum(self.cost[o] for o in touched), {}

    def _key(
        self, touched: Sequence[int], cells: Mapping[int, dict[Cell, int]]
    ) -> tuple[int, float, dict[int, float]] | None:
        """(rejected, cost, each order's cost) of ``cells`` held in turn, then released again.

        None when an allocation breaks a rule.
        """
        rejected, cost, held = 0, 0.0, []
        each: dict[int, float] = {}
        broken = False
        started = time.perf_counter()
        for o in touched:
            arrays, allocation = self._arrays_for(o, cells[o])
            if violations(arrays, allocation):
                broken = True
                break
            units = int(arrays.quantity.sum() - allocation.sum())
            rejected += units
            each[o] = evaluate(arrays, allocation).priced_total
            cost += each[o] + self._priority(o, arrays, units)
            self._hold(o, dict(cells[o]))
            held.append(o)
        for o in held:
            self._release(o)
        self.priced += len(held)
        self.priced_s += time.perf_counter() - started
        return None if broken else (rejected, cost, each)

    def measure(self, touched: Sequence[int]) -> None:
        """Price ``touched`` as they are held, for the pace alone (``priced_s``)."""
        old = self.release(touched)
        self._key(touched, old)
        for o in touched:
            self._hold(o, old[o])

    def _arrays_for(self, o: int, cells: Mapping[Cell, int]) -> tuple[SourcingArrays, IntArray]:
        """Order o's arrays on the network as it is, and ``cells`` as an allocation over them.

        A settled order's are over the locations its cells use alone, as
        ``apply`` checks and prices them (at 3,000 locations a few instead
        of all): the same violations and cost.
        """
        order, profile = self.orders[o], self.profiles[o]
        if o in self.state.settled:
            arrays, allocation, _ = arrays_at(self.state, order, profile, cells, self.statics(o))
            return arrays, allocation
        arrays = self.arrays(o)
        return arrays, _dense(cells, arrays.cap.shape)

    def statics(self, o: int) -> OrderStatics:
        """Order o's ``OrderStatics`` over the whole network, taken once per exchanger.

        Moves build an order's arrays again and again as the others' units
        move; only stock and capacity change between them.
        """
        found = self._statics.get(o)
        if found is None:
            problem = self.state.problem(self.orders[o], self.profiles[o])
            found = self._statics[o] = OrderStatics.of(problem)
        return found

    def arrays(self, o: int) -> SourcingArrays:
        """Order o's arrays over the whole network as it is now."""
        problem = self.state.problem(self.orders[o], self.profiles[o])
        return SourcingArrays.build(problem, statics=self.statics(o))

    def _priority(self, o: int, arrays: SourcingArrays, rejected: int) -> float:
        """What order o's priority adds to its rejected units' cost."""
        return float(self.penalty_raise[o] - 1.0) * arrays.rejection_penalty * rejected

    def _hold(self, o: int, cells: dict[Cell, int]) -> None:
        """Reserve o's units and one slot of capacity at every location it uses."""
        state, n = self.state, len(self.state.locations)
        held = _Held({c: q for c, q in cells.items() if q > 0})
        for (loc, k), q in held.cells.items():
            product = self.orders[o].lines[k].product_ref
            state.taken.setdefault(product, np.zeros(n, dtype=np.int64))[loc] += q
        kind = 2 if self.orders[o].type is OrderType.CC else 1
        for loc in {loc for loc, _ in held.cells}:
            self.holders[loc].add(o)
            for column in (0, kind):
                values = self._column(column)
                if values[loc] > 0:  # -1: unlimited
                    values = values.copy()  # states handed out keep their numbers
                    values[loc] -= 1
                    self._set_column(column, values)
                    held.slots.append((loc, column))
        self.held[o] = held

    def _release(self, o: int) -> None:
        """Give back what ``_hold`` reserved for o."""
        held = self.held.pop(o)
        for (loc, k), q in held.cells.items():
            self.state.taken[self.orders[o].lines[k].product_ref][loc] -= q
        for loc in {loc for loc, _ in held.cells}:
            self.holders[loc].discard(o)
        for loc, column in held.slots:
            values = self._column(column).copy()
            values[loc] += 1
            self._set_column(column, values)

    def _column(self, column: int) -> IntArray:
        return (self.state.total, self.state.hd, self.state.cc)[column]

    def _set_column(self, column: int, values: IntArray) -> None:
        if column == 0:
            self.state.total = values
        elif column == 1:
            self.state.hd = values
        else:
            self.state.cc = values


def _cells(allocation: IntArray) -> dict[Cell, int]:
    locations, lines = np.nonzero(allocation)
    return {
        (int(loc), int(k)): int(allocation[loc, k])
        for loc, k in zip(locations.tolist(), lines.tolist(), strict=True)
    }


def _dense(cells: Mapping[Cell, int], shape: tuple[int, ...]) -> IntArray:
    allocation = np.zeros(shape, dtype=np.int64)
    for (loc, k), q in cells.items():
        allocation[loc, k] += q
    return allocation

"""Prices on the wave's shared stock and capacity: the Lagrangian dual and its bound.

The wave model (o order, l location, k line, p product)::

    min  sum_o cost_o(plan_o) + sum_lp w_ideal (units_lp - surplus_lp)+
    s.t. (1) shared stock     sum_o units_olp <= stock_lp            all l, p
         (2) ideal stock      units below the ideal level cost w_ideal, the
                              first surplus_lp units at l, p do not
         (3) shared capacity  sum_o y_ol <= cap_l (total, and per order type)
         every order's own rules, split limit and rejection (its arrays)

Relaxing (1)-(3) with prices mu_lp, eta_lp (on the surplus units) and
nu_l >= 0 splits the wave into one problem per order, where a unit at l, p
costs c + mu_lp + min(eta_lp, w_ideal) and a fulfilment at l costs
f + nu_l. For any prices

    Phi = sum_o LB_o(prices) - sum mu stock - sum eta surplus - sum nu cap

is a lower bound on every wave plan, as long as LB_o bounds order o's
priced problem from below: here the cheapest priced subset of its
candidates, or the line-price bounds on larger subsets and on plans using
other locations (``layout.choose``). Subgradient steps (Polyak's
rule towards the best plan found) raise Phi; only rows that can bind
(potential demand above supply) get a price. The step aims at a target
level just above the best bound found, not at the best plan's cost, which
may be far above the optimum at first (Polyak's step with a variable
target).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sourcing.solver.instance import SourcingArrays
from sourcing.solver.problem import OrderType
from sourcing.solver.types import BoolArray, FloatArray, IntArray
from sourcing.solver.wave.data import Surcharge
from sourcing.solver.wave.layout import Baseline, Choice, Costs, Group, choose
from sourcing.solver.wave.model import Wave

# The step aims at the best bound plus a margin: at first this share of the
# bound, halved after PATIENCE steps without a better bound, down to SMALLEST.
START_MARGIN = 0.02
PATIENCE = 4
SMALLEST_MARGIN = 1e-6


@dataclass(frozen=True, slots=True)
class Multipliers:
    """Prices on shared stock (mu), surplus above ideal stock (eta) and capacity (nu)."""

    stock: FloatArray  # (P,)
    surplus: FloatArray  # (P,)
    capacity: FloatArray  # (L, 3): total, HD, CC


def capacity_columns(wave: Wave) -> IntArray:
    """Per candidate, its rows of the capacity table: total and its order's type."""
    kind = 1 + wave.is_cc[wave.cand_order].astype(np.int64)
    result: IntArray = np.stack([wave.cand_location * 3, wave.cand_location * 3 + kind], axis=1)
    return result


def priced_costs(
    wave: Wave, prices: Multipliers, penalty: FloatArray, cap: IntArray | None = None
) -> Costs:
    """Unit and fulfilment costs with the prices added."""
    ideal = wave.ideal_weight[wave.entry_order]
    unit = (
        wave.entry_unit
        + prices.stock[wave.entry_key]
        + np.minimum(prices.surplus[wave.entry_key], ideal)
    )
    flat = prices.capacity.ravel()
    fixed = wave.cand_fixed + flat[capacity_columns(wave)].sum(axis=1)
    return Costs(unit, fixed, wave.entry_cap if cap is None else cap, penalty, wave.penalty)


class Dual:
    """The Lagrangian dual of the wave, raised step by step."""

    def __init__(
        self, wave: Wave, groups: list[Group], capacity: IntArray, penalty: FloatArray
    ) -> None:
        self.penalty = penalty
        self.capacity = capacity.ravel()  # (L * 3,), -1 unlimited
        n_keys = len(wave.key_stock)
        self.prices = Multipliers(np.zeros(n_keys), np.zeros(n_keys), np.zeros((len(capacity), 3)))
        self.best_prices = self.prices
        self.value = -np.inf
        self.best = -np.inf
        self.margin = START_MARGIN
        self.stalled = 0
        self.steps = 0
        self.rebase(wave, groups)

    def rebase(self, wave: Wave, groups: list[Group]) -> None:
        """Carry the prices over to a wave whose orders got new candidates, and solve it."""
        old = getattr(self, "wave", None)
        self.wave, self.groups = wave, groups
        n_keys = len(wave.key_stock)
        potential = np.bincount(wave.entry_key, wave.entry_cap, minlength=n_keys)
        self.stock_rows = potential > wave.key_stock
        heaviest = np.zeros(n_keys)
        np.maximum.at(heaviest, wave.entry_key, wave.ideal_weight[wave.entry_order])
        self.surplus_rows = (potential > wave.key_surplus) & (heaviest > 0)
        self.columns = capacity_columns(wave)
        demand = np.bincount(self.columns.ravel(), minlength=len(self.capacity))
        self.capacity_rows = (self.capacity >= 0) & (demand > self.capacity)
        if old is not None:
            self.prices = self._carried(old, self.prices)
            self.best_prices = self._carried(old, self.best_prices)
            # New candidates change the landscape: take bigger steps again.
            self.margin, self.stalled = max(self.margin, START_MARGIN / 4), 0
        self.take = np.zeros(len(wave.entry_cand), dtype=np.int64)
        self.used = np.zeros(len(wave.cand_order), dtype=bool)
        self.inner = np.full(wave.n_orders, -np.inf)  # bound over the candidates
        self.lower = np.full(wave.n_orders, -np.inf)  # bound over every location
        self._solve(None)

    def _carried(self, old: Wave, prices: Multipliers) -> Multipliers:
        """``prices`` over ``old``'s keys moved to this wave's, zero on rows that cannot bind."""
        new = self.wave.key_code
        at = np.searchsorted(old.key_code, new)
        found = at < len(old.key_code)
        found[found] = old.key_code[at[found]] == new[found]
        stock, surplus = np.zeros(len(new)), np.zeros(len(new))
        stock[found] = prices.stock[at[found]]
        surplus[found] = prices.surplus[at[found]]
        capacity = np.where(self.capacity_rows, prices.capacity.ravel(), 0.0)
        return Multipliers(
            np.where(self.stock_rows, stock, 0.0),
            np.where(self.surplus_rows, surplus, 0.0),
            capacity.reshape(prices.capacity.shape),
        )

    def _solve(self, only: BoolArray | None) -> None:
        """Solve every order's priced problem (those of ``only``) and update the bound."""
        costs = priced_costs(self.wave, self.prices, self.penalty)
        choice = choose(self.wave, self.groups, costs, only)
        self._merge(choice, only)
        p = self.prices
        # A capacity price raises the outside bound of orders it did not re-solve too.
        self.lower = np.minimum(self.inner, self.wave.outside_bound(p.capacity))
        cap = np.where(self.capacity_rows, self.capacity, 0)
        self.value = float(
            self.lower.sum()
            - p.stock @ self.wave.key_stock
            - p.surplus @ self.wave.key_surplus
            - p.capacity.ravel() @ cap
        )
        if self.value > self.best:
            self.best, self.best_prices = self.value, self.prices
            self.stalled = 0
        else:
            self.stalled += 1
            if self.stalled >= PATIENCE:
                self.margin /= 2.0
                self.stalled = 0

    def outside_limited(self) -> BoolArray:
        """Orders whose bound comes from locations outside their candidates."""
        inner = self.inner
        limited: BoolArray = self.lower < inner - 1e-9 * np.maximum(1.0, np.abs(inner))
        return limited

    def baseline(self) -> Baseline:
        """The units each order's plan at the current prices rejects."""
        wave = self.wave
        served = np.bincount(wave.entry_order, self.take, minlength=wave.n_orders)
        line_order = np.repeat(np.arange(wave.n_orders), np.diff(wave.line_start))
        ordered = np.bincount(line_order, wave.quantity, minlength=wave.n_orders)
        return Baseline(ordered - served)

    def lift(self, orders: IntArray, bounds: FloatArray) -> None:
        """Raise the bound with better bounds on some orders' problems at the current prices."""
        gain = float(np.maximum(bounds - self.lower[orders], 0.0).sum())
        if self.value + gain > self.best:
            self.best, self.best_prices = self.value + gain, self.prices

    def surcharge(self) -> Surcharge:
        """The current prices as extra costs on an order's full arrays."""
        return surcharge_of(self.wave, self.prices)

    def _merge(self, choice: Choice, only: BoolArray | None) -> None:
        wave = self.wave
        if only is None:
            self.take, self.used = choice.take, choice.used
        else:
            entries = only[wave.entry_order]
            cands = only[wave.cand_order]
            self.take[entries] = choice.take[entries]
            self.used[cands] = choice.used[cands]
        self.inner[choice.orders] = choice.bound

    def step(self, upper_bound: float) -> None:
        """One subgradient step towards ``upper_bound``, then re-solve the orders it touched."""
        wave, p = self.wave, self.prices
        units = np.bincount(wave.entry_key, self.take, minlength=len(wave.key_stock))
        cheap = p.surplus[wave.entry_key] < wave.ideal_weight[wave.entry_order]
        surplus_units = np.bincount(
            wave.entry_key, self.take * cheap, minlength=len(wave.key_stock)
        )
        opened = np.bincount(self.columns[self.used].ravel(), minlength=len(self.capacity)).astype(
            float
        )
        grads = (
            np.where(self.stock_rows, units - wave.key_stock, 0.0),
            np.where(self.surplus_rows, surplus_units - wave.key_surplus, 0.0),
            np.where(self.capacity_rows, opened - self.capacity, 0.0),
        )
        values = (p.stock, p.surplus, p.capacity.ravel())
        # Rows at price zero that are not over-used would only be pushed below zero.
        active = [np.where((v > 0) | (g > 0), g, 0.0) for v, g in zip(values, grads, strict=True)]
        norm = sum(float(g @ g) for g in active)
        self.steps += 1
        margin = self.margin * max(abs(self.best), 1.0)
        target = min(upper_bound, self.best + margin)
        if target <= self.value:
            target = self.value + margin
        if norm == 0.0:
            self.margin = 0.0
            return
        t = (target - self.value) / norm
        new = [np.maximum(v + t * g, 0.0) for v, g in zip(values, active, strict=True)]
        changed_keys = (new[0] != values[0]) | (new[1] != values[1])
        changed_rows = new[2] != values[2]
        self.prices = Multipliers(new[0], new[1], new[2].reshape(p.capacity.shape))
        touched = np.zeros(wave.n_orders, dtype=bool)
        touched[wave.entry_order[changed_keys[wave.entry_key]]] = True
        touched[wave.cand_order[changed_rows[self.columns].any(axis=1)]] = True
        if touched.any():
            self._solve(touched)
        else:
            self._solve(np.zeros(wave.n_orders, dtype=bool))

    @property
    def converged(self) -> bool:
        """Whether the steps became too small to move the bound."""
        return self.margin < SMALLEST_MARGIN


def surcharge_of(wave: Wave, prices: Multipliers) -> Surcharge:
    """``prices`` over ``wave``'s positions as extra costs on an order's full arrays.

    A unit at a position costs its stock price plus the lesser of its
    surplus price and the order's ideal-stock weight; a fulfilment the
    capacity prices of its location (total and the order's type).
    """
    flat = prices.capacity

    def extra(arrays: SourcingArrays, product: IntArray) -> tuple[FloatArray, FloatArray]:
        n = arrays.cap.shape[0]
        kind = 2 if arrays.problem.order.type is OrderType.CC else 1
        if not len(wave.key_code):
            return np.zeros(arrays.cap.shape), flat[:, 0] + flat[:, kind]
        codes = (np.arange(n, dtype=np.int64)[:, None] << 32) | product[None, :]
        at = np.minimum(np.searchsorted(wave.key_code, codes), len(wave.key_code) - 1)
        found = wave.key_code[at] == codes
        ideal = arrays.weights.ideal_stock
        unit = np.where(found, prices.stock[at] + np.minimum(prices.surplus[at], ideal), 0.0)
        return unit, flat[:, 0] + flat[:, kind]

    return extra

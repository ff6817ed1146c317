"""The wave model's LP relaxation and the duals of its shared rows, as Lagrangian prices.

The LP relaxation of the model in ``wave.mip`` prices the rows the
Lagrangian (``wave.prices``) relaxes, (3) shared stock, (5) capacity and
(7) ideal stock, by their duals. Under shortage a scarce position is worth
about the rejection penalty, hundreds of times the wave's other costs,
which subgradient steps from zero prices take hundreds of steps to reach
(on a 200-order wave short of stock, 110 steps left the prices' bound at
0.2% of the rejection floor); the LP has them at once. At these prices
every order's priced problem, solved over its integer plans, less the
prices' worth, bounds the wave at least as well as the LP does
(``benchmarks/wave_optimum.py``). Any prices >= 0 give a valid bound, so
the LP's tolerances cannot make a bound wrong.

Over an order's candidates only (not every location) the LP's prices do
not help the wave's own dual: an order's bound through locations outside
its candidates ignores prices on stock, so at these prices the orders
escape to it and the bound falls far below zero.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.sparse import build_model
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.mip import wave_model
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.prices import Multipliers


def lp_relaxation(
    wave: Wave, capacity: IntArray, penalty: FloatArray, time_limit_s: float
) -> tuple[float, Multipliers] | None:
    """The LP relaxation's value and the duals of its shared rows; None if it was not solved.

    ``capacity`` (L, 3) is orders per location (total, HD, CC; -1 none) and
    ``penalty`` each order's per-unit rejection penalty, as the dual has them.
    """
    built = wave_model(wave, capacity, penalty)
    model = build_model(np.zeros(len(built.cost)), built.upper, built.cost, built.rows)
    solver = mbh.ModelSolverHelper("glop")
    solver.enable_output(False)
    solver.set_time_limit_in_seconds(max(time_limit_s, 0.001))
    solver.solve(model)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    # A <= row's dual is <= 0 in a minimisation: the price of the resource is its opposite.
    worth = np.maximum(-np.asarray(solver.dual_values(), dtype=float), 0.0)
    n_keys = len(wave.key_stock)
    stock = _spread(worth, built.stock_rows, n_keys)
    surplus = _spread(worth, built.surplus_rows, n_keys)
    flat = np.zeros(capacity.size)
    for block in built.capacity_rows:
        flat += _spread(worth, block, capacity.size)
    prices = Multipliers(stock, surplus, flat.reshape(capacity.shape))
    return float(solver.objective_value()), prices


def _spread(worth: FloatArray, block: tuple[int, IntArray], size: int) -> FloatArray:
    """The duals of one block of rows, at the index each row is for (zero elsewhere)."""
    first, index = block
    result = np.zeros(size)
    result[index] = worth[first : first + len(index)]
    return result

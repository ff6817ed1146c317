"""Starting prices for the wave's Lagrangian dual: the duals of the wave model's LP relaxation.

Subgradient steps from zero prices climb slowly when the prices must be
large: under shortage a scarce position is worth about the rejection
penalty, hundreds of times the wave's other costs, and the steps, aimed
just above the best bound found, take hundreds of them to get there (on a
200-order wave short of stock, 110 steps left the prices' bound at 0.2% of
the rejection floor). The LP relaxation of the model in ``wave.mip`` has
those prices as the duals of its shared rows (3), (5) and (7): with them
every order's priced problem, solved over its integer plans, bounds the
wave at least as well as the LP does, up to how tightly each order's
problem is bounded (``wave.prices``). Any prices >= 0 give a valid bound,
so the LP's tolerances cannot make the bound wrong.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from sourcing.solver.sparse import build_model
from sourcing.solver.types import FloatArray, IntArray
from sourcing.solver.wave.mip import wave_model
from sourcing.solver.wave.model import Wave
from sourcing.solver.wave.prices import Multipliers

# Waves with more entries than this are not given the LP's prices (its solve grows too long).
MAX_LP_ENTRIES = 60_000


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

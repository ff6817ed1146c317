"""The wave solver: many orders sourced together against shared stock and capacity.

``solve`` holds the entry points and the outline of the steps; each step has
its own module here (``data``, ``prices``, ``repair``, ``refine``, ``mip``,
``sequence``), run in order by ``steps.WaveSolver``.
"""

from sourcing.solver.wave.solve import (
    DEFAULT_GAP_TARGET,
    DEFAULT_TIME_LIMIT_S,
    BatchPlan,
    BatchProblem,
    BatchStats,
    default_priorities,
    price_batch,
    sequential_greedy,
    solve_batch,
)

__all__ = [
    "DEFAULT_GAP_TARGET",
    "DEFAULT_TIME_LIMIT_S",
    "BatchPlan",
    "BatchProblem",
    "BatchStats",
    "default_priorities",
    "price_batch",
    "sequential_greedy",
    "solve_batch",
]

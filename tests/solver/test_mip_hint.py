"""The single-order MIP's hint: every variable set, so SCIP starts from it."""

from __future__ import annotations

import pytest

from sourcing.bench.families import FAMILIES
from sourcing.bench.instances import make_network, order_stream
from sourcing.solver.greedy import greedy_allocation
from sourcing.solver.instance import SourcingArrays
from sourcing.solver.mip import solve_mip
from sourcing.solver.objective import evaluate


@pytest.mark.parametrize("family", ["scarce", "scarce_capacity", "uniform"])
def test_with_no_time_to_search_the_plan_found_is_no_dearer_than_the_hint(family: str) -> None:
    """SCIP takes the full hint (split and ideal-stock terms too) as its first incumbent.

    With x, y and r hinted alone it completed the hint with a sub-MIP first,
    and found no plan at all in the time on any of these orders.
    """
    network = make_network(FAMILIES[family].config(30, 12, 0))
    found = 0
    for problem in order_stream(network, 12):
        arrays = SourcingArrays.build(problem)
        hint = greedy_allocation(arrays)
        result = solve_mip(arrays, time_limit_s=1e-3, hint=hint)
        if result.allocation is None:
            continue
        found += 1
        before = evaluate(arrays, hint).priced_total
        assert evaluate(arrays, result.allocation).priced_total <= before + 1e-6
    assert found == 12

"""The candidates' arrays are an object the caller holds; the solver keeps no hidden cache."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from sourcing.solver import SourcingProblem, SourcingProfile, solve
from sourcing.solver.errors import InvalidProblem
from sourcing.solver.table import LocationTable
from tests.solver.builders import loc, order, problem

SOLVER = Path(__file__).resolve().parents[2] / "sourcing" / "solver"


def network() -> tuple:  # type: ignore[type-arg]
    return (
        loc("NEAR", 5, {"p1": 1}),
        loc("MID", 20, {"p1": 5, "p2": 2}),
        loc("FAR", 90, {"p2": 9}),
    )


def test_a_held_table_gives_the_plan_a_fresh_one_gives() -> None:
    """Passing the caller's table changes nothing but who builds it."""
    fresh = problem(order({"p1": 2, "p2": 2}), network(), distance=1.0, fixed=1.0)
    held = replace(fresh, table=LocationTable.of(fresh.locations))
    assert solve(held).served() == solve(fresh).served()
    assert solve(held).objective == solve(fresh).objective
    assert held == fresh  # the table is not part of the problem's identity


def test_a_table_of_other_locations_is_refused() -> None:
    """A table must describe exactly the problem's candidates, in their order."""
    locations = network()
    other = LocationTable.of(tuple(reversed(locations)))
    with pytest.raises(InvalidProblem, match="table"):
        SourcingProblem(order({"p1": 1}), locations, table=other)


def test_duplicate_refs_are_named() -> None:
    """Two candidates with one ref are refused naming it, with or without a table."""
    twice = (loc("A", 1, {"p1": 1}), loc("A", 2, {"p1": 1}))
    with pytest.raises(InvalidProblem, match="'A' twice"):
        SourcingProblem(order({"p1": 1}), twice)
    with pytest.raises(InvalidProblem, match="'A' twice"):
        LocationTable.of(twice)


def test_the_solver_has_no_module_level_cache() -> None:
    """No module of the solver keeps state about problems across calls (no id()-keyed caches)."""
    found = []
    for path in SOLVER.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute | ast.Name):
                continue
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in {"lru_cache", "cache", "OrderedDict", "Lock", "RLock"}:
                found.append(f"{path.relative_to(SOLVER)}:{node.lineno} {name}")
    # The memos allowed: subset_members' read-only table of index subsets and its
    # form as a mask (subset_mask), keyed by their integer arguments (constants, not
    # state about any problem), both in the one module that holds that table.
    assert sorted(found) == ["subset_table.py:21 cache", "subset_table.py:39 cache"]


def test_a_copied_problem_with_new_locations_cannot_keep_the_old_table() -> None:
    """replace(problem, locations=...) carrying the old table is refused, not silently stale."""
    held = replace(problem(order({"p1": 1}), network()), table=LocationTable.of(network()))
    moved = tuple(replace(location, stock={}) for location in held.locations)
    with pytest.raises(InvalidProblem, match="table"):
        replace(held, locations=moved)


def test_the_rejection_location_is_refused_as_a_candidate_with_or_without_a_table() -> None:
    """A candidate named as the profile's rejection location is refused either way."""
    locations = network()
    profile = SourcingProfile(rejection_location_ref=locations[0].ref)
    with pytest.raises(InvalidProblem, match="rejection location"):
        SourcingProblem(order({"p1": 1}), locations, profile)
    with pytest.raises(InvalidProblem, match="rejection location"):
        SourcingProblem(order({"p1": 1}), locations, profile, table=LocationTable.of(locations))
    elsewhere = SourcingProfile(rejection_location_ref="NOWHERE")
    SourcingProblem(order({"p1": 1}), locations, elsewhere, table=LocationTable.of(locations))

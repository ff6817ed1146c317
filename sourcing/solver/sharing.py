"""Which candidates share a calendar and carrier services, found with numpy.

The candidate cache shares equal calendars and services tuples between
locations, so most candidates of a configuration hold one of a few objects:
their identities, laid out once per candidate tuple, group the candidates
whose promises (``Clock``) and rate cards (``rates``) depend on the same
inputs, without a Python loop over a thousand of them per question.
Identities are only compared while the candidate tuple (which holds the
objects) is alive: the cache keeps that tuple with them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sourcing.solver.inputs import Location
from sourcing.solver.types import IntArray

if TYPE_CHECKING:
    from sourcing.solver.problem import SourcingProblem

# The last candidate tuples seen and, per candidate, the identities of its calendar and
# services tuple: orders of one configuration share a tuple per order type (home delivery
# and click and collect: one call asks both), so this is computed once per tuple.
_IDENTITIES: list[tuple[tuple[Location, ...], NDArray[np.uint64]]] = []
_KEPT = 4


def identities(locations: tuple[Location, ...]) -> NDArray[np.uint64]:
    """(L, 2): per candidate, ``id`` of its calendar and of its carrier-services tuple
    (cached for the last few tuples)."""
    for kept, ids in _IDENTITIES:
        if kept is locations:
            return ids
    ids = np.array(
        [(id(loc.calendar), id(loc.carrier_services)) for loc in locations], dtype=np.uint64
    ).reshape(len(locations), 2)
    _IDENTITIES[:] = [(locations, ids), *_IDENTITIES[: _KEPT - 1]]
    return ids


def promise_groups(
    problem: SourcingProblem, indices: list[int]
) -> list[tuple[frozenset[date], list[int]]]:
    """``indices`` grouped by calendar, services tuple (both by identity) and days without
    room (``problem.full_days``): each group's days and members, groups in the order of
    their first member and members in the order given, as a dict filled one candidate at
    a time would hold them. Members of a group differ only in pick-and-pack time and
    distance, so the clock answers them together (``Clock.parcels_promised_codes``)."""
    if not indices:
        return []
    at = np.asarray(indices, dtype=np.int64)
    keys = identities(problem.locations)[at]
    days: dict[frozenset[date], int] = {frozenset(): 0}
    if problem.day_room:  # the few limited candidates: their days join the key
        table = problem.candidate_table()
        position = {i: p for p, i in enumerate(indices)}
        code = np.zeros(len(at), dtype=np.uint64)
        for ref in problem.day_room:
            index = table.index_of(ref)
            p = -1 if index is None else position.get(index, -1)
            if p >= 0:
                code[p] = days.setdefault(problem.full_days(ref), len(days))
        keys = np.column_stack([keys, code])
    _, first, which = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    which = which.ravel()
    full_of = {code: full for full, code in days.items()}
    groups = []
    for group in np.argsort(first, kind="stable").tolist():
        members: IntArray = at[which == group]
        leader = int(first[group])
        full = full_of[int(keys[leader, 2])] if keys.shape[1] > 2 else frozenset()
        groups.append((full, members.tolist()))
    return groups


__all__ = ["identities", "promise_groups"]

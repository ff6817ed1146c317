"""Every small subset of n candidates as rows of member indices: a constant table.

The wave prices every subset of a few candidates for many orders
(``wave.subsets``), the per-order reduction every subset of its handful of
promising candidates (``subset_pricing.price_subsets``) or every pair of many
(``small_plans``). The table depends on two integers only, so it is built
once per shape and shared read-only; so is its form as a mask
(``subset_mask``, the subsets' pricing's): the solver's only memos.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from sourcing.solver.types import BoolArray, IntArray


@functools.cache
def subset_members(n: int, max_size: int, min_size: int = 0) -> IntArray:
    """Every subset of ``min_size`` to ``max_size`` of ``n`` candidates, as rows of members.

    The empty set comes first when ``min_size`` is 0; a row lists its
    members, padded with ``n`` (a dummy candidate that gives nothing and
    costs nothing).
    """
    size = max(min(max_size, n), 0)
    rows = [c for s in range(min_size, size + 1) for c in itertools.combinations(range(n), s)]
    width = max(size, 1)
    members = np.full((len(rows), width), n, dtype=np.int64)
    for i, row in enumerate(rows):
        members[i, : len(row)] = row
    members.setflags(write=False)
    return members


@functools.cache
def subset_mask(n: int, limit: int) -> tuple[BoolArray, IntArray]:
    """``subset_members(n, limit)`` as rows of a mask over ``range(n)``, smallest first, and
    each row's size: constants of two integers, built once and shared read-only."""
    members = subset_members(n, limit)
    member = np.zeros((len(members), n + 1), dtype=bool)
    member[np.arange(len(members))[:, None], members] = True
    member = member[:, :n]
    sizes = member.sum(axis=1)
    member.setflags(write=False)
    sizes.setflags(write=False)
    return member, sizes


__all__ = ["subset_mask", "subset_members"]

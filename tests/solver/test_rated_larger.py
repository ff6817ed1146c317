"""The larger-plan search's first step: the pairs that leave room for a third member."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sourcing.solver.rated_larger import _pairs_leaving_room

# Few distinct values and thirds: many ties and sums that round.
values = st.sampled_from([0.0, 0.1, 1 / 3, 0.7, 1.0, 2.0, 2.1, 5.0])


@given(
    st.lists(values, max_size=25),
    st.floats(-1.0, 20.0, allow_nan=False),
    st.sampled_from([0.0, 0.5, 1 / 3]),
)
def test_pairs_leaving_room_equal_every_pair_filtered(
    fixed: list[float], room: float, split: float
) -> None:
    """The binary search lists the same pairs, in the same order, as testing every one."""
    ranked = np.sort(np.array(fixed, dtype=float))
    first, second = np.triu_indices(max(len(ranked) - 1, 0), k=1)
    fits = ranked[first] + ranked[second] + split + ranked[second + 1] + split < room
    got_first, got_second = _pairs_leaving_room(ranked, room, split)
    assert np.array_equal(got_first, first[fits])
    assert np.array_equal(got_second, second[fits])


def test_pairs_leaving_room_hand_built() -> None:
    """Costs 1, 2, 3, 4, split 1, room 10: (0, 1) costs 1+2+1 and leaves 3+1 for a third."""
    first, second = _pairs_leaving_room(np.array([1.0, 2.0, 3.0, 4.0]), 10.0, 1.0)
    # (0,1): 1+2+1+3+1 = 8; (0,2): 1+3+1+4+1 = 10, not below; (1,2): 2+3+1+4+1 = 11.
    assert first.tolist() == [0]
    assert second.tolist() == [1]

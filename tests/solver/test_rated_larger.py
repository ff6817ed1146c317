"""The larger-plan search: the pairs that leave room for a third member, and the parcels'
floor that drops the subsets whose bands cannot carry the order cheaply enough."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sourcing.solver.rated_larger import _banded_parcels, _pairs_leaving_room, _parcels
from sourcing.solver.rated_pairs import CardTable

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


@st.composite
def cards_and_parcels(
    draw: st.DrawFn,
) -> tuple[CardTable, list[int], list[int], float]:
    """Three or four members, each with a card of its own (padded as ``card_table`` pads),
    and a parcel of one to three units; what each holds beyond its parcel."""
    size = draw(st.integers(3, 4))
    width = 4
    starts = np.full((size, width), np.inf)
    prices = np.full((size, width), np.inf)
    units: list[list[int]] = []
    for member in range(size):
        cuts = draw(st.lists(st.sampled_from([500, 1000, 2000, 4000]), max_size=3, unique=True))
        bands = [0, *sorted(cuts)]
        starts[member, : len(bands)] = bands
        prices[member, : len(bands)] = draw(
            st.lists(st.integers(0, 3000), min_size=len(bands), max_size=len(bands))
        )
        units.append(
            draw(st.lists(st.sampled_from([200, 600, 900, 1400, 2600]), min_size=1, max_size=3))
        )
    parcels = [sum(u) for u in units]
    held = [w + draw(st.sampled_from([0, 300, 5000])) for w in parcels]
    table: CardTable = (np.zeros(size), np.zeros(size), starts, prices)
    return table, parcels, held, float(min(min(u) for u in units))


@given(cards_and_parcels())
def test_banded_parcels_never_exceed_a_real_split(
    drawn: tuple[CardTable, list[int], list[int], float],
) -> None:
    """The floor stays at or under what the members' cards charge for any parcels of at
    least the lightest unit, within what each holds, that carry the served grams."""
    table, parcels, held, lightest = drawn
    starts, prices = table[2], table[3]
    charged = sum(
        prices[m, int(np.searchsorted(starts[m], w, side="right")) - 1]
        for m, w in enumerate(parcels)
    )
    index = np.arange(len(parcels))[None, :]
    floor = _banded_parcels(
        table, index, np.array([float(sum(parcels))]), np.array(held, dtype=float), lightest
    )
    assert floor[0] <= charged


def test_banded_parcels_see_the_bands_the_weight_needs() -> None:
    """5 kg over three members, units of 900 g, bands from 0 / 1 kg / 2 kg at 100 / 400 /
    900: the parcels' band ends must reach 5 kg, so two parcels in the second band (ends
    2 + 2 + 1 kg): 400 + 400 + 100. The mean-weight floor of ``_parcels`` sees only the
    least prices and the heaviest parcel's rise (at least 1.67 kg): 3 x 100 + 300."""
    starts = np.tile(np.array([0.0, 1000.0, 2000.0]), (3, 1))
    prices = np.tile(np.array([100.0, 400.0, 900.0]), (3, 1))
    table: CardTable = (np.zeros(3), np.zeros(3), starts, prices)
    index = np.arange(3)[None, :]
    served = np.array([5000.0])
    banded = _banded_parcels(table, index, served, np.full(3, 5000.0), 900.0)
    assert banded.tolist() == [900.0]
    assert _parcels(table, index, served).tolist() == [600.0]
    # Holding 1 kg at most each, no choice of bands carries 5 kg: nothing can serve it so.
    assert _banded_parcels(table, index, served, np.full(3, 1000.0), 900.0).tolist() == [np.inf]

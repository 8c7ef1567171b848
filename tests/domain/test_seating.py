"""Seat rules: which seats are usable, which conflict, and the largest legal seating."""

from __future__ import annotations

import functools
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from pointplan.domain import Fleet, Policy
from pointplan.domain.seating import Seat, largest_legal_seating, seats_conflict, usable_seats


def test_default_fleet_rated_seats_match_layouts(fleet: Fleet) -> None:
    """Each shipped layout draws exactly its rated seats (53, 49, 45, 33, 19, 118)."""
    assert [vt.rated_seats for vt in fleet.vehicle_types] == [53, 49, 45, 33, 19, 118]
    for vt in fleet.vehicle_types:
        assert vt.seat_count == vt.rated_seats, vt.name


# --- property tests on random layouts and policies ------------------------------------------

rows_strategy = st.lists(
    st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=2).map(
        lambda blocks: "|".join(
            "ABCDEFGH"[sum(blocks[:i]) : sum(blocks[: i + 1])] for i in range(len(blocks))
        )
    ),
    min_size=1,
    max_size=4,
)
policy_strategy = st.builds(
    Policy,
    max_load_factor=st.sampled_from([0.3, 0.5, 0.75, 1.0]),
    reserved_rear_rows=st.integers(0, 2),
    alternate_seating=st.booleans(),
    checkerboard=st.booleans(),
    escort_seats=st.integers(0, 1),
)


def _brute_force_max(layout: list[str], policy: Policy) -> int:
    """Exhaustive search: each seat is either left empty or taken (removing its neighbours)."""
    seats = usable_seats(layout, policy)

    @functools.cache
    def best(remaining: tuple[Seat, ...]) -> int:
        if not remaining:
            return 0
        first, rest = remaining[0], remaining[1:]
        kept = tuple(s for s in rest if not seats_conflict(first, s, policy))
        if len(kept) == len(rest):  # no conflict: taking it is always right
            return 1 + best(rest)
        return max(best(rest), 1 + best(kept))

    return best(tuple(seats))


@settings(max_examples=150, deadline=None)
@given(layout=rows_strategy, policy=policy_strategy)
def test_largest_legal_seating_is_maximum(layout: list[str], policy: Policy) -> None:
    """König's theorem gives the true maximum: it equals brute force on small layouts."""
    legal = largest_legal_seating(tuple(layout), policy)
    assert not any(seats_conflict(a, b, policy) for a, b in itertools.combinations(legal, 2))
    assert len(legal) == _brute_force_max(layout, policy)

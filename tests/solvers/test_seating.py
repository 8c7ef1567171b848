"""Seating searches: effective capacities of the shipped fleet and legality of seat
assignments, on the shipped fleet and on random layouts and policies."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pointplan.domain import Fleet, Policy, VehicleType
from pointplan.domain.seating import largest_legal_seating, seats_conflict
from pointplan.solvers.seating import (
    SeatingError,
    SeatPlan,
    assign_seats,
    can_seat,
    effective_capacity,
)
from tests.domain.test_seating import policy_strategy, rows_strategy

EXPECTED_DEFAULT = {
    "coach-53": 22,
    "coach-49": 20,
    "coach-45": 18,
    "bus-33": 12,
    "minibus-19": 8,
    "rail-yz25": 59,
}


def test_default_fleet_capacities_match_domain_table(fleet: Fleet, policy: Policy) -> None:
    """The shipped fleet gives the effective capacities of domain.md under the default policy."""
    got = {vt.name: effective_capacity(vt, policy) for vt in fleet.vehicle_types}
    assert got == EXPECTED_DEFAULT


def test_minibus_checkerboard_gives_six(fleet: Fleet) -> None:
    """The minibus under checkerboard seating carries 6."""
    assert effective_capacity(fleet.by_name("minibus-19"), Policy(checkerboard=True)) == 6


def test_rail_car_is_bound_by_load_cap(fleet: Fleet) -> None:
    """On the rail car the 50% cap (59 of 118) binds before the gap rule does."""
    rail = fleet.by_name("rail-yz25")
    assert len(largest_legal_seating(rail.layout, Policy())) > 59
    assert effective_capacity(rail, Policy()) == 59


def test_no_cap_and_no_gap_fills_every_usable_seat(fleet: Fleet) -> None:
    """With no seat rules at all, every seat of the coach is usable."""
    policy = Policy(max_load_factor=1.0, reserved_rear_rows=0, alternate_seating=False)
    assert effective_capacity(fleet.by_name("coach-45"), policy) == 45


def test_escort_seat_comes_out_of_the_seat_map(fleet: Fleet) -> None:
    """An escort takes a legal seat: the coach-45 carries one passenger fewer."""
    assert effective_capacity(fleet.by_name("coach-45"), Policy(escort_seats=1)) == 17


def test_party_together_lets_a_big_party_fill_neighbouring_seats(fleet: Fleet) -> None:
    """A party may sit side by side: a minibus takes a party of 9 it could not seat apart."""
    minibus = fleet.by_name("minibus-19")
    policy = Policy(party_may_sit_together=True, max_load_factor=1.0)
    assert not can_seat(minibus, Policy(max_load_factor=1.0), [9])
    assert can_seat(minibus, policy, [9])
    plan = assign_seats(minibus, policy, [("A", 9)])
    assert len(plan.passengers) == 9


def test_too_many_passengers_raise(fleet: Fleet, policy: Policy) -> None:
    """Seating more people than the capacity is refused with a clear error."""
    with pytest.raises(SeatingError, match=r"exceed the load cap|cannot be seated"):
        assign_seats(fleet.by_name("minibus-19"), policy, [("A", 4), ("B", 5)])


def _seats(layout: list[str]) -> int:
    return sum(len(r.replace("|", "")) for r in layout)


def _seat_or_refuse(vt: VehicleType, policy: Policy, parties: list[int]) -> SeatPlan | None:
    """The seat plan when `can_seat` says the parties fit; else check the refusal, give None."""
    named = [(f"P{i}", size) for i, size in enumerate(parties)]
    if not can_seat(vt, policy, parties):
        with pytest.raises(SeatingError):
            assign_seats(vt, policy, named)
        return None
    return assign_seats(vt, policy, named)


@settings(max_examples=150, deadline=None)
@given(
    layout=rows_strategy,
    policy=policy_strategy,
    parties=st.lists(st.integers(1, 4), min_size=1, max_size=6),
)
def test_assignment_is_legal_or_refused(
    layout: list[str], policy: Policy, parties: list[int]
) -> None:
    """Seats go to whole parties, in usable seats, never neighbours; else SeatingError."""
    vt = VehicleType(name="t", layout=tuple(layout), rated_seats=_seats(layout))
    plan = _seat_or_refuse(vt, policy, parties)
    if plan is None:
        return
    taken = [seat for seat, _ in plan.passengers] + list(plan.escorts)
    assert len(set(taken)) == len(taken) == sum(parties) + policy.escort_seats
    assert sum(parties) <= effective_capacity(vt, policy)
    assert all(seat.row <= len(layout) - policy.reserved_rear_rows for seat in taken)
    assert not any(seats_conflict(a, b, policy) for a, b in itertools.combinations(taken, 2))


@settings(max_examples=60, deadline=None)
@given(layout=rows_strategy, policy=policy_strategy, data=st.data())
def test_parties_sitting_together_touch_only_their_own(
    layout: list[str], policy: Policy, data: st.DataObject
) -> None:
    """Where parties may sit together, neighbouring seats belong to one party, never two.
    The parties are drawn within the vehicle's capacity, so that most examples are seated
    (a refusal is still checked by _seat_or_refuse)."""
    policy = policy.model_copy(update={"party_may_sit_together": True})
    vt = VehicleType(name="t", layout=tuple(layout), rated_seats=_seats(layout))
    capacity = effective_capacity(vt, policy)
    assume(capacity >= 1)
    parties: list[int] = []
    for _ in range(data.draw(st.integers(1, min(5, capacity)), label="parties")):
        room = capacity - sum(parties)
        if room < 1:
            break
        parties.append(data.draw(st.integers(1, min(4, room)), label="party size"))
    plan = _seat_or_refuse(vt, policy, parties)
    assume(plan is not None)  # a refusal was checked by _seat_or_refuse
    assert plan is not None
    owner = {seat: rid for seat, rid in plan.passengers}
    owner.update({seat: f"escort{i}" for i, seat in enumerate(plan.escorts)})
    assert len(owner) == sum(parties) + policy.escort_seats
    for a, b in itertools.combinations(owner, 2):
        if seats_conflict(a, b, policy):
            assert owner[a] == owner[b] and not owner[a].startswith("escort")

"""Seating parties, and the capacity of a vehicle type under a policy: the searches of the seat
rules (`pointplan.domain.seating` holds the rules and the stranger seating they allow).

A vehicle seats any mix of parties up to its stranger capacity (every passenger apart from
every other). Where parties may sit together a larger load may still fit: whether it does is a
CP-SAT model that seats each party (escorts as parties of one) so that no two groups touch;
the effective capacity is then what one party, with the escorts apart from it, can fill. The
models run through the OR-Tools adapter with a fixed work limit and seed, so the answer is the
same on every machine; no answer within it counts as "does not fit", which is always safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.policy import Policy
from pointplan.domain.seating import (
    Seat,
    conflict_graph,
    largest_legal_seating,
    load_cap,
    stranger_capacity,
    usable_seats,
)
from pointplan.problem import Problem, VehicleCapacity
from pointplan.solvers.ortools_adapter import CpModel, WorkLimit, solve_cp

SEATING_LIMIT = WorkLimit(deterministic_time=1.0, wall_seconds=30.0)
"""The work one seating search may take (deterministic, so the answer is the same everywhere)."""
SEATING_SEED = 0


@dataclass(frozen=True)
class SeatPlan:
    """A legal seating of one trip: escorts' seats and one seat per passenger."""

    escorts: tuple[Seat, ...]
    passengers: tuple[tuple[Seat, str], ...]  # (seat, registration_id), one entry per person


class SeatingError(ValueError):
    """The parties cannot be seated legally in this vehicle under this policy."""


def effective_capacity(vehicle_type: VehicleType, policy: Policy) -> int:
    """The largest number of passengers a legal seating can carry in this vehicle type.

    Escorts take legal seats of their own; the load-factor cap counts passengers only. When
    parties may sit together, one large party could fill neighbouring seats, so the capacity is
    the most that one party (with the escorts apart from it) can take; whether a given mix of
    parties fits is then `can_seat`'s question.
    """
    policy = policy.for_vehicle(vehicle_type)
    if not policy.party_may_sit_together:
        return stranger_capacity(vehicle_type, policy)
    return min(load_cap(vehicle_type, policy), _one_party_capacity(vehicle_type.layout, policy))


def vehicle_capacity(vehicle_type: VehicleType, policy: Policy) -> VehicleCapacity:
    """The effective and the stranger capacity of a vehicle type under `policy`."""
    return VehicleCapacity(
        vehicle_type.name,
        effective=effective_capacity(vehicle_type, policy),
        stranger=stranger_capacity(vehicle_type, policy),
    )


def capacity_table(fleet: Fleet, policy: Policy) -> tuple[VehicleCapacity, ...]:
    """The capacity of every vehicle type of the fleet under `policy`, in fleet order."""
    return tuple(vehicle_capacity(vt, policy) for vt in fleet.vehicle_types)


def with_capacities(problem: Problem) -> Problem:
    """`problem` with its capacity table (the same problem when it has one already)."""
    if problem.capacities is not None:
        return problem
    return replace(problem, capacities=capacity_table(problem.fleet, problem.policy))


def fits(problem: Problem, vehicle_type: VehicleType, party_sizes: Iterable[int]) -> bool:
    """Whether parties of these sizes can all be seated on one vehicle of this type under the
    problem's policy (its capacity table answers all but the close cases)."""
    return can_seat(vehicle_type, problem.policy, party_sizes, problem.capacity(vehicle_type))


def can_seat(
    vehicle_type: VehicleType,
    policy: Policy,
    party_sizes: Iterable[int],
    capacity: VehicleCapacity | None = None,
) -> bool:
    """Whether parties of these sizes can all be seated legally on one vehicle of this type;
    `capacity` is the type's under `policy`, when known."""
    policy = policy.for_vehicle(vehicle_type)
    capacity = capacity or vehicle_capacity(vehicle_type, policy)
    sizes = list(party_sizes)
    total = sum(sizes)
    if total <= capacity.stranger:
        return True
    if total > capacity.effective:
        return False
    return _seat_parties_together(vehicle_type.layout, policy, tuple(sizes)) is not None


def assign_seats(
    vehicle_type: VehicleType,
    policy: Policy,
    parties: Sequence[tuple[str, int]],
    capacity: VehicleCapacity | None = None,
) -> SeatPlan:
    """Seat every party (registration id, size) legally; escorts take the front legal seats.

    Members of a party sit in consecutive legal seats (front to back), or side by side where
    the policy lets parties sit together and the trip needs it. Raises `SeatingError` when the
    parties do not fit. `capacity` is the type's under `policy`, when known.
    """
    policy = policy.for_vehicle(vehicle_type)
    stranger = (capacity or vehicle_capacity(vehicle_type, policy)).stranger
    sizes = [size for _, size in parties]
    total = sum(sizes)
    if total > load_cap(vehicle_type, policy):
        raise SeatingError(
            f"{total} passengers exceed the load cap of {load_cap(vehicle_type, policy)} "
            f"on {vehicle_type.name}"
        )
    if total <= stranger:
        legal = largest_legal_seating(vehicle_type.layout, policy)
        escorts = legal[: policy.escort_seats]
        free = iter(legal[policy.escort_seats :])
        passengers = tuple(
            (next(free), registration_id) for registration_id, size in parties for _ in range(size)
        )
        return SeatPlan(escorts=tuple(escorts), passengers=passengers)
    if policy.party_may_sit_together:
        solved = _seat_parties_together(vehicle_type.layout, policy, tuple(sizes))
        if solved is not None:
            escorts, party_seats = solved
            passengers = tuple(
                (seat, registration_id)
                for (registration_id, _), seats in zip(parties, party_seats, strict=True)
                for seat in seats
            )
            return SeatPlan(escorts=escorts, passengers=passengers)
    raise SeatingError(
        f"{total} passengers in {len(parties)} parties cannot be seated legally on "
        f"{vehicle_type.name}"
    )


@lru_cache(maxsize=256)
def _one_party_capacity(layout: tuple[str, ...], policy: Policy) -> int:
    seats = usable_seats(layout, policy)
    if policy.escort_seats == 0:
        return len(seats)
    graph = conflict_graph(seats, policy)
    model = CpModel()
    party = {seat: model.new_bool_var("") for seat in seats}
    escort = {seat: model.new_bool_var("") for seat in seats}
    model.add(sum(escort.values()) == policy.escort_seats)
    for seat in seats:
        model.add(party[seat] + escort[seat] <= 1)
    for a, b in graph.edges:
        model.add(escort[a] + escort[b] <= 1)
        model.add(escort[a] + party[b] <= 1)
        model.add(party[a] + escort[b] <= 1)
    model.maximize(sum(party.values()))
    answer = solve_cp(model, SEATING_LIMIT, seed=SEATING_SEED)
    if not answer.found:
        return 0
    return int(answer.objective)


def _seat_parties_together(
    layout: tuple[str, ...], policy: Policy, sizes: tuple[int, ...]
) -> tuple[tuple[Seat, ...], list[tuple[Seat, ...]]] | None:
    """Seats for each party, in the order given (None when no legal seating was found)."""
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    solved = _seat_sorted_groups(layout, policy, tuple(sizes[i] for i in order))
    if solved is None:
        return None
    escorts, by_rank = solved
    seats: list[tuple[Seat, ...]] = [()] * len(sizes)
    for rank, index in enumerate(order):
        seats[index] = by_rank[rank]
    return escorts, seats


@lru_cache(maxsize=4096)
def _seat_sorted_groups(
    layout: tuple[str, ...], policy: Policy, sizes: tuple[int, ...]
) -> tuple[tuple[Seat, ...], list[tuple[Seat, ...]]] | None:
    """CP-SAT: seat each party (escorts as parties of one) so that no two groups touch.

    Parties of equal size are interchangeable, so each is kept to seats no earlier (by the
    sum of seat numbers) than the one before it: this removes symmetric copies of every
    seating and lets the solver prove quickly when none exists.
    """
    seats = usable_seats(layout, policy)
    graph = conflict_graph(seats, policy)
    groups = [1] * policy.escort_seats + list(sizes)
    model = CpModel()
    x = {(g, seat): model.new_bool_var("") for g in range(len(groups)) for seat in seats}
    occupied = {seat: sum(x[g, seat] for g in range(len(groups))) for seat in seats}
    for seat in seats:
        model.add(occupied[seat] <= 1)
    for g, size in enumerate(groups):
        model.add(sum(x[g, seat] for seat in seats) == size)
    for a, b in graph.edges:
        for g in range(len(groups)):
            model.add(x[g, a] + occupied[b] - x[g, b] <= 1)
            model.add(x[g, b] + occupied[a] - x[g, a] <= 1)
    number = {seat: i for i, seat in enumerate(seats)}
    for g in range(1, len(groups)):
        if groups[g] == groups[g - 1]:
            model.add(
                sum(number[seat] * x[g - 1, seat] for seat in seats)
                <= sum(number[seat] * x[g, seat] for seat in seats)
            )
    answer = solve_cp(model, SEATING_LIMIT, seed=SEATING_SEED)
    if not answer.found:
        return None
    taken = [tuple(seat for seat in seats if answer.value(x[g, seat])) for g in range(len(groups))]
    escorts = tuple(seat for group in taken[: policy.escort_seats] for seat in group)
    return escorts, taken[policy.escort_seats :]

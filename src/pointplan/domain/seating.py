"""Seat rules: which seats may be taken, the effective capacity, and seat assignment.

The seat map is a grid: a seat's column is its character position in the layout row, so a
back bench's middle seat sits in the aisle's column. Two seats conflict when the policy forbids
two strangers in them: neighbours in one seat block (`alternate_seating`), or directly one
behind the other (`checkerboard`). Rows, blocks and columns make this graph bipartite (colour a
seat by the parity of row + column), so the largest legal seating is a maximum independent set
found exactly by König's theorem in polynomial time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import networkx as nx
from networkx.algorithms import bipartite
from ortools.sat.python import cp_model

from pointplan.domain.fleet import VehicleType
from pointplan.domain.policy import Policy


@dataclass(frozen=True, order=True)
class Seat:
    """One seat: `row` counts from 1 at the front, `col` is the position in the layout row."""

    row: int
    col: int
    letter: str
    block: int


@dataclass(frozen=True)
class SeatPlan:
    """A legal seating of one trip: escorts' seats and one seat per passenger."""

    escorts: tuple[Seat, ...]
    passengers: tuple[tuple[Seat, str], ...]  # (seat, registration_id), one entry per person


class SeatingError(ValueError):
    """The parties cannot be seated legally in this vehicle under this policy."""


def layout_seats(layout: Sequence[str]) -> list[Seat]:
    """Every seat drawn in a layout, front row first, left to right."""
    seats = []
    for row_number, row in enumerate(layout, start=1):
        block = 0
        for col, char in enumerate(row):
            if char == "|":
                block += 1
            else:
                seats.append(Seat(row_number, col, char, block))
    return seats


def usable_seats(layout: Sequence[str], policy: Policy) -> list[Seat]:
    """Seats outside the observation rows held empty at the rear."""
    last_usable_row = len(layout) - policy.reserved_rear_rows
    return [seat for seat in layout_seats(layout) if seat.row <= last_usable_row]


def seats_conflict(a: Seat, b: Seat, policy: Policy) -> bool:
    """True when two strangers may not sit in `a` and `b` at once under `policy`."""
    same_block = a.row == b.row and a.block == b.block
    if policy.alternate_seating and same_block and abs(a.col - b.col) == 1:
        return True
    return policy.checkerboard and a.col == b.col and abs(a.row - b.row) == 1


def _conflict_graph(seats: Sequence[Seat], policy: Policy) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(seats)
    by_position = {(seat.row, seat.col): seat for seat in seats}
    for seat in seats:
        for neighbour_position in ((seat.row, seat.col + 1), (seat.row + 1, seat.col)):
            neighbour = by_position.get(neighbour_position)
            if neighbour is not None and seats_conflict(seat, neighbour, policy):
                graph.add_edge(seat, neighbour)
    return graph


@lru_cache(maxsize=256)
def largest_legal_seating(layout: tuple[str, ...], policy: Policy) -> tuple[Seat, ...]:
    """A largest set of usable seats no two of which conflict, front seats first."""
    seats = usable_seats(layout, policy)
    graph = _conflict_graph(seats, policy)
    even = [seat for seat in seats if (seat.row + seat.col) % 2 == 0]
    matching = bipartite.hopcroft_karp_matching(graph, top_nodes=even)
    cover = bipartite.to_vertex_cover(graph, matching, top_nodes=even)
    return tuple(sorted(seat for seat in seats if seat not in cover))


def load_cap(vehicle_type: VehicleType, policy: Policy) -> int:
    """Passengers the load-factor cap allows: floor(max_load_factor x rated seats), exactly."""
    return math.floor(Decimal(str(policy.max_load_factor)) * vehicle_type.rated_seats)


def stranger_capacity(vehicle_type: VehicleType, policy: Policy) -> int:
    """Passengers seatable when no two of them may sit together (any mix of parties fits)."""
    legal = largest_legal_seating(vehicle_type.layout, policy)
    return max(0, min(len(legal) - policy.escort_seats, load_cap(vehicle_type, policy)))


def effective_capacity(vehicle_type: VehicleType, policy: Policy) -> int:
    """The largest number of passengers a legal seating can carry in this vehicle type.

    Escorts take legal seats of their own; the load-factor cap counts passengers only. When
    parties may sit together, one large party could fill neighbouring seats, so the capacity is
    the most that one party (with the escorts apart from it) can take; whether a given mix of
    parties fits is then `can_seat`'s question.
    """
    if not policy.party_may_sit_together:
        return stranger_capacity(vehicle_type, policy)
    return min(load_cap(vehicle_type, policy), _one_party_capacity(vehicle_type.layout, policy))


def can_seat(vehicle_type: VehicleType, policy: Policy, party_sizes: Iterable[int]) -> bool:
    """Whether parties of these sizes can all be seated legally on one vehicle of this type."""
    sizes = list(party_sizes)
    total = sum(sizes)
    if total <= stranger_capacity(vehicle_type, policy):
        return True
    if total > effective_capacity(vehicle_type, policy):
        return False
    return _seat_parties_together(vehicle_type.layout, policy, tuple(sizes)) is not None


def assign_seats(
    vehicle_type: VehicleType, policy: Policy, parties: Sequence[tuple[str, int]]
) -> SeatPlan:
    """Seat every party (registration id, size) legally; escorts take the front legal seats.

    Members of a party sit in consecutive legal seats (front to back), or side by side where
    the policy lets parties sit together and the trip needs it. Raises `SeatingError` when the
    parties do not fit.
    """
    sizes = [size for _, size in parties]
    total = sum(sizes)
    if total > load_cap(vehicle_type, policy):
        raise SeatingError(
            f"{total} passengers exceed the load cap of {load_cap(vehicle_type, policy)} "
            f"on {vehicle_type.name}"
        )
    if total <= stranger_capacity(vehicle_type, policy):
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
    graph = _conflict_graph(seats, policy)
    model = cp_model.CpModel()
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
    status, solver = _solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return int(solver.objective_value)


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
    graph = _conflict_graph(seats, policy)
    groups = [1] * policy.escort_seats + list(sizes)
    model = cp_model.CpModel()
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
    status, solver = _solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    taken = [tuple(seat for seat in seats if solver.value(x[g, seat])) for g in range(len(groups))]
    escorts = tuple(seat for group in taken[: policy.escort_seats] for seat in group)
    return escorts, taken[policy.escort_seats :]


def _solve(model: cp_model.CpModel) -> tuple[object, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker: the same answer every run
    solver.parameters.random_seed = 0
    # A deterministic work limit (not wall time) so that the answer is the same on any machine;
    # no answer within it counts as 'does not fit', which is always safe.
    solver.parameters.max_deterministic_time = 1.0
    solver.parameters.max_time_in_seconds = 30.0
    status = solver.solve(model)
    return status, solver

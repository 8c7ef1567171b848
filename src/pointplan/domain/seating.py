"""Seat rules: which seats may be taken and how many strangers a vehicle seats.

The seat map is a grid: a seat's column is its character position in the layout row, so a
back bench's middle seat sits in the aisle's column. Two seats conflict when the policy forbids
two strangers in them: neighbours in one seat block (`alternate_seating`), or directly one
behind the other (`checkerboard`). Rows, blocks and columns make this graph bipartite (colour a
seat by the parity of row + column), so the largest legal seating is a maximum independent set
found exactly by König's theorem in polynomial time.

Seating parties that may sit together, and the effective capacity under that rule, are
searches: they live with the solvers (`pointplan.solvers.seating`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import networkx as nx
from networkx.algorithms import bipartite

from pointplan.domain.fleet import VehicleType
from pointplan.domain.policy import Policy


@dataclass(frozen=True, order=True)
class Seat:
    """One seat: `row` counts from 1 at the front, `col` is the position in the layout row."""

    row: int
    col: int
    letter: str
    block: int


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
    """Seats outside the observation rows held empty at the rear and outside the
    `isolation_seats` held after them (the rearmost seats left, last drawn first)."""
    last_usable_row = len(layout) - policy.reserved_rear_rows
    kept = [seat for seat in layout_seats(layout) if seat.row <= last_usable_row]
    return kept[: max(0, len(kept) - policy.isolation_seats)]


def held_seats(layout: Sequence[str], policy: Policy) -> list[Seat]:
    """The seats held empty for observation or isolation (see `usable_seats`)."""
    usable = set(usable_seats(layout, policy))
    return [seat for seat in layout_seats(layout) if seat not in usable]


def seats_conflict(a: Seat, b: Seat, policy: Policy) -> bool:
    """True when two strangers may not sit in `a` and `b` at once under `policy`."""
    same_block = a.row == b.row and a.block == b.block
    if policy.alternate_seating and same_block and abs(a.col - b.col) == 1:
        return True
    return policy.checkerboard and a.col == b.col and abs(a.row - b.row) == 1


def conflict_graph(seats: Sequence[Seat], policy: Policy) -> nx.Graph:
    """The seats as nodes, an edge between two that conflict under `policy`."""
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
    graph = conflict_graph(seats, policy)
    even = [seat for seat in seats if (seat.row + seat.col) % 2 == 0]
    matching = bipartite.hopcroft_karp_matching(graph, top_nodes=even)
    cover = bipartite.to_vertex_cover(graph, matching, top_nodes=even)
    return tuple(sorted(seat for seat in seats if seat not in cover))


def load_cap(vehicle_type: VehicleType, policy: Policy) -> int:
    """Passengers the load-factor cap allows: floor(max_load_factor x rated seats), exactly."""
    return math.floor(Decimal(str(policy.max_load_factor)) * vehicle_type.rated_seats)


def stranger_capacity(vehicle_type: VehicleType, policy: Policy) -> int:
    """Passengers seatable when no two of them may sit together (any mix of parties fits),
    under the rules a vehicle of this type runs under (`Policy.for_vehicle`)."""
    policy = policy.for_vehicle(vehicle_type)
    legal = largest_legal_seating(vehicle_type.layout, policy)
    return max(0, min(len(legal) - policy.escort_seats, load_cap(vehicle_type, policy)))


@lru_cache(maxsize=256)
def _seats_and_neighbours(
    layout: tuple[str, ...], policy: Policy
) -> tuple[tuple[Seat, ...], dict[Seat, tuple[Seat, ...]]]:
    """The usable seats, front first, and the seats each conflicts with."""
    seats = usable_seats(layout, policy)
    graph = conflict_graph(seats, policy)
    return tuple(seats), {seat: tuple(graph.neighbors(seat)) for seat in seats}


def free_seats_apart(
    layout: tuple[str, ...], policy: Policy, taken: Sequence[tuple[int, str]], people: int
) -> tuple[Seat, ...] | None:
    """Seats for `people` more passengers beside those already seated at `taken` (row,
    letter; escorts included) without moving anyone: usable seats, front first, in conflict
    with no taken seat nor with each other (so legal whichever party each joins). None when
    there are not that many."""
    seats, neighbours = _seats_and_neighbours(layout, policy)
    by_label = {(seat.row, seat.letter): seat for seat in seats}
    blocked = {by_label[label] for label in taken if label in by_label}
    chosen: list[Seat] = []
    for seat in seats:
        if len(chosen) == people:
            break
        if seat in blocked or any(n in blocked for n in neighbours[seat]):
            continue
        chosen.append(seat)
        blocked.add(seat)
    return tuple(chosen) if len(chosen) == people else None


def seating_is_legal(
    layout: tuple[str, ...],
    policy: Policy,
    escorts: Sequence[tuple[int, str]],
    seats: Sequence[tuple[tuple[int, str], str]],
) -> bool:
    """Whether escorts at `escorts` and passengers at `seats` ((row, letter), registration
    id) sit legally in `layout` under `policy`: every seat drawn and in a usable row, none
    taken twice, and no two in conflict unless of one party where parties may sit together
    (escorts never sit beside anyone)."""
    usable = {(s.row, s.letter): s for s in usable_seats(layout, policy)}
    owners = [(label, "#escort") for label in escorts] + list(seats)
    if any(label not in usable for label, _ in owners):
        return False
    if len({label for label, _ in owners}) != len(owners):
        return False
    for i, (a, owner_a) in enumerate(owners):
        for b, owner_b in owners[i + 1 :]:
            together = owner_a == owner_b != "#escort" and policy.party_may_sit_together
            if not together and seats_conflict(usable[a], usable[b], policy):
                return False
    return True

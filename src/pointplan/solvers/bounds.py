"""Lower bounds on the vehicles a plan needs."""

from __future__ import annotations

import math
from collections.abc import Collection

from pointplan.domain.seating import effective_capacity
from pointplan.problem import Problem
from pointplan.solvers.decompose import Part, decompose


def largest_capacity(problem: Problem) -> int:
    """The largest effective capacity among vehicle types that are available at all."""
    capacities = [
        effective_capacity(vt, problem.policy)
        for vt in problem.fleet.vehicle_types
        if vt.count is None or vt.count > 0
    ]
    return max(capacities, default=0)


def part_lower_bound(part_passengers: int, capacity: int) -> int:
    """Vehicles one part needs: its people over the largest capacity, rounded up."""
    if part_passengers <= 0 or capacity <= 0:
        return 0
    return math.ceil(part_passengers / capacity)


def parts_lower_bound(
    problem: Problem, served: Collection[str], parts: list[Part] | None = None
) -> int:
    """Vehicles any plan needs to carry the registrations `served`.

    No trip spans two parts (see `decompose`), so the bound is the sum over parts of
    ceil(people served in the part / largest capacity): never weaker than the whole-problem
    ceiling, and much stronger when demand is scattered.
    """
    capacity = largest_capacity(problem)
    return sum(
        part_lower_bound(
            sum(r.party_size for r in part.registrations if r.registration_id in served),
            capacity,
        )
        for part in (parts if parts is not None else decompose(problem))
    )

"""Lower bounds on the vehicles a plan needs."""

from __future__ import annotations

import math

from pointplan.domain.seating import effective_capacity
from pointplan.problem import Problem


def largest_capacity(problem: Problem) -> int:
    """The largest effective capacity among vehicle types that are available at all."""
    capacities = [
        effective_capacity(vt, problem.policy)
        for vt in problem.fleet.vehicle_types
        if vt.count is None or vt.count > 0
    ]
    return max(capacities, default=0)


def capacity_lower_bound(problem: Problem, passengers: int) -> int:
    """Vehicles any plan needs to carry `passengers` people: ceil(people / largest capacity).

    Valid for every plan that serves at least this many people, whatever it groups.
    """
    if passengers <= 0:
        return 0
    capacity = largest_capacity(problem)
    return math.ceil(passengers / capacity) if capacity else 0

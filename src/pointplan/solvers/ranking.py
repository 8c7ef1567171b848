"""How part plans are compared and finished: the objective's order, and each vehicle as the
cheapest type that seats its load."""

from __future__ import annotations

from collections.abc import Sequence

from pointplan.domain.fleet import VehicleType
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision, stop_places
from pointplan.solvers.fleet_use import cheapest_first
from pointplan.solvers.seating import fits
from pointplan.solvers.trips import best_route_km

Rank = tuple[int, int, float]


def plan_rank(problem: Problem, decisions: Sequence[Decision]) -> Rank:
    """A plan's place in the objective's order (problem.md): vehicles, then stops, then km;
    the smaller the better."""
    return (len(decisions), stops_of(decisions), km_of(problem, decisions))


def stops_of(decisions: Sequence[Decision]) -> int:
    """Stops of these vehicles (distinct pickups plus drop-offs of each)."""
    return sum(d.stops for d in decisions)


def km_of(problem: Problem, decisions: Sequence[Decision]) -> float:
    """Road km of these vehicles, each on its shortest route."""
    return sum(best_route_km(problem, *stop_places(d.riders)) for d in decisions)


def largest_type(problem: Problem, types: Sequence[VehicleType]) -> VehicleType:
    """The type that carries the most (ties: the last name)."""
    return max(types, key=lambda vt: (problem.capacity(vt).effective, vt.name))


def downsized(problem: Problem, decisions: Sequence[Decision]) -> tuple[Decision, ...]:
    """Each vehicle as the cheapest type that seats its load."""
    cheapest = cheapest_first(problem.available_types)
    return tuple(
        d.on(next(vt for vt in cheapest if fits(problem, vt, [r.party_size for r in d.riders])))
        for d in decisions
    )

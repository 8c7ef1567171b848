"""Parts planned as vehicle routes: one date, one drop-off point, many pickups.

When the stop limit is loose (the peer class: no stop limit, no radius), a part's pickups
have too many subsets for the pattern model of `exact`. Such a part is a capacitated routing
problem: every vehicle starts at its first pickup and ends at the drop-off point. The
people waiting at one pickup form one node (split into vehicle-sized loads only when they
are more than a vehicle carries), so a pickup is visited once wherever possible; the routing
component then finds the fewest vehicles and, for that number, the shortest routes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from pointplan.domain.fleet import VehicleType
from pointplan.domain.registration import Registration
from pointplan.geo.distances import road_metres
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision, PlaceKey, place_key
from pointplan.solvers.routing import capacitated_routes
from pointplan.solvers.trips import first_fit


def routable(problem: Problem, registrations: Sequence[Registration]) -> bool:
    """Whether the part is one routing problem: a single date and drop-off point for all,
    and pickups pairwise within the pickup radius (so any of them may share a vehicle)."""
    first = registrations[0]
    day, dropoff = first.earliest_date, place_key(first.dropoff)
    if any(
        r.earliest_date != day or r.latest_date != day or place_key(r.dropoff) != dropoff
        for r in registrations
    ):
        return False
    pickups = list({place_key(r.pickup): r.pickup for r in registrations}.values())
    radius = problem.policy.pickup_radius_km
    return all(
        problem.distances.within_km(a, b, radius) for a, b in itertools.combinations(pickups, 2)
    )


def route_part(
    problem: Problem,
    registrations: Sequence[Registration],
    vehicle_type: VehicleType,
    capacity: int,
) -> list[Decision]:
    """Vehicles for a routable part (see `routable`), fewest first, each route shortest."""
    day = registrations[0].earliest_date
    dropoff = registrations[0].dropoff
    waiting: dict[PlaceKey, list[Registration]] = defaultdict(list)
    for registration in registrations:
        waiting[place_key(registration.pickup)].append(registration)
    loads = [load for key in sorted(waiting) for load in _loads(waiting[key], capacity)]
    places = [dropoff] + [load[0].pickup for load in loads]
    metres = road_metres(problem.distances, places)
    demand = [0] + [sum(r.party_size for r in load) for load in loads]
    routes = capacitated_routes(
        metres, demand, capacity, end=0, max_stops=problem.policy.max_pickups
    )
    assert routes is not None  # every load fits a vehicle by construction
    return [
        Decision(vehicle_type, day, tuple(r for node in route for r in loads[node - 1]))
        for route in routes
    ]


def _loads(waiting: list[Registration], capacity: int) -> list[list[Registration]]:
    """The parties at one pickup as vehicle-sized loads: one load when they fit a vehicle,
    else full loads first (first fit, largest parties first) and what is left."""
    if sum(r.party_size for r in waiting) <= capacity:
        return [waiting]
    return first_fit(waiting, capacity)

"""Turning a decision (vehicle type, date, registrations) into a complete `Trip`.

Shared by every solver: stop order, seats, times, distance and cost are derived here, so a
solver only decides who travels together, when and in what.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from functools import lru_cache

from pointplan.domain.driving import plan_timeline
from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place, Point
from pointplan.domain.plan import EscortSeat, SeatAssignment, Stop, Trip
from pointplan.domain.registration import Registration
from pointplan.domain.seating import assign_seats, can_seat, effective_capacity
from pointplan.geo.distances import DistanceModel, road_metres
from pointplan.problem import Problem
from pointplan.solvers.routing import shortest_path

PlaceKey = tuple[float, float, str, str | None]
Decision = tuple[VehicleType, dt.date, list[Registration]]
"""What a solver decides for one trip: vehicle type, date, who rides."""


def place_key(place: Place) -> PlaceKey:
    """Identity of a stop: coordinates, label and point id."""
    point_id = place.point_id if isinstance(place, Point) else None
    return (place.lat, place.lon, place.label, point_id)


def _route_km(problem: Problem, route: Sequence[Place]) -> float:
    return sum(problem.distances.road_km(a, b) for a, b in itertools.pairwise(route))


EXHAUSTIVE_ORDERS = 720  # up to this many stop orders are all tried; beyond, a routing search


def _ordered(
    problem: Problem, pickups: list[Place], dropoffs: list[Place]
) -> tuple[list[Place], list[Place]]:
    """The stop order with the fewest road km: every order when there are few, else the
    routing component's shortest path (pickups first).

    Ties go to the order that is first by place key, so the answer never depends on the
    order the stops came in.
    """
    ordered_pickups, ordered_dropoffs = _ordered_sorted(
        problem.distances,
        tuple(sorted(pickups, key=place_key)),
        tuple(sorted(dropoffs, key=place_key)),
    )
    return list(ordered_pickups), list(ordered_dropoffs)


@lru_cache(maxsize=100_000)  # solvers compare plans by km, then trips are built from them
def _ordered_sorted(
    distances: DistanceModel, pickups: tuple[Place, ...], dropoffs: tuple[Place, ...]
) -> tuple[tuple[Place, ...], tuple[Place, ...]]:
    places = pickups + dropoffs
    n = len(pickups)
    if math.factorial(n) * math.factorial(len(dropoffs)) > EXHAUSTIVE_ORDERS:
        order = shortest_path(road_metres(distances, places), n)
        return tuple(places[i] for i in order[:n]), tuple(places[i] for i in order[n:])
    km = [[distances.road_km(a, b) for b in places] for a in places]
    best = min(
        (
            sum(km[i][j] for i, j in itertools.pairwise(p + d)),
            p + d,
        )
        for p in itertools.permutations(range(n))
        for d in itertools.permutations(range(n, len(places)))
    )[1]
    return tuple(places[i] for i in best[:n]), tuple(places[i] for i in best[n:])


def best_route_km(problem: Problem, pickups: list[Place], dropoffs: list[Place]) -> float:
    """Road km of the shortest order through these pickups, then these drop-offs."""
    ordered_pickups, ordered_dropoffs = _ordered(problem, pickups, dropoffs)
    return _route_km(problem, ordered_pickups + ordered_dropoffs)


def ordered_route(
    problem: Problem, registrations: Sequence[Registration]
) -> tuple[list[Place], list[Place], list[float]]:
    """The pickups and drop-offs of these registrations in route order, and the legs' km."""
    pickups = list({place_key(r.pickup): r.pickup for r in registrations}.values())
    dropoffs = list({place_key(r.dropoff): r.dropoff for r in registrations}.values())
    pickups, dropoffs = _ordered(problem, pickups, dropoffs)
    route = pickups + dropoffs
    return (
        pickups,
        dropoffs,
        [problem.distances.road_km(a, b) for a, b in itertools.pairwise(route)],
    )


def build_trip(
    trip_id: str,
    problem: Problem,
    vehicle_type: VehicleType,
    date: dt.date,
    registrations: Sequence[Registration],
) -> Trip:
    """A complete trip for these registrations on this vehicle and date.

    Raises `SeatingError` when they do not fit the vehicle.
    """
    policy = problem.policy
    pickups, dropoffs, legs = ordered_route(problem, registrations)
    route = pickups + dropoffs
    start = dt.datetime.combine(date, policy.departure_time)
    timeline = plan_timeline(start, legs, vehicle_type.speed_kmh, policy)

    boarding: list[Registration] = []
    stops = []
    for index, place in enumerate(route):
        kind = "pickup" if index < len(pickups) else "dropoff"
        attr = "pickup" if kind == "pickup" else "dropoff"
        here = [r for r in registrations if place_key(getattr(r, attr)) == place_key(place)]
        if kind == "pickup":
            boarding.extend(here)
        stops.append(
            Stop(
                kind=kind,
                place=place.label,
                lat=place.lat,
                lon=place.lon,
                registrations=tuple(r.registration_id for r in here),
                point_id=place.point_id if isinstance(place, Point) else None,
                arrival=timeline.stop_arrivals[index],
                departure=timeline.stop_departures[index],
            )
        )

    seat_plan = assign_seats(
        vehicle_type, policy, [(r.registration_id, r.party_size) for r in boarding]
    )
    layout = vehicle_type.layout
    distance = sum(legs)
    return Trip(
        trip_id=trip_id,
        direction=registrations[0].direction,
        date=date,
        departure=policy.departure_time.strftime("%H:%M"),
        vehicle_type=vehicle_type.name,
        layout=layout,
        capacity=effective_capacity(vehicle_type, policy),
        stops=tuple(stops),
        seats=tuple(
            SeatAssignment(row=seat.row, seat=seat.letter, registration_id=rid)
            for seat, rid in seat_plan.passengers
        ),
        passengers=sum(r.party_size for r in registrations),
        distance_km=round(distance, 3),
        arrival=timeline.stop_arrivals[-1],
        drivers=timeline.drivers,
        cost=round(vehicle_type.cost_per_trip + vehicle_type.cost_per_km * distance, 2),
        escort_seats=tuple(EscortSeat(row=s.row, seat=s.letter) for s in seat_plan.escorts),
        schedule=timeline.events,
    )


def cannot_travel_reason(
    problem: Problem,
    registration: Registration,
    types: Sequence[VehicleType],
    capacity: dict[str, int],
) -> str | None:
    """Why a registration cannot travel on any vehicle at all, or None when it can."""
    if not any(can_seat(vt, problem.policy, [registration.party_size]) for vt in types):
        largest = max(capacity.values(), default=0)
        return (
            f"party of {registration.party_size} is larger than any vehicle's effective "
            f"capacity (largest {largest} under the policy); split the party or relax "
            "the seat rules"
        )
    km = problem.distances.road_km(registration.pickup, registration.dropoff)
    if km == float("inf"):
        return "drop-off cannot be reached by road from the pickup point"
    return None


def first_fit(
    riders: Sequence[Registration], capacity: int, vehicles: int = 0
) -> list[list[Registration]]:
    """Parties into vehicles of `capacity` people, first fit, largest parties first, using
    `vehicles` vehicles and more where they do not fit; empty vehicles are left out."""
    bins: list[list[Registration]] = [[] for _ in range(vehicles)]
    room = [capacity] * vehicles
    for rider in sorted(riders, key=lambda r: (-r.party_size, r.registration_id)):
        for i in range(len(bins)):
            if room[i] >= rider.party_size:
                bins[i].append(rider)
                room[i] -= rider.party_size
                break
        else:
            bins.append([rider])
            room.append(capacity - rider.party_size)
    return [b for b in bins if b]


def numbered_trips(problem: Problem, decisions: list[Decision]) -> list[Trip]:
    """Trips for (vehicle, date, load) decisions, numbered T0001... in date order."""
    decisions.sort(
        key=lambda d: (
            d[1],
            d[2][0].direction.value,
            d[2][0].pickup.label,
            d[2][0].dropoff.label,
            d[2][0].registration_id,
        )
    )
    width = max(4, len(str(len(decisions))))
    # Built here, not on the worker pool: sending whole trips back costs more than it saves.
    return [
        build_trip(f"T{number:0{width}d}", problem, vehicle, day, load)
        for number, (vehicle, day, load) in enumerate(decisions, start=1)
    ]

"""Turning a decision (vehicle type, date, registrations) into a complete `Trip`.

Shared by every solver: stop order, seats, times, distance and cost are derived here, so a
solver only decides who travels together, when and in what.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pointplan.domain.driving import plan_timeline
from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place, Point
from pointplan.domain.registration import Registration
from pointplan.domain.seating import layout_seats
from pointplan.domain.trip import EscortSeat, SeatAssignment, Stop, Trip
from pointplan.geo.distances import DistanceModel, road_metres
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision, place_key, stop_places
from pointplan.solvers.routing import shortest_path
from pointplan.solvers.seating import SeatPlan, assign_seats


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
    pickups, dropoffs = _ordered(problem, *stop_places(registrations))
    route = pickups + dropoffs
    return (
        pickups,
        dropoffs,
        [problem.distances.road_km(a, b) for a, b in itertools.pairwise(route)],
    )


def build_trip(
    trip_id: str,
    problem: Problem,
    decision: Decision,
    seating: SeatPlan | None = None,
    departure: dt.time | None = None,
) -> Trip:
    """The complete trip of a decision: its riders on its vehicle type and date, seated by
    `seating` when given (a re-plan keeping people's seats), else by `assign_seats`, leaving
    its first pickup at `departure` (default: the policy's `departure_time`; a re-plan
    keeping people's boarding times).

    Raises `SeatingError` when they do not fit the vehicle.
    """
    vehicle_type, date, registrations = decision.vehicle_type, decision.date, decision.riders
    policy = problem.policy.for_vehicle(vehicle_type)
    departure = departure or policy.departure_time
    capacity = problem.capacity(vehicle_type)
    pickups, dropoffs, legs = ordered_route(problem, registrations)
    route = pickups + dropoffs
    start = dt.datetime.combine(date, departure)
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

    seat_plan = seating or assign_seats(
        vehicle_type, policy, [(r.registration_id, r.party_size) for r in boarding], capacity
    )
    layout = vehicle_type.layout
    distance = sum(legs)
    return Trip(
        trip_id=trip_id,
        direction=registrations[0].direction,
        date=date,
        departure=departure.strftime("%H:%M"),
        vehicle_type=vehicle_type.name,
        layout=layout,
        capacity=capacity.effective,
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
        mode="rail" if vehicle_type.is_rail else "coach",
    )


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


def numbered_trips(problem: Problem, decisions: Sequence[Decision]) -> list[Trip]:
    """Trips for the decisions, numbered T0001... in date order."""
    ordered = sorted(
        decisions,
        key=lambda d: (
            d.date,
            d.riders[0].direction.value,
            d.riders[0].pickup.label,
            d.riders[0].dropoff.label,
            d.riders[0].registration_id,
        ),
    )
    width = max(4, len(str(len(ordered))))
    # Built here, not on the worker pool: sending whole trips back costs more than it saves.
    return [
        build_trip(f"T{number:0{width}d}", problem, decision)
        for number, decision in enumerate(ordered, start=1)
    ]


def on_vehicle(trip: Trip, vehicle_type: VehicleType, capacity: int) -> Trip:
    """The trip on another vehicle type (a swap after publishing): its layout, capacity and
    cost are the new type's; stops, times, seats and km stay as they were issued."""
    return trip.model_copy(
        update={
            "vehicle_type": vehicle_type.name,
            "layout": vehicle_type.layout,
            "capacity": capacity,
            "cost": round(
                vehicle_type.cost_per_trip + vehicle_type.cost_per_km * trip.distance_km, 2
            ),
        }
    )


def rebuilt(
    trip: Trip, problem: Problem, riders: Sequence[Registration], departure: dt.time
) -> Trip:
    """`trip` built again for `riders` (its own, as registrations) in the seats it gave
    them, leaving at `departure`: the same vehicle, date, stops and seats at other times."""
    vehicle_type = problem.fleet.by_name(trip.vehicle_type)
    seating = seat_plan(
        vehicle_type.layout,
        [(e.row, e.seat) for e in trip.escort_seats],
        [((s.row, s.seat), s.registration_id) for s in trip.seats],
    )
    decision = Decision(vehicle_type, trip.date, tuple(riders))
    return build_trip(trip.trip_id, problem, decision, seating, departure)


def seat_plan(
    layout: tuple[str, ...],
    escorts: Iterable[tuple[int, str]],
    passengers: Iterable[tuple[tuple[int, str], str]],
) -> SeatPlan:
    """Seats given as (row, letter) labels, escorts' and passengers' (with their
    registration ids), as the seats of `layout` they are: a seating to build a trip with."""
    by_label = {(s.row, s.letter): s for s in layout_seats(layout)}
    return SeatPlan(
        escorts=tuple(by_label[label] for label in escorts),
        passengers=tuple((by_label[label], rid) for label, rid in passengers),
    )

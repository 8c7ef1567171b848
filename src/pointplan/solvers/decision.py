"""What a solver decides for one trip, and how stops are told apart.

A solver only decides who travels together, when and in what (`Decision`); `trips` derives
the rest (stop order, seats, times, distance, cost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place, Point
from pointplan.domain.registration import Registration
from pointplan.problem import Problem

PlaceKey = tuple[float, float, str, str | None]


def place_key(place: Place) -> PlaceKey:
    """Identity of a stop: coordinates, label and point id."""
    point_id = place.point_id if isinstance(place, Point) else None
    return (place.lat, place.lon, place.label, point_id)


def stop_places(riders: Iterable[Registration]) -> tuple[list[Place], list[Place]]:
    """The distinct pickups and drop-offs of these riders, each in order of first use."""
    riders = list(riders)
    pickups = {place_key(r.pickup): r.pickup for r in riders}
    dropoffs = {place_key(r.dropoff): r.dropoff for r in riders}
    return list(pickups.values()), list(dropoffs.values())


def stops_added(
    problem: Problem,
    pickups: Mapping[PlaceKey, Place],
    dropoffs: Mapping[PlaceKey, Place],
    registration: Registration,
) -> int | None:
    """Stops a registration would add (0, 1 or 2) to a vehicle that makes these pickups and
    drop-offs, or None when it may not join: the stop limits and radii of the policy."""
    policy = problem.policy
    added = 0
    for place, stops, limit, radius in (
        (registration.pickup, pickups, policy.max_pickups, policy.pickup_radius_km),
        (registration.dropoff, dropoffs, policy.max_dropoffs, policy.dropoff_radius_km),
    ):
        if place_key(place) in stops:
            continue
        if len(stops) >= limit or any(
            not problem.distances.within_km(place, s, radius) for s in stops.values()
        ):
            return None
        added += 1
    return added


@dataclass(frozen=True, eq=False)
class Decision:
    """One trip as a solver decides it: a vehicle type, a date and who rides, in the order
    they were loaded (which is their boarding order at a shared stop)."""

    vehicle_type: VehicleType
    date: dt.date
    riders: tuple[Registration, ...]

    @property
    def stops(self) -> int:
        """Distinct pickups plus distinct drop-offs."""
        pickups = {place_key(r.pickup) for r in self.riders}
        dropoffs = {place_key(r.dropoff) for r in self.riders}
        return len(pickups) + len(dropoffs)

    def on(self, vehicle_type: VehicleType) -> Decision:
        """The same riders on the same date in another vehicle type."""
        return Decision(vehicle_type, self.date, self.riders)

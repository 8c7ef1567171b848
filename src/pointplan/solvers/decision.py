"""What a solver decides for one trip, and how stops are told apart.

A solver only decides who travels together, when and in what (`Decision`); `trips` derives
the rest (stop order, seats, times, distance, cost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place, Point
from pointplan.domain.registration import Registration

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

"""A plan as pandas tables: one row per trip, per stop, per passenger registration.

`Plan.to_dataframe` gives them; the workbook export writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pointplan.domain.manifest import trip_manifest
from pointplan.domain.trip import Trip, itineraries

TRIP_COLUMNS = (
    "trip_id",
    "date",
    "direction",
    "departure",
    "arrival",
    "vehicle_type",
    "capacity",
    "passengers",
    "load",
    "pickups",
    "dropoffs",
    "distance_km",
    "drivers",
    "cost",
    "leg",
)
STOP_COLUMNS = (
    "trip_id",
    "date",
    "order",
    "kind",
    "place",
    "point_id",
    "lat",
    "lon",
    "arrival",
    "departure",
    "registrations",
)
PASSENGER_COLUMNS = (
    "registration_id",
    "trip_id",
    "date",
    "vehicle_type",
    "people",
    "seats",
    "pickup",
    "point_id",
    "boarding",
    "dropoff",
    "leg",
    "itinerary",
)


def trips_table(trips: Sequence[Trip]) -> pd.DataFrame:
    """One row per trip: when, what vehicle, how full, how far."""
    rows = [
        {
            "trip_id": t.trip_id,
            "date": t.date,
            "direction": t.direction.value,
            "departure": t.departure,
            "arrival": t.arrival,
            "vehicle_type": t.vehicle_type,
            "capacity": t.capacity,
            "passengers": t.passengers,
            "load": t.passengers / t.capacity if t.capacity else 0.0,
            "pickups": sum(1 for s in t.stops if s.kind == "pickup"),
            "dropoffs": sum(1 for s in t.stops if s.kind == "dropoff"),
            "distance_km": t.distance_km,
            "drivers": t.drivers,
            "cost": t.cost,
            "leg": t.leg,
        }
        for t in trips
    ]
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


def stops_table(trips: Sequence[Trip]) -> pd.DataFrame:
    """One row per stop of every trip, in route order."""
    rows = [
        {
            "trip_id": t.trip_id,
            "date": t.date,
            "order": order,
            "kind": s.kind,
            "place": s.place,
            "point_id": s.point_id,
            "lat": s.lat,
            "lon": s.lon,
            "arrival": s.arrival,
            "departure": s.departure,
            "registrations": len(s.registrations),
        }
        for t in trips
        for order, s in enumerate(t.stops, start=1)
    ]
    return pd.DataFrame(rows, columns=list(STOP_COLUMNS))


def passengers_table(trips: Sequence[Trip]) -> pd.DataFrame:
    """One row per registration on a trip, in boarding order: its people and seats (row and
    letter, one per person), where and when it boards, where it leaves, which leg the trip
    is, and the registration's whole itinerary (its trips in order, "T0003 > T0010"; one for
    a direct journey). Personal data is not in the plan, so not here."""
    journeys = {rid: [t.trip_id for t in legs] for rid, legs in itineraries(trips).items()}
    rows = [
        {
            "registration_id": line.registration_id,
            "trip_id": t.trip_id,
            "date": t.date,
            "vehicle_type": t.vehicle_type,
            "people": line.people,
            "seats": " ".join(line.seats),
            "pickup": line.pickup.place,
            "point_id": line.pickup.point_id,
            "boarding": line.pickup.departure,
            "dropoff": line.dropoff,
            "leg": t.leg,
            "itinerary": " > ".join(journeys[line.registration_id]),
        }
        for t in trips
        for line in trip_manifest(t)
    ]
    return pd.DataFrame(rows, columns=list(PASSENGER_COLUMNS))

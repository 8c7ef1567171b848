"""A plan as pandas tables: one row per trip, per stop, per passenger registration."""

from __future__ import annotations

import pandas as pd

from pointplan.domain.plan import Plan, Trip

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
)


def seat_labels(trip: Trip) -> dict[str, list[str]]:
    """Each registration's seats on the trip, as row number and letter ("3A")."""
    seats: dict[str, list[str]] = {}
    for seat in trip.seats:
        seats.setdefault(seat.registration_id, []).append(f"{seat.row}{seat.seat}")
    return seats


def dropoff_places(trip: Trip) -> dict[str, str]:
    """Where each registration on the trip leaves it."""
    return {rid: s.place for s in trip.stops if s.kind == "dropoff" for rid in s.registrations}


def trips_table(plan: Plan) -> pd.DataFrame:
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
        }
        for t in plan.trips
    ]
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


def stops_table(plan: Plan) -> pd.DataFrame:
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
        for t in plan.trips
        for order, s in enumerate(t.stops, start=1)
    ]
    return pd.DataFrame(rows, columns=list(STOP_COLUMNS))


def passengers_table(plan: Plan) -> pd.DataFrame:
    """One row per registration on a trip, in boarding order: its people and seats (row and
    letter, one per person), where and when it boards, where it leaves. Personal data is not
    in the plan, so not here."""
    rows = []
    for t in plan.trips:
        seats = seat_labels(t)
        leaving = dropoff_places(t)
        for stop in t.stops:
            if stop.kind != "pickup":
                continue
            for rid in stop.registrations:
                rows.append(
                    {
                        "registration_id": rid,
                        "trip_id": t.trip_id,
                        "date": t.date,
                        "vehicle_type": t.vehicle_type,
                        "people": len(seats.get(rid, [])),
                        "seats": " ".join(seats.get(rid, [])),
                        "pickup": stop.place,
                        "point_id": stop.point_id,
                        "boarding": stop.departure,
                        "dropoff": leaving[rid],
                    }
                )
    return pd.DataFrame(rows, columns=list(PASSENGER_COLUMNS))

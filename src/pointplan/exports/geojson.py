"""plan.geojson: trips as lines through their stops, stops as points (RFC 7946, lon/lat)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pointplan.domain.events import CHINA_TIME
from pointplan.domain.plan import Plan


def plan_geojson(plan: Plan) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one LineString per trip (date, vehicle, passengers,
    km) and one Point per stop (kind, place, people boarding or leaving)."""
    features: list[dict[str, Any]] = []
    for trip in plan.trips:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[s.lon, s.lat] for s in trip.stops],
                },
                "properties": {
                    "feature": "trip",
                    "trip_id": trip.trip_id,
                    "date": trip.date.isoformat(),
                    "direction": trip.direction.value,
                    "departure": trip.departure,
                    "vehicle_type": trip.vehicle_type,
                    "passengers": trip.passengers,
                    "capacity": trip.capacity,
                    "distance_km": trip.distance_km,
                    "leg": trip.leg,
                    "mode": trip.mode,
                },
            }
        )
        for order, stop in enumerate(trip.stops, start=1):
            when = stop.departure or stop.arrival
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                    "properties": {
                        "feature": "stop",
                        "trip_id": trip.trip_id,
                        "date": trip.date.isoformat(),
                        "order": order,
                        "kind": stop.kind,
                        "place": stop.place,
                        "point_id": stop.point_id,
                        "registrations": len(stop.registrations),
                        "time": (
                            when.replace(tzinfo=CHINA_TIME).isoformat(timespec="minutes")
                            if when
                            else None
                        ),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(plan: Plan, path: Path) -> None:
    """Write plan.geojson (UTF-8, place names kept readable)."""
    path.write_text(json.dumps(plan_geojson(plan), ensure_ascii=False), encoding="utf-8")

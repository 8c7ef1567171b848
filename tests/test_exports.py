"""Exports derived from a plan: pandas tables and plan.geojson, checked against the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pointplan.cli import main
from pointplan.domain import Plan
from pointplan.exports import passengers_table, plan_geojson, stops_table, trips_table
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    """The shipped sample week planned by the README's main command."""
    out = tmp_path_factory.mktemp("out")
    code = main(
        [
            "plan",
            str(SAMPLE / "registrations.csv"),
            "--points",
            str(SAMPLE / "points.csv"),
            "--fleet",
            str(SAMPLE / "fleet.yaml"),
            "--policy",
            str(SAMPLE / "policy.yaml"),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    return Plan.read(out / "plan.json"), out


def test_tables_match_the_plan(sample_plan: tuple[Plan, Path]) -> None:
    plan, _ = sample_plan
    trips, stops, riders = trips_table(plan), stops_table(plan), passengers_table(plan)
    assert len(trips) == plan.summary.vehicles
    assert trips["passengers"].sum() == plan.summary.served_passengers
    assert len(stops) == plan.summary.stops
    assert trips["distance_km"].sum() == pytest.approx(plan.summary.distance_km, abs=0.01)
    assert (trips["load"] <= 1).all()
    # every served registration once, with one seat per person
    on_trips = [rid for t in plan.trips for rid in t.registration_ids()]
    assert sorted(riders["registration_id"]) == sorted(on_trips)
    assert riders["registration_id"].is_unique
    assert riders["seats"].str.split().str.len().sum() == plan.summary.served_passengers
    assert plan.to_dataframe("stops").equals(stops)
    with pytest.raises(ValueError, match="unknown table"):
        plan.to_dataframe("seats")  # type: ignore[arg-type]


def test_geojson_is_written_and_matches_the_plan(sample_plan: tuple[Plan, Path]) -> None:
    plan, out = sample_plan
    written = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(plan_geojson(plan)))
    assert written["type"] == "FeatureCollection"
    lines = [f for f in written["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in written["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == plan.summary.vehicles and len(points) == plan.summary.stops
    first = plan.trips[0]
    line = next(f for f in lines if f["properties"]["trip_id"] == first.trip_id)
    assert line["geometry"]["coordinates"] == [[s.lon, s.lat] for s in first.stops]
    assert line["properties"]["passengers"] == first.passengers
    for feature in written["features"]:  # RFC 7946: longitude first, inside its range
        coords = feature["geometry"]["coordinates"]
        for lon, lat in coords if feature["geometry"]["type"] == "LineString" else [coords]:
            assert -180 <= lon <= 180 and -90 <= lat <= 90 and lon > lat  # China: lon > lat

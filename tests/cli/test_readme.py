"""The README's main command on the shipped sample week, run once for this module (it takes
the better part of a minute): exit 0, a valid plan, and every export it promises.

The tests share one run, so they live in one module: pytest-xdist's `--dist loadscope` keeps
a module on one worker.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pointplan.builder import build_problem
from pointplan.cli import main
from pointplan.domain import Plan
from pointplan.domain.tables import (
    PASSENGER_COLUMNS,
    STOP_COLUMNS,
    TRIP_COLUMNS,
    passengers_table,
    stops_table,
    trips_table,
)
from pointplan.exports import plan_geojson
from pointplan.io import load_fleet, load_policy, read_points
from tests.conftest import SAMPLE, assert_valid_plan, readme_plan_args

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """The README's main command run once on the shipped sample data (it takes the better part
    of a minute): its exit code and its output folder, which tests only read."""
    out = tmp_path_factory.mktemp("readme") / "out"
    return main(readme_plan_args(out)), out


def test_shipped_sample_runs_end_to_end(readme_run: tuple[int, Path]) -> None:
    """The README's main command on the shipped sample data writes a valid plan (exit 0)."""
    code, out = readme_run
    assert code == 0
    plan = Plan.read(out / "plan.json")
    problem = build_problem(
        SAMPLE / "registrations.csv",
        points=read_points(SAMPLE / "points.csv"),
        fleet=load_fleet(SAMPLE / "fleet.yaml"),
        policy=load_policy(SAMPLE / "policy.yaml"),
    )
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)


@pytest.fixture(scope="module")
def sample_plan(readme_run: tuple[int, Path]) -> tuple[Plan, Path]:
    """The shipped sample week planned by the README's main command."""
    code, out = readme_run
    assert code == 0
    return Plan.read(out / "plan.json"), out


def test_tables_match_the_plan(sample_plan: tuple[Plan, Path]) -> None:
    """The trip, stop and passenger tables hold the plan's figures, one row per trip, stop
    and registration on a trip (a registration changing vehicles at a hub has a row per
    leg, each with its whole itinerary), and `Plan.to_dataframe` gives each of them. The
    sample policy has transfers on, and the plan gathers people at hubs."""
    plan, _ = sample_plan
    trips, stops, riders = (
        trips_table(plan.trips),
        stops_table(plan.trips),
        passengers_table(plan.trips),
    )
    assert plan.summary.legs > 0
    assert len(trips) == plan.summary.vehicles
    on_legs = sum(t.passengers for t in plan.trips)
    assert trips["passengers"].sum() == riders["people"].sum() == on_legs
    assert len(stops) == plan.summary.stops
    assert trips["distance_km"].sum() == pytest.approx(plan.summary.distance_km, abs=0.01)
    assert (trips["load"] <= 1).all()
    # every registration once on each trip it rides, with one seat per person
    on_trips = [(t.trip_id, rid) for t in plan.trips for rid in t.registration_ids()]
    assert sorted(zip(riders["trip_id"], riders["registration_id"], strict=True)) == sorted(
        on_trips
    )
    assert not riders.duplicated(["registration_id", "trip_id"]).any()
    assert sum(len(seats.split()) for seats in riders["seats"]) == on_legs
    # the summary counts a person once, however many legs
    journeys = plan.itineraries()
    assert riders["registration_id"].nunique() == len(journeys)
    assert len(journeys) == plan.summary.served_registrations
    first_legs = (legs[0].people_by_registration()[rid] for rid, legs in journeys.items())
    assert sum(first_legs) == plan.summary.served_passengers
    shown = dict(zip(riders["registration_id"], riders["itinerary"], strict=True))
    for rid, legs in list(journeys.items())[:200]:
        assert shown[rid] == " > ".join(t.trip_id for t in legs)
    # each stop row is the stop of the plan at that place in its trip's route
    trip = plan.trips[0]
    first_rows = stops[stops["trip_id"] == trip.trip_id]
    assert list(first_rows["order"]) == list(range(1, len(trip.stops) + 1))
    assert list(first_rows["place"]) == [s.place for s in trip.stops]
    assert list(first_rows["registrations"]) == [len(s.registrations) for s in trip.stops]
    # each registration boards where and when its pickup stop says
    boarding = {
        (t.trip_id, rid): s
        for t in plan.trips
        for s in t.stops
        if s.kind == "pickup"
        for rid in s.registrations
    }
    columns = ["trip_id", "registration_id", "pickup", "boarding"]
    for trip_id, rid, pickup, when in riders[columns].head(200).values:
        stop = boarding[trip_id, rid]
        assert (pickup, when) == (stop.place, stop.departure)
    assert list(plan.to_dataframe().columns) == list(TRIP_COLUMNS)
    assert len(plan.to_dataframe("trips")) == plan.summary.vehicles
    assert list(plan.to_dataframe("stops").columns) == list(STOP_COLUMNS)
    assert len(plan.to_dataframe("stops")) == plan.summary.stops
    assert list(plan.to_dataframe("passengers").columns) == list(PASSENGER_COLUMNS)
    assert len(plan.to_dataframe("passengers")) == len(riders)
    with pytest.raises(ValueError, match="unknown table"):
        plan.to_dataframe("seats")  # type: ignore[arg-type]


def test_every_export_is_written(sample_plan: tuple[Plan, Path]) -> None:
    """The README's command writes every file its README table lists, one page per trip,
    one PDF per travel date and the weekly tables of each week the trips fall in."""
    plan, out = sample_plan
    for name in ("plan.json", "plan.geojson", "plan.xlsx", "map.html", "vehicles/index.html"):
        assert (out / name).stat().st_size > 0, name
    pages = sorted(path.stem for path in (out / "vehicles").glob("T*.html"))
    assert pages == sorted(trip.trip_id for trip in plan.trips)
    dates = sorted({trip.date.isoformat() for trip in plan.trips})
    assert sorted(path.stem for path in (out / "vehicles").glob("*.pdf")) == dates
    weekly = sorted(path.name for path in (out / "weekly").glob("*.xlsx"))
    assert weekly == [
        f"weekly_{table}_{monday}.xlsx"
        for table in ("return_home", "return_to_work")
        for monday in ("2022-11-21", "2022-11-28")
    ]


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

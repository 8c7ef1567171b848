"""Exports derived from a plan: pandas tables and plan.geojson, checked against the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pointplan.cli import main
from pointplan.domain import Plan
from pointplan.domain.tables import passengers_table, stops_table, trips_table
from pointplan.exports import plan_geojson


@pytest.fixture(scope="module")
def sample_plan(readme_run: tuple[int, Path]) -> tuple[Plan, Path]:
    """The shipped sample week planned by the README's main command."""
    code, out = readme_run
    assert code == 0
    return Plan.read(out / "plan.json"), out


def test_tables_match_the_plan(sample_plan: tuple[Plan, Path]) -> None:
    """The trip, stop and passenger tables hold the plan's figures, one row per trip, stop
    and served registration, and `Plan.to_dataframe` gives each of them."""
    plan, _ = sample_plan
    trips, stops, riders = (
        trips_table(plan.trips),
        stops_table(plan.trips),
        passengers_table(plan.trips),
    )
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
    # each stop row is the stop of the plan at that place in its trip's route
    trip = plan.trips[0]
    first_rows = stops[stops["trip_id"] == trip.trip_id]
    assert list(first_rows["order"]) == list(range(1, len(trip.stops) + 1))
    assert list(first_rows["place"]) == [s.place for s in trip.stops]
    assert list(first_rows["registrations"]) == [len(s.registrations) for s in trip.stops]
    # each registration boards where and when its pickup stop says
    boarding = {
        rid: s for t in plan.trips for s in t.stops if s.kind == "pickup" for rid in s.registrations
    }
    for row in riders.head(200).itertuples():
        assert row.pickup == boarding[row.registration_id].place
        assert row.boarding == boarding[row.registration_id].departure
    for name, table in (("trips", trips), ("stops", stops), ("passengers", riders)):
        assert plan.to_dataframe(name).equals(table), name  # type: ignore[arg-type]
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


@pytest.mark.parametrize("show", [False, True])
def test_workbook_lists_every_passenger_once_with_masked_personal_data(
    tmp_path: Path, show: bool
) -> None:
    """A synthetic week of 60 registrations: plan.xlsx opens, every served registration is
    on exactly one trip sheet, personal data is masked unless asked for."""
    import openpyxl

    from pointplan.synthetic import make_week

    week = make_week(60, seed=5)
    week.registrations.to_csv(tmp_path / "regs.csv", index=False)
    week.points.to_csv(tmp_path / "points.csv", index=False)
    out = tmp_path / "out"
    args = ["plan", str(tmp_path / "regs.csv"), "--points", str(tmp_path / "points.csv")]
    args += ["--out", str(out), "--no-progress"] + (["--show-personal-data"] if show else [])
    assert main(args) == 0
    plan = Plan.read(out / "plan.json")
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    trip_ids = [t.trip_id for t in plan.trips]
    assert book.sheetnames == ["summary", "trips", "boarding", *trip_ids, "not served"]
    listed: list[str] = []
    people = {r["registration_id"]: r for r in week.registrations.to_dict("records")}
    for trip in plan.trips:
        rows = list(book[trip.trip_id].iter_rows(values_only=True))
        header = rows.index(
            (
                "registration_id",
                "name",
                "id_number",
                "phone",
                "people",
                "seats",
                "pickup",
                "boarding",
                "dropoff",
            )
        )
        for row in rows[header + 1 :]:
            rid, name, id_number, phone, count, seats = row[:6]
            listed.append(rid)
            assert count == len(str(seats).split())
            person = people[rid]
            if show:
                assert (name, id_number, str(phone)) == (
                    person["name"],
                    person["id_number"],
                    str(person["phone"]),
                )
            else:
                assert id_number == person["id_number"][:6] + "*" * 8 + person["id_number"][-4:]
                assert "*" in name and "*" in phone and name[0] == person["name"][0]
    assert sorted(listed) == sorted(rid for t in plan.trips for rid in t.registration_ids())
    assert len(listed) == len(set(listed))
    boarding = list(book["boarding"].iter_rows(values_only=True))
    assert len(boarding) - 1 == len(listed)

"""`pointplan campaign`: read in chunks, planned area by area, streamed out; the same campaign
on one process and on a local Dask cluster, and nothing lost on the way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pointplan.campaign import AREA_LIMIT, Campaign, plan_campaign, refuse_shared_fleet
from pointplan.cli import main
from pointplan.cluster import open_cluster
from pointplan.domain import Plan, Policy
from pointplan.domain.fleet import Depot, Fleet
from pointplan.io import read_points
from pointplan.io.config import default_fleet
from pointplan.io.errors import InputError
from pointplan.national import chunks, geography, national_points
from pointplan.synthetic import make_week

CHUNK = 400
"""Rows per chunk in these tests: the week's 1,500 rows come in four chunks."""


@pytest.fixture(scope="module")
def week_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 1,500-registration week as CSV, with two bad rows and an id repeated three chunks
    after its first row."""
    folder = tmp_path_factory.mktemp("campaign")
    week = make_week(1500, seed=1)
    rows = week.registrations.astype(object)
    rows.at[10, "party_size"] = "many"  # row 12
    rows.at[1300, "registration_id"] = str(rows.at[5, "registration_id"])  # row 1302: row 7's
    rows.to_csv(folder / "registrations.csv", index=False)
    week.points.to_csv(folder / "points.csv", index=False)
    return folder / "registrations.csv", folder / "points.csv"


def campaign(files: tuple[Path, Path], out: Path, workers: Any) -> Campaign:
    """The week's campaign into `out`, a small budget, read `CHUNK` rows at a time."""
    registrations, points = files
    return plan_campaign(
        registrations,
        out,
        points=read_points(points),
        fleet=default_fleet(),
        policy=Policy(),
        time_limit=3,
        workers=workers,
        chunk_rows=CHUNK,
    )


@pytest.fixture(scope="module")
def in_process(week_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    """The campaign planned in this process."""
    return campaign(week_files, tmp_path_factory.mktemp("one"), 1)


def without_timing(path: Path) -> dict[str, Any]:
    """A campaign's plan.json without its timing field."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["summary"].pop("solve_seconds")
    return data


def test_same_campaign_on_a_local_cluster(
    in_process: Campaign, week_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A local Dask cluster of two workers writes the plan.json, the Parquet tables and the
    areas of one process."""
    with open_cluster("local", workers=2) as executor:
        clustered = campaign(week_files, tmp_path, executor)
    assert without_timing(clustered.folder / "plan.json") == without_timing(
        in_process.folder / "plan.json"
    )
    for table in ("trips.parquet", "passengers.parquet"):
        assert pq.read_table(clustered.folder / table).equals(
            pq.read_table(in_process.folder / table)
        )
    assert [r.area for r in clustered.areas] == [r.area for r in in_process.areas]


def test_every_row_ends_in_one_place(in_process: Campaign, week_files: tuple[Path, Path]) -> None:
    """Each input row is on a trip, unassigned or rejected (with its row), exactly once; the
    bad row and the id repeated in a later chunk are the rejected ones."""
    plan = Plan.read(in_process.folder / "plan.json")
    ids = pd.read_csv(week_files[0], dtype=str)["registration_id"]
    on_trips = {line.registration_id for trip in plan.trips for line in trip.seats}
    unassigned = {u.registration_id for u in plan.unassigned}
    assert [(r.row, r.registration_id) for r in plan.rejected] == [
        (12, ids[10]),
        (1302, ids[5]),
    ]
    assert "party_size" in plan.rejected[0].reason
    assert "duplicate registration_id (first on row 7)" in plan.rejected[1].reason
    assert not on_trips & unassigned
    assert len(on_trips) + len(unassigned) + len(plan.rejected) == len(ids)
    assert plan.summary.registrations == len(ids)
    assert plan.summary.rejected == 2


def test_tables_and_summary_add_up(in_process: Campaign) -> None:
    """trips.parquet has a row per trip of plan.json, passengers.parquet a row per
    registration on a trip; the summary is the areas' sums, the bound below the vehicles."""
    folder = in_process.folder
    plan = Plan.read(folder / "plan.json")
    trips = pq.read_table(folder / "trips.parquet").to_pandas()
    passengers = pq.read_table(folder / "passengers.parquet").to_pandas()
    assert list(trips["trip_id"]) == [t.trip_id for t in plan.trips]
    assert len(passengers) == plan.summary.served_registrations
    assert trips["passengers"].sum() == plan.summary.served_passengers
    assert plan.summary.vehicles == len(plan.trips)
    assert plan.summary.vehicles_lower_bound == sum(
        r.summary.vehicles_lower_bound for r in in_process.areas
    )
    assert plan.summary.vehicles >= plan.summary.vehicles_lower_bound
    index = pd.read_csv(folder / "areas.csv", dtype={"province": str})
    assert index["vehicles"].sum() == plan.summary.vehicles


def test_each_area_has_its_own_exports_and_trip_ids(in_process: Campaign) -> None:
    """An area's folder holds its plan.json, workbook, map, pages and tables, and its trips'
    ids start with its code; an area holds one direction, one destination province and week."""
    assert len(in_process.areas) > 1
    for result in in_process.areas:
        area, folder = result.area, in_process.folder / result.area.folder
        for name in ("plan.json", "plan.xlsx", "plan.geojson", "map.html", "trips.parquet"):
            assert (folder / name).is_file(), (area.code, name)
        plan = Plan.read(folder / "plan.json")
        assert all(t.trip_id.startswith(f"{area.code}-T") for t in plan.trips)
        assert {t.direction for t in plan.trips} <= {area.direction}
        assert area.registrations <= AREA_LIMIT
    assert not (in_process.folder / "shards").exists(), "the shards' personal data is removed"


def test_fleets_the_areas_would_share_are_refused() -> None:
    """Daily counts of road vehicles, depots and transfers are refused, naming the file."""
    fleet = default_fleet()
    counted = fleet.model_copy(
        update={"vehicle_types": (fleet.vehicle_types[0].model_copy(update={"count": 3}),)}
    )
    with pytest.raises(InputError, match="daily counts"):
        refuse_shared_fleet(counted, Policy())
    depot = Depot(depot_id="D1", lat=40.8, lon=111.7, buses={fleet.vehicle_types[0].name: 2})
    with pytest.raises(InputError, match="depots"):
        refuse_shared_fleet(Fleet(vehicle_types=fleet.vehicle_types, depots=(depot,)), Policy())
    with pytest.raises(InputError, match="transfers"):
        refuse_shared_fleet(fleet, Policy(transfers=True))
    refuse_shared_fleet(fleet, Policy())  # the shipped fleet: rail counts unused without transfers


def test_cli_refuses_an_unreachable_cluster(
    week_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--cluster` at an address where nothing answers: exit 2 with the address."""
    code = main(["campaign", str(week_files[0]), "--out", str(tmp_path), "--cluster",
                 "tcp://127.0.0.1:1", "--quiet"])  # fmt: skip
    assert code == 2
    assert "--cluster: no Dask scheduler answers at tcp://127.0.0.1:1" in capsys.readouterr().err


def test_national_sample_sends_and_receives_in_every_province() -> None:
    """20,000 rows of the national sample: all 31 mainland provinces send and receive, the
    ids run N0000001..., and the same seed gives the same rows."""
    frames = list(chunks(20_000, seed=4, chunk=6_000))
    assert [len(f) for f in frames] == [6_000, 6_000, 6_000, 2_000]
    rows = pd.concat(frames, ignore_index=True)
    assert rows["registration_id"].iloc[0] == "N0000001"
    assert rows["registration_id"].is_unique
    world = geography(4)
    provinces = {c.code[:2] for c in world.counties}
    assert len(provinces) == 31
    points = national_points(4)
    assert len(points) == len(world.counties) + 2 * len(world.centres)
    to_work = rows[rows["direction"] == "return_to_work"]
    stations = to_work["pickup_point"][to_work["pickup_point"].str.startswith("BS-")]
    gates = to_work["dropoff_point"][to_work["dropoff_point"].str.startswith("EG-")]
    assert set(stations.str[3:5]) == provinces, "every province sends"
    assert set(gates.str[3:5]) == provinces, "every province receives"
    again = pd.concat(chunks(20_000, seed=4, chunk=20_000), ignore_index=True)
    pd.testing.assert_frame_equal(rows, again)

"""`build_problem`: the one path from a registrations table to a problem."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pointplan.builder import Demand, build_problem, check_fleet_carries, choose_pickups
from pointplan.domain import Fleet, Policy
from pointplan.domain.places import PointKind
from pointplan.domain.seating import stranger_capacity
from pointplan.io import InputError, read_points, read_registrations
from pointplan.solve import solve
from pointplan.solvers.seating import effective_capacity
from pointplan.synthetic import make_week
from tests.conftest import RegistrationFactory, assert_valid_plan

HEADER = "registration_id,direction,origin,destination,earliest_date,latest_date,pickup_point"
ROWS = (
    "R1,return_to_work,150121,150203,2022-11-21,2022-11-22,",
    "R2,return_to_work,150121,150203,2022-11-21,2022-11-21,BS-FAR",
    "R3,return_home,150203,150121,2022-11-21,2022-11-21,",
)
BAD = "R4,return_home,150203,150121,2022-11-30,2022-11-21,"
POINTS = (
    "point_id,name,lat,lon,adcode\n"
    "BS-150121,土左旗汽车站,40.73,111.17,150121\n"
    "BS-FAR,远处的站,41.50,111.17,150121\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A registrations file with one bad row, and a points file."""
    registrations = tmp_path / "registrations.csv"
    registrations.write_text("\n".join((HEADER, *ROWS, BAD)) + "\n", encoding="utf-8")
    points = tmp_path / "points.csv"
    points.write_text(POINTS, encoding="utf-8")
    return registrations, points


def test_bad_rows_stop_unless_keep_going(files: tuple[Path, Path]) -> None:
    """Bad rows raise naming row and column; with keep_going they are the problem's rejected
    rows, and the plan lists them and counts them among its registrations."""
    registrations, points_file = files
    points = read_points(points_file)
    with pytest.raises(InputError, match=r"row 5, column earliest_date"):
        build_problem(registrations, points=points)
    problem = build_problem(registrations, points=points, keep_going=True)
    assert [r.registration_id for r in problem.registrations] == ["R1", "R2", "R3"]
    assert [(r.row, r.registration_id) for r in problem.rejected] == [(5, "R4")]
    plan = solve(problem, time_limit=1)
    assert [r.registration_id for r in plan.rejected] == ["R4"]
    assert plan.summary.registrations == 4 and plan.summary.rejected == 1
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy, 1)


def test_the_nearest_point_within_the_search_distance_becomes_the_pickup(
    files: tuple[Path, Path],
) -> None:
    """R1 boards at the station 2 km from its origin; R2 where it asked (though 85 km away);
    R3's origin has no point within 30 km, so it boards at its origin. A search distance of
    0 km leaves R1 at its origin too."""
    registrations, points_file = files
    points = read_points(points_file)
    problem = build_problem(registrations, points=points, keep_going=True)
    pickup = {r.registration_id: r.pickup for r in problem.registrations}
    assert pickup["R1"] == points[0]
    assert pickup["R2"] == points[1]
    assert pickup["R3"] == problem.registrations[2].origin
    none_near = build_problem(
        registrations, points=points, policy=Policy(pickup_search_km=0), keep_going=True
    )
    assert none_near.registrations[0].pickup == none_near.registrations[0].origin


def test_every_kind_of_table_gives_the_same_problem(files: tuple[Path, Path]) -> None:
    """A file, a DataFrame, records and an already-read batch build the same problem."""
    registrations, points_file = files
    points = read_points(points_file)
    frame = pd.read_csv(registrations, dtype=str, keep_default_na=False)
    sources: list[Demand] = [registrations, frame, frame.to_dict("records")]
    sources.append(read_registrations(frame, points))
    problems = [build_problem(s, points=points, keep_going=True) for s in sources]
    assert all(p.registrations == problems[0].registrations for p in problems)
    assert [len(p.rejected) for p in problems] == [1, 1, 1, 1]


def test_registrations_already_resolved_are_used_as_they_are(
    make_registration: RegistrationFactory, files: tuple[Path, Path]
) -> None:
    """Registration objects keep the pickups they have, even beside a nearer point."""
    points = read_points(files[1])
    regs = (make_registration(), make_registration())
    problem = build_problem(regs, points=points)
    assert problem.registrations == regs and problem.rejected == ()
    assert choose_pickups(regs, points, 30)[0].pickup == points[0]  # what reading would choose


def test_hubs_and_stations_are_not_chosen_as_pickups(
    make_registration: RegistrationFactory, files: tuple[Path, Path]
) -> None:
    """A hub or a station nearer than the stop is passed over: people are sent to board at
    stops; a registration naming a hub as its pickup point still boards there."""
    stop = read_points(files[1])[0]
    hub = stop.model_copy(
        update={"point_id": "GH-1501", "kind": PointKind.HUB, "lat": stop.lat + 0.001}
    )
    station = hub.model_copy(update={"point_id": "RS-1501", "kind": PointKind.STATION})
    unresolved = make_registration(pickup_point_id=None)
    origin_first = unresolved.model_copy(update={"origin": hub, "pickup": hub})
    (chosen,) = choose_pickups([origin_first], [hub, station, stop], 30)
    assert chosen.pickup == stop
    named = origin_first.model_copy(update={"pickup_point_id": hub.point_id})
    assert choose_pickups([named], [hub, stop], 30)[0].pickup == hub


def test_the_sample_week_has_hubs_and_stations_beside_its_stops() -> None:
    """`pointplan sample`'s points: stops, hubs at the league seats and work cities, and
    stations, each id once; the hubs do not change where anyone boards."""
    week = make_week(200, seed=4)
    kinds = week.points["kind"].value_counts().to_dict()
    assert kinds["hub"] >= 12 and kinds["station"] >= 12 and kinds["stop"] > kinds["hub"]
    assert week.points["point_id"].is_unique
    points = read_points(week.points)
    with_network = build_problem(week.registrations, points=points)
    stops_only = build_problem(
        week.registrations, points=[p for p in points if p.kind == PointKind.STOP]
    )
    assert with_network.registrations == stops_only.registrations


def test_the_capacity_table_is_computed_once(fleet: Fleet) -> None:
    """Every vehicle type's effective and stranger capacity under the policy is in the problem,
    the same as computing them one by one."""
    policy = Policy(escort_seats=1, party_may_sit_together=True)
    problem = build_problem((), fleet=fleet, policy=policy)
    for vehicle_type in fleet.vehicle_types:
        capacity = problem.capacity(vehicle_type)
        assert capacity.effective == effective_capacity(vehicle_type, policy)
        assert capacity.stranger == stranger_capacity(vehicle_type, policy)
    assert problem.largest_capacity == max(
        effective_capacity(vt, policy) for vt in fleet.vehicle_types if vt.count != 0
    )


def test_a_fleet_that_carries_nobody_is_refused(fleet: Fleet) -> None:
    """No seat left under the policy, or no vehicle at all: an error naming the fleet."""
    no_seat = Policy(reserved_rear_rows=20)
    with pytest.raises(InputError, match=r"my-fleet.yaml: no vehicle type can carry"):
        build_problem((), fleet=fleet, policy=no_seat, fleet_label="my-fleet.yaml")
    none_left = Fleet(
        vehicle_types=tuple(vt.model_copy(update={"count": 0}) for vt in fleet.vehicle_types)
    )
    with pytest.raises(InputError, match="every road vehicle type has count 0"):
        check_fleet_carries(none_left, Policy())

"""Plans through hubs (pointplan.networked; docs/networks.md), before any command or call
uses them: four lone travellers from counties too far apart to share a vehicle, all bound
for Beijing. The three the hub is on the way for are gathered there and ride one vehicle
on; the fourth, for whom the hub lies behind (through it the journey is more than 30%
longer), rides direct. Each journey is chained as the independent checker requires, at
less cost than four long direct trips; without a hub the plan is the direct one."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import replace

from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.exports.vehicle_page import vehicle_pages
from pointplan.exports.webmap import plan_map
from pointplan.io.config import default_fleet
from pointplan.networked import solve_network
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.checker import check_plan
from tests.conftest import (
    BEIJING,
    BEIJING_STATION,
    HOHHOT,
    HOHHOT_STATION,
    TUZUOQI,
    party,
    rail_fleet,
)

DAY = dt.date(2022, 11, 21)
TRANSFERS = Policy().model_copy(update={"transfers": True})  # checkable, not plannable yet
HUB = Point(point_id="GH-1501", label="呼和浩特市集中转运点", lat=40.84, lon=111.70,
            adcode="1501", kind=PointKind.HUB)  # fmt: skip


def plan_legs(problem: Problem, seconds: float) -> Plan:
    """The consolidating planner, as `solve` would run it."""
    return solve(problem, time_limit=seconds)


def lone_travellers() -> list[Registration]:
    """One person from each of four places 55 km north, east, south and west of the hub
    (78 km and more apart: beyond the 60 km pickup radius), all to Beijing on DAY."""
    found = []
    for n, bearing in enumerate((0, 90, 180, 270)):
        lat = HUB.lat + 55 / 111 * math.cos(math.radians(bearing))
        east = 55 / (111 * math.cos(math.radians(HUB.lat)))
        lon = HUB.lon + east * math.sin(math.radians(bearing))
        home = Place(label=f"county {n}", lat=round(lat, 5), lon=round(lon, 5))
        found.append(party(f"R{n}", home, BEIJING, DAY))
    return found


def test_lone_travellers_are_gathered_at_a_hub_for_less() -> None:
    registrations = lone_travellers()
    problem = Problem(tuple(registrations), default_fleet(), TRANSFERS, points=(HUB,))
    direct = plan_legs(replace(problem, policy=Policy()), 2)
    assert len(direct.trips) == 4  # nobody can share a direct vehicle
    plan = solve_network(problem, plan_legs, 10, seed=0)
    assert check_plan(json.loads(plan.to_json()), registrations, problem.fleet, TRANSFERS) == []
    legs = sorted(t.leg for t in plan.trips)
    assert legs == ["direct"] + ["feeder"] * 3 + ["trunk"], legs
    (alone,) = [t for t in plan.trips if t.leg == "direct"]
    assert alone.registration_ids() == ["R1"]  # east of the hub, on the way to Beijing
    assert sum(t.cost for t in plan.trips) < sum(t.cost for t in direct.trips)
    trunk = next(t for t in plan.trips if t.leg == "trunk")
    assert trunk.passengers == 3 and trunk.stops[0].point_id == HUB.point_id
    assert solve_network(problem, plan_legs, 10, seed=0).trips == plan.trips


def test_without_a_hub_the_plan_is_the_direct_one() -> None:
    registrations = lone_travellers()
    problem = Problem(tuple(registrations), default_fleet(), TRANSFERS)
    plan = solve_network(problem, plan_legs, 4, seed=0)
    assert [t.leg for t in plan.trips] == ["direct"] * 4


def test_solve_plans_transfers_and_the_pages_say_where_people_change() -> None:
    """`solve` with `transfers` gives the network plan; each person is served once however
    many legs, and the trunk's page names the feeders its people come from while each
    feeder's page names the trunk they change to, at the hub."""
    registrations = lone_travellers()
    problem = Problem(tuple(registrations), default_fleet(), TRANSFERS, points=(HUB,))
    plan = solve(problem, time_limit=10, seed=0)
    assert plan.summary.served_passengers == 4 and plan.summary.served_registrations == 4
    assert plan.summary.legs == 4 and plan.summary.vehicles == 5
    assert plan.summary.cost_per_person == round(plan.summary.cost / 4, 2)
    pages = {p.trip_id: p for p in vehicle_pages(plan, TRANSFERS)}
    trunk = next(t for t in plan.trips if t.leg == "trunk")
    feeders = [t for t in plan.trips if t.leg == "feeder"]
    trunk_lines = pages[trunk.trip_id].journey
    assert trunk_lines[0].startswith("干线段 trunk leg")
    for feeder in feeders:
        assert any(f"join from {feeder.trip_id} (feeder" in line for line in trunk_lines)
        (change,) = [line for line in pages[feeder.trip_id].journey if "people change to" in line]
        assert f"change to {trunk.trip_id} (trunk" in change and HUB.label in change
    direct = next(t for t in plan.trips if t.leg == "direct")
    assert pages[direct.trip_id].journey == ()
    riders = plan.to_dataframe("passengers")
    journeys = dict(zip(riders["registration_id"], riders["itinerary"], strict=False))
    for feeder in feeders:
        (rid,) = feeder.registration_ids()
        assert journeys[rid] == f"{feeder.trip_id} > {trunk.trip_id}"
    assert journeys[direct.registration_ids()[0]] == direct.trip_id
    assert set(plan.to_dataframe("trips")["leg"]) == {"direct", "feeder", "trunk"}


def test_the_map_draws_legs_by_kind_and_the_hub() -> None:
    """The network plan's map has the hub layer, with the three people changing there, and
    the trunk drawn thick and the feeders dashed."""
    registrations = lone_travellers()
    problem = Problem(tuple(registrations), default_fleet(), TRANSFERS, points=(HUB,))
    html = plan_map(solve(problem, time_limit=10, seed=0), tiles=None).get_root().render()
    assert "Orange circles: hubs and stations where people change vehicles" in html  # the legend
    assert f"{HUB.label}: 3 people on 4 trips" in html
    assert '"weight": 5' in html and '"dashArray": "6 4"' in html


RAIL = Policy().model_copy(update={"transfers": True, "rail": True})
STATIONS = (HOHHOT_STATION, BEIJING_STATION)


def rail_week(rail_cars: int) -> Problem:
    """100 people for Beijing from two places near Hohhot's station (60 from the city, 40
    from Tumed Left Banner, 50 km on), with `rail_cars` rail cars a day."""
    homes = [HOHHOT] * 60 + [TUZUOQI] * 40
    registrations = tuple(party(f"R{n:03d}", home, BEIJING, DAY) for n, home in enumerate(homes))
    return Problem(registrations, rail_fleet(rail_cars), RAIL, points=STATIONS)


def test_a_big_flow_rides_the_train_between_stations_for_less() -> None:
    """Feeders bring the 100 to Hohhot's station, two rail cars of one train carry them to
    Beijing's, each car with its escort and its isolation seats empty, and the receiving
    side's coaches take them on: legal by the independent checker, and cheaper than the
    five long coach trips of the direct plan."""
    problem = rail_week(rail_cars=10)
    plan = solve(problem, time_limit=10, seed=0)
    assert check_plan(json.loads(plan.to_json()), problem.registrations, problem.fleet, RAIL) == []
    rail = [t for t in plan.trips if t.mode == "rail"]
    assert [t.leg for t in rail] == ["trunk", "trunk"]
    assert {(t.stops[0].point_id, t.stops[-1].point_id) for t in rail} == {("RS-HHHT", "RS-BJ")}
    assert {t.train for t in rail} == {"L001"} and {t.train_cars for t in rail} == {2}
    assert not any(t.special_train for t in rail)  # 2 cars: chartered cars of a scheduled train
    assert all(len(t.escort_seats) == 1 and t.drivers == 1 for t in rail)
    assert sum(t.passengers for t in rail) == 100
    held = {(24, letter) for letter in "ABCD"}  # the car's last four seats
    assert all(held.isdisjoint((s.row, s.seat) for s in t.seats) for t in rail)
    direct = solve(replace(problem, policy=Policy()), time_limit=5, seed=0)
    assert plan.summary.cost < direct.summary.cost
    assert {t.leg for t in plan.trips} == {"feeder", "trunk", "distribution"}
    journeys = plan.itineraries()
    assert all([t.mode for t in legs] == ["coach", "rail", "coach"] for legs in journeys.values())
    pages = {p.trip_id: p for p in vehicle_pages(plan, RAIL, problem.fleet)}
    car = pages[rail[0].trip_id]
    assert (
        "列车 train",
        "L001: 2 节车厢 cars, 包车厢 chartered cars of a scheduled train",
    ) in car.facts
    assert any("isolate" in line for line in car.measures)
    assert not any("rear" in line for line in car.measures)
    assert car.journey[0].startswith("铁路干线段 trunk leg by rail")
    feeder = next(t for t in plan.trips if t.leg == "feeder")
    assert any("trunk by rail, train L001" in line for line in pages[feeder.trip_id].journey)
    assert solve(problem, time_limit=10, seed=0).trips == plan.trips


def test_without_rail_cars_nobody_is_put_on_a_train() -> None:
    """Rail allowed but no rail car in the fleet: stations are not offered, and the plan is
    one of coaches."""
    plan = solve(rail_week(rail_cars=0), time_limit=6, seed=0)
    assert plan.trips and all(t.mode == "coach" for t in plan.trips)

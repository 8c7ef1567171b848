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
from pointplan.io.config import default_fleet
from pointplan.networked import solve_network
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.checker import check_plan
from tests.conftest import BEIJING, party

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

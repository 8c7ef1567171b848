"""Depots and buses: trips chained into the buses of their depots, the fleet-sizing answer,
and the checker's view of every bus's chain."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pointplan.domain import Fleet, Policy, Registration
from pointplan.domain.fleet import Depot
from pointplan.domain.places import Location, Place
from pointplan.domain.plan import Plan
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.replan import Base, replan
from pointplan.solve import solve
from pointplan.solvers.chaining import ChainRules, TripSpan, chain_trips
from tests.checker import check_plan
from tests.conftest import BEIJING, TUZUOQI

DAY = dt.date(2022, 11, 21)
COACH = "coach-45"


def one_type_fleet(*depots: dict[str, Any]) -> Fleet:
    """The default fleet's 45-seat coach alone, run by `depots`."""
    coach = next(vt for vt in default_fleet().vehicle_types if vt.name == COACH)
    return Fleet.model_validate({"vehicle_types": [coach.model_dump()], "depots": list(depots)})


def depot(depot_id: str, at: Place, buses: int | None) -> dict[str, Any]:
    return {"depot_id": depot_id, "lat": at.lat, "lon": at.lon, "buses": {COACH: buses}}


def both_ways(people: int = 40) -> tuple[Registration, ...]:
    """`people` going to work in Beijing on the 21st and as many coming home on the 22nd."""
    regs = []
    for k in range(people):
        regs.append(
            Registration(
                registration_id=f"W{k:03d}", direction="return_to_work", origin=TUZUOQI,
                destination=BEIJING, pickup=TUZUOQI, dropoff=BEIJING, earliest_date=DAY,
                latest_date=DAY,
            )
        )  # fmt: skip
        regs.append(
            Registration(
                registration_id=f"H{k:03d}", direction="return_home", origin=BEIJING,
                destination=TUZUOQI, pickup=BEIJING, dropoff=TUZUOQI,
                earliest_date=DAY + dt.timedelta(days=1), latest_date=DAY + dt.timedelta(days=1),
            )
        )  # fmt: skip
    return tuple(regs)


def planned(regs: tuple[Registration, ...], fleet: Fleet, policy: Policy) -> Plan:
    """The plan, after the checker found nothing wrong with it."""
    plan = solve(Problem(regs, fleet, policy), time_limit=2, workers=1)
    violations = check_plan(json.loads(plan.to_json()), regs, fleet, policy)
    assert violations == [], violations
    return plan


def test_a_bus_that_takes_workers_out_brings_others_back() -> None:
    regs = both_ways()
    fleet = one_type_fleet(depot("tzq", TUZUOQI, 10))
    chained = planned(regs, fleet, Policy())
    alone = planned(regs, fleet, Policy(chain_trips=False))
    assert chained.summary.vehicles == alone.summary.vehicles == 6  # 40 people, 18 a coach
    assert (chained.summary.buses, alone.summary.buses) == (3, 6)
    assert chained.summary.empty_km == 0.0
    assert alone.summary.empty_km is not None and alone.summary.empty_km > 0
    assert chained.summary.cost < alone.summary.cost
    for bus in chained.buses:
        directions = [next(t for t in chained.trips if t.trip_id == i).direction for i in bus.trips]
        assert directions == ["return_to_work", "return_home"]
        assert [r.kind for r in bus.runs] == ["from_depot", "between", "to_depot"]
    (need,) = chained.fleet_sizing
    assert (need.depot_id, need.buses, need.available, need.short) == ("tzq", 3, 10, 0)
    assert need.by_date == {DAY: 3, DAY + dt.timedelta(days=1): 3}
    trip = chained.trips[0]
    assert trip.bus_id is not None and trip.depot_id == "tzq"


def test_a_depot_with_too_few_buses_is_told_how_many_it_lacks() -> None:
    # Two buses a day are enough for the daily counts, and with chaining for the week; a
    # bus that must go home after each trip is not back in time for the return leg.
    fleet = one_type_fleet(depot("tzq", TUZUOQI, 2))
    chained = planned(both_ways(36), fleet, Policy())
    assert (chained.summary.buses, chained.summary.buses_short) == (2, 0)
    alone = planned(both_ways(36), fleet, Policy(chain_trips=False))
    assert (alone.summary.buses, alone.summary.buses_short) == (4, 2)
    assert alone.fleet_sizing[0].short == 2
    assert alone.summary.served_passengers == 72  # nobody is dropped for want of a bus


def test_depot_counts_limit_the_vehicles_of_a_day() -> None:
    plan = planned(both_ways(), one_type_fleet(depot("tzq", TUZUOQI, 2)), Policy())
    assert plan.summary.vehicles == 4 and plan.summary.served_passengers == 72
    assert len(plan.unassigned) == 8


def test_each_bus_starts_and_ends_at_its_own_depot() -> None:
    fleet = one_type_fleet(depot("tzq", TUZUOQI, None), depot("bj", BEIJING, None))
    plan = planned(both_ways(), fleet, Policy())
    for bus in plan.buses:
        home = next(d for d in fleet.depots if d.depot_id == bus.depot_id)
        assert bus.runs[0].kind == "from_depot" and bus.runs[-1].kind == "to_depot"
        assert home.buses[COACH] is None
    assert plan.summary.buses == 3
    assert sum(n.buses for n in plan.fleet_sizing) == 3


def test_the_same_problem_gives_the_same_buses() -> None:
    fleet = one_type_fleet(depot("tzq", TUZUOQI, None), depot("bj", BEIJING, 4))
    first = planned(both_ways(30), fleet, Policy())
    again = planned(both_ways(30), fleet, Policy())
    assert (first.trips, first.buses, first.fleet_sizing) == (
        again.trips, again.buses, again.fleet_sizing,
    )  # fmt: skip
    assert Plan.from_json(first.to_json()) == first


def test_a_fleet_without_depots_has_no_buses() -> None:
    plan = solve(Problem(both_ways(5), default_fleet(), Policy()), time_limit=1, workers=1)
    as_json = json.loads(plan.to_json())
    assert "buses" not in as_json and "buses" not in as_json["summary"]
    assert all("bus_id" not in t for t in as_json["trips"])


def test_depot_counts_set_the_daily_counts_and_name_known_types() -> None:
    fleet = one_type_fleet(depot("a", TUZUOQI, 3), depot("b", BEIJING, 4))
    assert fleet.by_name(COACH).count == 7
    assert one_type_fleet(depot("a", TUZUOQI, None)).by_name(COACH).count is None
    with pytest.raises(ValidationError, match="not one of the vehicle types"):
        one_type_fleet({"depot_id": "a", "lat": 40, "lon": 111, "buses": {"coach-99": 2}})
    with pytest.raises(ValidationError, match="listed twice"):
        one_type_fleet(depot("a", TUZUOQI, 1), depot("a", BEIJING, 1))
    with pytest.raises(ValidationError, match="below 0"):
        Depot(depot_id="a", lat=40, lon=111, buses={COACH: -1})


Chained = tuple[dict[str, Any], Fleet, tuple[Registration, ...]]


@pytest.fixture(scope="module")
def chained_json() -> Chained:
    regs = both_ways()
    fleet = one_type_fleet(depot("tzq", TUZUOQI, 10))
    plan = solve(Problem(regs, fleet, Policy()), time_limit=2, workers=1)
    return json.loads(plan.to_json()), fleet, regs


def _broken(
    chained_json: Chained, policy: Policy, change: Callable[[dict[str, Any]], None]
) -> list[str]:
    plan, fleet, regs = chained_json
    plan = copy.deepcopy(plan)
    change(plan)
    return check_plan(plan, regs, fleet, policy)


def test_the_checker_sees_a_bus_that_leaves_before_its_crew_rested(chained_json: Chained) -> None:
    def early(plan: dict[str, Any]) -> None:
        run = plan["buses"][0]["runs"][1]
        trip = next(t for t in plan["trips"] if t["trip_id"] == run["after_trip"])
        run["km"] = 10.0  # a run somewhere, an hour after the trip ends
        left = dt.datetime.fromisoformat(trip["stops"][-1]["departure"]) + dt.timedelta(hours=1)
        run["start"] = left.isoformat()

    found = _broken(chained_json, Policy(), early)
    assert any("before its crew rested" in p for p in found), found
    assert any("the road is" in p for p in found), found


def test_the_checker_sees_a_trip_on_no_bus_and_chains_that_are_not_allowed(
    chained_json: Chained,
) -> None:
    def dropped(plan: dict[str, Any]) -> None:
        plan["buses"] = plan["buses"][1:]
        plan["summary"]["buses"] -= 1

    found = _broken(chained_json, Policy(), dropped)
    assert any("on 0 buses" in p for p in found), found
    found = _broken(chained_json, Policy(chain_trips=False), lambda plan: None)
    assert any("chain_trips is false" in p for p in found), found


def test_the_checker_sees_a_bus_that_reaches_its_trip_late(chained_json: Chained) -> None:
    def late(plan: dict[str, Any]) -> None:
        run = plan["buses"][0]["runs"][1]
        trip = next(t for t in plan["trips"] if t["trip_id"] == run["before_trip"])
        run["end"] = trip["stops"][0]["arrival"]

    found = _broken(chained_json, Policy(), late)
    assert any("without a break before it" in p for p in found), found


def test_the_checker_sees_wrong_figures(chained_json: Chained) -> None:
    def figures(plan: dict[str, Any]) -> None:
        plan["summary"]["buses_short"] = 2
        plan["fleet_sizing"][0]["buses"] = 1

    found = _broken(chained_json, Policy(), figures)
    assert any("buses_short" in p for p in found), found
    assert any("fleet_sizing" in p for p in found), found


SPOTS = [Location(lat=40.7 + 0.5 * k, lon=111.1 + 0.7 * k) for k in range(4)]


@st.composite
def spans(draw: st.DrawFn) -> list[TripSpan]:
    made = []
    for k in range(draw(st.integers(1, 14))):
        start = dt.datetime(2022, 11, 21, 6) + dt.timedelta(hours=draw(st.integers(0, 96)))
        made.append(
            TripSpan(
                trip_id=f"T{k:02d}", vehicle_type=COACH, start=start,
                end=start + dt.timedelta(hours=draw(st.integers(1, 20))),
                first=draw(st.sampled_from(SPOTS)), last=draw(st.sampled_from(SPOTS)),
            )
        )  # fmt: skip
    return made


def _km(a: Location, b: Location) -> float:
    return 100 * (abs(a.lat - b.lat) + abs(a.lon - b.lon))


def _clock(start: dt.datetime, km: float) -> dt.datetime:
    return start + dt.timedelta(hours=km / 70)


@settings(max_examples=40, deadline=None)
@given(spans())
def test_chaining_covers_every_trip_once_and_never_needs_more_buses(
    trips: list[TripSpan],
) -> None:
    yard = Depot(depot_id="d", lat=SPOTS[0].lat, lon=SPOTS[0].lon, buses={COACH: None})
    found = {}
    for chain in (True, False):
        rules = ChainRules(chain=chain)
        result = chain_trips(trips, [yard], {COACH: _clock}, _km, rules, {COACH: 1.0})
        covered = sorted(t for bus in result.buses for t in bus.trips)
        assert covered == sorted(t.trip_id for t in trips)
        by_id = {t.trip_id: t for t in trips}
        for bus in result.buses:
            ordered = [by_id[t] for t in bus.trips]
            for a, b in pairwise(ordered):
                assert a.end + rules.turnaround <= b.start  # the crew rests between
        found[chain] = len(result.buses)
    assert found[True] <= found[False]


def test_a_re_plan_gives_every_trip_one_bus_frozen_trips_too() -> None:
    regs = both_ways(30)
    fleet = one_type_fleet(depot("tzq", TUZUOQI, 10))
    base = planned(regs, fleet, Policy())
    more = both_ways(40)  # ten more each way
    plan = replan(Problem(more, fleet, Policy()), Base(base, "base", frozen_through=DAY),
                  time_limit=2, workers=1)  # fmt: skip
    violations = check_plan(json.loads(plan.to_json()), more, fleet, Policy())
    assert violations == [], violations
    assert plan.summary.buses is not None and plan.summary.buses <= plan.summary.vehicles

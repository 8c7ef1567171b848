"""The independent checker's itineraries (interchange.md, "Plan: more fields"; issue 14): a
registration riding several legs, chained at one point with `transfer_minutes` between them,
the first leg in its window and boarding at its pickup, the last leaving at its drop-off, the
legs' kinds in order. Checked on hand-made and hypothesis-generated networks, each valid one
passing and each broken one caught, so that the checker is ready for the planner that makes
such plans."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pointplan.domain import Fleet, Policy, Registration
from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.trip import Leg, Trip
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import with_capacities
from pointplan.solvers.trips import build_trip
from tests.checker import check_plan
from tests.conftest import (
    BAOTOU,
    BAOTOU_STATION,
    HOHHOT,
    HOHHOT_STATION,
    TUZUOQI,
    party,
    rail_fleet,
)

DAY = dt.date(2022, 11, 21)
TRANSFERS = Policy().model_copy(update={"transfers": True})  # not plannable yet, checkable
HUBS = (
    Point(point_id="H-HOHHOT", label="呼和浩特站集中转运点", lat=40.83, lon=111.66,
          adcode="150102", kind=PointKind.HUB),
    Point(point_id="H-BAOTOU", label="包头东站接收点", lat=40.60, lon=110.03,
          adcode="150202", kind=PointKind.HUB),
)  # fmt: skip
PICKUPS = (TUZUOQI, HOHHOT)
RAIL = TRANSFERS.model_copy(update={"rail": True})
RAIL_CAR = "rail-yz25"
STATIONS = (HOHHOT_STATION, BAOTOU_STATION)


@dataclass(frozen=True)
class Journey:
    """One registration's way: the hubs it changes at, and the minutes it waits at each
    beyond `transfer_minutes` (negative: too short a wait)."""

    registration: Registration
    hubs: tuple[Point, ...]
    waits: tuple[int, ...]
    rail: bool = False  # the trunk leg by rail car (a journey through two stations)


def leg_kinds(legs: int) -> list[Leg]:
    """The kinds of a journey's legs, in order."""
    if legs == 1:
        return ["direct"]
    middle: list[Leg] = ["trunk"] * (legs - 2)
    return ["feeder", *middle, "distribution"]


def journey_trips(journey: Journey, fleet: Fleet, first_number: int) -> list[Trip]:
    """The trips of one journey, one party each, built by pointplan's trip builder: each
    leg boards at the point the one before left it at, `transfer_minutes` plus the wait
    after it arrived."""
    problem = with_capacities(Problem((), fleet, TRANSFERS))
    registration = journey.registration
    places: list[Place] = [registration.pickup, *journey.hubs, registration.dropoff]
    trips: list[Trip] = []
    departs = dt.datetime.combine(registration.earliest_date, TRANSFERS.departure_time)
    for index, kind in enumerate(leg_kinds(len(places) - 1)):
        leg = registration.model_copy(
            update={"pickup": places[index], "dropoff": places[index + 1]}
        )
        rail_trunk = journey.rail and kind == "trunk"
        vehicle_type = fleet.by_name(RAIL_CAR) if rail_trunk else fleet.vehicle_types[0]
        decision = Decision(vehicle_type, departs.date(), (leg,))
        trip = build_trip(f"T{first_number + index:04d}", problem, decision, None, departs.time())
        trips.append(trip.model_copy(update={"leg": kind}))
        arrived = trip.stops[-1].arrival
        assert arrived is not None
        wait = TRANSFERS.transfer_minutes + (
            journey.waits[index] if index < len(journey.waits) else 0
        )
        departs = arrived + dt.timedelta(minutes=wait)
    return trips


def plan_of(journeys: list[Journey], fleet: Fleet) -> dict[str, Any]:
    """plan.json of these journeys, as the checker reads it."""
    trips: list[Trip] = []
    for journey in journeys:
        trips += journey_trips(journey, fleet, len(trips) + 1)
    registrations = tuple(j.registration for j in journeys)
    plan = assemble_plan(
        Problem(registrations, fleet, TRANSFERS),
        trips,
        (),
        lower_bound=0,
        solve_seconds=0.0,
        solver="hand",
        seed=0,
    )
    result: dict[str, Any] = json.loads(plan.to_json())
    return result


def registration(number: int, pickup: Place, days: int = 1) -> Registration:
    """A party of one from `pickup` to Baotou's Kundulun district, leaving on DAY or within
    `days` days of it."""
    return party(f"R{number:05d}", pickup, BAOTOU, DAY, DAY + dt.timedelta(days=days - 1))


journeys = st.lists(
    st.builds(
        lambda number, pickup, hubs, waits: Journey(
            registration(number, pickup), tuple(hubs), tuple(waits)
        ),
        st.integers(1, 99_999),
        st.sampled_from(PICKUPS),
        st.lists(st.sampled_from(HUBS), max_size=2, unique=True),
        st.lists(st.integers(0, 90), min_size=2, max_size=2),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda j: j.registration.registration_id,
)


@settings(max_examples=25, deadline=None)
@given(journeys)
def test_itineraries_of_up_to_three_legs_pass(found: list[Journey]) -> None:
    """Feeder, trunk and distribution legs chained at hubs with time to change pass."""
    fleet = default_fleet()
    plan = plan_of(found, fleet)
    regs = [j.registration for j in found]
    assert check_plan(plan, regs, fleet, TRANSFERS) == []


@settings(max_examples=25, deadline=None)
@given(journeys.filter(lambda found: any(j.hubs for j in found)))
def test_itineraries_with_transfers_off_are_caught(found: list[Journey]) -> None:
    """Without `transfers` a registration rides one direct trip; legs are caught."""
    fleet = default_fleet()
    problems = check_plan(plan_of(found, fleet), [j.registration for j in found], fleet, Policy())
    assert any("legs, at most 1 allowed" in p for p in problems), problems


def test_too_short_a_change_is_caught() -> None:
    """Ten minutes to change where the policy asks for sixty."""
    fleet = default_fleet()
    journey = Journey(registration(1, TUZUOQI), (HUBS[0],), (-50,))
    problems = check_plan(plan_of([journey], fleet), [journey.registration], fleet, TRANSFERS)
    assert problems == [
        "R00001 has less than 60 min between T0001 and T0002 at 呼和浩特站集中转运点"
    ]


def test_legs_that_do_not_meet_are_caught() -> None:
    """The second leg boards at another hub than the first left the party at."""
    fleet = default_fleet()
    journey = Journey(registration(1, TUZUOQI), (HUBS[0],), (0,))
    plan = plan_of([journey], fleet)
    boarding = plan["trips"][1]["stops"][0]
    boarding["point_id"] = HUBS[1].point_id
    problems = check_plan(plan, [journey.registration], fleet, TRANSFERS)
    assert any("leaves T0001 at" in p and "but boards T0002" in p for p in problems), problems


def test_the_first_leg_outside_the_window_is_caught_and_a_later_one_is_not() -> None:
    """A journey whose second leg runs the next day is fine; one whose first leg runs
    before the window is not."""
    fleet = default_fleet()
    overnight = Journey(registration(1, TUZUOQI), (HUBS[0],), (16 * 60,))
    plan = plan_of([overnight], fleet)
    assert plan["trips"][1]["date"] > plan["trips"][0]["date"]
    assert check_plan(plan, [overnight.registration], fleet, TRANSFERS) == []
    on_time = registration(2, TUZUOQI)
    late = on_time.model_copy(
        update={
            "earliest_date": DAY + dt.timedelta(days=1),
            "latest_date": DAY + dt.timedelta(days=2),
        }
    )
    problems = check_plan(plan_of([Journey(on_time, (), ())], fleet), [late], fleet, TRANSFERS)
    assert any("outside 2022-11-22..2022-11-23" in p for p in problems), problems


def test_legs_out_of_order_are_caught() -> None:
    """A distribution leg first, or a feeder leg alone, is not a journey."""
    fleet = default_fleet()
    journey = Journey(registration(1, TUZUOQI), (HUBS[0],), (0,))
    plan = plan_of([journey], fleet)
    plan["trips"][0]["leg"], plan["trips"][1]["leg"] = "distribution", "feeder"
    problems = check_plan(plan, [journey.registration], fleet, TRANSFERS)
    assert any("impossible order: distribution, feeder" in p for p in problems), problems
    alone = Journey(registration(2, TUZUOQI), (), ())
    single = plan_of([alone], fleet)
    single["trips"][0]["leg"] = "feeder"
    problems = check_plan(single, [alone.registration], fleet, TRANSFERS)
    assert problems == ["R00002 rides only a feeder leg"]


rail_journeys = st.lists(
    st.builds(
        lambda number, pickup, waits: Journey(
            registration(number, pickup), STATIONS, tuple(waits), rail=True
        ),
        st.integers(1, 99_999),
        st.sampled_from(PICKUPS),
        st.lists(st.integers(0, 90), min_size=2, max_size=2),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda j: j.registration.registration_id,
)


@settings(max_examples=20, deadline=None)
@given(rail_journeys)
def test_journeys_by_rail_between_stations_pass(found: list[Journey]) -> None:
    """A feeder to Hohhot's station, a rail car to Baotou's (its seats under the rail
    rules: isolation seats at the end of the car, an escort) and a distribution leg pass
    under a policy with rail; the same trips are caught where rail is off."""
    fleet = rail_fleet()
    plan = plan_of(found, fleet)
    regs = [j.registration for j in found]
    assert {t["mode"] for t in plan["trips"] if t["leg"] == "trunk"} == {"rail"}
    assert check_plan(plan, regs, fleet, RAIL) == []
    problems = check_plan(plan, regs, fleet, TRANSFERS)
    assert any("rail is off" in p for p in problems), problems


def test_a_rail_car_with_someone_in_an_isolation_seat_or_no_escort_is_caught() -> None:
    """The last four seats of a rail car are held for isolation and every car seats an
    escort: a passenger moved into seat 24D, or the escort's seat dropped, is caught."""
    fleet = rail_fleet()
    journey = Journey(registration(1, TUZUOQI), STATIONS, (0, 0), rail=True)
    plan = plan_of([journey], fleet)
    car = next(t for t in plan["trips"] if t.get("mode") == "rail")
    assert len(car["escort_seats"]) == 1
    car["seats"][0] |= {"row": 24, "seat": "D"}
    car["escort_seats"] = []
    problems = check_plan(plan, [journey.registration], fleet, RAIL)
    assert f"{car['trip_id']}: seat (24, 'D') is an isolation seat" in problems, problems
    assert f"{car['trip_id']}: 0 escort seats, policy asks 1" in problems, problems

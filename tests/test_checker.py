"""The independent checker catches each kind of broken rule (so its silence means something)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from pointplan.domain import Fleet, Policy, Registration
from pointplan.problem import Problem
from pointplan.solvers.greedy import solve_greedy
from tests.checker import check_plan
from tests.conftest import BEIJING, HAILAR, HOHHOT, TUZUOQI, RegistrationFactory

Plan = dict[str, Any]


@pytest.fixture
def case(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> tuple[Plan, list[Registration]]:
    """A valid plan of two trips: 3 parties to Baotou and one long trip to Beijing."""
    regs = [
        make_registration(party_size=2),
        make_registration(),
        make_registration(),
        make_registration(origin=HAILAR, destination=BEIJING),
    ]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    as_json = json.loads(plan.to_json())
    assert check_plan(as_json, regs, fleet, policy) == []
    return as_json, regs


def first_trip(plan: Plan) -> dict[str, Any]:
    return next(t for t in plan["trips"] if t["passengers"] == 4)


def long_trip(plan: Plan) -> dict[str, Any]:
    return next(t for t in plan["trips"] if t["distance_km"] > 400)


def seat_in_reserved_row(plan: Plan) -> None:
    first_trip(plan)["seats"][0]["row"] = len(first_trip(plan)["layout"])


def neighbours(plan: Plan) -> None:
    seats = first_trip(plan)["seats"]
    seats[1]["row"], seats[1]["seat"] = seats[0]["row"], "B" if seats[0]["seat"] == "A" else "A"


def same_seat_twice(plan: Plan) -> None:
    seats = first_trip(plan)["seats"]
    seats[1]["row"], seats[1]["seat"] = seats[0]["row"], seats[0]["seat"]


def missing_seat(plan: Plan) -> None:
    first_trip(plan)["seats"].pop()


def outside_window(plan: Plan) -> None:
    first_trip(plan)["date"] = "2022-12-25"


def lost_registration(plan: Plan) -> None:
    trip = first_trip(plan)
    for stop in trip["stops"]:
        stop["registrations"] = stop["registrations"][1:]


def listed_twice(plan: Plan) -> None:
    rid = first_trip(plan)["stops"][0]["registrations"][0]
    plan["unassigned"].append({"registration_id": rid, "reason": "x"})


def too_many_pickups(plan: Plan) -> None:
    trip = first_trip(plan)
    extra = copy.deepcopy(trip["stops"][0])
    extra["registrations"] = []
    trip["stops"][:0] = [copy.deepcopy(extra) for _ in range(3)]


def pickups_too_far_apart(plan: Plan) -> None:
    trip = first_trip(plan)
    far = copy.deepcopy(trip["stops"][0])
    far.update(registrations=[], lat=HAILAR.lat, lon=HAILAR.lon, place="far")
    trip["stops"].insert(0, far)


def wrong_pickup_place(plan: Plan) -> None:
    first_trip(plan)["stops"][0].update(lat=HOHHOT.lat, lon=HOHHOT.lon)


def over_stated_capacity(plan: Plan) -> None:
    first_trip(plan)["capacity"] = 2


def driving_through_small_hours(plan: Plan) -> None:
    trip = long_trip(plan)
    start = dt.datetime.fromisoformat(trip["schedule"][1]["start"])
    shift = dt.datetime.combine(start.date(), dt.time(1, 0), start.tzinfo) - start
    for event in trip["schedule"]:
        for key in ("start", "end"):
            event[key] = (dt.datetime.fromisoformat(event[key]) + shift).isoformat()


def one_driver_on_long_trip(plan: Plan) -> None:
    long_trip(plan)["drivers"] = 1


def no_rests(plan: Plan) -> None:
    trip = long_trip(plan)
    drives = [e for e in trip["schedule"] if e["kind"] == "drive"]
    start = dt.datetime.fromisoformat(drives[0]["start"])
    hours = trip["distance_km"] / 70
    trip["schedule"] = [
        {
            "kind": "drive",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=hours)).isoformat(),
            "km": trip["distance_km"],
        }
    ]


def wrong_summary(plan: Plan) -> None:
    plan["summary"]["vehicles"] += 1


BREAKS: dict[str, tuple[Callable[[Plan], None], str]] = {
    "seat in reserved row": (seat_in_reserved_row, "reserved rear rows"),
    "neighbouring seats": (neighbours, "are neighbours"),
    "seat taken twice": (same_seat_twice, "taken twice"),
    "party without all seats": (missing_seat, "seats for a party"),
    "date outside window": (outside_window, "outside"),
    "registration lost": (lost_registration, "lost"),
    "registration twice": (listed_twice, "appears 2 times"),
    "four pickups": (too_many_pickups, "pickups, limit 3"),
    "pickups far apart": (pickups_too_far_apart, "apart, radius 60"),
    "pickup elsewhere": (wrong_pickup_place, "not at its pickup place"),
    "over the stated capacity": (over_stated_capacity, "over the stated capacity"),
    "driving 02:00-05:00": (driving_through_small_hours, "small-hours stop"),
    "one driver over 400 km": (one_driver_on_long_trip, "with 1 driver"),
    "no rests": (no_rests, "continuous driving"),
    "summary off": (wrong_summary, "summary vehicles"),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_checker_catches(
    name: str, case: tuple[Plan, list[Registration]], fleet: Fleet, policy: Policy
) -> None:
    """Breaking one rule in a valid plan makes the checker name that rule."""
    plan, regs = case
    breaker, expected = BREAKS[name]
    broken = copy.deepcopy(plan)
    breaker(broken)
    violations = check_plan(broken, regs, fleet, policy)
    assert any(expected in v for v in violations), violations


def test_checker_catches_load_cap(case: tuple[Plan, list[Registration]], fleet: Fleet) -> None:
    """Under a 5% load cap a minibus may carry nobody: every trip is over it."""
    plan, regs = case
    violations = check_plan(plan, regs, fleet, Policy(max_load_factor=0.05))
    assert any("4 passengers over the load cap 0" in v for v in violations), violations


def test_checker_uses_tuzuoqi_as_pickup(case: tuple[Plan, list[Registration]]) -> None:
    """The fixture plan picks up at the registrations' own origin (土默特左旗)."""
    plan, _ = case
    assert first_trip(plan)["stops"][0]["lat"] == TUZUOQI.lat

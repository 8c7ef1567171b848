"""The planners: every plan they make passes the independent checker."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pointplan.builder import build_problem
from pointplan.domain import Fleet, Place, Plan, Policy, VehicleType
from pointplan.io import load_fleet, read_points
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solve import SOLVERS, solve
from pointplan.solvers import bounds, budget, search
from pointplan.solvers.bounds import (
    parts_lower_bound,
    relaxed_stop_bound,
    window_lower_bound,
)
from pointplan.solvers.budget import Budget
from pointplan.solvers.decompose import decompose
from pointplan.solvers.greedy import solve_greedy
from pointplan.solvers.seating import with_capacities
from pointplan.stop import GapReached, MaxRuntime, Progress
from tests.conftest import (
    BAOTOU,
    BEIJING,
    HAILAR,
    HOHHOT,
    SAMPLE,
    TUZUOQI,
    RegistrationFactory,
    assert_valid_plan,
    registration_strategy,
)

DAY = dt.date(2022, 11, 21)


def test_one_group_fills_the_largest_coach_first(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> None:
    """30 people to one place on one day: a coach-53 (22) then the cheapest type for 8."""
    regs = [make_registration() for _ in range(30)]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    assert sorted(t.vehicle_type for t in plan.trips) == ["coach-53", "minibus-19"]
    assert plan.summary.vehicles_lower_bound == 2


def test_waits_for_flexible_people_and_leaves_on_the_deadline(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> None:
    """People free to go Monday-Wednesday travel together with those who must go Wednesday."""
    regs = [make_registration(latest_date=DAY + dt.timedelta(days=2)) for _ in range(5)]
    regs += [
        make_registration(
            earliest_date=DAY + dt.timedelta(days=2), latest_date=DAY + dt.timedelta(days=2)
        )
        for _ in range(5)
    ]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    assert [(t.date, t.passengers) for t in plan.trips] == [(DAY + dt.timedelta(days=2), 10)]


def test_party_too_large_is_unassigned_with_reason(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> None:
    """A party larger than any vehicle's capacity is reported, not lost."""
    regs = [make_registration(party_size=30), make_registration()]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    assert [u.registration_id for u in plan.unassigned] == [regs[0].registration_id]
    assert "larger than any vehicle" in plan.unassigned[0].reason


def test_no_vehicle_left_is_unassigned_with_reason(
    make_registration: RegistrationFactory, policy: Policy
) -> None:
    """With one minibus a day, the ninth passenger of a one-day window is left with a reason."""
    fleet = Fleet(
        vehicle_types=(default_fleet().by_name("minibus-19").model_copy(update={"count": 1}),)
    )
    regs = [make_registration() for _ in range(9)]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    assert len(plan.unassigned) == 1 and "no vehicle free" in plan.unassigned[0].reason


def one_coach_a_day() -> Fleet:
    """A fleet of one coach-45 a day."""
    coach = default_fleet().by_name("coach-45").model_copy(update={"count": 1})
    return Fleet(vehicle_types=(coach,))


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_flexible_party_travels_earlier_when_the_last_day_is_taken(
    make_registration: RegistrationFactory, policy: Policy, solver: str
) -> None:
    """One coach a day: B (Mon-Tue, elsewhere) goes Monday when A takes Tuesday's coach."""
    fleet = one_coach_a_day()
    a = make_registration(
        earliest_date=DAY + dt.timedelta(days=1), latest_date=DAY + dt.timedelta(days=1)
    )
    b = make_registration(
        origin=HOHHOT, destination=BEIJING, latest_date=DAY + dt.timedelta(days=1)
    )
    plan = solve(Problem((a, b), fleet, policy), solver=solver)
    assert_valid_plan(plan, [a, b], fleet, policy)
    assert plan.unassigned == ()
    assert sorted(t.date for t in plan.trips) == [DAY, DAY + dt.timedelta(days=1)]


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_two_day_trip_keeps_its_vehicle_both_days(
    make_registration: RegistrationFactory, policy: Policy, solver: str
) -> None:
    """Hailar-Beijing takes two days: with one coach a day, the next day's trip waits."""
    fleet = one_coach_a_day()
    long = make_registration(origin=HAILAR, destination=BEIJING)
    next_day = make_registration(
        earliest_date=DAY + dt.timedelta(days=1), latest_date=DAY + dt.timedelta(days=2)
    )
    plan = solve(Problem((long, next_day), fleet, policy), solver=solver)
    assert_valid_plan(plan, [long, next_day], fleet, policy)
    trips = {t.registration_ids()[0]: t for t in plan.trips}
    arrival = trips[long.registration_id].arrival
    assert arrival is not None and arrival.date() == DAY + dt.timedelta(days=1)
    assert trips[next_day.registration_id].date == DAY + dt.timedelta(days=2)


def test_directions_never_share_a_trip(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> None:
    """Return-home and return-to-work parties travel on separate trips."""
    regs = [make_registration(), make_registration(direction="return_home")]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    assert len(plan.trips) == 2


def test_long_trip_gets_two_drivers_and_rests(
    make_registration: RegistrationFactory, fleet: Fleet, policy: Policy
) -> None:
    """Hailar to Beijing (well over 400 km) needs two drivers and planned rests."""
    regs = [make_registration(origin=HAILAR, destination=BEIJING)]
    plan = solve_greedy(Problem(tuple(regs), fleet, policy))
    assert_valid_plan(plan, regs, fleet, policy)
    trip = plan.trips[0]
    assert trip.drivers == 2 and any(e.kind == "rest" for e in trip.schedule)


@pytest.fixture(scope="module")
def sample_problem() -> Problem:
    """The shipped sample week."""
    points = read_points(SAMPLE / "points.csv")
    problem = build_problem(SAMPLE / "registrations.csv", points=points)
    assert problem.rejected == ()
    return problem


@dataclass(frozen=True)
class Searched:
    """The sample week searched for 2 s on two processes, and the progress it reported."""

    plan: Plan
    progress: list[Progress]


@pytest.fixture(scope="module")
def searched(sample_problem: Problem) -> Searched:
    """One search of the sample week that several tests read (each solve takes seconds)."""
    seen: list[Progress] = []
    plan = solve(sample_problem, time_limit=2, workers=2, on_progress=seen.append)
    return Searched(plan, seen)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_sample_week_plan_is_valid(
    sample_problem: Problem, searched: Searched, solver: str
) -> None:
    """The sample week's plan keeps every hard rule and places every registration once."""
    plan = searched.plan if solver == "consolidate" else solve(sample_problem, solver=solver)
    assert_valid_plan(
        plan, sample_problem.registrations, sample_problem.fleet, sample_problem.policy
    )
    assert plan.summary.registrations == len(sample_problem.registrations) >= 2000


def test_consolidating_beats_the_baseline(sample_problem: Problem, searched: Searched) -> None:
    """On the sample week the consolidating planner uses fewer vehicles and fewer stops."""
    baseline = solve(sample_problem, solver="greedy").summary
    better = searched.plan.summary
    assert better.served_passengers == baseline.served_passengers
    assert better.vehicles < baseline.vehicles and better.stops < baseline.stops
    assert better.vehicles_lower_bound <= better.vehicles


def test_stopping_criteria_steer_the_search(sample_problem: Problem, searched: Searched) -> None:
    """A gap already reached stops the search after the sweep; searching lowers the gap."""
    swept = solve(sample_problem, stop=GapReached(10.0))
    served = {rid for trip in swept.trips for rid in trip.registration_ids()}
    assert swept.summary.vehicles_lower_bound == parts_lower_bound(sample_problem, served)
    assert searched.plan.summary.vehicles_lower_bound > swept.summary.vehicles_lower_bound
    assert searched.plan.summary.vehicles <= swept.summary.vehicles


def test_the_search_runs_under_the_fleets_daily_counts() -> None:
    """With the sample fleet's daily counts the parts are searched too: the bound rises
    above the sweep's, the plan is no larger than the sweep's and keeps to the counts."""
    points = read_points(SAMPLE / "points.csv")
    problem = build_problem(
        SAMPLE / "registrations.csv", points=points, fleet=load_fleet(SAMPLE / "fleet.yaml")
    )
    assert any(vt.count is not None for vt in problem.fleet.vehicle_types)
    swept = solve(problem, stop=GapReached(100.0))
    plan = solve(problem, time_limit=2, workers=2)
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)
    assert plan.summary.vehicles_lower_bound > swept.summary.vehicles_lower_bound
    assert plan.summary.vehicles_lower_bound <= plan.summary.vehicles < swept.summary.vehicles


def test_a_time_limit_is_max_runtime(make_registration: RegistrationFactory) -> None:
    """`time_limit=S` is shorthand for `stop=MaxRuntime(S)`: the same search, the same plan,
    on a problem whose parts the exact model searches."""
    regs = [
        make_registration(origin=origin, destination=BAOTOU, latest_date=DAY + dt.timedelta(days=1))
        for origin in (HOHHOT, TUZUOQI) * 12
    ]
    problem = Problem(tuple(regs), default_fleet(), Policy())
    searched: list[Progress] = []
    by_limit = solve(problem, time_limit=0.5, on_progress=searched.append)
    assert searched, "the part was searched"
    assert by_limit.trips == solve(problem, stop=MaxRuntime(0.5)).trips


def test_same_input_same_plan_on_any_number_of_processes(
    sample_problem: Problem, searched: Searched
) -> None:
    """Solving again, on one process instead of two, gives the same plan.json apart from the
    timing field: the same trips and the same bound."""

    def without_timing(text: str) -> dict[str, object]:
        data: dict[str, Any] = json.loads(text)
        data["summary"].pop("solve_seconds")
        return data

    again = solve(sample_problem, time_limit=2, workers=1)
    assert without_timing(again.to_json()) == without_timing(searched.plan.to_json())


def test_a_stall_outside_a_parts_search_changes_nothing(
    sample_problem: Problem, searched: Searched, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine stalls for an hour (as the wall-clock guard sees it) each time a part is
    routed: no part's exact search is cut short, since each starts its own guard, and the
    plan is the one made without stalls. (A guard started for the whole solve would have
    passed before the first exact search.)"""
    clock = {"offset": 0.0}

    class StallingClock:
        @staticmethod
        def time() -> float:
            return time.time() + clock["offset"]

    routed_part = search._routed_part

    def stalling_routed_part(context: search.SearchContext, job: Any) -> Any:
        clock["offset"] += 3600.0
        return routed_part(context, job)

    monkeypatch.setattr(budget, "time", StallingClock)
    monkeypatch.setattr(search, "_routed_part", stalling_routed_part)
    stalled = solve(sample_problem, time_limit=2, workers=1)
    assert clock["offset"] > 0, "parts were routed"
    assert stalled.trips == searched.plan.trips
    assert stalled.summary.vehicles_lower_bound == searched.plan.summary.vehicles_lower_bound


# --- generated problems ------------------------------------------------------------------------

PLACES = [HOHHOT, TUZUOQI, BAOTOU, BEIJING, HAILAR, Place(label="near Hohhot", lat=40.9, lon=111.8)]
FAR_APART = (
    Place(label="满洲里市", lat=49.598, lon=117.379),
    Place(label="阿拉善左旗", lat=38.833, lon=105.667),
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    rows = draw(st.integers(2, 8))
    blocks = draw(st.sampled_from(["AB|CD", "AB|C", "ABC|DE", "A|B"]))
    layout = tuple([blocks] * rows + [draw(st.sampled_from(["ABCDE", "ABCD", "AB|CD"]))])
    seats = sum(len(r.replace("|", "")) for r in layout)
    types = [
        VehicleType(
            name="van", layout=layout, rated_seats=seats, count=draw(st.none() | st.integers(1, 3))
        )
    ]
    if draw(st.booleans()):
        types.append(
            default_fleet()
            .by_name("coach-45")
            .model_copy(update={"count": draw(st.none() | st.integers(0, 2))})
        )
    policy = Policy(
        max_load_factor=draw(st.sampled_from([0.5, 0.75, 1.0])),
        reserved_rear_rows=draw(st.integers(0, 2)),
        checkerboard=draw(st.booleans()),
        party_may_sit_together=draw(st.booleans()),
        escort_seats=draw(st.integers(0, 1)),
        driving_rules=draw(st.booleans()),
        departure_time=dt.time(draw(st.integers(0, 23)), 0),
        max_pickups=draw(st.integers(1, 3)),
        max_dropoffs=draw(st.integers(1, 3)),
        pickup_radius_km=draw(st.sampled_from([0, 30, 60])),
        dropoff_radius_km=draw(st.sampled_from([0, 30, 60])),
    )
    regs = draw(registration_strategy(PLACES, "G", 25, 4))
    return Problem(tuple(regs), Fleet(vehicle_types=tuple(types)), policy)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_generated_problems_give_valid_plans(solver: str, problem: Problem) -> None:
    """Random layouts, policies, parties, windows and fleets: the checker finds nothing wrong."""
    plan = solve(problem, solver=solver)
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)
    served = {rid for t in plan.trips for rid in t.registration_ids()}
    assert all(u.reason for u in plan.unassigned)
    assert served.isdisjoint(u.registration_id for u in plan.unassigned)


def test_progress_is_reported_after_each_searched_part(searched: Searched) -> None:
    """After each searched part: parts done and total, the plan's vehicles and bound so far."""
    seen, plan = searched.progress, searched.plan
    assert len(seen) > 10
    assert [p.parts_done for p in seen] == list(range(1, len(seen) + 1))
    assert {p.parts_total for p in seen} == {len(seen)}
    assert seen[-1].vehicles == plan.summary.vehicles
    assert all(p.lower_bound <= (p.vehicles or 0) for p in seen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_the_relaxed_stop_bound_never_exceeds_a_plan(problem: Problem) -> None:
    """Part by part, the one-sided LP bound is at most the vehicles of a complete plan."""
    assume(not problem.policy.party_may_sit_together)  # the planner does not use it then
    plan = solve(problem, time_limit=1)
    unserved = {u.registration_id for u in plan.unassigned}
    capacity = with_capacities(problem).largest_capacity
    for part in decompose(problem):
        ids = {r.registration_id for r in part.registrations}
        if ids & unserved:
            continue
        used = sum(1 for t in plan.trips if t.registration_ids()[0] in ids)
        assert relaxed_stop_bound(problem, part.registrations, capacity, Budget(100.0)) <= used


def test_the_relaxed_stop_bound_counts_scattered_drop_offs(
    make_registration: RegistrationFactory, fleet: Fleet
) -> None:
    """Six people, one day, six drop-offs far apart: six vehicles, though one seats them."""
    regs = tuple(
        make_registration(origin=HOHHOT, destination=place)
        for place in (TUZUOQI, BAOTOU, BEIJING, HAILAR, *FAR_APART)
    )
    problem = with_capacities(Problem(regs, fleet, Policy(dropoff_radius_km=30)))
    capacity = problem.largest_capacity
    assert window_lower_bound(regs, capacity) == 1
    assert relaxed_stop_bound(problem, regs, capacity, Budget(100.0)) == 6


def test_a_relaxation_too_large_for_its_share_is_skipped(
    make_registration: RegistrationFactory, fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    regs = tuple(make_registration(origin=HOHHOT, destination=p) for p in (BAOTOU, HAILAR))
    problem = with_capacities(Problem(regs, fleet, Policy(dropoff_radius_km=30)))
    monkeypatch.setattr(bounds, "SMALL_LP_VARIABLES", 0)
    assert relaxed_stop_bound(problem, regs, problem.largest_capacity, Budget(1e-9)) == 0
    assert relaxed_stop_bound(problem, regs, problem.largest_capacity, Budget(1.0)) == 2


def test_the_relaxed_stop_bound_on_the_sample_week(
    sample_problem: Problem, searched: Searched
) -> None:
    """On the largest parts of the sample week the relaxed bound stays at or below the
    plan's vehicles and, on some, rises above the window bound."""
    plan = searched.plan
    capacity = sample_problem.largest_capacity
    stronger = 0
    for part in decompose(sample_problem)[:10]:
        ids = {r.registration_id for r in part.registrations}
        used = sum(1 for t in plan.trips if t.registration_ids()[0] in ids)
        relaxed = relaxed_stop_bound(sample_problem, part.registrations, capacity, Budget(100.0))
        assert relaxed <= used
        stronger += relaxed > window_lower_bound(part.registrations, capacity)
    assert stronger >= 3

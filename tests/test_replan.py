"""Re-planning from a base plan: published trips kept as they are, everyone else kept on
their trip, date and seats where that costs no vehicle, and every change listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from pointplan.builder import build_problem
from pointplan.domain.plan import Plan, Trip, Unassigned
from pointplan.domain.registration import Registration
from pointplan.io import read_points
from pointplan.problem import Problem
from pointplan.replan import KEEPING_COST, Base, _placements, _renumbered, _State, replan
from pointplan.solve import solve
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import with_capacities
from pointplan.synthetic import make_week
from tests.conftest import assert_valid_plan

pytestmark = pytest.mark.slow
FIRST = dt.date(2022, 11, 21)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Week:
    """A synthetic week's problem and its plan from scratch (the base)."""

    problem: Problem
    base: Plan


@pytest.fixture(scope="module")
def week() -> Week:
    """400 registrations planned once, with a short budget."""
    made = make_week(400, seed=3)
    problem = build_problem(made.registrations, points=read_points(made.points))
    return Week(problem, solve(problem, time_limit=2))


def _stops_as_published(trip: Trip) -> list[tuple[object, ...]]:
    return [(s.kind, s.place, s.lat, s.lon, s.point_id, s.arrival, s.departure) for s in trip.stops]


def test_the_same_input_keeps_everyone_where_they_were(week: Week) -> None:
    """A re-plan of an unchanged week moves nobody and needs no more vehicles."""
    plan = replan(week.problem, Base(week.base, "base", frozen_through=FIRST), time_limit=2)
    assert_valid_plan(plan, week.problem.registrations, week.problem.fleet, week.problem.policy)
    assert {c.change for c in plan.changes} == {"kept"}
    assert len(plan.changes) == len(week.problem.registrations)
    assert plan.summary.vehicles <= week.base.summary.vehicles
    before = {t.trip_id: t for t in week.base.trips}
    for trip in plan.trips:
        assert trip.seats == before[trip.trip_id].seats
    assert plan.base_plan == "base" and plan.frozen_through == FIRST


def test_a_day_of_changes(week: Week) -> None:
    """Cancellations, new dates, newcomers, an abnormal check and boarded people: frozen trips
    unchanged but for who left and who took a free seat, nobody held on a trip, every
    registration once, every change listed with its reason, every rule kept."""
    problem, base = week.problem, week.base
    frozen_ids = {t.trip_id for t in base.trips if t.date <= FIRST}
    on_frozen = [rid for t in base.trips if t.trip_id in frozen_ids for rid in t.registration_ids()]
    later = [rid for t in base.trips if t.trip_id not in frozen_ids for rid in t.registration_ids()]
    by_id = {r.registration_id: r for r in problem.registrations}
    cancelled = set(on_frozen[:3] + later[:5])
    abnormal = set(on_frozen[3:5] + later[5:8])
    boarded = set(on_frozen[5:10])
    redated = later[8:14]
    registrations: list[Registration] = []
    for r in problem.registrations:
        rid = r.registration_id
        if rid in cancelled or rid in abnormal:
            continue
        if rid in redated:
            day = r.latest_date + dt.timedelta(days=1)
            r = r.model_copy(update={"earliest_date": day, "latest_date": day})
        registrations.append(r)
    # late registrations from the same places (one in five of the week's, renamed)
    newcomers = [
        r.model_copy(update={"registration_id": "N" + r.registration_id})
        for r in problem.registrations[::5]
    ]
    registrations += newcomers
    held = tuple(
        Unassigned(registration_id=rid, reason="health check abnormal") for rid in abnormal
    )
    changed = replace(
        problem,
        registrations=tuple(registrations),
        held=held,
        held_passengers=sum(by_id[rid].party_size for rid in abnormal),
    )
    plan = replan(
        changed, Base(base, "base", frozen_through=FIRST, riding=frozenset(boarded)), time_limit=2
    )

    everyone_in = [*changed.registrations, *(by_id[rid] for rid in sorted(abnormal))]
    assert_valid_plan(plan, everyone_in, changed.fleet, changed.policy)
    on_trips = {rid for t in plan.trips for rid in t.registration_ids()}
    assert not on_trips & abnormal
    assert boarded <= on_trips
    after = {t.trip_id: t for t in plan.trips}
    for trip in base.trips:
        if trip.trip_id not in frozen_ids:
            continue
        now = after[trip.trip_id]
        assert (now.vehicle_type, now.date) == (trip.vehicle_type, trip.date)
        assert _stops_as_published(now) == _stops_as_published(trip)
        staying = set(trip.registration_ids()) - cancelled - abnormal
        assert [s for s in now.seats if s.registration_id in staying] == [
            s for s in trip.seats if s.registration_id in staying
        ]
        for rid in set(now.registration_ids()) - set(trip.registration_ids()):
            change = next(c for c in plan.changes if c.registration_id == rid)
            assert change.change == "added" and "free seat" in change.reason

    changes = {c.registration_id: c for c in plan.changes}
    everyone = set(by_id) | {r.registration_id for r in newcomers}
    assert set(changes) == everyone and len(plan.changes) == len(everyone)
    for rid in cancelled | abnormal:
        assert changes[rid].change == "removed" and changes[rid].reason
    for rid in redated:
        assert changes[rid].change in {"moved", "removed"}
        assert "dates changed" in changes[rid].reason
    for change in plan.changes:
        assert change.change == "kept" or change.reason, change
    untouched = set(later) - cancelled - abnormal - set(redated)
    moved = [rid for rid in untouched if changes[rid].change != "kept"]
    # moved only where keeping cost a vehicle, or on its own trip and seats, boarding at
    # another time (its trip's stops changed around it): people to tell either way
    reasons = {changes[rid].reason for rid in moved}
    assert reasons <= {KEEPING_COST, "its boarding time changed"}, reasons
    for rid in moved:
        if changes[rid].reason != KEEPING_COST:
            assert changes[rid].from_trips == changes[rid].to_trips
    assert {c.registration_id for c in plan.changes if c.change == "added"} >= {
        r.registration_id for r in newcomers if r.registration_id in on_trips
    }


def _assert_valid_trips(problem: Problem, anew: Plan, trips: list[Trip]) -> None:
    """Fail unless `trips` with `anew`'s unassigned are a valid plan of `anew`'s people."""
    riders = {u.registration_id for u in anew.unassigned}
    riders |= {rid for t in anew.trips for rid in t.registration_ids()}
    staying = tuple(r for r in problem.registrations if r.registration_id in riders)
    plan = assemble_plan(
        replace(problem, registrations=staying),
        sorted(trips, key=lambda t: (t.date, t.trip_id)),
        anew.unassigned,
        lower_bound=anew.summary.vehicles_lower_bound,
        solve_seconds=0.0,
        solver="consolidate",
        seed=1,
    )
    assert_valid_plan(plan, staying, problem.fleet, problem.policy)


def test_trips_planned_anew_keep_their_base_ids_and_seats(week: Week) -> None:
    """A plan made anew of most of the base's people (one in ten gone) names each new trip
    after the base trip whose people it carries most of, on that trip's date, and seats
    them where they sat: more people keep trip, date and seat than the new plan's own ids
    and seats would give, no base id is given twice, and every rule holds."""
    problem, base = week.problem, week.base
    staying = tuple(r for i, r in enumerate(problem.registrations) if i % 10)
    anew = solve(replace(problem, registrations=staying), time_limit=2, seed=1)
    state = _State(with_capacities(problem), Base(base, "base", frozen_through=FIRST - DAY))
    named, unnamed = state.named_after_base(list(anew.trips), set())
    base_ids = {t.trip_id for t in base.trips}
    ids = [t.trip_id for t in named]
    assert named and len(set(ids)) == len(ids) and set(ids) <= base_ids
    before = _placements(base.trips)

    def keeping(trips: list[Trip]) -> int:
        return sum(1 for rid, placed in _placements(trips).items() if before.get(rid) == placed)

    trips = [*named, *_renumbered(unnamed, base_ids)]
    assert keeping(trips) > keeping(list(anew.trips))
    _assert_valid_trips(problem, anew, trips)


def test_passes_after_planning_anew_keep_more_people_as_told(week: Week) -> None:
    """After naming, moving people back onto the trip bearing their base trip's id and
    shifting departures to their boarding times keep more people as they were told, with
    no more vehicles, departures within two hours of the policy's, and every rule held."""
    problem, base = week.problem, week.base
    staying = tuple(r for i, r in enumerate(problem.registrations) if i % 10)
    anew = solve(replace(problem, registrations=staying), time_limit=2, seed=1)
    state = _State(with_capacities(problem), Base(base, "base", frozen_through=FIRST - DAY))
    named, unnamed = state.named_after_base(list(anew.trips), set())
    before = _placements(base.trips)

    def keeping(trips: list[Trip]) -> int:
        return sum(1 for rid, placed in _placements(trips).items() if before.get(rid) == placed)

    trips = [*named, *_renumbered(unnamed, {t.trip_id for t in base.trips})]
    pulled = state.pulled_back(trips)
    timed = state.retimed(pulled)
    assert len(timed) == len(pulled) <= len(trips)
    assert keeping(pulled) >= keeping(trips) and keeping(timed) > keeping(pulled)
    default = dt.datetime.combine(FIRST, problem.policy.departure_time)
    departures = {dt.datetime.combine(FIRST, dt.time.fromisoformat(t.departure)) for t in timed}
    assert departures != {default}
    assert all(abs(d - default) <= dt.timedelta(hours=2) for d in departures)
    _assert_valid_trips(problem, anew, timed)


def test_a_trip_losing_its_first_stop_keeps_the_others_boarding_times(week: Week) -> None:
    """Everyone boarding at a trip's first pickup cancels: the trip leaves later, when it
    left its next pickup before, and its other people are `kept`, boarding as told."""
    problem, base = week.problem, week.base
    trip = next(
        t for t in base.trips if t.date > FIRST and sum(s.kind == "pickup" for s in t.stops) >= 2
    )
    first, second = trip.stops[0], trip.stops[1]
    gone = set(first.registrations)
    staying = tuple(r for r in problem.registrations if r.registration_id not in gone)
    plan = replan(
        replace(problem, registrations=staying),
        Base(base, "base", frozen_through=FIRST),
        time_limit=2,
    )
    kept = next(t for t in plan.trips if t.trip_id == trip.trip_id)
    assert second.departure is not None
    assert kept.stops[0].place == second.place
    assert kept.departure == second.departure.strftime("%H:%M")
    changes = {c.registration_id: c for c in plan.changes}
    assert all(changes[rid].change == "kept" for rid in second.registrations)


def test_a_part_too_many_vehicles_dissolves_a_trip_whose_riders_fit_elsewhere(
    week: Week,
) -> None:
    """A trip split in two: the emptier half is dissolved into the other, its riders seated
    apart from everyone without moving anyone, the host still counted as kept, and the
    dissolved half's people given up only when it was a kept trip."""
    problem = with_capacities(week.problem)
    state = _State(problem, Base(week.base, "base", frozen_through=FIRST - DAY))
    trip = next(t for t in week.base.trips if len(t.registration_ids()) >= 3)
    whole = state.as_kept(trip)
    alone, rest = whole.rids()[:1], whole.rids()[1:]
    halves = []
    for rids in (alone, rest):
        half = state.as_kept(trip)
        half.riders = [r for r in half.riders if r.registration_id in rids]
        half.seats = {rid: half.seats[rid] for rid in rids}
        halves.append(state.kept_trip(half))
    small, large = halves
    for kept_small in (False, True):
        kept_objects = {id(large)} | ({id(small)} if kept_small else set())
        given_up: set[str] = set()
        (merged,) = state._dissolved([small, large], kept_objects, 1, given_up)
        assert sorted(merged.registration_ids()) == sorted(trip.registration_ids())
        assert id(merged) in kept_objects
        assert given_up == (set(alone) if kept_small else set())
        kept_seats = {(s.row, s.seat, s.registration_id) for s in large.seats}
        assert kept_seats <= {(s.row, s.seat, s.registration_id) for s in merged.seats}
    assert state._dissolved([small, large], set(), 0, set()) == [small, large]

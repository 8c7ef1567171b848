"""Date guidance (引导集中出行): whom staff could ask to travel on another date, and the
vehicles the plan would save if they agreed (the policy's `date_suggestion_days`;
interchange.md, "Plan: more fields").

Computed from the plan, not guessed. Each *group* is the people of one direct trip, the
least full first: the group saves that trip's vehicle if all of them move to a date (up to
`date_suggestion_days` before their earliest or after their latest date, and outside the
window of at least one of them: inside every window the planner may move them itself) on
which another direct trip of the plan to the same league or city (its first rider's) can take
them all, within its stop limits and radii,
its seats (the trip built again by the plan's trip builder, seated and timed under the
driving rules), its vehicle type unchanged. Each trip of the plan takes at most one group
and a trip that gives up its people takes none, so the savings add up: `plan_if_agreed`
builds the plan with every group moved, which has exactly that many vehicles fewer (the
check, by re-planning the trips concerned). Groups are ranked by vehicles saved per person
asked, then by trip id. Legs of journeys through hubs are neither given up nor joined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pointplan.domain.plan import DateSuggestion, Plan, Trip
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision, place_key, stops_added
from pointplan.solvers.result import assemble_plan, riders_bound
from pointplan.solvers.seating import SeatingError, fits, with_capacities
from pointplan.solvers.trips import build_trip


@dataclass(frozen=True)
class _Move:
    """One group: the trip it leaves, the trip it joins, and the date it moves to."""

    given_up: Trip
    joined: Trip
    move_to: dt.date


def with_date_suggestions(problem: Problem, plan: Plan) -> Plan:
    """`plan` with its `date_suggestions` (see the module); the plan itself when the policy
    asks for none."""
    if problem.policy.date_suggestion_days <= 0:
        return plan
    ranked = _moves(problem, plan)  # found least full trip first: ranked already
    suggestions = tuple(
        DateSuggestion(
            registration_id=rid,
            move_to=move.move_to,
            saves_vehicles=1,
            group=n,
            trip_id=move.joined.trip_id,
        )
        for n, move in enumerate(ranked, start=1)
        for rid in move.given_up.registration_ids()
    )
    return plan.model_copy(update={"date_suggestions": suggestions})


def plan_if_agreed(problem: Problem, plan: Plan) -> Plan:
    """The plan with every suggested group on its new date, on the trip that takes it (built
    again), and the trips they leave gone: the check of the suggestions' savings."""
    problem = with_capacities(problem)
    groups: dict[int, list[DateSuggestion]] = {}
    for s in plan.date_suggestions:
        groups.setdefault(s.group, []).append(s)
    by_trip = {rid: t for t in plan.trips for rid in t.registration_ids()}
    by_id = {r.registration_id: r for r in problem.registrations}
    gone = {by_trip[members[0].registration_id].trip_id for members in groups.values()}
    trips = {t.trip_id: t for t in plan.trips if t.trip_id not in gone}
    for members in groups.values():
        moved = [_on(by_id[m.registration_id], m.move_to) for m in members]
        host = trips[members[0].trip_id]
        riders = [by_id[rid] for rid in host.registration_ids()] + moved
        trips[host.trip_id] = _joined(problem, host, riders)
    kept = sorted(trips.values(), key=lambda t: t.trip_id)
    found = assemble_plan(
        problem,
        kept,
        plan.unassigned,
        lower_bound=riders_bound(problem, kept),
        solve_seconds=plan.summary.solve_seconds,
        solver=plan.summary.solver,
        seed=plan.summary.seed,
        advised=plan.advised,
    )
    return found


def _moves(problem: Problem, plan: Plan) -> list[_Move]:
    """The groups, found least full trip first, each joining the first trip that takes it."""
    by_id = {r.registration_id: r for r in problem.registrations}
    direct = [t for t in plan.trips if t.leg == "direct"]

    def area(trip: Trip) -> str:  # where its first rider leaves: hosts are looked up by it
        place = by_id[trip.registration_ids()[0]].dropoff
        return (place.adcode or place.label)[:4]

    on_day: dict[tuple[dt.date, str, str], list[Trip]] = {}
    for t in sorted(direct, key=lambda t: t.trip_id):
        on_day.setdefault((t.date, t.direction.value, area(t)), []).append(t)
    taken: set[str] = set()  # trips that took a group or gave theirs up
    moves = []
    for trip in sorted(direct, key=lambda t: (t.passengers, t.trip_id)):
        if trip.trip_id in taken:
            continue
        group = [by_id[rid] for rid in trip.registration_ids()]
        for day in _dates(problem, group, trip.date):
            hosts = on_day.get((day, trip.direction.value, area(trip)), [])
            host = _host(problem, hosts, group, day, taken, by_id)
            if host is not None:
                moves.append(_Move(trip, host, day))
                taken |= {trip.trip_id, host.trip_id}
                break
    return moves


def _dates(problem: Problem, riders: Sequence[Registration], now: dt.date) -> list[dt.date]:
    """The dates these people could be asked to move to, nearest to `now` first: within
    `date_suggestion_days` of every window and outside at least one."""
    reach = dt.timedelta(days=problem.policy.date_suggestion_days)
    first = max(r.earliest_date for r in riders) - reach
    last = min(r.latest_date for r in riders) + reach
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    asked = [d for d in days if any(not r.earliest_date <= d <= r.latest_date for r in riders)]
    return sorted(asked, key=lambda d: (abs((d - now).days), d))


def _host(
    problem: Problem,
    hosts: Sequence[Trip],
    group: Sequence[Registration],
    day: dt.date,
    taken: set[str],
    by_id: dict[str, Registration],
) -> Trip | None:
    """The first of `hosts` (direct trips of the day, direction and drop-off league or city,
    by id) that can take the whole group, its trip builder agreeing; None when none can."""
    people = sum(r.party_size for r in group)
    for other in hosts:
        if other.trip_id in taken or other.passengers + people > other.capacity:
            continue
        riders = [by_id[rid] for rid in other.registration_ids()]
        if _may_join(problem, other, riders, group):
            try:
                _joined(problem, other, riders + [_on(r, day) for r in group])
            except SeatingError:
                continue
            return other
    return None


def _may_join(
    problem: Problem, host: Trip, riders: Sequence[Registration], group: Sequence[Registration]
) -> bool:
    """Whether the group's stops keep the host within the stop limits and radii, and its
    parties fit the seats."""
    pickups = {place_key(r.pickup): r.pickup for r in riders}
    dropoffs = {place_key(r.dropoff): r.dropoff for r in riders}
    for registration in group:
        if stops_added(problem, pickups, dropoffs, registration) is None:
            return False
        pickups.setdefault(place_key(registration.pickup), registration.pickup)
        dropoffs.setdefault(place_key(registration.dropoff), registration.dropoff)
    vehicle_type = problem.fleet.by_name(host.vehicle_type)
    return fits(problem, vehicle_type, [r.party_size for r in [*riders, *group]])


def _joined(problem: Problem, host: Trip, riders: Sequence[Registration]) -> Trip:
    """The host trip built again for `riders` on its vehicle type and date (raises
    `SeatingError` when they cannot be seated)."""
    decision = Decision(problem.fleet.by_name(host.vehicle_type), host.date, tuple(riders))
    part = replace(problem, registrations=tuple(riders), rejected=(), held=(), held_passengers=0)
    return build_trip(host.trip_id, part, decision)


def _on(registration: Registration, day: dt.date) -> Registration:
    """The registration with its window moved to `day` (as if it agreed)."""
    return registration.model_copy(update={"earliest_date": day, "latest_date": day})

"""Charters only where they pay (the policy's `min_trip_passengers`; interchange.md, "Plan:
more fields").

A direct or trunk trip carrying fewer people than `min_trip_passengers` is not chartered: the
people on it are `advised` to travel by scheduled service (mode `scheduled`), with its
estimated cost, their party size times the road km of their whole journey times the
policy's `scheduled_fare_per_km`. Their other legs (feeders, distribution legs) are built
again without them, in their seats and at their times, or dropped when nobody is left.
Feeders and distribution legs are not held to the least themselves: they serve trunks that
are. Nobody is dropped without a reason: each advised item says which trip it would have
ridden and how few were on it. The plan's lower bound on vehicles becomes that of the people
still on trips: one vehicle of the largest capacity per so many of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pointplan.domain.places import Place
from pointplan.domain.plan import Advice, Plan, Trip
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.result import assemble_plan, riders_bound
from pointplan.solvers.trips import rebuilt

SCHEDULED = "scheduled"
"""The mode advised: a scheduled coach or train."""


def with_advice(problem: Problem, plan: Plan) -> Plan:
    """`plan` with the people of its direct and trunk trips under `min_trip_passengers`
    advised instead (see the module); the plan itself when there are none."""
    least = problem.policy.min_trip_passengers
    small = [t for t in plan.trips if t.leg in ("direct", "trunk") and t.passengers < least]
    if not small:
        return plan
    by_id = {r.registration_id: r for r in problem.registrations}
    why = {
        rid: f"the trip it would ride ({trip.trip_id}, {trip.leg}) has {trip.passengers} "
        f"people, under min_trip_passengers {least}"
        for trip in small
        for rid in trip.registration_ids()
    }
    advice = tuple(
        Advice(
            registration_id=rid,
            mode=SCHEDULED,
            reason=reason,
            cost=round(_fare(problem, by_id[rid]), 2),
        )
        for rid, reason in sorted(why.items())
    )
    trips = []
    for trip in plan.trips:
        staying = [rid for rid in trip.registration_ids() if rid not in why]
        if len(staying) == len(trip.registration_ids()):
            trips.append(trip)
        elif staying:
            trips.append(_without(trip, staying, problem, by_id))
    found = assemble_plan(
        problem,
        trips,
        [u for u in plan.unassigned if u not in problem.held],
        lower_bound=riders_bound(problem, trips),
        solve_seconds=plan.summary.solve_seconds,
        solver=plan.summary.solver,
        seed=plan.summary.seed,
        advised=advice,
    )
    return found


def _fare(problem: Problem, registration: Registration) -> float:
    km = problem.distances.road_km(registration.pickup, registration.dropoff)
    return registration.party_size * km * problem.policy.scheduled_fare_per_km


def _without(
    trip: Trip, staying: list[str], problem: Problem, by_id: dict[str, Registration]
) -> Trip:
    """`trip` built again for the riders `staying`, each boarding and leaving where it did
    (its own place, or the hub of the stop), in their seats and at the trip's time."""
    points = {p.point_id: p for p in problem.points}
    riders = []
    for rid in staying:
        own = by_id[rid]
        boards = next(s for s in trip.stops if s.kind == "pickup" and rid in s.registrations)
        leaves = next(s for s in trip.stops if s.kind == "dropoff" and rid in s.registrations)
        pickup: Place = points.get(boards.point_id or "", own.pickup)
        dropoff: Place = points.get(leaves.point_id or "", own.dropoff)
        riders.append(
            own.model_copy(
                update={
                    "pickup": pickup,
                    "dropoff": dropoff,
                    "earliest_date": trip.date,
                    "latest_date": trip.date,
                }
            )
        )
    seats = tuple(s for s in trip.seats if s.registration_id in staying)
    kept = trip.model_copy(update={"seats": seats})
    part = replace(problem, registrations=tuple(riders), rejected=(), held=(), held_passengers=0)
    departure = dt.time.fromisoformat(trip.departure)
    return rebuilt(kept, part, riders, departure).model_copy(update={"leg": trip.leg})

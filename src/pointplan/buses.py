"""A plan's buses: with a fleet of depots, the trips chained into the depots' buses.

Each road trip whose vehicle type some depot runs gets a bus of one depot (`bus_id`,
`depot_id`); the plan lists the buses with their trips and empty runs in order, and per
depot and type the least buses the plan needs against what the depot has (`fleet_sizing`).
The empty runs' km are in `summary.empty_km` and their cost (the type's `cost_per_km`) in
`summary.cost`. With the policy's `chain_trips` a bus may drive from the end of one trip to
the start of the next; without, it goes home after every trip. Rail cars and types no depot
runs have no bus. See `pointplan.solvers.chaining` for how buses are found, docs/fleet.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache

from pointplan.domain.driving import plan_timeline
from pointplan.domain.places import Location
from pointplan.domain.plan import Plan, Trip
from pointplan.domain.policy import Policy
from pointplan.problem import Problem
from pointplan.solvers.chaining import ChainRules, TripSpan, chain_trips
from pointplan.solvers.result import cost_per_person


def with_buses(problem: Problem, plan: Plan) -> Plan:
    """`plan` with its buses (see the module); the plan itself for a fleet without depots."""
    fleet, policy = problem.fleet, problem.policy
    if not fleet.depots:
        return plan
    spans = [trip_span(trip, policy) for trip in plan.trips if trip.mode == "coach"]
    chained = chain_trips(
        spans,
        fleet.depots,
        {vt.name: run_clock(vt.speed_kmh, policy) for vt in fleet.vehicle_types},
        problem.distances.road_km,
        chain_rules(policy),
        {vt.name: vt.cost_per_km for vt in fleet.vehicle_types},
    )
    bus_of = {trip_id: bus for bus in chained.buses for trip_id in bus.trips}
    trips = tuple(
        trip.model_copy(
            update={
                "bus_id": bus_of[trip.trip_id].bus_id,
                "depot_id": bus_of[trip.trip_id].depot_id,
            }
        )
        if trip.trip_id in bus_of
        else trip
        for trip in plan.trips
    )
    empty_cost = sum(bus.empty_cost for bus in chained.buses)
    summary = plan.summary
    cost = round(summary.cost + empty_cost, 2)
    return plan.model_copy(
        update={
            "trips": trips,
            "buses": chained.buses,
            "fleet_sizing": chained.needs,
            "summary": summary.model_copy(
                update={
                    "buses": len(chained.buses),
                    "empty_km": round(sum(bus.empty_km for bus in chained.buses), 3),
                    "buses_short": sum(need.short for need in chained.needs),
                    "cost": cost,
                    "cost_per_person": cost_per_person(
                        problem, cost, summary.served_passengers, plan.advised
                    ),
                }
            ),
        }
    )


def chain_rules(policy: Policy) -> ChainRules:
    """The policy's rules for chaining trips into buses."""
    return ChainRules(
        chain=policy.chain_trips,
        turnaround=dt.timedelta(minutes=policy.turnaround_minutes),
        rest_before=dt.timedelta(minutes=policy.rest_minutes),
        max_empty_km=policy.max_empty_km,
    )


def trip_span(trip: Trip, policy: Policy) -> TripSpan:
    """When the trip's bus must be at its first stop, and when it leaves its last."""
    first, last = trip.stops[0], trip.stops[-1]
    start = first.arrival or (
        dt.datetime.combine(trip.date, dt.time.fromisoformat(trip.departure))
        - dt.timedelta(minutes=policy.stop_minutes)
    )
    end = last.departure or trip.arrival or start
    return TripSpan(
        trip_id=trip.trip_id,
        vehicle_type=trip.vehicle_type,
        start=start,
        end=max(start, end),
        first=Location(lat=first.lat, lon=first.lon),
        last=Location(lat=last.lat, lon=last.lon),
    )


def run_clock(speed_kmh: float, policy: Policy) -> Callable[[dt.datetime, float], dt.datetime]:
    """When an empty run of a vehicle of this speed arrives, under the driving rules."""

    @cache
    def duration(clock: dt.time, km: int) -> dt.timedelta:
        # The rules depend on the time of day alone, so a run's length does too.
        start = dt.datetime.combine(dt.date(2000, 1, 1), clock)
        return plan_timeline(start, [km], speed_kmh, policy).stop_arrivals[-1] - start

    def arrival(start: dt.datetime, km: float) -> dt.datetime:
        if km <= 0:
            return start
        # Timed as the next whole km: never earlier than the run itself would arrive.
        return start + duration(start.time(), math.ceil(km))

    return arrival

"""Plans with hubs and transfers (the policy's `transfers`; docs/networks.md).

The direct plan is made first. The people of its thin trips (long and at most half full)
are offered journeys through hubs: the network model (`pointplan.solvers.network`) chooses
each class's journey and day. Those it sends through hubs leave their thin trips, which are
built again for the riders they keep (one left empty is gone), and become leg
registrations: copies boarding and leaving at the journey's places, on a fixed date. The
legs are planned in waves by the planner the caller gives, so that feeders and distribution
legs still share vehicles within the radii and stop limits:
1. the first legs, from the parties' own pickups, one kind at a time (feeder, trunk);
2. the legs from the hubs;
3. the legs after those.

Each leg of a wave leaves at least `transfer_minutes` after its riders' leg before it
arrived. A trip that must wait for them leaves later, on the date they are ready. The
result stands only where the thin trips left and the legs cost less than the thin trips;
otherwise, or when a wave leaves anyone unplanned (nobody is left between two legs), the
plan is the direct one, so it is never dearer.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pointplan.domain.places import Place, PointKind
from pointplan.domain.plan import Plan, Trip
from pointplan.domain.registration import Registration
from pointplan.domain.trip import Leg
from pointplan.problem import Problem
from pointplan.solvers.budget import Budget
from pointplan.solvers.fleet_use import fleet_left
from pointplan.solvers.network import (
    Carrier,
    DemandClass,
    Itinerary,
    candidate_itineraries,
    demand_classes,
    plan_network,
)
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import with_capacities
from pointplan.solvers.trips import rebuilt

PlanLegs = Callable[[Problem, float], Plan]
"""Plans a problem of legs (or the direct plan) within a budget in seconds."""
DIRECT_SHARE = 0.4
MODEL_SHARE = 0.2
"""Shares of the budget: the direct plan, the network model; the waves share the rest."""
LEAST_SECONDS = 0.5
THIN_KM = 150.0
THIN_SHARE = 0.5
"""A direct trip longer than `THIN_KM` carrying at most `THIN_SHARE` of its capacity is
thin: its people are offered journeys through hubs."""


@dataclass(frozen=True)
class _Ride:
    """One leg of one registration's journey: its position in the journey and its kind."""

    registration: Registration
    journey: Itinerary
    position: int
    day: dt.date

    @property
    def kind(self) -> Leg:
        """Which leg this is."""
        return self.journey.legs[self.position]

    @property
    def last(self) -> bool:
        """Whether this leg ends at the party's drop-off."""
        return self.position == len(self.journey.legs) - 1


def solve_network(problem: Problem, plan_legs: PlanLegs, seconds: float, seed: int) -> Plan:
    """The plan of `problem` through hubs where that costs less than direct (see the
    module), within about `seconds`."""
    started = time.perf_counter()
    problem = with_capacities(problem)
    direct_problem = replace(problem, policy=problem.policy.model_copy(update={"transfers": False}))
    direct = plan_legs(direct_problem, max(LEAST_SECONDS, DIRECT_SHARE * seconds))
    hubs = [p for p in problem.points if p.kind == PointKind.HUB]
    if not hubs:
        return direct
    carriers = [Carrier(vt, problem.capacity(vt).effective) for vt in problem.available_types]
    thin = [t for t in direct.trips if _thin(t)]
    kept = [t for t in direct.trips if not _thin(t)]
    offered = {rid for t in thin for rid in t.registration_ids()}
    if not offered:
        return direct
    rides: list[_Ride] = []
    parts = _parts(demand_classes(r for r in problem.registrations if r.registration_id in offered))
    people = max(1, sum(c.people for part in parts for c in part))
    for part in parts:
        journeys = [candidate_itineraries(c, hubs, problem.distances, problem.policy) for c in part]
        share = MODEL_SHARE * seconds * sum(c.people for c in part) / people
        limit = Budget.starting_now(max(LEAST_SECONDS / 10, share)).cp_limit()
        answer = plan_network(part, journeys, carriers, problem.distances, limit, seed)
        if not answer.people:  # no solution in time: the part rides direct
            answer = replace(answer, people={(c, 0, d.first): d.people for c, d in enumerate(part)})
        rides += _rides(part, journeys, answer.people)
    through_hubs = [r for r in rides if len(r.journey.legs) > 1]
    if not through_hubs:
        return direct
    left = _without(thin, {r.registration.registration_id for r in through_hubs}, problem)
    wave_seconds = max(LEAST_SECONDS, (1 - DIRECT_SHARE - MODEL_SHARE) * seconds / 3)
    legs = _legs_planned(problem, through_hubs, [*kept, *left], plan_legs, wave_seconds)
    if legs is None or _cost([*left, *legs]) >= _cost(thin):
        return direct
    trips = [*kept, *left, *legs]
    largest = max((c.capacity for c in carriers), default=1)
    return assemble_plan(
        problem,
        _numbered(trips),
        (),
        lower_bound=math.ceil(problem.passengers / max(1, largest)),  # everyone rides one
        solve_seconds=time.perf_counter() - started,
        solver=direct.summary.solver,
        seed=seed,
    )


def _cost(trips: Sequence[Trip]) -> float:
    return sum(t.cost for t in trips)


def _without(trips: Sequence[Trip], leaving: set[str], problem: Problem) -> list[Trip]:
    """The direct trips without the registrations that ride through hubs now: each built
    again for the riders it keeps, in their seats and at its time; one left empty is gone."""
    by_id = {r.registration_id: r for r in problem.registrations}
    found = []
    for trip in trips:
        staying = [rid for rid in trip.registration_ids() if rid not in leaving]
        if len(staying) == len(trip.registration_ids()):
            found.append(trip)
        elif staying:
            seats = tuple(s for s in trip.seats if s.registration_id in staying)
            departure = dt.time.fromisoformat(trip.departure)
            riders = [by_id[rid] for rid in staying]
            found.append(
                rebuilt(trip.model_copy(update={"seats": seats}), problem, riders, departure)
            )
    return found


def _thin(trip: Trip) -> bool:
    """Whether a direct trip runs far with few people: its people are planned again through
    hubs (the others keep the direct plan's trips)."""
    return trip.distance_km > THIN_KM and trip.passengers <= THIN_SHARE * trip.capacity


def _parts(classes: list[DemandClass]) -> list[list[DemandClass]]:
    """The classes by direction and the league or city of their drop-off (where the trunks
    of one part go): each part's model is solved alone."""
    parts: dict[tuple[str, str], list[DemandClass]] = {}
    for demand in classes:
        area = (demand.dropoff.adcode or demand.dropoff.label)[:4]
        parts.setdefault((demand.direction.value, area), []).append(demand)
    return [parts[key] for key in sorted(parts)]


def _rides(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    people: dict[tuple[int, int, dt.date], int],
) -> list[_Ride]:
    """The first leg of every registration: each class's parties, largest first, given to
    the journey and day with the most of the class's people still to place."""
    rides = []
    for c, demand in enumerate(classes):
        left = {(i, day): n for (k, i, day), n in sorted(people.items()) if k == c}
        parties = sorted(demand.registrations, key=lambda r: (-r.party_size, r.registration_id))
        for registration in parties:
            (i, day), _ = max(left.items(), key=lambda item: (item[1], -item[0][0]))
            left[i, day] -= registration.party_size
            rides.append(_Ride(registration, journeys[c][i], 0, day))
    return rides


def _legs_planned(
    problem: Problem,
    rides: list[_Ride],
    fixed: Sequence[Trip],
    plan_legs: PlanLegs,
    seconds: float,
) -> list[Trip] | None:
    """Every leg of every ride planned, wave after wave, on the vehicles the `fixed` trips
    leave; None when a wave leaves anyone."""
    trips: list[Trip] = []
    ready: dict[str, dt.datetime] = {}  # registration id -> when it may board its next leg
    wave = rides
    gap = dt.timedelta(minutes=problem.policy.transfer_minutes)
    while wave:
        following = []
        for kind in ("feeder", "trunk", "distribution"):  # a journey through hubs has no direct leg
            group = [r for r in wave if r.kind == kind]
            if not group:
                continue
            planned = _one_kind(problem, group, ready, [*fixed, *trips], plan_legs, seconds)
            if planned is None:
                return None
            for trip in planned:
                trips.append(trip.model_copy(update={"leg": kind}))
                for stop in trip.stops:
                    if stop.kind == "dropoff" and stop.arrival is not None:
                        for rid in stop.registrations:
                            ready[rid] = stop.arrival + gap
            for ride in group:
                if not ride.last:
                    arrives = ready[ride.registration.registration_id]
                    following.append(replace(ride, position=ride.position + 1, day=arrives.date()))
        wave = following
    return trips


def _one_kind(
    problem: Problem,
    rides: list[_Ride],
    ready: dict[str, dt.datetime],
    planned_before: Sequence[Trip],
    plan_legs: PlanLegs,
    seconds: float,
) -> list[Trip] | None:
    """The legs of one kind of one wave, planned and each trip made to wait for the last of
    its riders to be ready; None when anyone is left unplanned."""
    legs = tuple(_leg(ride) for ride in rides)
    part = replace(
        problem,
        registrations=legs,
        fleet=fleet_left(problem.fleet, planned_before),
        rejected=(),
        held=(),
        held_passengers=0,
    )
    planned = plan_legs(part, seconds)
    if planned.unassigned:
        return None
    by_id = {r.registration_id: r for r in legs}
    found = []
    for trip in planned.trips:
        riders = [by_id[rid] for rid in trip.registration_ids()]
        boards = {
            rid: stop.departure
            for stop in trip.stops
            if stop.kind == "pickup" and stop.departure is not None
            for rid in stop.registrations
        }
        late = [ready[rid] - boards[rid] for rid in boards if rid in ready]
        wait = max([dt.timedelta(0), *late])
        if wait:
            leaves = dt.datetime.combine(trip.date, dt.time.fromisoformat(trip.departure)) + wait
            if leaves.date() != trip.date:
                return None  # its riders are ready too late in the day for its route
            trip = rebuilt(trip, part, riders, leaves.time())
        found.append(trip)
    return found


def _leg(ride: _Ride) -> Registration:
    """The registration as the planner of its leg sees it: boarding and leaving at the leg's
    places, on the day it is ready for it."""
    places: tuple[Place, ...] = ride.journey.places
    return ride.registration.model_copy(
        update={
            "pickup": places[ride.position],
            "dropoff": places[ride.position + 1],
            "earliest_date": ride.day,
            "latest_date": ride.day,
        }
    )


def _numbered(trips: list[Trip]) -> list[Trip]:
    """The trips numbered T0001... by date, departure and leg."""
    order = {"feeder": 0, "direct": 1, "trunk": 2, "distribution": 3}
    ordered = sorted(trips, key=lambda t: (t.date, t.departure, order[t.leg], t.trip_id))
    width = max(4, len(str(len(ordered))))
    return [t.model_copy(update={"trip_id": f"T{n:0{width}d}"}) for n, t in enumerate(ordered, 1)]

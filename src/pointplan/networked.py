"""Plans with hubs and transfers (the policy's `transfers`; docs/networks.md).

The direct plan is made first: the plan to beat. Everyone going further than `FAR_KM` is
offered journeys through hubs: the network model (`pointplan.solvers.network`) chooses each
class's journey and day, part by part, each part's vehicles carrying the people the parts
before put on its arcs. Those it leaves on direct journeys are planned anew by the planner
the caller gives; the others become leg registrations: copies boarding and leaving at the
journey's places, on a fixed date. The legs are planned in waves by the same planner, so
that feeders and distribution legs still share vehicles within the radii and stop limits:
1. the first legs, from the parties' own pickups, one kind at a time (feeder, trunk);
2. the legs from the hubs;
3. the legs after those.

Each leg of a wave leaves at least `transfer_minutes` after its riders' leg before it
arrived (a party ready after `LATEST_ONWARD` goes on the next morning, unless its leg is
short). A trip that must wait for them leaves later; the cars of a train leave together.
With rail (the policy's `rail` and rail cars in the fleet), stations are among the places
people change at: rail trunks are planned on rail cars alone, formed into trains, and those
a day's cars cannot take ride coaches between the same stations; the plan through hubs
without rail is made too, and the cheaper kept. The result stands only where it costs less
than the direct plan and leaves nobody more unplanned; otherwise, or when a wave leaves
anyone unplanned (nobody is left between two legs), the plan is the direct one, so it is
never dearer.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.plan import Plan, Trip, Unassigned
from pointplan.domain.registration import Registration
from pointplan.domain.trip import Leg, Mode
from pointplan.problem import Problem
from pointplan.solvers.budget import Budget
from pointplan.solvers.fleet_use import fleet_left, over_counts
from pointplan.solvers.network import (
    Carrier,
    DemandClass,
    Itinerary,
    candidate_itineraries,
    demand_classes,
    plan_network,
)
from pointplan.solvers.network.search import Arc, ArcDay
from pointplan.solvers.network.zones import zone_of
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import with_capacities
from pointplan.solvers.trips import rebuilt

log = logging.getLogger(__name__)
PlanLegs = Callable[[Problem, float], Plan]
"""Plans a problem of legs (or the direct plan) within a budget in seconds."""
DIRECT_SHARE = 0.3
MODEL_SHARE = 0.2
REST_SHARE = 0.2
"""Shares of the budget: the direct plan, the network model, the plan of those riding
direct in the network plan; the waves share the rest."""
LEAST_SECONDS = 0.5
WAVES = 3
"""The waves of legs a journey of `max_legs` 3 needs, which share what the budget leaves."""
FAR_KM = 150.0
"""Registrations going further than this (road km) are offered journeys through hubs."""
LATEST_ONWARD = dt.time(13, 0)
"""A party ready for its next leg after this goes on the next morning (a night at the hub),
so that no long leg starts its road in the evening; unless that leg, at `ONWARD_KMH`, ends
before the policy's night starts (a short ride from a station to the drop-off)."""
ONWARD_KMH = 60.0
FLEET_ATTEMPTS = 3
"""How many times a wave is planned with fewer vehicles before the plan falls back to direct."""


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
    def mode(self) -> Mode:
        """How this leg is ridden."""
        return self.journey.mode(self.position)

    @property
    def last(self) -> bool:
        """Whether this leg ends at the party's drop-off."""
        return self.position == len(self.journey.legs) - 1


def solve_network(problem: Problem, plan_legs: PlanLegs, seconds: float, seed: int) -> Plan:
    """The plan of `problem` through hubs where that costs less than direct (see the
    module), within about `seconds`. With rail, the plan through hubs without it is made
    too, in half the time each, and the cheaper kept: rail is one of the choices."""
    started = time.perf_counter()
    problem = with_capacities(problem)
    direct_problem = replace(problem, policy=problem.policy.model_copy(update={"transfers": False}))
    direct = plan_legs(direct_problem, max(LEAST_SECONDS, DIRECT_SHARE * seconds))
    far = [
        r for r in problem.registrations if problem.distances.road_km(r.pickup, r.dropoff) > FAR_KM
    ]
    ways = [_changes_at(problem)]
    if PointKind.STATION in ways[0]:
        ways.append({PointKind.HUB})
    share = seconds / len(ways)
    best: tuple[list[Trip], tuple[Unassigned, ...]] | None = None
    for changes in ways:
        hubs = [p for p in problem.points if p.kind in changes]
        found = (
            _through_hubs(problem, direct_problem, direct, far, hubs, plan_legs, share, seed)
            if far
            else None
        )
        if found is not None and (best is None or _cost(found[0]) < _cost(best[0])):
            best = found
    if best is None:
        return _timed(direct, started)
    trips, unassigned = best
    largest = max((problem.capacity(vt).effective for vt in problem.available_types), default=1)
    return assemble_plan(
        problem,
        _trains(_numbered(trips), problem.policy.special_train_cars),
        unassigned,
        lower_bound=math.ceil(problem.passengers / max(1, largest)),  # everyone rides one
        solve_seconds=time.perf_counter() - started,
        solver=direct.summary.solver,
        seed=seed,
    )


def _through_hubs(
    problem: Problem,
    direct_problem: Problem,
    direct: Plan,
    far: Sequence[Registration],
    hubs: Sequence[Point],
    plan_legs: PlanLegs,
    seconds: float,
    seed: int,
) -> tuple[list[Trip], tuple[Unassigned, ...]] | None:
    """The trips and unassigned of the plan through `hubs` (steps 2 to 5 of the module),
    or None when it costs no less than `direct` (the plan of `direct_problem`) or leaves
    anyone more unplanned."""
    if not hubs:
        return None
    rides = _journeys_chosen(problem, far, hubs, MODEL_SHARE * seconds, seed)
    through_hubs = [r for r in rides if len(r.journey.legs) > 1]
    if not through_hubs:
        return None
    routed = {r.registration.registration_id for r in through_hubs}
    rest = replace(
        direct_problem,
        registrations=tuple(r for r in problem.registrations if r.registration_id not in routed),
        rejected=(),
        held=(),
        held_passengers=0,
    )
    rest_plan = plan_legs(rest, max(LEAST_SECONDS, REST_SHARE * seconds))
    wave_seconds = (1 - DIRECT_SHARE - MODEL_SHARE - REST_SHARE) * seconds / WAVES
    legs = _legs_planned(problem, through_hubs, rest_plan.trips, plan_legs, wave_seconds)
    network_cost = _cost([*rest_plan.trips, *(legs or [])])
    log.info(
        "network plan: %d registrations through %d hubs, %d legs; direct %.0f, network %.0f%s",
        len(routed),
        len(hubs),
        len(legs or []),
        _cost(direct.trips),
        network_cost,
        "" if legs is not None else " (a wave left people unplanned)",
    )
    if (
        legs is None
        or len(rest_plan.unassigned) > len(direct.unassigned) - len(problem.held)
        or network_cost >= _cost(direct.trips)
    ):
        return None
    return [*rest_plan.trips, *legs], rest_plan.unassigned


def _changes_at(problem: Problem) -> set[PointKind]:
    """The kinds of point where people may change vehicles: hubs, and stations where the
    policy allows rail and the fleet has rail cars to run between them."""
    rail_cars = any(vt.is_rail and vt.count != 0 for vt in problem.fleet.vehicle_types)
    if problem.policy.rail and rail_cars:
        return {PointKind.HUB, PointKind.STATION}
    return {PointKind.HUB}


def _timed(plan: Plan, started: float) -> Plan:
    """The direct plan, its solve seconds those of the whole attempt."""
    seconds = round(time.perf_counter() - started, 3)
    return plan.model_copy(
        update={"summary": plan.summary.model_copy(update={"solve_seconds": seconds})}
    )


def _journeys_chosen(
    problem: Problem,
    registrations: Sequence[Registration],
    hubs: Sequence[Point],
    seconds: float,
    seed: int,
) -> list[_Ride]:
    """The first leg of each registration's journey, as the network model chooses it part
    by part, each part's vehicles carrying the people the parts before put on its arcs."""
    carriers = [  # the rail cars too: rail arcs are the only ones they carry
        Carrier(vt, problem.capacity(vt).effective)
        for vt in problem.fleet.vehicle_types
        if vt.count != 0
    ]
    parts = _parts(demand_classes(registrations, by=zone_of))
    people = max(1, sum(c.people for part in parts for c in part))
    loads: dict[ArcDay, int] = {}
    running: dict[tuple[Arc, dt.date, str], int] = {}  # the vehicles on each arc and day
    rides: list[_Ride] = []
    for part in parts:
        journeys = [candidate_itineraries(c, hubs, problem.distances, problem.policy) for c in part]
        share = seconds * sum(c.people for c in part) / people
        limit = Budget.starting_now(max(LEAST_SECONDS / 10, share)).cp_limit()
        answer = plan_network(
            part, journeys, carriers, problem.distances, limit, seed, carried=loads,
            running=running,
        )  # fmt: skip
        chosen = answer.people or {(c, 0, d.first): d.people for c, d in enumerate(part)}
        loads = answer.loads  # with no solution in time the part rides direct, unseen
        running.update(answer.vehicles)  # an arc's vehicles now carry its earlier people too
        rides += _rides(part, journeys, chosen)
    return rides


def _cost(trips: Sequence[Trip]) -> float:
    return sum(t.cost for t in trips)


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
            shape = journeys[c][i]  # the class's journey, from this party's own places
            own = Itinerary(
                (registration.pickup, *shape.hubs, registration.dropoff),
                shape.legs,
                shape.km,
                shape.modes,
            )
            rides.append(_Ride(registration, own, 0, day))
    return rides


def _legs_planned(
    problem: Problem,
    rides: list[_Ride],
    fixed: Sequence[Trip],
    plan_legs: PlanLegs,
    seconds: float,
) -> list[Trip] | None:
    """Every leg of every ride planned, wave after wave, each in about `seconds` shared by
    its kinds of leg, on the vehicles the `fixed` trips leave; None when a wave leaves
    anyone. Rail trunks are planned on rail cars; those the rail cars left ride coaches
    between the same stations."""
    trips: list[Trip] = []
    ready: dict[str, dt.datetime] = {}  # registration id -> when it may board its next leg
    wave = rides
    gap = dt.timedelta(minutes=problem.policy.transfer_minutes)
    while wave:
        following = []
        no_car: list[_Ride] = []
        # a journey through hubs has no direct leg
        kinds = {(r.kind, r.mode) for r in wave}
        each = max(LEAST_SECONDS, seconds / len(kinds))
        for kind, mode in (
            ("feeder", "coach"),
            ("trunk", "rail"),
            ("trunk", "coach"),
            ("distribution", "coach"),
        ):
            group = [r for r in wave if r.kind == kind and r.mode == mode]
            group += no_car if (kind, mode) == ("trunk", "coach") else []
            if not group:
                continue
            rail = mode == "rail"
            on = replace(problem, rail_legs=rail)
            planned = _one_kind(on, group, ready, [*fixed, *trips], plan_legs, each, rail)
            if planned is None:
                return None
            planned_trips, left = planned
            if left:
                log.info("%d rail trunk riders had no rail car: by coach", len(left))
                no_car = left
                gone = {ride.registration.registration_id for ride in left}
                group = [ride for ride in group if ride.registration.registration_id not in gone]
            for trip in planned_trips:
                trips.append(trip.model_copy(update={"leg": kind}))
                for stop in trip.stops:
                    if stop.kind == "dropoff" and stop.arrival is not None:
                        for rid in stop.registrations:
                            ready[rid] = stop.arrival + gap
            for ride in group:
                if not ride.last:
                    onward = replace(ride, position=ride.position + 1)
                    rid = ride.registration.registration_id
                    ready[rid] = _onward_time(problem, onward, ready[rid])
                    following.append(replace(onward, day=ready[rid].date()))
        wave = following
    return trips


def _onward_time(problem: Problem, ride: _Ride, ready: dt.datetime) -> dt.datetime:
    """When `ride`, whose party is ready at `ready`, may leave: then, or the next morning
    when it is late in the day for the leg's road (see `LATEST_ONWARD`)."""
    places = ride.journey.places
    km = problem.distances.road_km(places[ride.position], places[ride.position + 1])
    ends = ready + dt.timedelta(hours=km / ONWARD_KMH)
    night = dt.datetime.combine(ready.date(), problem.policy.night_start)
    if ready.time() <= LATEST_ONWARD or ends <= night:
        return ready
    morning = ready.date() + dt.timedelta(days=1)
    return dt.datetime.combine(morning, problem.policy.departure_time)


def _one_kind(
    problem: Problem,
    rides: list[_Ride],
    ready: dict[str, dt.datetime],
    planned_before: Sequence[Trip],
    plan_legs: PlanLegs,
    seconds: float,
    leave_unplanned: bool = False,
) -> tuple[list[Trip], list[_Ride]] | None:
    """The legs of one kind of one wave, planned on the vehicles the trips before leave and
    each trip made to wait for the last of its riders to be ready, and the rides left
    unplanned: None when any is and not `leave_unplanned`. A trip that waits may arrive a
    day later than its planner thought and so hold its vehicle a day more: where that takes
    a type over its daily count, the wave is planned again with that many fewer of the type,
    up to `FLEET_ATTEMPTS` times."""
    legs = tuple(_leg(ride) for ride in rides)
    fleet = fleet_left(problem.fleet, planned_before)
    for _ in range(FLEET_ATTEMPTS):
        part = replace(problem, registrations=legs, fleet=fleet, rejected=(), held=(),
                       held_passengers=0)  # fmt: skip
        planned = plan_legs(part, seconds)
        what = f"{rides[0].kind} legs by {rides[0].mode}"
        unplanned = {u.registration_id for u in planned.unassigned}
        if unplanned and not leave_unplanned:
            log.info("%s: %d left unplanned", what, len(unplanned))
            return None
        found = _waited(part, planned.trips, ready)
        if found is None:
            log.info("%s: riders ready too late in the day for a trip's route", what)
            return None
        over = over_counts(problem.fleet, [*planned_before, *found])
        if not over:
            return found, [r for r in rides if r.registration.registration_id in unplanned]
        log.info("%s: over the daily counts of %s, planned again", what, dict(sorted(over.items())))
        fewer = tuple(
            vt.model_copy(update={"count": max(0, vt.count - over[vt.name])})
            if vt.count is not None and over[vt.name]
            else vt
            for vt in fleet.vehicle_types
        )
        fleet = fleet.model_copy(update={"vehicle_types": fewer})
    return None


def _waited(
    part: Problem, trips: Sequence[Trip], ready: dict[str, dt.datetime]
) -> list[Trip] | None:
    """The trips, each leaving when the last of its riders is ready (the cars of a train
    together); None when one would leave after midnight."""
    leaves = {trip.trip_id: _planned_departure(trip) + _wait(trip, ready) for trip in trips}
    if part.rail_legs:  # the cars of a train leave together, when the last are ready
        train: dict[tuple[str, ...], dt.datetime] = {}
        for trip in trips:
            key = _train_key(trip)
            train[key] = max(train.get(key, leaves[trip.trip_id]), leaves[trip.trip_id])
        leaves = {trip.trip_id: train[_train_key(trip)] for trip in trips}
    by_id = {r.registration_id: r for r in part.registrations}
    found = []
    for trip in trips:
        when = leaves[trip.trip_id]
        if when != _planned_departure(trip):
            if when.date() != trip.date:
                return None  # its riders are ready too late in the day for its route
            riders = [by_id[rid] for rid in trip.registration_ids()]
            trip = rebuilt(trip, part, riders, when.time())
        found.append(trip)
    return found


def _planned_departure(trip: Trip) -> dt.datetime:
    return dt.datetime.combine(trip.date, dt.time.fromisoformat(trip.departure))


def _wait(trip: Trip, ready: dict[str, dt.datetime]) -> dt.timedelta:
    """How much later than planned `trip` must leave for its riders to be ready."""
    boards = {
        rid: stop.departure
        for stop in trip.stops
        if stop.kind == "pickup" and stop.departure is not None
        for rid in stop.registrations
    }
    late = [ready[rid] - boards[rid] for rid in boards if rid in ready]
    return max([dt.timedelta(0), *late])


def _train_key(trip: Trip) -> tuple[str, ...]:
    """What the cars of one day's train share: the date and the stations."""
    return (trip.date.isoformat(), trip.stops[0].place, trip.stops[-1].place)


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


def _trains(trips: list[Trip], special_cars: int) -> list[Trip]:
    """The trips, the rail cars among them formed into trains L001...: the cars leaving
    one station for another on one date (at one time: `_waited`) run as one train, a
    special train (专列) when it has at least `special_cars` cars."""
    formed: dict[tuple[str, ...], list[int]] = {}
    for index, trip in enumerate(trips):
        if trip.mode == "rail":
            formed.setdefault(_train_key(trip), []).append(index)
    found = list(trips)
    for number, key in enumerate(sorted(formed), 1):
        cars = formed[key]
        for index in cars:
            found[index] = found[index].model_copy(
                update={
                    "train": f"L{number:03d}",
                    "train_cars": len(cars),
                    "special_train": len(cars) >= special_cars,
                }
            )
    return found

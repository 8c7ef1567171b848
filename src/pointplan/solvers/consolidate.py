"""The consolidating planner: shares trips across pickups, drop-offs and dates.

Each independent part (see `decompose`) is swept day by day. On each day the registrations
whose window closes that day must leave; vehicles are opened for them, largest demand first,
and filled in this order: people who must leave today, then people free to leave later whose
pickup and drop-off the vehicle already serves, then those who add a stop. A vehicle may have
up to `max_pickups` pickups and `max_dropoffs` drop-offs, pairwise within the radii. Filling
vehicles with flexible people now means fewer vehicles later; preferring stops already made
keeps the stop count down. Each vehicle then becomes the cheapest free type that seats its
load. When the fleet has no daily limits, the parts are then searched on a process pool:
a part with one date and one drop-off point goes to the routing component (`routed`); a
part still above its lower bound goes, time allowing, to the exact model of `exact`, which
starts from the plan so far and keeps it unless it finds fewer vehicles or stops; a part too
large for that model gets the relaxed stop bound (`bounds.relaxed_stop_bound`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place
from pointplan.domain.plan import Plan, Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.domain.seating import can_seat, effective_capacity, stranger_capacity
from pointplan.parallel import default_workers, ordered_map
from pointplan.problem import Problem
from pointplan.solvers.bounds import (
    cover_lower_bound,
    parts_lower_bound,
    relaxed_stop_bound,
    window_lower_bound,
)
from pointplan.solvers.decompose import Part, decompose
from pointplan.solvers.exact import enumerate_patterns, solve_part_exactly
from pointplan.solvers.fleet_use import FleetUse, cheapest_first
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.routed import routable, route_part
from pointplan.solvers.trips import (
    Decision,
    PlaceKey,
    best_route_km,
    cannot_travel_reason,
    numbered_trips,
    place_key,
)
from pointplan.stop import MaxRuntime, Progress, StoppingCriterion

log = logging.getLogger(__name__)
_ONE_DAY = dt.timedelta(days=1)
PATTERN_LIMIT = 4000  # beyond this a part keeps the sweep's plan and bound


@dataclass
class _Vehicle:
    """A vehicle being loaded on one day."""

    vehicle_type: VehicleType
    pickups: dict[PlaceKey, Place] = field(default_factory=dict)
    dropoffs: dict[PlaceKey, Place] = field(default_factory=dict)
    load: list[Registration] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(r.party_size for r in self.load)


class _Loader:
    """Decides whether a registration may join a vehicle under the policy."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.policy: Policy = problem.policy

    def new_stops(self, vehicle: _Vehicle, registration: Registration) -> int | None:
        """Stops the registration would add (0, 1 or 2), or None when it may not join."""
        policy = self.policy
        added = 0
        for place, stops, limit, radius in (
            (registration.pickup, vehicle.pickups, policy.max_pickups, policy.pickup_radius_km),
            (registration.dropoff, vehicle.dropoffs, policy.max_dropoffs, policy.dropoff_radius_km),
        ):
            if place_key(place) in stops:
                continue
            if len(stops) >= limit or any(
                not self.problem.distances.within_km(place, s, radius) for s in stops.values()
            ):
                return None
            added += 1
        return added

    def fits(self, vehicle: _Vehicle, registration: Registration) -> bool:
        """Whether the party can still be seated."""
        people = vehicle.people + registration.party_size
        if people <= stranger_capacity(vehicle.vehicle_type, self.policy):
            return True
        sizes = [r.party_size for r in vehicle.load] + [registration.party_size]
        return can_seat(vehicle.vehicle_type, self.policy, sizes)

    def add(self, vehicle: _Vehicle, registration: Registration) -> None:
        vehicle.pickups.setdefault(place_key(registration.pickup), registration.pickup)
        vehicle.dropoffs.setdefault(place_key(registration.dropoff), registration.dropoff)
        vehicle.load.append(registration)


def solve_consolidated(
    problem: Problem,
    seed: int = 0,
    stop: StoppingCriterion | None = None,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Plan each part by the day-by-day sweep, then search the parts: the routing component
    for one-date, one-drop-off parts, the exact model where a part is above its bound, until
    `stop` says so (default: 10 s). Parts are searched on `workers` processes (default: the
    cores this process may use); `on_progress` hears after each searched part.
    Deterministic for a seed, whatever the number of workers: the criteria see time as the
    solver work handed out so far, not the clock."""
    stop = stop or MaxRuntime(10.0)
    started = time.perf_counter()
    policy = problem.policy
    types = [vt for vt in problem.fleet.vehicle_types if vt.count != 0]
    unassigned: list[Unassigned] = []
    travellers: list[Registration] = []
    capacity = {vt.name: effective_capacity(vt, policy) for vt in types}
    for registration in problem.registrations:
        reason = cannot_travel_reason(problem, registration, types, capacity)
        if reason:
            unassigned.append(
                Unassigned(registration_id=registration.registration_id, reason=reason)
            )
        else:
            travellers.append(registration)
    sub_problem = Problem(
        tuple(travellers), problem.fleet, policy, problem.points, problem.distances
    )
    parts = decompose(sub_problem)
    fleet = FleetUse(problem)
    loader = _Loader(problem)
    largest = max(capacity.values(), default=0)
    swept = []
    for part in parts:
        part_decisions, part_unassigned = _sweep_part(part, types, capacity, loader, fleet)
        unassigned.extend(part_unassigned)
        bound = window_lower_bound(part.registrations, largest) if not part_unassigned else 0
        swept.append((part, part_decisions, bound))

    exact_allowed = all(vt.count is None for vt in types) and not policy.party_may_sit_together
    gaps = [part for part, ds, bound in swept if len(ds) > bound]
    budget = stop.time_limit() or 10.0  # search seconds, shared by size (see exact.limit_work)
    weight = sum(len(part.registrations) for part in gaps) or 1
    # A hard wall-clock stop, far enough out that only a much slower or overloaded machine
    # reaches it: before it every limit is counted in solver work, so the plan does not
    # depend on timing.
    deadline = started + 3 * budget + 30
    vehicles = sum(len(ds) for _, ds, _ in swept)
    lower_bound = sum(bound for _, _, bound in swept)
    context = _SearchContext(problem, tuple(types), capacity, seed, deadline)
    jobs: list[_PartJob] = []
    decisions: list[Decision] = []
    for part, ds, bound in swept:
        if exact_allowed and len(ds) > min(1, bound):  # more than one vehicle, or above 0
            jobs.append(_PartJob(part, ds, bound, budget * len(part.registrations) / weight))
        else:
            decisions.extend(ds)
    workers = workers or default_workers()
    results = ordered_map(_search_part, context, jobs, workers)
    spent = since_improvement = 0.0
    stopped = False
    for done, job in enumerate(jobs, start=1):
        # Results come in the parts' order and the criteria see solver work, not the clock,
        # so the parts searched (and the plan) are the same with any number of processes.
        searched = _routed_part(context, job) if stopped else next(results)
        vehicles += len(searched.routed) - len(job.decisions)
        part_decisions, bound = searched.routed, job.bound
        progress = Progress(spent, vehicles, lower_bound, since_improvement)
        if not stopped and stop.should_stop(progress):
            stopped = True
            results.close()  # cancels the searches not yet started
        if searched.refined is not None and not stopped:
            better, better_bound = searched.refined
            spent += job.share
            improved = len(better) < len(part_decisions) or better_bound > bound
            since_improvement = 0.0 if improved else since_improvement + job.share
            vehicles += len(better) - len(part_decisions)
            lower_bound += better_bound - bound
            part_decisions = better
            log.info(
                "searched a part of %d registrations: %d vehicles, lower bound %d",
                len(job.part.registrations),
                vehicles,
                lower_bound,
            )
        decisions.extend(part_decisions)
        if on_progress is not None:
            on_progress(Progress(spent, vehicles, lower_bound, since_improvement, done, len(jobs)))
    trips = numbered_trips(problem, decisions)
    served = {rid for trip in trips for rid in trip.registration_ids()}
    if len(served) < len(travellers):  # the bounds above assumed every traveller served
        lower_bound = parts_lower_bound(sub_problem, served, parts)
    return assemble_plan(
        problem,
        trips,
        sorted(unassigned, key=lambda u: u.registration_id),
        lower_bound=lower_bound,
        solve_seconds=time.perf_counter() - started,
        solver="consolidate",
        seed=seed,
    )


@dataclass(frozen=True)
class _SearchContext:
    """What every part's search shares; sent to each worker process once."""

    problem: Problem
    types: tuple[VehicleType, ...]
    capacity: dict[str, int]
    seed: int
    deadline: float


@dataclass(frozen=True)
class _PartJob:
    """One part to search: the sweep's plan for it, its bound and its share of the budget."""

    part: Part
    decisions: list[Decision]
    bound: int
    share: float


@dataclass(frozen=True)
class _Searched:
    """A part's routed plan and, when the exact model ran, its plan and bound."""

    routed: list[Decision]
    refined: tuple[list[Decision], int] | None = None


def _routed_part(context: _SearchContext, job: _PartJob) -> _Searched:
    """The routing component's plan where the part is one routing problem."""
    problem, part = context.problem, job.part
    if len(job.decisions) > 1 and routable(problem, part.registrations):
        return _Searched(_route(problem, part, job.decisions, context.types, context.capacity))
    return _Searched(job.decisions)


def _search_part(context: _SearchContext, job: _PartJob) -> _Searched:
    """Route the part, then run the exact model on it while it stays above its bound."""
    routed = _routed_part(context, job).routed
    if len(routed) <= job.bound or time.perf_counter() >= context.deadline:
        return _Searched(routed)
    refined = _refine(
        context.problem,
        job.part,
        routed,
        job.bound,
        context.types,
        context.capacity,
        job.share,
        context.seed,
        context.deadline,
    )
    return _Searched(routed, refined)


def _refine(
    problem: Problem,
    part: Part,
    decisions: list[Decision],
    bound: int,
    types: Sequence[VehicleType],
    capacity: dict[str, int],
    time_limit: float,
    seed: int,
    deadline: float,
) -> tuple[list[Decision], int]:
    """Try the exact model on a part whose plan is above its bound; keep the better plan."""
    biggest = max(types, key=lambda vt: (capacity[vt.name], vt.name))
    patterns = enumerate_patterns(problem, part.registrations, PATTERN_LIMIT, deadline)
    if patterns is None:  # too large for the exact model: a relaxation still bounds it
        relaxed = relaxed_stop_bound(
            problem, part.registrations, capacity[biggest.name], time_limit, deadline
        )
        return decisions, max(bound, relaxed)
    cover = cover_lower_bound(
        part.registrations, patterns, capacity[biggest.name], time_limit / 2, deadline
    )
    bound = max(bound, cover)
    if len(decisions) <= bound:
        return decisions, bound
    result = solve_part_exactly(
        problem,
        part.registrations,
        patterns,
        biggest,
        capacity[biggest.name],
        time_limit / 2,
        seed,
        hint=decisions,
        deadline=deadline,
    )
    if result is None:  # the model was too large to build: the relaxation bounds it
        relaxed = relaxed_stop_bound(
            problem, part.registrations, capacity[biggest.name], time_limit / 2, deadline
        )
        return decisions, max(bound, relaxed)
    better = _downsized(result.decisions, types, problem.policy)
    bound = max(bound, result.vehicles_bound)
    if (len(better), _stops(better)) < (len(decisions), _stops(decisions)):
        return better, bound
    return decisions, bound


def _route(
    problem: Problem,
    part: Part,
    decisions: list[Decision],
    types: Sequence[VehicleType],
    capacity: dict[str, int],
) -> list[Decision]:
    """The routing component's plan for a one-date, one-drop-off part, where it is better
    (fewer vehicles, then stops, then km) than the sweep's."""
    biggest = max(types, key=lambda vt: (capacity[vt.name], vt.name))
    routed = route_part(problem, part.registrations, biggest, capacity[biggest.name])
    routed = _downsized(routed, types, problem.policy)
    routed_rank = (len(routed), _stops(routed))
    swept_rank = (len(decisions), _stops(decisions))
    if routed_rank < swept_rank or (
        routed_rank == swept_rank and _km(problem, routed) < _km(problem, decisions)
    ):
        return routed
    return decisions


def _km(problem: Problem, decisions: Sequence[Decision]) -> float:
    return sum(
        best_route_km(
            problem,
            list({place_key(r.pickup): r.pickup for r in load}.values()),
            list({place_key(r.dropoff): r.dropoff for r in load}.values()),
        )
        for _, _, load in decisions
    )


def _stops(decisions: Sequence[Decision]) -> int:
    return sum(
        len({place_key(r.pickup) for r in load}) + len({place_key(r.dropoff) for r in load})
        for _, _, load in decisions
    )


def _downsized(
    decisions: Sequence[Decision], types: Sequence[VehicleType], policy: Policy
) -> list[Decision]:
    """Each vehicle as the cheapest type that seats its load."""
    result = []
    for _, day, load in decisions:
        sizes = [r.party_size for r in load]
        cheapest = next(vt for vt in cheapest_first(types) if can_seat(vt, policy, sizes))
        result.append((cheapest, day, load))
    return result


def _sweep_part(
    part: Part,
    types: Sequence[VehicleType],
    capacity: dict[str, int],
    loader: _Loader,
    fleet: FleetUse,
) -> tuple[list[Decision], list[Unassigned]]:
    pending = sorted(part.registrations, key=_urgency)
    decisions: list[Decision] = []
    unassigned: list[Unassigned] = []
    day = min(r.earliest_date for r in pending)
    while pending:
        available = [r for r in pending if r.earliest_date <= day]
        due = [r for r in available if r.latest_date == day]
        while due:
            free = fleet.free_on(types, day)
            flexible = [r for r in available if r.latest_date > day]
            vehicle = _open_vehicle(free, capacity, loader, due, flexible)
            if vehicle is None:
                break
            chosen = fleet.pick(cheapest_first(free), day, vehicle.load)
            if chosen is None:
                break
            fleet.take(chosen, day, vehicle.load)
            decisions.append((chosen, day, vehicle.load))
            gone = {id(r) for r in vehicle.load}
            due = [r for r in due if id(r) not in gone]
            available = [r for r in available if id(r) not in gone]
            pending = [r for r in pending if id(r) not in gone]
        for registration in due:
            outcome = fleet.close_window(types, registration, day)
            if isinstance(outcome, Unassigned):
                unassigned.append(outcome)
            else:
                decisions.append(outcome)
        pending = [r for r in pending if r.latest_date > day]
        day += _ONE_DAY
    return decisions, unassigned


def _urgency(registration: Registration) -> tuple[dt.date, int, str]:
    return (registration.latest_date, -registration.party_size, registration.registration_id)


def _open_vehicle(
    free: Sequence[VehicleType],
    capacity: dict[str, int],
    loader: _Loader,
    due: Sequence[Registration],
    flexible: Sequence[Registration],
) -> _Vehicle | None:
    """Load the biggest free vehicle around the largest due group (the caller downsizes)."""
    if not free:
        return None
    biggest = max(free, key=lambda vt: (capacity[vt.name], vt.name))
    seed = _largest_group(due)
    vehicle = _Vehicle(biggest)
    if not loader.fits(vehicle, seed):
        fitting = [vt for vt in free if loader.fits(_Vehicle(vt), seed)]
        if not fitting:
            return None
        vehicle = _Vehicle(max(fitting, key=lambda vt: (capacity[vt.name], vt.name)))
    loader.add(vehicle, seed)
    must_go = [r for r in due if r is not seed]
    for candidates, most_new_stops in ((must_go, 2), (flexible, 0), (flexible, 2)):
        _fill(vehicle, loader, candidates, most_new_stops)
    return vehicle


def _largest_group(due: Sequence[Registration]) -> Registration:
    """A registration of the (pickup, drop-off) pair with the most people due."""
    people: Counter[tuple[PlaceKey, PlaceKey]] = Counter()
    for r in due:
        people[place_key(r.pickup), place_key(r.dropoff)] += r.party_size
    best = max(people, key=lambda pair: (people[pair], pair))
    return next(r for r in due if (place_key(r.pickup), place_key(r.dropoff)) == best)


def _fill(
    vehicle: _Vehicle, loader: _Loader, candidates: Sequence[Registration], most_new_stops: int
) -> None:
    """Add candidates that fit, fewest new stops first, until nothing more fits."""
    taken = {id(r) for r in vehicle.load}
    while True:
        best: tuple[int, int, Registration] | None = None
        for index, registration in enumerate(candidates):
            if id(registration) in taken:
                continue
            added = loader.new_stops(vehicle, registration)
            if added is None or added > most_new_stops or not loader.fits(vehicle, registration):
                continue
            if best is None or (added, index) < best[:2]:
                best = (added, index, registration)
                if added == 0:
                    break
        if best is None:
            return
        loader.add(vehicle, best[2])
        taken.add(id(best[2]))

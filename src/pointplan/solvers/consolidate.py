"""The consolidating planner: shares trips across pickups, drop-offs and dates.

Each independent part (see `decompose`) is swept day by day. On each day the registrations
whose window closes that day must leave; vehicles are opened for them, largest demand first,
and filled in this order: people who must leave today, then people free to leave later whose
pickup and drop-off the vehicle already serves, then those who add a stop. A vehicle may have
up to `max_pickups` pickups and `max_dropoffs` drop-offs, pairwise within the radii. Filling
vehicles with flexible people now means fewer vehicles later; preferring stops already made
keeps the stop count down. Each vehicle then becomes the cheapest free type that seats its
load. The parts are then searched (`search`): the routing component for one-date,
one-drop-off parts, the exact model where a part is still above its lower bound. Under a
fleet's daily counts a part's searched plan replaces the sweep's only where the counts leave
room for it (`FleetUse.exchange`), so the plan always keeps to them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Registration
from pointplan.parallel import Workers
from pointplan.problem import Problem
from pointplan.solvers.bounds import parts_lower_bound, window_lower_bound
from pointplan.solvers.budget import DEFAULT_SECONDS
from pointplan.solvers.decision import Decision, PlaceKey, place_key, stops_added
from pointplan.solvers.decompose import decompose
from pointplan.solvers.fleet_use import FleetUse, cheapest_first
from pointplan.solvers.ranking import largest_type
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.search import SearchContext, SweptPart, search_parts
from pointplan.solvers.seating import fits, with_capacities
from pointplan.solvers.sweep import LoadDay, split_travellers, sweep_days
from pointplan.solvers.trips import numbered_trips
from pointplan.stop import MaxRuntime, Progress, StoppingCriterion


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

    def new_stops(self, vehicle: _Vehicle, registration: Registration) -> int | None:
        """Stops the registration would add (0, 1 or 2), or None when it may not join."""
        return stops_added(self.problem, vehicle.pickups, vehicle.dropoffs, registration)

    def fits(self, vehicle: _Vehicle, registration: Registration) -> bool:
        """Whether the party can still be seated."""
        people = vehicle.people + registration.party_size
        if people <= self.problem.capacity(vehicle.vehicle_type).stranger:
            return True
        sizes = [r.party_size for r in vehicle.load] + [registration.party_size]
        return fits(self.problem, vehicle.vehicle_type, sizes)

    def add(self, vehicle: _Vehicle, registration: Registration) -> None:
        vehicle.pickups.setdefault(place_key(registration.pickup), registration.pickup)
        vehicle.dropoffs.setdefault(place_key(registration.dropoff), registration.dropoff)
        vehicle.load.append(registration)


def solve_consolidated(
    problem: Problem,
    *,
    seed: int = 0,
    stop: StoppingCriterion | None = None,
    workers: Workers | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Plan each part by the day-by-day sweep, then search the parts (`search.search_parts`) until
    `stop` says so (default: `MaxRuntime(DEFAULT_SECONDS)`). Parts are searched on `workers`
    processes (default: the cores this process may use) or by the executor given; `on_progress`
    hears after each searched part. Deterministic for a seed, whatever the number of workers: the
    criteria see time as the solver work handed out so far, not the clock."""
    stop = stop or MaxRuntime(DEFAULT_SECONDS)
    started = time.perf_counter()
    seconds = stop.time_limit() or DEFAULT_SECONDS
    problem = with_capacities(problem)
    travellers, unassigned = split_travellers(problem)
    sub_problem = problem.with_registrations(tuple(travellers))
    parts = decompose(sub_problem)
    fleet = FleetUse(problem)
    loader = _Loader(problem)
    swept = []
    for part in parts:
        part_decisions, part_unassigned = sweep_days(
            part.registrations, _urgency, _day_loader(loader, fleet), fleet
        )
        unassigned.extend(part_unassigned)
        bound = (
            window_lower_bound(part.registrations, problem.largest_capacity)
            if not part_unassigned
            else 0
        )
        swept.append(SweptPart(part, tuple(part_decisions), bound))

    if problem.policy.party_may_sit_together:
        decisions = [d for s in swept for d in s.decisions]
        lower_bound = sum(s.bound for s in swept)
    else:
        context = SearchContext(problem.without_demand(), seed)
        searched = search_parts(context, swept, seconds, stop, workers, on_progress)
        decisions = _within_fleet(fleet, swept, searched.part_decisions)
        lower_bound = searched.lower_bound
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


def _within_fleet(
    fleet: FleetUse, swept: Sequence[SweptPart], searched: Sequence[tuple[Decision, ...]]
) -> list[Decision]:
    """The searched plans that the fleet's daily counts leave room for, part by part in the
    parts' order, each instead of the sweep's (which `fleet` holds and always keeps to the
    counts); a part whose searched plan finds no room, or whose sweep left someone
    unassigned, keeps the sweep's plan."""
    if all(vt.count is None for vt in fleet.problem.available_types):
        return [d for part in searched for d in part]
    decisions: list[Decision] = []
    for part, better in zip(swept, searched, strict=True):
        kept = part.decisions
        everyone = sum(len(d.riders) for d in kept) == len(part.part.registrations)
        if better != kept and everyone:
            kept = fleet.exchange(part.decisions, better) or kept
        decisions.extend(kept)
    return decisions


def _day_loader(loader: _Loader, fleet: FleetUse) -> LoadDay:
    """Open vehicles for those who must leave today, largest group first, each filled with
    others free to leave (see the module's description)."""
    types = loader.problem.available_types

    def load_day(day: dt.date, available: list[Registration]) -> list[Decision]:
        decisions: list[Decision] = []
        due = [r for r in available if r.latest_date == day]
        while due:
            free = fleet.free_on(types, day)
            flexible = [r for r in available if r.latest_date > day]
            vehicle = _open_vehicle(free, loader, due, flexible)
            if vehicle is None:
                break
            chosen = fleet.pick(cheapest_first(free), day, vehicle.load)
            if chosen is None:
                break
            fleet.take(chosen, day, vehicle.load)
            decisions.append(Decision(chosen, day, tuple(vehicle.load)))
            gone = {id(r) for r in vehicle.load}
            due = [r for r in due if id(r) not in gone]
            available = [r for r in available if id(r) not in gone]
        return decisions

    return load_day


def _urgency(registration: Registration) -> tuple[dt.date, int, str]:
    return (registration.latest_date, -registration.party_size, registration.registration_id)


def _open_vehicle(
    free: Sequence[VehicleType],
    loader: _Loader,
    due: Sequence[Registration],
    flexible: Sequence[Registration],
) -> _Vehicle | None:
    """Load the biggest free vehicle around the largest due group (the caller downsizes)."""
    if not free:
        return None
    biggest = largest_type(loader.problem, free)
    seed = _largest_group(due)
    vehicle = _Vehicle(biggest)
    if not loader.fits(vehicle, seed):
        fitting = [vt for vt in free if loader.fits(_Vehicle(vt), seed)]
        if not fitting:
            return None
        vehicle = _Vehicle(largest_type(loader.problem, fitting))
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

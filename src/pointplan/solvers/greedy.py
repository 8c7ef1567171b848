"""The baseline planner: fill vehicles in order, one pickup and one drop-off per trip.

Registrations are grouped by (direction, pickup, drop-off). Within a group the days are swept
in order; on each day the registrations whose window contains it are loaded, the most urgent
(earliest `latest_date`) first, into the free vehicle that takes the most of them. A vehicle leaves
when it is full or carries someone whose window ends that day; the last vehicle of a day is
the cheapest free type that holds its load. What is left when its window closes is reported
unassigned with the reason. Every hard rule holds by construction (one pickup and one
drop-off per trip keep the stop limits and radii).

It is the yardstick the optimiser is measured against, not the optimiser.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from pointplan.domain.fleet import VehicleType
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Registration
from pointplan.parallel import Workers
from pointplan.problem import Problem
from pointplan.solvers.bounds import parts_lower_bound
from pointplan.solvers.decision import Decision, PlaceKey, place_key
from pointplan.solvers.fleet_use import FleetUse, cheapest_first
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import fits, with_capacities
from pointplan.solvers.sweep import LoadDay, split_travellers, sweep_days
from pointplan.solvers.trips import numbered_trips
from pointplan.stop import Progress, StoppingCriterion


def solve_greedy(
    problem: Problem,
    *,
    seed: int = 0,
    stop: StoppingCriterion | None = None,
    workers: Workers | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Plan by filling vehicles in order. One pass: `stop`, `workers` and `on_progress` are
    accepted as every solver's are, and not needed; `seed` is only recorded."""
    started = time.perf_counter()
    problem = with_capacities(problem)
    fleet = FleetUse(problem)
    travellers, unassigned = split_travellers(problem)
    groups: dict[tuple[str, PlaceKey, PlaceKey], list[Registration]] = defaultdict(list)
    for registration in travellers:
        key = (
            registration.direction.value,
            place_key(registration.pickup),
            place_key(registration.dropoff),
        )
        groups[key].append(registration)

    decisions: list[Decision] = []
    for key in sorted(groups, key=str):
        group_decisions, group_unassigned = sweep_days(
            groups[key],
            lambda r: (r.latest_date, r.earliest_date, r.registration_id),
            _day_loader(problem, fleet),
            fleet,
        )
        decisions.extend(group_decisions)
        unassigned.extend(group_unassigned)

    trips = numbered_trips(problem, decisions)
    served = {rid for trip in trips for rid in trip.registration_ids()}
    return assemble_plan(
        problem,
        trips,
        sorted(unassigned, key=lambda u: u.registration_id),
        lower_bound=parts_lower_bound(problem, served),
        solve_seconds=time.perf_counter() - started,
        solver="greedy",
        seed=seed,
    )


def _day_loader(problem: Problem, fleet: FleetUse) -> LoadDay:
    """Load the free vehicle that takes the most of those free to leave, again and again,
    while someone must leave today or a vehicle is full."""
    types = problem.available_types

    def load_day(day: dt.date, candidates: list[Registration]) -> list[Decision]:
        decisions: list[Decision] = []
        while candidates:
            free = fleet.free_on(types, day)
            if not free:
                break
            biggest, load = _fullest_load(problem, free, candidates)
            if not load:
                break  # no free vehicle can seat any of them today
            full = len(load) < len(candidates)
            if not full and all(r.latest_date > day for r in load):
                break  # nobody must leave today: wait for more people
            preference = [biggest] if full else cheapest_first(free)
            vehicle = fleet.pick(preference, day, load) or fleet.pick(
                cheapest_first(free), day, load
            )
            if vehicle is None:
                break  # no type has a vehicle free for the whole trip
            fleet.take(vehicle, day, load)
            decisions.append(Decision(vehicle, day, tuple(load)))
            loaded = {r.registration_id for r in load}
            candidates = [r for r in candidates if r.registration_id not in loaded]
        return decisions

    return load_day


def _fullest_load(
    problem: Problem, free: Sequence[VehicleType], candidates: Sequence[Registration]
) -> tuple[VehicleType, list[Registration]]:
    """The free vehicle type that takes the most people, with the load it takes."""
    loads = [(vt, _fill(problem, vt, candidates)) for vt in free]
    return max(
        loads,
        key=lambda item: (
            sum(r.party_size for r in item[1]),
            problem.capacity(item[0]).effective,
            item[0].name,
        ),
    )


def _fill(
    problem: Problem, vehicle: VehicleType, candidates: Sequence[Registration]
) -> list[Registration]:
    """First fit: take candidates in order while the parties can still be seated."""
    load: list[Registration] = []
    sizes: list[int] = []
    for registration in candidates:
        if fits(problem, vehicle, [*sizes, registration.party_size]):
            load.append(registration)
            sizes.append(registration.party_size)
    return load

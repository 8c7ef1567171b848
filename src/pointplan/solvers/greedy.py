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
from collections.abc import Sequence

from pointplan.domain.fleet import VehicleType
from pointplan.domain.plan import Plan, Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.domain.seating import can_seat, effective_capacity
from pointplan.problem import Problem
from pointplan.solvers.bounds import parts_lower_bound
from pointplan.solvers.fleet_use import FleetUse, cheapest_first
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.trips import (
    Decision,
    PlaceKey,
    cannot_travel_reason,
    numbered_trips,
    place_key,
)
from pointplan.stop import StoppingCriterion

_ONE_DAY = dt.timedelta(days=1)


def solve_greedy(problem: Problem, seed: int = 0, stop: StoppingCriterion | None = None) -> Plan:
    """Plan by filling vehicles in order (one pass: `seed` and `stop` are not needed)."""
    started = time.perf_counter()
    policy = problem.policy
    types = [vt for vt in problem.fleet.vehicle_types if vt.count != 0]
    capacity = {vt.name: effective_capacity(vt, policy) for vt in types}
    fleet = FleetUse(problem)
    decisions: list[Decision] = []
    unassigned: list[Unassigned] = []

    groups: dict[tuple[str, PlaceKey, PlaceKey], list[Registration]] = defaultdict(list)
    for registration in problem.registrations:
        reason = cannot_travel_reason(problem, registration, types, capacity)
        if reason:
            unassigned.append(
                Unassigned(registration_id=registration.registration_id, reason=reason)
            )
            continue
        key = (
            registration.direction.value,
            place_key(registration.pickup),
            place_key(registration.dropoff),
        )
        groups[key].append(registration)

    for key in sorted(groups, key=str):
        pending = sorted(
            groups[key], key=lambda r: (r.latest_date, r.earliest_date, r.registration_id)
        )
        day = min(r.earliest_date for r in pending)
        while pending:
            candidates = [r for r in pending if r.earliest_date <= day]
            while candidates:
                free = fleet.free_on(types, day)
                if not free:
                    break
                biggest, load = _fullest_load(free, policy, candidates, capacity)
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
                decisions.append((vehicle, day, load))
                loaded = {r.registration_id for r in load}
                candidates = [r for r in candidates if r.registration_id not in loaded]
                pending = [r for r in pending if r.registration_id not in loaded]
            for registration in [r for r in pending if r.latest_date <= day]:
                outcome = fleet.close_window(types, registration, day)
                if isinstance(outcome, Unassigned):
                    unassigned.append(outcome)
                else:
                    decisions.append(outcome)
            pending = [r for r in pending if r.latest_date > day]
            day += _ONE_DAY

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


def _fullest_load(
    free: Sequence[VehicleType],
    policy: Policy,
    candidates: Sequence[Registration],
    capacity: dict[str, int],
) -> tuple[VehicleType, list[Registration]]:
    """The free vehicle type that takes the most people, with the load it takes."""
    loads = [(vt, _fill(vt, policy, candidates)) for vt in free]
    return max(
        loads,
        key=lambda item: (sum(r.party_size for r in item[1]), capacity[item[0].name], item[0].name),
    )


def _fill(
    vehicle: VehicleType, policy: Policy, candidates: Sequence[Registration]
) -> list[Registration]:
    """First fit: take candidates in order while the parties can still be seated."""
    load: list[Registration] = []
    sizes: list[int] = []
    for registration in candidates:
        if can_seat(vehicle, policy, [*sizes, registration.party_size]):
            load.append(registration)
            sizes.append(registration.party_size)
    return load

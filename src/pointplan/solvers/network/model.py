"""The network model (docs/networks.md): which journey each class takes, on which day, and
how many vehicles of which type run each arc on each day, at the least cost, on CP-SAT.

Time-expanded by day: a class leaves on a day of its window and rides every leg of its
journey that day (a leg's trip may still arrive the next day). An arc is an ordered pair of
places; the people of every class and journey on an arc on a day ride the vehicles run on it
that day, each type up to its capacity under the policy. The cost of a vehicle on an arc is
its type's `cost_per_trip` plus `cost_per_km` times the arc's road km, in whole yuan; among
plans of equal cost the one with fewer vehicles is taken. A type with a daily `count` runs at
most that many arcs a day. The direct journey of every class is always a candidate, and the
search starts from everyone on it on their first day, each arc run by the cheapest single
type for its load, so a solution is found at once and any other it returns costs less.

The model sees each arc alone: it does not know that the trip builder later shares one
vehicle between nearby pickups or drop-offs, so it prices direct journeys high; whoever uses
it compares the trips built from its answer with the direct plan (docs/networks.md).
People move in whole numbers but parties are not kept whole here; the trip builder seats
registrations.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place
from pointplan.geo.distances import DistanceModel
from pointplan.solvers.decision import PlaceKey, place_key
from pointplan.solvers.network.classes import DemandClass
from pointplan.solvers.network.itineraries import Itinerary
from pointplan.solvers.ortools_adapter import CpModel, IntVar, WorkLimit, solve_cp

Arc = tuple[PlaceKey, PlaceKey]
"""A leg's ends, from and to."""


@dataclass(frozen=True)
class Carrier:
    """A vehicle type as the model sees it: how many people it carries under the policy."""

    vehicle_type: VehicleType
    capacity: int


@dataclass(frozen=True)
class NetworkAnswer:
    """The model's choice. `people[c, i, day]`: people of class c on its journey i leaving
    that day (only the non-zero ones); `vehicles[arc, day, type name]`: vehicles run; `cost`
    of them in yuan; `status`: CP-SAT's."""

    people: dict[tuple[int, int, dt.date], int]
    vehicles: dict[tuple[Arc, dt.date, str], int]
    cost: int
    status: str


COST_SCALE = 1000
"""The objective is cost times this plus the vehicles, so that cost comes first."""


def plan_network(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    carriers: Sequence[Carrier],
    distances: DistanceModel,
    limit: WorkLimit,
    seed: int = 0,
) -> NetworkAnswer:
    """Choose journeys and days for `classes` (`journeys[c]` are class c's candidates, the
    direct one first) and the vehicles on each arc, at the least cost (see the module).

    Raises `ValueError` when a class has no candidate or no carrier carries anyone."""
    usable = [c for c in carriers if c.capacity > 0]
    if not usable:
        raise ValueError("no vehicle type carries anyone under the policy")
    model = CpModel()
    flows: dict[tuple[int, int, dt.date], IntVar] = {}
    on_arc: dict[tuple[Arc, dt.date], list[tuple[IntVar, int]]] = {}
    ends: dict[Arc, tuple[Place, Place]] = {}
    for c, demand in enumerate(classes):
        if not journeys[c]:
            raise ValueError(f"class {c} has no candidate journey")
        mine = []
        for i, journey in enumerate(journeys[c]):
            for day in demand.window():
                flow = model.new_int_var(0, demand.people, f"f{c}_{i}_{day:%m%d}")
                flows[c, i, day] = flow
                mine.append(flow)
                model.add_hint(flow, demand.people if (i, day) == (0, demand.first) else 0)
                for a, b in itertools.pairwise(journey.places):
                    arc = (place_key(a), place_key(b))
                    ends[arc] = (a, b)
                    on_arc.setdefault((arc, day), []).append((flow, demand.people))
        model.add(sum(mine) == demand.people)
    vehicles: dict[tuple[Arc, dt.date, str], IntVar] = {}
    run_cost: dict[tuple[Arc, str], int] = {}
    objective = []
    per_day: dict[tuple[dt.date, str], list[IntVar]] = {}
    hinted = _direct_loads(classes, journeys)
    for (arc, day), riders in sorted(on_arc.items(), key=lambda item: (item[0][1], item[0][0])):
        most = sum(people for _, people in riders)
        km = distances.road_km(*ends[arc])
        load = hinted.get((arc, day), 0)
        cheapest = min(  # the starting point runs the cheapest single type for the load
            usable,
            key=lambda c: (
                math.ceil(load / c.capacity) * _run_cost(c.vehicle_type, km),
                c.vehicle_type.name,
            ),
        )
        for carrier in usable:
            name = carrier.vehicle_type.name
            count = model.new_int_var(0, math.ceil(most / carrier.capacity), "")
            vehicles[arc, day, name] = count
            per_day.setdefault((day, name), []).append(count)
            cost = run_cost.setdefault((arc, name), _run_cost(carrier.vehicle_type, km))
            objective.append((cost * COST_SCALE + 1) * count)
            wanted = load if carrier is cheapest else 0
            model.add_hint(count, math.ceil(wanted / carrier.capacity))
        seats = sum(c.capacity * vehicles[arc, day, c.vehicle_type.name] for c in usable)
        model.add(sum(flow for flow, _ in riders) <= seats)
    daily = {c.vehicle_type.name: c.vehicle_type.count for c in usable}
    for (_, name), counts in sorted(per_day.items()):
        most_a_day = daily[name]
        if most_a_day is not None:
            model.add(sum(counts) <= most_a_day)
    model.minimize(sum(objective))
    answer = solve_cp(model, limit, seed=seed)
    if not answer.found:
        return NetworkAnswer({}, {}, 0, answer.status)
    people = {key: answer.value(f) for key, f in flows.items() if answer.value(f)}
    run = {key: answer.value(v) for key, v in vehicles.items() if answer.value(v)}
    total = sum(n * run_cost[arc, name] for (arc, _, name), n in run.items())
    return NetworkAnswer(people, run, total, answer.status)


def _run_cost(vehicle_type: VehicleType, km: float) -> int:
    """What one vehicle of this type costs on a leg of `km`, in whole yuan."""
    return round(vehicle_type.cost_per_trip + vehicle_type.cost_per_km * km)


def _direct_loads(
    classes: Sequence[DemandClass], journeys: Sequence[Sequence[Itinerary]]
) -> dict[tuple[Arc, dt.date], int]:
    """People on each arc and day when every class rides its first candidate on its first
    day (the search's starting point)."""
    loads: dict[tuple[Arc, dt.date], int] = {}
    for demand, candidates in zip(classes, journeys, strict=True):
        for a, b in itertools.pairwise(candidates[0].places):
            key = ((place_key(a), place_key(b)), demand.first)
            loads[key] = loads.get(key, 0) + demand.people
    return loads

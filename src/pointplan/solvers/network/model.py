"""The network model (docs/networks.md): which journey each class takes, on which day, and how
many vehicles of which type run each arc on each day, at the least cost, on CP-SAT.

Time-expanded by day: a class leaves on a day of its window and rides every leg of its
journey that day (a leg's trip may still arrive the next day). An arc is an ordered pair of
zones (`zones.zone_of` by default: the places one vehicle can serve together); the people of
every class and journey on an arc on a day ride the vehicles run on it that day, each type
up to its capacity under the policy, together with any people `carried` there already by an
earlier part's answer (whose vehicles on other arcs count against the daily counts). The
cost of a vehicle on an arc is its type's `cost_per_trip` plus `cost_per_km` times the arc's
road km (the mean over the people on it), in whole yuan; among plans of equal cost the one
with fewer vehicles is taken. A type with a daily `count` runs at most that many arcs a day.
The direct journey of every class is always a candidate. The search starts from the best end
of a local search over whole classes (`search.searched`, which prices each arc by its
cheapest mix of types but does not count vehicles a day), and what CP-SAT returns is kept
only when it costs less.

Zones are an estimate of the trip builder's sharing, not the builder itself: whoever uses
the model compares the trips built from its answer with the direct plan (docs/networks.md).
People move in whole numbers but parties are not kept whole here; the trip builder seats
registrations.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from pointplan.domain.places import Place
from pointplan.geo.distances import DistanceModel
from pointplan.solvers.network.classes import DemandClass
from pointplan.solvers.network.itineraries import Itinerary
from pointplan.solvers.network.search import (
    Arc,
    ArcDay,
    ArcPrices,
    Carrier,
    arcs_of,
    carriers_of,
    run_cost,
    searched,
)
from pointplan.solvers.network.zones import zone_of
from pointplan.solvers.ortools_adapter import CpModel, IntVar, WorkLimit, solve_cp


@dataclass(frozen=True)
class NetworkAnswer:
    """The model's choice. `people[c, i, day]`: people of class c on its journey i leaving
    that day (only the non-zero ones); `vehicles[arc, day, type name]`: vehicles run; `cost`
    of them in yuan; `status`: CP-SAT's; `loads[arc, day]`: the people on each arc with
    those carried before, for the next part to be `carried`."""

    people: dict[tuple[int, int, dt.date], int]
    vehicles: dict[tuple[Arc, dt.date, str], int]
    cost: int
    status: str
    loads: dict[ArcDay, int]


COST_SCALE = 1000
"""The objective is cost times this plus the vehicles, so that cost comes first."""


def plan_network(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    carriers: Sequence[Carrier],
    distances: DistanceModel,
    limit: WorkLimit,
    seed: int = 0,
    zone: Callable[[Place], Hashable] = zone_of,
    carried: Mapping[ArcDay, int] | None = None,
    running: Mapping[tuple[Arc, dt.date, str], int] | None = None,
) -> NetworkAnswer:
    """Choose journeys and days for `classes` (`journeys[c]` are class c's candidates, the
    direct one first) and the vehicles on each arc, at the least cost (see the module).
    `running` are the vehicles earlier parts run on each arc and day (for the people
    `carried`): those on arcs this part does not use count against the daily counts.

    Raises `ValueError` when a class has no candidate or no carrier carries anyone."""
    usable = [c for c in carriers if c.capacity > 0]
    if not usable:
        raise ValueError("no vehicle type carries anyone under the policy")
    if any(not j for j in journeys):
        raise ValueError(
            f"class {[bool(j) for j in journeys].index(False)} has no candidate journey"
        )
    carried = carried or {}
    arc_km = _arc_km(classes, journeys, distances, zone)
    prices = ArcPrices(usable, arc_km)
    choice, cost = searched(classes, journeys, prices, zone, carried)
    start = _answer(classes, journeys, choice, prices, zone, carried, cost)
    whole = _solved(
        classes, journeys, usable, arc_km, limit, seed, zone, carried, start, running or {}
    )
    if whole.people and (whole.cost <= start.cost or _over_daily(start, usable, running or {})):
        return whole
    return start


def _over_daily(
    answer: NetworkAnswer,
    carriers: Sequence[Carrier],
    running: Mapping[tuple[Arc, dt.date, str], int],
) -> bool:
    """Whether `answer` (with the vehicles `running` on the arcs it does not run) takes a
    type over its daily count: the local search does not count them."""
    on_day: dict[tuple[dt.date, str], int] = {}
    for (_, day, name), n in {**running, **answer.vehicles}.items():
        on_day[day, name] = on_day.get((day, name), 0) + n
    daily = {c.vehicle_type.name: c.vehicle_type.count for c in carriers}
    return any(
        daily.get(name) is not None and n > (daily[name] or 0) for (_, name), n in on_day.items()
    )


def _arc_km(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    distances: DistanceModel,
    zone: Callable[[Place], Hashable],
) -> dict[Arc, float]:
    """Each zone arc's road km: the mean over the people of the classes that may use it."""
    weighed: dict[Arc, list[float]] = {}
    for demand, mine in zip(classes, journeys, strict=True):
        for journey in mine:
            ends = itertools.pairwise(journey.places)
            for arc, (a, b) in zip(arcs_of(journey, zone), ends, strict=True):
                sums = weighed.setdefault(arc, [0.0, 0.0])
                sums[0] += demand.people * distances.road_km(a, b)
                sums[1] += demand.people
    return {arc: km / people for arc, (km, people) in weighed.items()}


def _answer(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    choice: Sequence[tuple[int, dt.date]],
    prices: ArcPrices,
    zone: Callable[[Place], Hashable],
    carried: Mapping[ArcDay, int],
    cost: int,
) -> NetworkAnswer:
    """The answer of whole classes on their chosen journeys and days, each arc and day run
    by its cheapest mix of vehicles."""
    people = {(c, i, day): classes[c].people for c, (i, day) in enumerate(choice)}
    loads = dict(carried)
    for (c, i, day), n in people.items():
        for arc in arcs_of(journeys[c][i], zone):
            loads[arc, day] = loads.get((arc, day), 0) + n
    vehicles = {
        (arc, day, name): count
        for (arc, day), n in loads.items()
        if arc in prices.arcs
        for name, count in prices.mix(arc, n).items()
    }
    return NetworkAnswer(people, vehicles, cost, "SEARCHED", loads)


def _solved(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    usable: Sequence[Carrier],
    arc_km: Mapping[Arc, float],
    limit: WorkLimit,
    seed: int,
    zone: Callable[[Place], Hashable],
    carried: Mapping[ArcDay, int],
    start: NetworkAnswer,
    running: Mapping[tuple[Arc, dt.date, str], int],
) -> NetworkAnswer:
    """The model of `plan_network` built and solved, its search started from `start`."""
    model = CpModel()
    flows: dict[tuple[int, int, dt.date], IntVar] = {}
    on_arc: dict[ArcDay, list[tuple[IntVar, int]]] = {}
    for c, demand in enumerate(classes):
        mine = []
        for i, journey in enumerate(journeys[c]):
            for day in demand.window():
                flow = model.new_int_var(0, demand.people, f"f{c}_{i}_{day:%m%d}")
                flows[c, i, day] = flow
                mine.append(flow)
                model.add_hint(flow, start.people.get((c, i, day), 0))
                for arc in arcs_of(journey, zone):
                    on_arc.setdefault((arc, day), []).append((flow, demand.people))
        model.add(sum(mine) == demand.people)
    vehicles: dict[tuple[Arc, dt.date, str], IntVar] = {}
    run_costs: dict[tuple[Arc, str], int] = {}
    objective = []
    per_day: dict[tuple[dt.date, str], list[IntVar]] = {}
    for (arc, day), riders in sorted(
        on_arc.items(), key=lambda item: (item[0][1], repr(item[0][0]))
    ):
        before = carried.get((arc, day), 0)
        most = sum(people for _, people in riders) + before
        km = arc_km[arc]
        runners = carriers_of(usable, arc)
        for carrier in runners:
            name = carrier.vehicle_type.name
            count = model.new_int_var(0, math.ceil(most / carrier.capacity), "")
            vehicles[arc, day, name] = count
            per_day.setdefault((day, name), []).append(count)
            cost = run_costs.setdefault((arc, name), run_cost(carrier.vehicle_type, km))
            objective.append((cost * COST_SCALE + 1) * count)
            model.add_hint(count, start.vehicles.get((arc, day, name), 0))
        seats = sum(c.capacity * vehicles[arc, day, c.vehicle_type.name] for c in runners)
        model.add(sum(flow for flow, _ in riders) + before <= seats)
    daily = {c.vehicle_type.name: c.vehicle_type.count for c in usable}
    elsewhere: dict[tuple[dt.date, str], int] = {}
    for (arc, day, name), n in running.items():
        if (arc, day) not in on_arc:
            elsewhere[day, name] = elsewhere.get((day, name), 0) + n
    for (day, name), counts in sorted(per_day.items()):
        most_a_day = daily[name]
        if most_a_day is not None:
            model.add(sum(counts) + elsewhere.get((day, name), 0) <= most_a_day)
    model.minimize(sum(objective))
    answer = solve_cp(model, limit, seed=seed)
    if not answer.found:
        return NetworkAnswer({}, {}, 0, answer.status, dict(carried))
    people = {key: answer.value(f) for key, f in flows.items() if answer.value(f)}
    run = {key: answer.value(v) for key, v in vehicles.items() if answer.value(v)}
    total = sum(n * run_costs[arc, name] for (arc, _, name), n in run.items())
    loads = dict(carried)
    for (c, i, day), n in people.items():
        for arc in arcs_of(journeys[c][i], zone):
            loads[arc, day] = loads.get((arc, day), 0) + n
    return NetworkAnswer(people, run, total, answer.status, loads)

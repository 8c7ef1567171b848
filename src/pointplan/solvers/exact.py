"""An exact CP-SAT model of one part: fewest vehicles, then fewest stops, then fewest km.

Demand is aggregated into classes (pickup, drop-off, window, party size) with counts, so the
model grows with distinct classes, not with people. A pattern is a set of pickups and a set
of drop-offs one vehicle may serve (at most `max_pickups` / `max_dropoffs`, pairwise within
the radii, every stop used by some class). Variables: vehicles per (pattern, day) and parties
per (class, pattern, day). Phase 1 minimises vehicles; phase 2 keeps that number and
minimises stops, then km. The parties of a (pattern, day) are then packed into its vehicles.

Every real plan of the part is a solution of this model (its trips are patterns on days, and
capacity is counted in people), so phase 1's proven bound is a valid lower bound on vehicles,
provided every pattern was enumerated; when a part has too many patterns the model is not
built and the caller keeps its heuristic plan and bound.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.budget import Budget
from pointplan.solvers.decision import Decision, PlaceKey, place_key
from pointplan.solvers.ortools_adapter import CpModel, IntVar, solve_cp
from pointplan.solvers.trips import best_route_km, first_fit

ClassKey = tuple[PlaceKey, PlaceKey, dt.date, dt.date, int]

MAX_MODEL_VARIABLES = 10_000  # a larger part keeps the sweep's plan: building it would cost more


@dataclass(frozen=True)
class Pattern:
    """The stops one vehicle serves: pickups, drop-offs and the shortest route's km."""

    pickups: frozenset[PlaceKey]
    dropoffs: frozenset[PlaceKey]
    km: float

    @property
    def stops(self) -> int:
        """Pickups plus drop-offs."""
        return len(self.pickups) + len(self.dropoffs)


@dataclass(frozen=True)
class ExactResult:
    """Decisions for a part and the proven lower bound on its vehicles."""

    decisions: list[Decision]
    vehicles_bound: int


def stop_sets(
    problem: Problem, places: dict[PlaceKey, Place], radius: float, size: int
) -> list[frozenset[PlaceKey]]:
    """Every set of at most `size` of these places that lie pairwise within `radius` km:
    the pickups (or drop-offs) one vehicle may serve together."""
    graph = nx.Graph()
    graph.add_nodes_from(places)
    keys = sorted(places)
    for a, b in itertools.combinations(keys, 2):
        if problem.distances.within_km(places[a], places[b], radius):
            graph.add_edge(a, b)
    cliques = []
    for clique in nx.enumerate_all_cliques(graph):
        if len(clique) > size:
            break
        cliques.append(frozenset(clique))
    return cliques


def enumerate_patterns(
    problem: Problem,
    registrations: Sequence[Registration],
    limit: int,
    deadline: float | None = None,
) -> list[Pattern] | None:
    """Every useful pattern of these registrations; None when there are more than `limit`
    or the wall-clock `deadline` passes first."""
    policy = problem.policy
    pickups = {place_key(r.pickup): r.pickup for r in registrations}
    dropoffs = {place_key(r.dropoff): r.dropoff for r in registrations}
    pairs: dict[PlaceKey, set[PlaceKey]] = defaultdict(set)
    for r in registrations:
        pairs[place_key(r.pickup)].add(place_key(r.dropoff))
    pickup_sets = stop_sets(problem, pickups, policy.pickup_radius_km, policy.max_pickups)
    dropoff_sets = stop_sets(problem, dropoffs, policy.dropoff_radius_km, policy.max_dropoffs)
    if len(pickup_sets) * len(dropoff_sets) > 200 * limit:
        return None  # too many combinations even to look at
    patterns = []
    for number, a in enumerate(pickup_sets):
        if deadline is not None and number % 64 == 0 and time.time() > deadline:
            return None
        reachable = set().union(*(pairs[p] for p in a))
        for b in dropoff_sets:
            if not b <= reachable or any(not (pairs[p] & b) for p in a):
                continue
            km = best_route_km(
                problem, [pickups[p] for p in sorted(a)], [dropoffs[d] for d in sorted(b)]
            )
            patterns.append(Pattern(a, b, km))
            if len(patterns) > limit:
                return None
    return patterns


def solve_part_exactly(
    problem: Problem,
    registrations: Sequence[Registration],
    patterns: Sequence[Pattern],
    vehicle_type: VehicleType,
    budget: Budget,
    seed: int,
    hint: Sequence[Decision] = (),
) -> ExactResult | None:
    """Solve one part with CP-SAT on vehicles of one type within `budget`, starting from
    `hint` if given (60% of the budget for phase 1, 40% for phase 2).

    None when the model would be too large or CP-SAT finds no solution in the time (the
    caller keeps its own plan).
    """
    capacity = problem.capacity(vehicle_type).effective
    classes: dict[ClassKey, list[Registration]] = defaultdict(list)
    for r in sorted(registrations, key=lambda r: r.registration_id):
        classes[_class_of(r)].append(r)
    first = min(r.earliest_date for r in registrations)
    serving: dict[tuple[PlaceKey, PlaceKey], list[int]] = defaultdict(list)
    for index, pattern in enumerate(patterns):
        for p in pattern.pickups:
            for d in pattern.dropoffs:
                serving[p, d].append(index)

    size = sum(len(serving[key[0], key[1]]) * ((key[3] - key[2]).days + 1) for key in classes)
    if size > MAX_MODEL_VARIABLES:
        return None
    model = CpModel()
    most = len(registrations)
    parties: dict[tuple[ClassKey, int, int], IntVar] = {}
    by_slot: dict[tuple[int, int], list[tuple[int, int, IntVar]]] = defaultdict(list)
    for key, members in classes.items():
        p, d, earliest, latest, size = key
        options = []
        for index in serving[p, d]:
            for day in range((earliest - first).days, (latest - first).days + 1):
                x = model.new_int_var(0, len(members), "")
                parties[key, index, day] = x
                options.append(x)
                by_slot[index, day].append((size, len(members), x))
        model.add(sum(options) == len(members))
    vehicles: dict[tuple[int, int], IntVar] = {}
    for slot, riders in by_slot.items():
        y = model.new_int_var(0, most, "")
        vehicles[slot] = y
        model.add(sum(size * x for size, _, x in riders) <= capacity * y)
        for _, count, x in riders:  # a slot carrying anyone has a vehicle (tightens the LP)
            model.add(x <= count * y)
    total_vehicles = sum(vehicles.values())
    _add_hint(model, hint, patterns, first, vehicles, parties)

    model.minimize(total_vehicles)
    # linearization level 2: the LP relaxation gives the bound
    phase1 = solve_cp(
        model, budget.part(budget.seconds * 0.6).cp_limit(), seed=seed, linearization_level=2
    )
    if not phase1.found:
        return None
    best_vehicles = round(phase1.objective)
    bound = max(0, math.ceil(phase1.bound - 1e-6))  # vehicles are whole

    # Phase 2: keep the vehicles; fewest stops, then fewest km (0.1 km units).
    model.clear_hints()  # type: ignore[no-untyped-call]
    for var in list(vehicles.values()) + list(parties.values()):
        model.add_hint(var, phase1.value(var))
    model.add(total_vehicles <= best_vehicles)
    km = {slot: round(patterns[slot[0]].km * 10) for slot in vehicles}
    km_weight = sum(km.values()) * most + 1
    stops = sum(patterns[i].stops * y for (i, _), y in vehicles.items())
    model.minimize(stops * km_weight + sum(km[slot] * y for slot, y in vehicles.items()))
    phase2 = solve_cp(
        model, budget.part(budget.seconds * 0.4).cp_limit(), seed=seed, linearization_level=2
    )
    if not phase2.found:
        return None

    decisions: list[Decision] = []
    for (index, day), y in sorted(vehicles.items()):
        count = phase2.value(y)
        if count == 0:
            continue
        aboard: list[Registration] = []
        for key, members in classes.items():
            chosen = parties.get((key, index, day))
            if chosen is not None and phase2.value(chosen):
                taken = phase2.value(chosen)
                aboard.extend(members[:taken])
                del members[:taken]
        date = first + dt.timedelta(days=day)
        decisions.extend(
            Decision(vehicle_type, date, tuple(bin_)) for bin_ in first_fit(aboard, capacity, count)
        )
    return ExactResult(decisions, bound)


def _class_of(r: Registration) -> ClassKey:
    return (place_key(r.pickup), place_key(r.dropoff), r.earliest_date, r.latest_date, r.party_size)


def _add_hint(
    model: CpModel,
    hint: Sequence[Decision],
    patterns: Sequence[Pattern],
    first: dt.date,
    vehicles: dict[tuple[int, int], IntVar],
    parties: dict[tuple[ClassKey, int, int], IntVar],
) -> None:
    """Hint a known plan (e.g. the sweep's) so that the search starts from it."""
    if not hint:
        return
    index_of = {(p.pickups, p.dropoffs): i for i, p in enumerate(patterns)}
    slot_count: dict[tuple[int, int], int] = defaultdict(int)
    party_count: dict[tuple[ClassKey, int, int], int] = defaultdict(int)
    for decision in hint:
        date, load = decision.date, decision.riders
        stop_sets = (
            frozenset(place_key(r.pickup) for r in load),
            frozenset(place_key(r.dropoff) for r in load),
        )
        if stop_sets not in index_of:
            return  # the hint uses a stop set the model does not have: hint nothing
        slot = (index_of[stop_sets], (date - first).days)
        slot_count[slot] += 1
        for r in load:
            party_count[_class_of(r), slot[0], slot[1]] += 1
    if any(k not in parties for k in party_count) or any(s not in vehicles for s in slot_count):
        return
    for vehicle_slot, y in vehicles.items():
        model.add_hint(y, slot_count.get(vehicle_slot, 0))
    for party_key, x in parties.items():
        model.add_hint(x, party_count.get(party_key, 0))

"""Plans under rules that change by place and date (the policy's `overrides`).

A trip keeps, key by key, the strictest value of every override holding for one of its stops'
areas on its date. pointplan plans each *rule class* apart: the registrations for whose pickup
and drop-off areas and travel window the same overrides hold, under those overrides applied
(`Policy.applied`). Every member of a trip then shares its overrides, so the trip's rules are
its class's; an override holding on part of a registration's window only counts with the
policy's own value beside it, the stricter of the two, so that whichever of its days the trip
runs on, it is never planned under looser rules than hold then (perhaps stricter). Classes
are planned one after another, largest first, each on the vehicles the ones before left, each
with its share of the budget by people. People of two classes never share a vehicle, though
the rules would let them under the stricter of the two; the lower bound is therefore that of
the whole problem under the loosest values of all the rules, a relaxation of any plan they
allow (a tenth of the budget goes to it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import replace

from pointplan.domain.plan import Plan, Trip, Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.fleet_use import fleet_left
from pointplan.solvers.result import assemble_plan

PlanClass = Callable[[Problem, float], Plan]
"""Plans one rule class (a problem without overrides) within a budget in seconds."""
LEAST_SECONDS = 0.5
"""The least budget a class gets, however few its people."""
BOUND_SHARE = 0.1
"""The share of the budget spent on the lower bound under the loosest rules (when there is
more than one class); the classes share the rest."""


RuleClass = tuple[tuple[int, ...], tuple[int, ...]]
"""The overrides holding on a registration's whole window, and on part of it."""


def rule_class(policy: Policy, registration: Registration) -> RuleClass:
    """The overrides holding for a registration's pickup and drop-off areas on its whole
    window, and on part of it."""
    areas = (registration.pickup.adcode or "", registration.dropoff.adcode or "")
    return policy.matching(areas, registration.earliest_date, registration.latest_date)


def rule_classes(problem: Problem) -> list[tuple[RuleClass, list[Registration]]]:
    """The registrations grouped by `rule_class`, largest group (by people) first, then by
    the overrides' indices."""
    groups: dict[RuleClass, list[Registration]] = {}
    for registration in problem.registrations:
        groups.setdefault(rule_class(problem.policy, registration), []).append(registration)
    return sorted(groups.items(), key=lambda item: (-sum(r.party_size for r in item[1]), item[0]))


def class_problem(problem: Problem, rule_class: RuleClass) -> Problem:
    """`problem` under a rule class's rules (no overrides, its own capacity table); the
    problem itself when its policy has no overrides."""
    if not problem.policy.overrides:
        return problem
    return replace(problem, policy=problem.policy.applied(*rule_class), capacities=None)


def marked(trip: Trip, policy: Policy, rule_class: RuleClass) -> Trip:
    """`trip`, planned under `rule_class` of `policy`, naming the overrides that may hold for
    it and the values of the rules they set (unchanged without overrides)."""
    numbers = tuple(sorted({*rule_class[0], *rule_class[1]}))
    if not numbers:
        return trip
    rules = policy.applied(*rule_class)
    values = {key: getattr(rules, key) for n in numbers for key in policy.overrides[n].rules}
    return trip.model_copy(update={"overrides": numbers, "rules": values})


def trip_rules(policy: Policy, areas: Iterable[str], day: dt.date) -> Policy:
    """The rules a trip with stops in `areas` (adcodes) on `day` must keep: key by key the
    strictest value of the overrides holding for one of them that day, else the policy's."""
    full, _ = policy.matching(areas, day, day)
    return policy.applied(full)


def solve_by_rules(
    problem: Problem, plan_class: PlanClass, seconds: float, solver: str, seed: int
) -> Plan:
    """Plan `problem`, whose policy has overrides, class by class (see the module), within
    `seconds` in all; `solver` and `seed` are what `plan_class` plans with."""
    classes = rule_classes(problem)
    people = max(1, problem.passengers)
    for_bound = BOUND_SHARE if len(classes) != 1 else 0.0
    trips: list[Trip] = []
    unassigned: list[Unassigned] = []
    bounds = 0
    spent = 0.0
    for key, registrations in classes:
        part = replace(
            class_problem(problem, key),
            registrations=tuple(registrations),
            fleet=fleet_left(problem.fleet, trips),
            rejected=(),
            held=(),
            held_passengers=0,
        )
        share = (1 - for_bound) * seconds * sum(r.party_size for r in registrations) / people
        planned = plan_class(part, max(LEAST_SECONDS, share))
        trips += [marked(t, problem.policy, key) for t in planned.trips]
        unassigned += planned.unassigned
        bounds = planned.summary.vehicles_lower_bound
        spent += planned.summary.solve_seconds
    if for_bound:
        # Classes planned apart bound nothing but themselves; the problem under the loosest
        # rules is a relaxation of every plan the rules allow, and so is its bound.
        loosest = replace(
            problem, policy=problem.policy.loosest(), capacities=None, rejected=(), held=()
        )
        relaxed = plan_class(loosest, max(LEAST_SECONDS, for_bound * seconds))
        bounds = relaxed.summary.vehicles_lower_bound
        spent += relaxed.summary.solve_seconds
    ordered = sorted(trips, key=lambda t: (t.date, t.departure, t.trip_id, t.overrides))
    numbered = [t.model_copy(update={"trip_id": f"T{n:04d}"}) for n, t in enumerate(ordered, 1)]
    return assemble_plan(
        problem,
        numbered,
        sorted(unassigned, key=lambda u: u.registration_id),
        lower_bound=bounds,
        solve_seconds=spent,
        solver=solver,
        seed=seed,
    )

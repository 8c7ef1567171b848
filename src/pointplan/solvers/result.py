"""Assembling a solver's trips and unserved registrations into a `Plan` with its figures."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pointplan.domain.plan import Advice, Plan, Summary, Trip, Unassigned
from pointplan.problem import Problem


def assemble_plan(
    problem: Problem,
    trips: Sequence[Trip],
    unassigned: Sequence[Unassigned],
    *,
    lower_bound: int,
    solve_seconds: float,
    solver: str,
    seed: int,
    advised: Sequence[Advice] = (),
) -> Plan:
    """A plan whose summary is computed from its trips (never typed in by a solver), with
    the problem's rejected input rows and its held registrations among the unassigned. A
    registration riding several legs is served once: its people are its seats on a trip.
    `advised` registrations (too few for a charter) count in the cost per person with their
    estimated cost."""
    riders: dict[str, int] = {}
    for trip in trips:
        riders.update(trip.people_by_registration())
    served = sum(riders.values())
    cost = round(sum(trip.cost for trip in trips), 2)
    if problem.held:
        unassigned = sorted([*unassigned, *problem.held], key=lambda u: u.registration_id)
    summary = Summary(
        registrations=len(problem.registrations) + len(problem.held) + len(problem.rejected),
        passengers=problem.passengers + problem.held_passengers,
        served_passengers=served,
        vehicles=len(trips),
        vehicles_lower_bound=lower_bound,
        stops=sum(len(trip.stops) for trip in trips),
        distance_km=round(sum(trip.distance_km for trip in trips), 3),
        cost=cost,
        solve_seconds=round(solve_seconds, 3),
        served_registrations=len(riders),
        legs=sum(1 for trip in trips if trip.leg != "direct"),
        cost_per_person=cost_per_person(problem, cost, served, advised),
        advised=len(advised),
        unassigned=len(unassigned),
        rejected=len(problem.rejected),
        solver=solver,
        seed=seed,
    )
    return Plan(
        summary=summary,
        trips=tuple(trips),
        unassigned=tuple(unassigned),
        rejected=problem.rejected,
        advised=tuple(advised),
    )


def spending(
    problem: Problem, cost: float, served_passengers: int, advised: Sequence[Advice]
) -> tuple[float, int]:
    """What a plan spends, the plan's `cost` and the advised registrations' estimated costs,
    and the people it is spent on: those on its trips and those advised."""
    sizes = {r.registration_id: r.party_size for r in problem.registrations}
    everyone = served_passengers + sum(sizes.get(a.registration_id, 0) for a in advised)
    return cost + sum(a.cost for a in advised), everyone


def cost_per_person(
    problem: Problem, cost: float, served_passengers: int, advised: Sequence[Advice]
) -> float:
    """The plan's `spending` a person."""
    spent, everyone = spending(problem, cost, served_passengers, advised)
    return round(spent / everyone, 2) if everyone else 0.0


def riders_bound(problem: Problem, trips: Sequence[Trip]) -> int:
    """A lower bound on the vehicles that carry the people on `trips`: each rides at least
    one, of at most the largest capacity (for a plan whose people are not the problem's
    all, or not on their dates: advised, or moved by agreement)."""
    largest = max((problem.capacity(vt).effective for vt in problem.available_types), default=1)
    riding = {s.registration_id for t in trips for s in t.seats}
    sizes = {r.registration_id: r.party_size for r in problem.registrations}
    return math.ceil(sum(sizes[rid] for rid in riding) / max(1, largest))

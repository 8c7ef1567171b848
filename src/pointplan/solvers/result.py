"""Assembling a solver's trips and unserved registrations into a `Plan` with its figures."""

from __future__ import annotations

from collections.abc import Sequence

from pointplan.domain.plan import Plan, Summary, Trip, Unassigned
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
) -> Plan:
    """A plan whose summary is computed from its trips (never typed in by a solver), with
    the problem's rejected input rows and its held registrations among the unassigned."""
    served = sum(trip.passengers for trip in trips)
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
        cost=round(sum(trip.cost for trip in trips), 2),
        solve_seconds=round(solve_seconds, 3),
        served_registrations=sum(len(trip.registration_ids()) for trip in trips),
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
    )

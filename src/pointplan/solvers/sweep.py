"""The day sweep both heuristics share, and who cannot travel at all.

A sweep walks the days of a group of registrations in order. On each day a planner-specific
`load_day` puts some of those free to leave that day into vehicles (taking them from the
fleet); whoever's window closes that day without a vehicle travels alone on an earlier day of
its window where a vehicle is free, or is reported unassigned with the reason
(`FleetUse.close_window`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from pointplan.domain.plan import Unassigned
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision
from pointplan.solvers.fleet_use import FleetUse
from pointplan.solvers.seating import fits

_ONE_DAY = dt.timedelta(days=1)

LoadDay = Callable[[dt.date, list[Registration]], list[Decision]]
"""Loads vehicles on a day from those free to leave (in sweep order); the trips it made."""


def sweep_days(
    registrations: Sequence[Registration],
    order: Callable[[Registration], Any],
    load_day: LoadDay,
    fleet: FleetUse,
) -> tuple[list[Decision], list[Unassigned]]:
    """Sweep the days from the first earliest date until everyone is placed or reported.

    Registrations are taken in `order`; each day `load_day` sees those whose window has
    opened, and those whose window closes unloaded go to `fleet.close_window`.
    """
    pending = sorted(registrations, key=order)
    decisions: list[Decision] = []
    unassigned: list[Unassigned] = []
    types = fleet.problem.available_types
    day = min(r.earliest_date for r in pending)
    while pending:
        loaded = load_day(day, [r for r in pending if r.earliest_date <= day])
        decisions.extend(loaded)
        gone = {id(r) for decision in loaded for r in decision.riders}
        pending = [r for r in pending if id(r) not in gone]
        for registration in [r for r in pending if r.latest_date <= day]:
            outcome = fleet.close_window(types, registration, day)
            if isinstance(outcome, Unassigned):
                unassigned.append(outcome)
            else:
                decisions.append(outcome)
        pending = [r for r in pending if r.latest_date > day]
        day += _ONE_DAY
    return decisions, unassigned


def split_travellers(problem: Problem) -> tuple[list[Registration], list[Unassigned]]:
    """The registrations that some vehicle could carry, and the others with the reason."""
    travellers: list[Registration] = []
    unassigned: list[Unassigned] = []
    for registration in problem.registrations:
        reason = cannot_travel_reason(problem, registration)
        if reason:
            unassigned.append(
                Unassigned(registration_id=registration.registration_id, reason=reason)
            )
        else:
            travellers.append(registration)
    return travellers, unassigned


def cannot_travel_reason(problem: Problem, registration: Registration) -> str | None:
    """Why a registration cannot travel on any vehicle at all, or None when it can."""
    if not any(fits(problem, vt, [registration.party_size]) for vt in problem.available_types):
        return (
            f"party of {registration.party_size} is larger than any vehicle's effective "
            f"capacity (largest {problem.largest_capacity} under the policy); split the party "
            "or relax the seat rules"
        )
    km = problem.distances.road_km(registration.pickup, registration.dropoff)
    if km == float("inf"):
        return "drop-off cannot be reached by road from the pickup point"
    return None

"""Transport's answers to published trips (the blank lines of 一车一方案 filled in), and the
vehicle swaps among them, laid over the plan as it was solved."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan, Trip
from pointplan.domain.policy import Policy
from pointplan.domain.seating import load_cap, seating_is_legal
from pointplan.io import default_fleet
from pointplan.solvers.seating import vehicle_capacity
from pointplan.solvers.trips import on_vehicle
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.sealing import Sealer


def fleet_and_policy(job: models.PlanJob) -> tuple[Fleet, Policy]:
    """The fleet and policy a plan job was made with (the defaults when it gave none)."""
    fleet = Fleet.model_validate(job.fleet) if job.fleet else default_fleet()
    return fleet, Policy.model_validate(job.policy or {})


def swap_problem(trip: Trip, vehicle_type: str, fleet: Fleet, policy: Policy) -> str | None:
    """Why the trip may not move to `vehicle_type`, or None when it may: a type of the fleet
    with as many rated seats or more, in whose layout everyone keeps a legal seat."""
    try:
        new = fleet.by_name(vehicle_type)
    except KeyError:
        return "not a vehicle type of the plan's fleet"
    try:
        old_seats = fleet.by_name(trip.vehicle_type).rated_seats
    except KeyError:
        old_seats = 0
    if new.rated_seats < old_seats:
        return f"has fewer rated seats ({new.rated_seats}) than {trip.vehicle_type} ({old_seats})"
    escorts = [(e.row, e.seat) for e in trip.escort_seats]
    seats = [((s.row, s.seat), s.registration_id) for s in trip.seats]
    if trip.passengers > load_cap(new, policy) or not seating_is_legal(
        new.layout, policy, escorts, seats
    ):
        return "the people on the trip would not all keep a legal seat in its layout"
    return None


def record_answer(
    session: Session,
    plan_id: str,
    trip_id: str,
    fields: Mapping[str, Any],
    vehicle_type: str,
    actor: str,
    sealer: Sealer,
) -> models.TripAnswer:
    """Store (or replace) transport's answer to a trip: `fields` sealed (they hold names and
    phones), `vehicle_type` the swapped type or "" when none."""
    answer = session.get(models.TripAnswer, (plan_id, trip_id))
    if answer is None:
        answer = models.TripAnswer(plan_id=plan_id, trip_id=trip_id, updated_by=actor)
        session.add(answer)
    answer.fields = sealer.seal(dict(fields))
    answer.vehicle_type = vehicle_type
    answer.updated_by = actor
    answer.updated_at = models.utc_now()
    audit(session, actor, "trips.answer", f"{plan_id} {trip_id}")
    session.flush()
    return answer


def opened(answer: models.TripAnswer, sealer: Sealer) -> tuple[dict[str, Any], dict[str, Any]]:
    """An answer's fields (plate, operator, charter_permit) and its crew (`drivers`, a list of
    name and phone, and `escort`, one or None), opened with `sealer`."""
    fields = sealer.open(answer.fields)
    crew = json.loads(fields.pop("crew")) if "crew" in fields else {"drivers": [], "escort": None}
    return fields, crew


def answers_of(
    session: Session, plan_id: str, trip_ids: Collection[str] | None = None
) -> dict[str, models.TripAnswer]:
    """The answers recorded for a plan's trips (those of `trip_ids`, when given)."""
    query = select(models.TripAnswer).where(models.TripAnswer.plan_id == plan_id)
    if trip_ids is not None:
        query = query.where(models.TripAnswer.trip_id.in_(list(trip_ids)))
    return {a.trip_id: a for a in session.scalars(query)}


def swapped(trip: Trip, answer: models.TripAnswer | None, fleet: Fleet, policy: Policy) -> Trip:
    """The trip on the vehicle its answer swapped it to (as it is when none)."""
    if answer is None or not answer.vehicle_type:
        return trip
    new = fleet.by_name(answer.vehicle_type)
    return on_vehicle(trip, new, vehicle_capacity(new, policy).effective)


def with_answers(session: Session, job: models.PlanJob, plan: Plan) -> Plan:
    """A plan with every swap recorded for its trips applied."""
    answers = answers_of(session, job.plan_id)
    if not any(a.vehicle_type for a in answers.values()):
        return plan
    fleet, policy = fleet_and_policy(job)
    return plan.model_copy(
        update={
            "trips": tuple(swapped(t, answers.get(t.trip_id), fleet, policy) for t in plan.trips)
        }
    )


def carry_answers(session: Session, base_plan_id: str, plan_id: str, plan: Plan) -> None:
    """Copy the base plan's answers to the same trips of a plan made from it (its published
    trips, kept with their ids)."""
    kept = {t.trip_id for t in plan.trips}
    for trip_id, answer in answers_of(session, base_plan_id, kept).items():
        session.add(
            models.TripAnswer(
                plan_id=plan_id,
                trip_id=trip_id,
                fields=answer.fields,
                vehicle_type=answer.vehicle_type,
                updated_by=answer.updated_by,
                updated_at=answer.updated_at,
            )
        )

"""Plans: ask for one (202, solved in the background), poll it, cancel it, read a trip."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.interfaces import ORMOption

from pointplan.api.auth import DB, Caller
from pointplan.api.schemas import (
    ChangeLine,
    ChangesOut,
    ManifestLine,
    PersonOut,
    PlanAccepted,
    PlanIn,
    PlanList,
    PlanOut,
    PlanStatus,
    Published,
    PublishIn,
    TripAnswerIn,
    TripAnswerOut,
    TripOut,
    error_responses,
    invalid,
)
from pointplan.builder import check_fleet_carries
from pointplan.domain.manifest import trip_manifest
from pointplan.domain.personal import shown_personal_fields
from pointplan.domain.plan import Plan, Trip
from pointplan.domain.policy import Policy
from pointplan.domain.text import ID_PATTERN
from pointplan.io import InputError, default_fleet
from pointplan.store import models
from pointplan.store.answers import (
    fleet_and_policy,
    opened,
    record_answer,
    swap_problem,
    swapped,
)
from pointplan.store.audit import audit
from pointplan.store.models import FINISHED, JobState
from pointplan.store.plans import NotPublishable, add_job, publish, recent_jobs
from pointplan.store.registrations import covers
from pointplan.store.sealing import Sealer

router = APIRouter(
    prefix="/v1/plans", tags=["plans"], responses=error_responses(401, 403, 404, 409, 413, 415)
)
PLAN_ID = r"^[A-Za-z0-9._-]{1,40}$"
PLAN_ID_PATTERN = re.compile(PLAN_ID)
PlanId = Annotated[str, Path(pattern=PLAN_ID)]


@router.post("", status_code=status.HTTP_202_ACCEPTED, summary="ask for a plan")
def post_plan(request: Request, caller: Caller, db: DB, body: PlanIn) -> PlanAccepted:
    """Queues the plan and answers at once; poll GET /v1/plans/{plan_id}. Admins and
    planners, for an area inside their own."""
    caller.require("planner")
    if not covers(caller.scope, body.area):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"area {body.area} is outside your area")
    for path in _non_finite(body.model_dump(), ()):
        invalid((".".join(path), "must be a finite number"))
    settings = request.app.state.settings
    if body.time_limit > settings.max_time_limit:
        invalid(("time_limit", f"at most {settings.max_time_limit:g} seconds"))
    fleet, policy = body.fleet or default_fleet(), body.policy or Policy()
    try:
        check_fleet_carries(fleet, policy)
    except InputError as error:
        invalid(("fleet", str(error)))
    with db.session() as session:
        if body.base_plan_id is not None:
            _check_base(session, body.base_plan_id, body.area, caller)
        job = add_job(
            session,
            body.area,
            body.date_from,
            body.date_to,
            body.fleet.model_dump(mode="json") if body.fleet else None,
            body.policy.model_dump(mode="json") if body.policy else None,
            body.time_limit,
            caller.name,
            base_plan_id=body.base_plan_id,
            scenario=body.scenario,
            date_flexibility_days=body.date_flexibility_days,
        )
    request.app.state.runner.wake()
    return PlanAccepted(plan_id=job.plan_id, status=job.status)


def _check_base(session: Session, base_plan_id: str, area: str, caller: Caller) -> None:
    """422 unless the base plan is a done plan of the same area that the caller may read."""
    base = session.get(models.PlanJob, base_plan_id, options=[defer(models.PlanJob.result)])
    if base is None or not covers(caller.scope, base.area):
        invalid(("base_plan_id", f"no plan {base_plan_id!r}"))
    if base.area != area:
        invalid(("base_plan_id", f"the base plan is of area {base.area}, not {area}"))
    if base.status != JobState.DONE:
        invalid(("base_plan_id", f"the base plan is {base.status}, not done"))
    if base.scenario:
        invalid(("base_plan_id", f"the base plan is a what-if of scenario {base.scenario!r}"))


@router.get("", summary="the newest plans of your area, without their plan.json")
def list_plans(caller: Caller, db: DB, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> PlanList:
    """Planners and viewers: the plans whose area lies in theirs; registrars: also those
    whose area holds theirs (the plans whose changes they tell their people); newest
    first, `limit` of them, each as `GET /v1/plans/{plan_id}` answers it but for the plan."""
    caller.require("planner", "viewer", "registrar")
    with db.session() as session:
        jobs = recent_jobs(session, caller.scope, meeting=caller.role == "registrar", limit=limit)
        return PlanList(
            items=[PlanStatus.model_validate(job, from_attributes=True) for job in jobs]
        )


@router.post(
    "/{plan_id}/publish",
    summary="publish a plan's trips up to a date (一车一方案 issued)",
)
def publish_plan(plan_id: PlanId, body: PublishIn, caller: Caller, db: DB) -> Published:
    """Planners and admins of the plan's area. The trips dated on or before `through` are
    published: frozen in every later plan based on this one. Each date is published once, and
    never withdrawn: 409 for a date on or before the one published already, or for a plan
    that is not done."""
    caller.require("planner")
    with db.session() as session:
        job = plan_job(session, plan_id, caller)
        try:
            trips = publish(session, job, body.through, caller.name)
        except NotPublishable as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        session.refresh(job)
        assert job.published_at is not None
        return Published(
            plan_id=plan_id,
            published_through=body.through,
            published_trips=trips,
            published_by=job.published_by,
            published_at=job.published_at,
        )


@router.get(
    "/{plan_id}",
    summary="a plan's status, progress and, once done, plan.json",
    response_model=PlanOut,
)
def get_plan(plan_id: PlanId, caller: Caller, db: DB) -> Response:
    """Admins, planners and viewers of the plan's area."""
    caller.require("planner", "viewer")
    with db.session() as session:
        job = plan_job(session, plan_id, caller)
        status_part = PlanStatus.model_validate(job, from_attributes=True).model_dump_json()
        plan = job.result or "null"
    # plan.json goes out as stored: a region's plan is megabytes, and parsing it to write it
    # out again took most of this call's time.
    return Response(f'{status_part[:-1]},"plan":{plan}}}', media_type="application/json")


@router.delete("/{plan_id}", summary="cancel a queued or running plan")
def delete_plan(request: Request, plan_id: PlanId, caller: Caller, db: DB) -> PlanAccepted:
    """409 when the plan has finished already."""
    caller.require("planner")
    with db.session() as session:
        job = plan_job(session, plan_id, caller)
        if job.status in FINISHED:
            raise HTTPException(status.HTTP_409_CONFLICT, f"the plan is {job.status} already")
        audit(session, caller.name, "plans.cancel", plan_id)
    if not request.app.state.runner.cancel(plan_id):  # it finished in the meantime
        raise HTTPException(status.HTTP_409_CONFLICT, "the plan has finished already")
    return PlanAccepted(plan_id=plan_id, status=JobState.CANCELLED)


@router.get("/{plan_id}/trips/{trip_id}", summary="one trip of a done plan, with its manifest")
def get_trip(
    request: Request,
    plan_id: PlanId,
    trip_id: Annotated[str, Path(pattern=ID_PATTERN)],
    caller: Caller,
    db: DB,
) -> TripOut:
    """The trip as in plan.json and its passenger list; names, id numbers and phones are
    masked for viewers (a read of them unmasked is recorded in the audit trail). 404 when
    the plan is not done or has no such trip."""
    caller.require("planner", "viewer")
    with db.session() as session:
        job = plan_job(session, plan_id, caller, defer(models.PlanJob.result))
        if job.status != JobState.DONE:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"the plan is {job.status}, not done")
        trip = request.app.state.trip_index.trip(plan_id, trip_id, lambda: plan_result(job))
        if trip is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no trip {trip_id!r} in the plan")
        sealer = request.app.state.sealer
        stored = {
            r.registration_id: sealer.open(r.fields)
            for r in session.scalars(
                select(models.Registration).where(
                    models.Registration.registration_id.in_(trip.registration_ids())
                )
            )
        }
        if caller.sees_personal_data:
            audit(session, caller.name, "trips.read", f"{plan_id} {trip_id}")
        recorded = session.get(models.TripAnswer, (plan_id, trip_id))
        answer = None
        if recorded is not None:
            fleet, policy = fleet_and_policy(job)
            answer = _answer_out(recorded, trip, sealer, caller.sees_personal_data)
            trip = swapped(trip, recorded, fleet, policy)
    manifest = [
        ManifestLine(
            registration_id=line.registration_id,
            seats=list(line.seats),
            pickup=line.pickup.place,
            dropoff=line.dropoff,
            **shown_personal_fields(
                stored.get(line.registration_id, {}), caller.sees_personal_data
            ),
        )
        for line in trip_manifest(trip)
    ]
    return TripOut(trip=trip, manifest=manifest, answer=answer)


@router.get("/{plan_id}/changes", summary="a re-plan's changes for the people of your area")
def get_changes(
    request: Request, plan_id: PlanId, caller: Caller, db: DB, every: bool = False
) -> ChangesOut:
    """The people of the caller's area that a re-plan added, moved or removed (with `every`,
    those kept too), with the name and phone to call: the registrar's list of people to
    tell. Registrars, planners and admins whose area meets the plan's; names and phones as
    stored (the read is audited). 404 when the plan is not done."""
    caller.require("planner", "registrar")
    with db.session() as session:
        job = done_plan_meeting(session, plan_id, caller)
        plan = Plan.from_json(plan_result(job))
        wanted = [c for c in plan.changes if every or c.change != "kept"]
        rows = {
            r.registration_id: r
            for chunk in range(0, len(wanted), 1000)
            for r in session.scalars(
                select(models.Registration).where(
                    models.Registration.registration_id.in_(
                        [c.registration_id for c in wanted[chunk : chunk + 1000]]
                    )
                )
            )
        }
        sealer = request.app.state.sealer
        items = []
        for change in wanted:
            row = rows.get(change.registration_id)
            if row is None or not caller.reaches(row.origin_adcode, row.destination_adcode):
                continue
            shown = shown_personal_fields(sealer.open(row.fields), caller.sees_personal_data)
            items.append(
                ChangeLine(
                    registration_id=change.registration_id,
                    change=change.change,
                    from_trips=list(change.from_trips),
                    to_trips=list(change.to_trips),
                    reason=change.reason,
                    name=shown["name"],
                    phone=shown["phone"],
                )
            )
        audit(session, caller.name, "changes.read", plan_id)
    return ChangesOut(plan_id=plan_id, base_plan_id=job.base_plan_id, items=items)


@router.put(
    "/{plan_id}/trips/{trip_id}/answer",
    summary="transport's answer to a published trip: plate, operator, crew, a vehicle swap",
)
def put_trip_answer(
    request: Request,
    plan_id: PlanId,
    trip_id: Annotated[str, Path(pattern=ID_PATTERN)],
    body: TripAnswerIn,
    caller: Caller,
    db: DB,
) -> TripAnswerOut:
    """Planners and admins of the plan's area record (or correct) what transport answered
    for a published trip: the blank lines of its 一车一方案. With `vehicle_type` the trip moves
    to another type of the plan's fleet with as many seats or more, everyone keeping their
    seat (422 naming `vehicle_type` otherwise). 409 for a trip not published yet."""
    caller.require("planner")
    with db.session() as session:
        job = plan_job(session, plan_id, caller)
        if job.status != JobState.DONE:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"the plan is {job.status}, not done")
        trip = request.app.state.trip_index.trip(plan_id, trip_id, lambda: plan_result(job))
        if trip is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no trip {trip_id!r} in the plan")
        if job.published_through is None or trip.date > job.published_through:
            raise HTTPException(
                status.HTTP_409_CONFLICT, "the trip is not published: publish its date first"
            )
        fleet, policy = fleet_and_policy(job)
        if body.vehicle_type and body.vehicle_type != trip.vehicle_type:
            problem = swap_problem(trip, body.vehicle_type, fleet, policy)
            if problem:
                invalid(("vehicle_type", problem))
        crew = {
            "drivers": [p.model_dump() for p in body.drivers],
            "escort": body.escort.model_dump() if body.escort else None,
        }
        fields = {
            "plate": body.plate,
            "operator": body.operator,
            "charter_permit": body.charter_permit,
            "crew": json.dumps(crew, ensure_ascii=False),
        }
        swap = body.vehicle_type if body.vehicle_type != trip.vehicle_type else ""
        answer = record_answer(
            session, plan_id, trip_id, fields, swap or "", caller.name, request.app.state.sealer
        )
        return _answer_out(answer, trip, request.app.state.sealer, show=True)


def _answer_out(answer: models.TripAnswer, trip: Trip, sealer: Sealer, show: bool) -> TripAnswerOut:
    """An answer as the caller may see it."""
    fields, crew = opened(answer, sealer)

    def person(value: dict[str, str] | None) -> PersonOut | None:
        if value is None:
            return None
        shown = shown_personal_fields(value, show)
        return PersonOut(name=shown["name"], phone=shown["phone"])

    return TripAnswerOut(
        plate=fields.get("plate", ""),
        operator=fields.get("operator", ""),
        charter_permit=fields.get("charter_permit", ""),
        drivers=[p for p in (person(d) for d in crew["drivers"]) if p is not None],
        escort=person(crew["escort"]),
        vehicle_type=answer.vehicle_type or trip.vehicle_type,
        updated_by=answer.updated_by,
        updated_at=answer.updated_at,
    )


def plan_result(job: models.PlanJob) -> str:
    assert job.result is not None, "a done plan has its plan.json"
    return job.result


def done_plan_meeting(session: Session, plan_id: str, caller: Caller) -> models.PlanJob:
    """A done plan job whose area and the caller's hold one another; 404 when there is none
    (or none in reach), or it is not done."""
    job = session.get(models.PlanJob, plan_id)
    if job is None or not caller.meets(job.area):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan {plan_id!r}")
    if job.status != JobState.DONE:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the plan is {job.status}, not done")
    return job


def plan_job(session: Session, plan_id: str, caller: Caller, *options: ORMOption) -> models.PlanJob:
    """The plan job; 404 when there is none, or none in the caller's area (so that nobody
    learns which ids exist elsewhere)."""
    job = session.get(models.PlanJob, plan_id, options=options)
    if job is None or not covers(caller.scope, job.area):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan {plan_id!r}")
    return job


def _non_finite(value: object, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Where in a request body a number is NaN or infinite (JSON cannot carry them)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, str(key)))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*path, str(index)))

"""Human resources' services (docs/hr.md, "In the service"): job postings, the return-home
services ledger with its push list, the flows each office answers for with the region's
coordination lists, and the receiving side's lists. Admins and the `hr` role, each for its
area: a county, a league or the region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status

from pointplan.api.auth import DB, Caller
from pointplan.api.hr_schemas import (
    CoordinationOut,
    CoordinationRow,
    LedgerOut,
    PostingIn,
    PostingOut,
    PostingsOut,
    PostingsSaved,
    PushLine,
    ReceivingOut,
)
from pointplan.api.routers.plans import done_plan_meeting, plan_result
from pointplan.api.schemas import invalid
from pointplan.domain.plan import Plan
from pointplan.exports.people import PersonalData
from pointplan.exports.receiving import arrivals
from pointplan.hr.flows import Level, coordination_rows, flows, for_area
from pointplan.hr.ledger import fills, ledger, push_list
from pointplan.hr.reports import level_of_area
from pointplan.io.jobs import is_county
from pointplan.store import models
from pointplan.store.answers import fleet_and_policy
from pointplan.store.audit import audit
from pointplan.store.jobs import (
    delete_posting,
    save_postings,
    stored_counties,
    stored_postings,
)
from pointplan.store.models import JobState
from pointplan.store.reading import registrations_by_id, registrations_touching, stored_events
from pointplan.store.registrations import covers
from pointplan.store.reports import newest_plan

router = APIRouter()
"""Included under /v1/hr by `pointplan.api.routers.hr`."""


# --- job postings ------------------------------------------------------------------------


@router.post("/jobs", summary="post jobs for returnees (created or updated by job_id)")
def post_jobs(caller: Caller, db: DB, body: list[PostingIn]) -> PostingsSaved:
    """Admins and hr, for jobs in counties of their area (403 for one outside it). Each
    county must be a county's 6-digit adcode; a `job_id` twice in the body is 422."""
    caller.require("hr")
    problems = []
    seen: set[str] = set()
    for index, item in enumerate(body):
        if item.job_id in seen:
            problems.append((f"{index}.job_id", "sent twice in this body"))
        seen.add(item.job_id)
        if not is_county(item.county):
            problems.append((f"{index}.county", "not a county's 6-digit adcode"))
    if problems:
        invalid(*problems)
    for item in body:
        if not covers(caller.scope, item.county):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"job {item.job_id}: outside your area {caller.area}"
            )
    with db.session() as session:
        outside = sorted(
            job_id
            for job_id, county in stored_counties(session, sorted(seen)).items()
            if not covers(caller.scope, county)
        )
        if outside:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"job {outside[0]}: stored outside your area"
            )
        created, updated = save_postings(session, [item.posting() for item in body], caller.name)
    return PostingsSaved(created=created, updated=updated)


@router.get("/jobs", summary="the job postings of your area, with the openings matched")
def get_jobs(request: Request, caller: Caller, db: DB) -> PostingsOut:
    """Admins and hr: the postings in counties of their area, each with how many of its
    openings the service's matching filled (one matching of every stored job seeker and
    posting)."""
    caller.require("hr")
    with db.session() as session:
        matched = request.app.state.matching.get(session, request.app.state.sealer)
        mine = stored_postings(session, caller.scope)
    return PostingsOut(
        items=[
            PostingOut(**fill.job.model_dump(), matched=fill.matched, left=fill.left)
            for fill in fills(mine, matched.matching)
        ]
    )


@router.delete(
    "/jobs/{job_id}", status_code=status.HTTP_204_NO_CONTENT, summary="withdraw a posting"
)
def delete_job(
    job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,100}$")], caller: Caller, db: DB
) -> Response:
    """Admins and hr of the posting's county; 404 for none (or none in the area)."""
    caller.require("hr")
    with db.session() as session:
        row = session.get(models.JobPostingRow, job_id)
        if row is None or not covers(caller.scope, row.county):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id!r}")
        delete_posting(session, job_id, caller.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the ledger --------------------------------------------------------------------------


@router.get("/ledger", summary="the return-home services ledger of your area (台账)")
def get_ledger(request: Request, caller: Caller, db: DB) -> LedgerOut:
    """Admins and hr: every need of every returnee whose home county lies in their area,
    with its state, office and steps; the job offers to push (name and phone in full: the
    read is audited); the job seekers left without one, with why."""
    caller.require("hr")
    with db.session() as session:
        matched = request.app.state.matching.get(session, request.app.state.sealer)
        mine = [r for r in matched.returnees if caller.reaches(r.destination.county)]
        ids = {r.registration_id for r in mine}
        events = stored_events(session, sorted(ids))
        postings = stored_postings(session)
        audit(session, caller.name, "hr.ledger.read", caller.area or "everywhere")
    entries = ledger(mine, matched.matching, events)
    people = PersonalData(tuple(mine), show=caller.sees_personal_data)
    push = [
        PushLine(
            home_county=offer.home_county,
            registration_id=offer.registration_id,
            name=people.fields(offer.registration_id)["name"],
            phone=people.fields(offer.registration_id)["phone"],
            job_id=offer.job.job_id,
            employer=offer.job.employer,
            job_county=offer.job.county,
            wage=offer.job.wage,
            km=offer.km,
        )
        for offer in push_list(entries, postings, matched.matching)
    ]
    return LedgerOut(
        items=entries,
        push_list=push,
        unmatched=[
            {"registration_id": rid, "reason": why}
            for rid, why in matched.matching.unmatched
            if rid in ids
        ],
    )


# --- coordination and receiving -----------------------------------------------------------


@router.get("/coordination", summary="the flows your office answers for, and the lists")
def get_coordination(
    caller: Caller,
    db: DB,
    request: Request,
    level: Level | None = None,
    plan_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,40}$")] = None,
) -> CoordinationOut:
    """Admins and hr: every flow whose responsible office lies in their area (`level`: of
    that level only), and for the region (and admins) the coordination lists per other
    province, with the dates and places of plan `plan_id`'s trips when given."""
    caller.require("hr")
    with db.session() as session:
        registrations = registrations_touching(session, caller.scope, request.app.state.sealer)
        plan = (
            Plan.from_json(plan_result(done_plan_meeting(session, plan_id, caller)))
            if plan_id
            else None
        )
    found = for_area(flows(registrations), caller.scope, level)
    lists: list[CoordinationRow] = []
    if caller.scope in ("", "15"):
        lists = [
            CoordinationRow.model_validate(row) for row in coordination_rows(registrations, plan)
        ]
    return CoordinationOut(
        area=caller.scope,
        level=level_of_area(caller.scope) if caller.scope else "all",
        flows=found,
        coordination_lists=lists,
    )


@router.get("/receiving", summary="who arrives in your area on a plan's trips (接收名单)")
def get_receiving(
    request: Request,
    caller: Caller,
    db: DB,
    plan_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,40}$")] = None,
) -> ReceivingOut:
    """Admins and hr whose area meets the plan's or receives some of its people (default:
    the newest done plan whose area holds theirs): a row per registration the plan carries
    to a county of their area, with the measure on arrival of the plan's policy and the
    follow-up from the events (name and phone in full: the read is audited). 404 for a plan
    that is not done or not in reach, or no plan at all."""
    caller.require("hr")
    sealer = request.app.state.sealer
    with db.session() as session:
        if plan_id is None:
            plan_id, _ = newest_plan(session, caller.scope)
            if plan_id is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no done plan holds your area")
        job = session.get(models.PlanJob, plan_id)
        if job is None or job.status != JobState.DONE:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no done plan {plan_id!r}")
        plan = Plan.from_json(plan_result(job))
        carried = [rid for trip in plan.trips for rid in trip.registration_ids()]
        registrations = [
            r
            for r in registrations_by_id(session, carried, sealer)
            if caller.reaches(r.destination.county)
        ]
        if not registrations and not caller.meets(job.area):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no done plan {plan_id!r}")
        _, policy = fleet_and_policy(job)
        events = stored_events(session, [r.registration_id for r in registrations])
        audit(session, caller.name, "hr.receiving.read", plan_id)
    table = arrivals(
        registrations, plan, show_personal_data=caller.sees_personal_data, events=events,
        measure=policy.arrival_measure,
    )  # fmt: skip
    items = table.astype(object).where(table.notna(), None).to_dict("records")
    return ReceivingOut(
        plan_id=plan_id,
        arrival_measure=policy.arrival_measure,
        items=[{str(k): v for k, v in item.items()} for item in items],
    )

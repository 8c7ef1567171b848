"""Human resources' calls (docs/hr.md): job postings, the return-home services ledger, who
coordinates which flow, the receiving side's lists, the early warning, and the weekly
reports that flow from county to league to region. Admins and the `hr` role, each for its
area: a county, a league or the region."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from pointplan.api.auth import DB, Caller, Principal
from pointplan.api.hr_schemas import (
    CoordinationOut,
    CoordinationRow,
    EvaluatedOut,
    EvaluateIn,
    FlowOut,
    LedgerLine,
    LedgerOut,
    PostingIn,
    PostingOut,
    PostingsOut,
    PostingsSaved,
    PushLine,
    ReceivingOut,
    ReopenIn,
    ReportingOut,
    ReportOut,
    StepIn,
    SubmissionOut,
    TableOut,
    WarningOut,
    WarningsOut,
    WarningStepOut,
)
from pointplan.api.routers.documents import XLSX, file_bytes
from pointplan.api.routers.plans import plan_result
from pointplan.api.schemas import error_responses, invalid
from pointplan.api.settings import thresholds_of
from pointplan.domain.events import CHINA_TIME
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Direction
from pointplan.exports.people import PersonalData
from pointplan.exports.receiving import arrivals
from pointplan.exports.weekly import CODE, COLUMNS, NAME, registered_on, write_sheets
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.hr.flows import Level, coordination_rows, flows, for_area
from pointplan.hr.ledger import fills, ledger
from pointplan.hr.reports import (
    Submitted,
    deadline,
    level_of_area,
    parent_area,
    report_area_problem,
    standing_of,
)
from pointplan.hr.warning import county_warnings
from pointplan.store import models
from pointplan.store.answers import fleet_and_policy
from pointplan.store.audit import audit
from pointplan.store.database import Database
from pointplan.store.jobs import delete_posting, save_postings, stored_postings
from pointplan.store.models import JobState, WarningState
from pointplan.store.reading import registrations_by_id, registrations_touching, stored_events
from pointplan.store.registrations import covers
from pointplan.store.reports import (
    Reporting,
    combined_tables,
    county_tables,
    job_matching,
    newest_plan,
    unplaced_rows,
)
from pointplan.store.submissions import (
    SubmissionRefused,
    current_submissions,
    reopen,
    submissions_of,
    submit,
)
from pointplan.store.warnings import (
    StepRefused,
    move_warning,
    raise_warnings,
    trail,
    warnings_in,
)

router = APIRouter(
    prefix="/v1/hr",
    tags=["human resources"],
    responses=error_responses(401, 403, 404, 409, 413, 415),
)
Area = Annotated[str, Path(pattern=r"^\d{2}(\d{2}(\d{2})?)?$", description="15, 1501, 150121")]
Monday = Annotated[dt.date, Path(description="the Monday the week starts on")]
TABLE_FILE = r"^weekly_(return_to_work|return_home)\.xlsx$"


def _hr(caller: Principal) -> None:
    caller.require("hr")


# --- job postings ------------------------------------------------------------------------


@router.post("/jobs", summary="post jobs for returnees (created or updated by job_id)")
def post_jobs(caller: Caller, db: DB, body: list[PostingIn]) -> PostingsSaved:
    """Admins and hr, for jobs in counties of their area (403 for one outside it). Each
    county must be a county's 6-digit adcode; a `job_id` twice in the body is 422."""
    _hr(caller)
    places = default_gazetteer()
    problems = []
    seen: set[str] = set()
    for index, item in enumerate(body):
        if item.job_id in seen:
            problems.append((f"{index}.job_id", "sent twice in this body"))
        seen.add(item.job_id)
        unit = places.by_code.get(item.county.ljust(12, "0"))
        if unit is None or unit.level != 3:
            problems.append((f"{index}.county", "not a county's 6-digit adcode"))
    if problems:
        invalid(*problems)
    for item in body:
        if not covers(caller.scope, item.county):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"job {item.job_id}: outside your area {caller.area}"
            )
    with db.session() as session:
        outside = [
            p.job_id
            for p in stored_postings(session)
            if p.job_id in seen and not covers(caller.scope, p.county)
        ]
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
    _hr(caller)
    with db.session() as session:
        matched = job_matching(session, request.app.state.sealer)
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
    _hr(caller)
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
    _hr(caller)
    with db.session() as session:
        matched = job_matching(session, request.app.state.sealer)
        mine = [
            r
            for r in matched.returnees
            if covers(caller.scope, (r.destination.adcode or "")[:6] or None)
        ]
        ids = {r.registration_id for r in mine}
        events = stored_events(session, sorted(ids))
        postings = {p.job_id: p for p in stored_postings(session)}
        audit(session, caller.name, "hr.ledger.read", caller.area or "everywhere")
    entries = ledger(mine, matched.matching, events)
    people = PersonalData(tuple(mine), show=True)
    home = {e.registration_id: e.home_county for e in entries}
    push = [
        PushLine(
            home_county=home[m.registration_id],
            registration_id=m.registration_id,
            name=people.fields(m.registration_id)["name"],
            phone=people.fields(m.registration_id)["phone"],
            job_id=m.job_id,
            employer=postings[m.job_id].employer,
            job_county=postings[m.job_id].county,
            wage=postings[m.job_id].wage,
            km=m.km,
        )
        for m in sorted(
            matched.matching.matches,
            key=lambda m: (home.get(m.registration_id, ""), m.registration_id),
        )
        if m.registration_id in ids
    ]
    return LedgerOut(
        items=[
            LedgerLine(**{**asdict(e), "need": e.need.value, "steps": list(e.steps)})
            for e in entries
        ],
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
    _hr(caller)
    with db.session() as session:
        registrations = registrations_touching(session, caller.scope, request.app.state.sealer)
        plan = _done_plan(session, plan_id, caller) if plan_id else None
    found = for_area(flows(registrations), caller.scope, level)
    lists: list[CoordinationRow] = []
    if caller.scope in ("", "15"):
        lists = [
            CoordinationRow.model_validate(row) for row in coordination_rows(registrations, plan)
        ]
    return CoordinationOut(
        area=caller.scope,
        level=level_of_area(caller.scope) if caller.scope else "all",
        flows=[FlowOut(**{**asdict(f), "employers": list(f.employers)}) for f in found],
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
    _hr(caller)
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
            if covers(caller.scope, (r.destination.adcode or "")[:6] or None)
        ]
        if not registrations and not _meets(caller, job.area):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no done plan {plan_id!r}")
        _, policy = fleet_and_policy(job)
        events = stored_events(session, [r.registration_id for r in registrations])
        audit(session, caller.name, "hr.receiving.read", plan_id)
    table = arrivals(
        registrations, plan, show_personal_data=True, events=events,
        measure=policy.arrival_measure,
    )  # fmt: skip
    items = table.astype(object).where(table.notna(), None).to_dict("records")
    return ReceivingOut(
        plan_id=plan_id,
        arrival_measure=policy.arrival_measure,
        items=[{str(k): v for k, v in item.items()} for item in items],
    )


def _meets(caller: Principal, area: str) -> bool:
    """Whether `area` and the caller's hold one another."""
    return covers(caller.scope, area) or covers(area, caller.scope)


def _done_plan(session: Session, plan_id: str, caller: Principal) -> Plan:
    """A done plan whose area meets the caller's; 404 otherwise."""
    job = session.get(models.PlanJob, plan_id)
    if job is None or not _meets(caller, job.area):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan {plan_id!r}")
    if job.status != JobState.DONE:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the plan is {job.status}, not done")
    return Plan.from_json(plan_result(job))


# --- the early warning ---------------------------------------------------------------------


@router.post("/warnings/evaluate", summary="raise the week's warnings for your area (预警)")
def evaluate_warnings(request: Request, caller: Caller, db: DB, body: EvaluateIn) -> EvaluatedOut:
    """Admins and hr: the indicators of every home county of their area for the week, and a
    warning raised for each that reaches a level (raised again where the level rose;
    evaluating twice raises nothing new). Thresholds: the body's, else the service's."""
    _hr(caller)
    if body.week_start.weekday() != 0:
        invalid(("week_start", "not a Monday"))
    thresholds = body.thresholds or thresholds_of(request.app.state.settings)
    with db.session() as session:
        returnees = registrations_touching(session, caller.scope, request.app.state.sealer)
        mine = [
            r
            for r in returnees
            if r.direction is Direction.RETURN_HOME
            and covers(caller.scope, (r.destination.adcode or "")[:6] or None)
        ]
        events = stored_events(session, [r.registration_id for r in mine])
        found = county_warnings(
            mine,
            {r.registration_id: registered_on(r) for r in mine},
            body.week_start,
            thresholds,
            events,
        )
        found = [w for w in found if w.area]
        raised = raise_warnings(session, found, caller.name)
        answer = _warnings_out(session, raised)
    return EvaluatedOut(counties=len(found), raised=answer)


@router.get("/warnings", summary="the warnings of your area, with their trails")
def get_warnings(
    caller: Caller,
    db: DB,
    week_start: dt.date | None = None,
    state: WarningState | None = None,
) -> WarningsOut:
    """Admins and hr: the recorded warnings of the counties of their area (of the week and in
    the state when given), by week and county, each with its trail."""
    _hr(caller)
    with db.session() as session:
        return WarningsOut(
            items=_warnings_out(session, warnings_in(session, caller.scope, week_start, state))
        )


WarningId = Annotated[str, Path(pattern=r"^W-\d{6}-\d{8}$")]


@router.post("/warnings/{warning_id}/acknowledge", summary="acknowledge a warning")
def acknowledge_warning(warning_id: WarningId, caller: Caller, db: DB, body: StepIn) -> WarningOut:
    """Admins and hr whose area holds the county; 409 unless the warning is raised."""
    return _step(warning_id, caller, db, WarningState.ACKNOWLEDGED, body.note)


@router.post("/warnings/{warning_id}/close", summary="close a warning, saying what was done")
def close_warning(warning_id: WarningId, caller: Caller, db: DB, body: StepIn) -> WarningOut:
    """Admins and hr whose area holds the county; 409 for a warning closed already."""
    return _step(warning_id, caller, db, WarningState.CLOSED, body.note)


def _step(
    warning_id: str, caller: Principal, db: Database, to: WarningState, note: str
) -> WarningOut:
    _hr(caller)
    with db.session() as session:
        record = session.get(models.WarningRecord, warning_id)
        if record is None or not covers(caller.scope, record.county):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no warning {warning_id!r}")
        try:
            move_warning(session, record, to, note, caller.name)
        except StepRefused as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        session.flush()
        return _warnings_out(session, [record])[0]


def _warnings_out(session: Session, records: list[models.WarningRecord]) -> list[WarningOut]:
    places = default_gazetteer()
    steps = trail(session, [r.warning_id for r in records])
    return [
        WarningOut(
            warning_id=r.warning_id,
            county=r.county,
            county_name=places.name_of(r.county, label=True),
            week_start=r.week_start,
            level=r.level,
            indicators=r.indicators,
            reasons=r.reasons,
            state=r.state,
            trail=[WarningStepOut.model_validate(step) for step in steps[r.warning_id]],
        )
        for r in records
    ]


# --- weekly reports ------------------------------------------------------------------------


@router.get("/reports/{week_start}/{area}", summary="an area's weekly report (周报)")
def get_report(
    request: Request, week_start: Monday, area: Area, caller: Caller, db: DB
) -> ReportOut:
    """Admins and hr whose area holds `area`: its report as submitted, else as it stands (a
    county's from the data, a league's or the region's combined from what its areas have
    submitted), with the deadline, where it stands, and where each area reporting to it
    stands (late and missing listed)."""
    _report_caller(caller, area, week_start)
    with db.session() as session:
        return _report(request, session, week_start, area)


@router.get(
    "/reports/{week_start}/{area}/{name}",
    summary="an area's weekly table as a workbook: weekly_return_to_work.xlsx or "
    "weekly_return_home.xlsx",
)
def get_report_file(
    request: Request,
    week_start: Monday,
    area: Area,
    name: Annotated[str, Path(pattern=TABLE_FILE)],
    caller: Caller,
    db: DB,
) -> Response:
    """The report's table as one sheet: a row per area reporting to it (a county's own row),
    then the total."""
    _report_caller(caller, area, week_start)
    with db.session() as session:
        report = _report(request, session, week_start, area)
    table = report.tables[name.removeprefix("weekly_").removesuffix(".xlsx")]
    rows = table.rows if len(area) != 6 else []
    frame = pd.DataFrame([*rows, table.total], columns=table.columns)
    created = dt.datetime.combine(week_start, dt.time())
    sheet = f"{report.name[:20]} {area}"
    return Response(
        file_bytes(lambda path: write_sheets(path, {sheet: frame}, created)), media_type=XLSX
    )


@router.post("/reports/{week_start}/{area}/submit", summary="submit an area's weekly report")
def submit_report(
    request: Request, week_start: Monday, area: Area, caller: Caller, db: DB
) -> ReportOut:
    """Hr of exactly `area` (and admins): the report as it stands becomes the area's
    submission, on time or late by the Monday 10:00 deadline. 409 when it has a current
    submission (the office above reopens it first)."""
    _report_caller(caller, area, week_start)
    if caller.role != "admin" and caller.area != area:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"only the office of {area} submits its report"
        )
    with db.session() as session:
        tables, _ = _tables_as_they_stand(request, session, week_start, area)
        try:
            submit(session, area, week_start, tables, caller.name)
        except SubmissionRefused as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        return _report(request, session, week_start, area)


@router.post("/reports/{week_start}/{area}/reopen", summary="reopen an area's submission")
def reopen_report(
    request: Request, week_start: Monday, area: Area, caller: Caller, db: DB, body: ReopenIn
) -> ReportOut:
    """Hr of an area above `area` (and admins), saying why: the submission stays in the
    trail, and the area submits again. 409 when it has no current submission."""
    _report_caller(caller, area, week_start)
    if caller.role != "admin" and caller.area != parent_area(area):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"only the office {area} reports to reopens its report"
        )
    with db.session() as session:
        try:
            reopen(session, area, week_start, body.reason, caller.name)
        except SubmissionRefused as refused:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        return _report(request, session, week_start, area)


def _report_caller(caller: Principal, area: str, week_start: dt.date) -> None:
    """403 unless an admin or hr whose area holds `area`; 422 for an area that does not
    report or a day that is not a Monday."""
    _hr(caller)
    problem = report_area_problem(area)
    if problem:
        invalid(("area", problem), where="path")
    if week_start.weekday() != 0:
        invalid(("week_start", "not a Monday"), where="path")
    if not covers(caller.scope, area):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{area} is outside your area")


def _now() -> dt.datetime:
    """Now, naive Beijing time (the deadline's clock)."""
    return dt.datetime.now(CHINA_TIME).replace(tzinfo=None)


def _tables_as_they_stand(
    request: Request, session: Session, week_start: dt.date, area: str
) -> tuple[dict[str, Any], list[Reporting]]:
    """An area's report now: a county's from the data, another's combined from its areas'
    submissions (with where each stands) and the data of its people no area below reports;
    job offers from the service's matching."""
    sealer = request.app.state.sealer
    offered = job_matching(session, sealer).offered
    thresholds = thresholds_of(request.app.state.settings)
    if len(area) == 6:
        return county_tables(session, sealer, area, week_start, thresholds, offered), []
    unplaced = unplaced_rows(session, sealer, area, week_start, thresholds, offered)
    return combined_tables(session, area, week_start, _now(), unplaced)


def _report(request: Request, session: Session, week_start: dt.date, area: str) -> ReportOut:
    current = current_submissions(session, [area], week_start).get(area)
    reporting: list[Reporting] = []
    if current is not None and len(area) == 6:
        tables = current.tables
    else:
        fresh, reporting = _tables_as_they_stand(request, session, week_start, area)
        tables = current.tables if current is not None else fresh
    submitted_at = models.beijing_time(current.submitted_at) if current else None
    places = default_gazetteer()
    return ReportOut(
        area=area,
        name=places.name_of(area),
        level=level_of_area(area),
        week_start=week_start,
        deadline=deadline(week_start).replace(tzinfo=CHINA_TIME),
        standing=standing_of(submitted_at, week_start, _now()),
        submitted=current is not None,
        plan_id=tables.get("plan_id"),
        tables={
            table: TableOut(
                columns=[CODE, NAME, *(c.header for c in COLUMNS[table])],
                rows=tables[table]["rows"],
                total=tables[table]["total"],
            )
            for table in COLUMNS
        },
        reporting=[
            ReportingOut(
                area=item.code,
                name=item.name,
                standing=item.standing,
                submitted_at=item.submission.submitted_at if item.submission else None,
                submitted_by=item.submission.submitted_by if item.submission else "",
            )
            for item in reporting
        ],
        late=[item.code for item in reporting if item.standing is Submitted.LATE],
        missing=[item.code for item in reporting if item.standing is Submitted.MISSING],
        trail=[
            SubmissionOut(
                submitted_at=s.submitted_at,
                submitted_by=s.submitted_by,
                reopened_at=s.reopened_at,
                reopened_by=s.reopened_by,
                reopen_reason=s.reopen_reason,
            )
            for s in submissions_of(session, area, week_start)
        ],
    )

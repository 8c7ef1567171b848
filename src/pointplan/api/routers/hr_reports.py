"""Weekly reports that flow from county to league to region (docs/hr.md, 四(三)): an area's
report as it stands or as submitted, its workbook, submitting and reopening, the deadline
and the areas late or missing. Admins and the `hr` role of the area (or above it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from sqlalchemy.orm import Session

from pointplan.api.auth import DB, Caller, Principal
from pointplan.api.hr_schemas import (
    ReopenIn,
    ReportingOut,
    ReportOut,
    SubmissionOut,
    TableOut,
)
from pointplan.api.routers.documents import XLSX, file_bytes
from pointplan.api.schemas import invalid
from pointplan.domain.events import CHINA_TIME
from pointplan.exports.weekly import CODE, COLUMNS, NAME, write_sheets
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.hr.reports import (
    Submitted,
    deadline,
    level_of_area,
    parent_area,
    report_area_problem,
    standing_of,
)
from pointplan.store import models
from pointplan.store.registrations import covers
from pointplan.store.reports import (
    MatchingCache,
    Reporting,
    combined_tables,
    county_tables,
    unplaced_rows,
)
from pointplan.store.submissions import (
    SubmissionRefused,
    current_submissions,
    reopen,
    submissions_of,
    submit,
)

router = APIRouter()
"""Included under /v1/hr by `pointplan.api.routers.hr`."""
Area = Annotated[str, Path(pattern=r"^\d{2}(\d{2}(\d{2})?)?$", description="15, 1501, 150121")]
Monday = Annotated[dt.date, Path(description="the Monday the week starts on")]
TABLE_FILE = r"^weekly_(return_to_work|return_home)\.xlsx$"


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
    caller.require("hr")
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
    thresholds = request.app.state.thresholds

    matching: MatchingCache = request.app.state.matching

    def offered() -> set[str] | None:
        return matching.get(session, sealer).offered

    if len(area) == 6:
        return county_tables(session, sealer, area, week_start, thresholds, offered()), []
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
        trail=[SubmissionOut.model_validate(s) for s in submissions_of(session, area, week_start)],
    )

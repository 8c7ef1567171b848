"""The console's reports for human resources: the area's weekly tables (周报) with their
submission state and deadline, submitting them; the return-home services ledger (台账) with
the job offers to push and the seekers left without one; the week's early warnings (预警),
raised, acknowledged and closed. Every call is the API's own (hr and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from pointplan.api.auth import database_of
from pointplan.api.console.pages import china_now, problems_of, render
from pointplan.api.console.session import Posted, Visitor
from pointplan.api.hr_schemas import EvaluateIn, StepIn
from pointplan.api.routers import hr_reports, hr_services, hr_warnings

router = APIRouter(prefix="/reports")

STANDING_NAMES = {
    "on_time": "按时提交 submitted on time",
    "late": "迟交 submitted late",
    "missing": "未提交 not submitted",
    "pending": "未到截止 not due yet",
}
TABLE_NAMES = {
    "return_to_work": "返岗 Back to work",
    "return_home": "返乡 Back home",
}
LEDGER_STATES = {"open": "待服务 open", "offered": "已提供 offered", "served": "已完成 served"}


def _monday(text: str) -> dt.date:
    """The Monday of the week `text` names (YYYY-MM-DD), this week's when empty."""
    try:
        day = dt.date.fromisoformat(text) if text else china_now().date()
    except ValueError:
        raise HTTPException(422, "week: not a date (YYYY-MM-DD)") from None
    if not 2000 <= day.year <= 2099:
        raise HTTPException(422, "week: a date of the years 2000 to 2099")
    return day - dt.timedelta(days=day.weekday())


@router.get("", response_class=HTMLResponse)
def reports_page(
    request: Request,
    caller: Visitor,
    week: Annotated[str, Query(max_length=10)] = "",
    area: Annotated[str, Query(max_length=6)] = "",
) -> HTMLResponse:
    """The week's report of the caller's area (or of `area` below it), the ledger and the
    warnings."""
    caller.require("hr")
    monday = _monday(week)
    area = area or caller.area or "15"
    db = database_of(request)
    report = hr_reports.get_report(request, monday, area, caller, db)
    ledger = hr_services.get_ledger(request, caller, db)
    warnings = hr_warnings.get_warnings(caller, db, week_start=monday)
    return render(
        request,
        "reports.html.j2",
        caller,
        report=report,
        ledger=ledger,
        warnings=warnings.items,
        week=monday,
        previous=monday - dt.timedelta(days=7),
        following=monday + dt.timedelta(days=7),
        standing_names=STANDING_NAMES,
        table_names=TABLE_NAMES,
        ledger_states=LEDGER_STATES,
    )


@router.get("/{week}/{area}/{name}")
def report_file(request: Request, week: str, area: str, name: str, caller: Visitor) -> Response:
    """A weekly table as a workbook, as the API gives it."""
    if name not in ("weekly_return_to_work.xlsx", "weekly_return_home.xlsx"):
        raise HTTPException(404, f"no table {name!r}")
    answer = hr_reports.get_report_file(
        request, _monday(week), area, name, caller, database_of(request)
    )
    answer.headers["content-disposition"] = f'attachment; filename="{name}"'
    return answer


@router.post("/{week}/{area}/submit", dependencies=[Posted])
def submit(
    request: Request,
    week: str,
    area: str,
    caller: Visitor,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Submits the area's report as it stands, once its box is ticked."""
    if confirm != "yes":
        raise HTTPException(422, "请勾选确认 Tick the box to confirm the submission")
    monday = _monday(week)
    hr_reports.submit_report(request, monday, area, caller, database_of(request))
    return RedirectResponse(f"/console/reports?week={monday}&area={area}", status_code=303)


@router.post("/warnings/evaluate", dependencies=[Posted])
def evaluate(
    request: Request, caller: Visitor, week: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """Raises the week's warnings of the caller's area."""
    monday = _monday(week)
    hr_warnings.evaluate_warnings(
        request, caller, database_of(request), EvaluateIn(week_start=monday)
    )
    return RedirectResponse(f"/console/reports?week={monday}#warnings", status_code=303)


@router.post("/warnings/{warning_id}/{step}", dependencies=[Posted])
def warning_step(
    request: Request,
    warning_id: str,
    step: str,
    caller: Visitor,
    week: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Acknowledges or closes a warning, with a note of what was done."""
    if not hr_warnings.WARNING_ID_PATTERN.match(warning_id):
        raise HTTPException(404, f"no warning {warning_id!r}")
    steps = {"acknowledge": hr_warnings.acknowledge_warning, "close": hr_warnings.close_warning}
    if step not in steps:
        raise HTTPException(404, f"no step {step!r}")
    monday = _monday(week)
    try:
        taken = StepIn(note=note)
    except ValidationError as invalid:
        raise HTTPException(422, problems_of(invalid)) from None
    steps[step](warning_id, caller, database_of(request), taken)
    return RedirectResponse(f"/console/reports?week={monday}#warnings", status_code=303)

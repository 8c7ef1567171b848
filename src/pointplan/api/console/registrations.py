"""The console's registrations: a file uploaded and checked row by row before anything is
saved, the good rows saved on confirmation; the area's list with filters; one
registration's history; status events posted from the list or the registration's page.

Every read and write goes through the API's own calls, so the roles, areas, masking and
audit trail are the API's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from pointplan.api.auth import Principal, database_of
from pointplan.api.console.pages import china_now, message_of, problems_of, render
from pointplan.api.console.session import Posted, Visitor
from pointplan.api.routers import registrations as api
from pointplan.api.schemas import CheckedRejected, EventIn
from pointplan.domain.events import (
    CHINA_TIME,
    FOLLOW_UP,
    JOURNEY,
    LEDGER_STEPS,
    EventKind,
    Status,
)
from pointplan.domain.text import SafeText, id_problem
from pointplan.io.errors import InputError

router = APIRouter(prefix="/registrations")

UPLOAD_SUFFIXES = (".csv", ".xlsx")
STATUS_NAMES = {
    "registered": "已登记 registered",
    "health_checked": "已核酸 health checked",
    "planned": "已排车 planned",
    "confirmed": "已确认 confirmed",
    "boarded": "已上车 boarded",
    "handed_over": "已交接 handed over",
    "cancelled": "已取消 cancelled",
    "rescheduled": "已改期 rescheduled",
}
EVENT_NAMES = {
    "health_checked": "核酸/体温 health check",
    "confirmed": "确认出行 confirmed",
    "boarded": "上车 boarded",
    "handed_over": "到达交接 handed over",
    "cancelled": "取消 cancelled",
    "rescheduled": "改期 rescheduled",
    "quarantined": "集中隔离 quarantined",
    "monitored": "居家监测 monitored",
    "cleared": "解除 cleared",
    "need_offered": "提供服务 service offered",
    "need_served": "服务完成 need met",
}
REASON_NAMES = {
    "cancelled": "本人取消 cancelled",
    "rescheduled": "改期 rescheduled",
    "health": "健康原因 health",
    "job_changed": "工作变动 job changed",
}
RESULT_NAMES = {"normal": "正常 normal", "abnormal": "异常 abnormal"}
NEED_NAMES = {"job": "就业 job", "training": "培训 training", "business": "创业 business"}
NEED_NAMES["rights"] = "维权 rights"


def _event_kinds(role: str) -> list[str]:
    """The events a role may post: human resources the follow-up and the ledger's steps."""
    kinds = FOLLOW_UP | LEDGER_STEPS if role == "hr" else frozenset(EventKind)
    return [kind.value for kind in EventKind if kind in kinds]


def _choices() -> dict[str, Any]:
    return {
        "status_names": STATUS_NAMES,
        "event_names": EVENT_NAMES,
        "reason_names": REASON_NAMES,
        "result_names": RESULT_NAMES,
        "need_names": NEED_NAMES,
        "journey": [kind.value for kind in EventKind if kind in JOURNEY],
    }


@router.get("", response_class=HTMLResponse)
def registrations_page(
    request: Request,
    caller: Visitor,
    status: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    destination: Annotated[str, Query(max_length=6)] = "",
    employer: Annotated[SafeText, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The upload form and the list of the area's registrations, filtered."""
    caller.require("planner", "registrar")
    filters = {
        "status": status,
        "date_from": date_from,
        "date_to": date_to,
        "destination": destination,
        "employer": employer,
    }
    problems = []
    status_is = Status(status) if status in set(Status) else None
    if status and status_is is None:
        problems.append("状态 status: not a status")
    dates = {}
    for name in ("date_from", "date_to"):
        try:
            dates[name] = dt.date.fromisoformat(filters[name]) if filters[name] else None
        except ValueError:
            dates[name] = None
            problems.append(f"{name}: not a date (YYYY-MM-DD)")
    if destination and not (destination.isdigit() and len(destination) in (2, 4, 6)):
        problems.append("目的地 destination: an adcode prefix of 2, 4 or 6 digits")
        destination = ""
    page = api.list_registrations(
        request,
        caller,
        database_of(request),
        status_is=status_is,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        destination=destination,
        employer=employer,
        cursor=cursor,
        limit=50,
    )
    return render(
        request,
        "registrations.html.j2",
        caller,
        page=page,
        filters=filters,
        problems=problems,
        event_kinds=_event_kinds(caller.role),
        now=china_now().strftime("%Y-%m-%dT%H:%M"),
        **_choices(),
    )


@router.post("/check", response_class=HTMLResponse, dependencies=[Posted])
async def check_upload(
    request: Request, caller: Visitor, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    """What the uploaded file would save and reject, saving nothing: every bad row with its
    row, column and reason."""
    return await _upload_answer(request, caller, file, save=False)


@router.post("/save", response_class=HTMLResponse, dependencies=[Posted])
async def save_upload(
    request: Request, caller: Visitor, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    """Saves the file's good rows (checked again as they are saved); the bad ones stay
    listed, to fix and upload again."""
    return await _upload_answer(request, caller, file, save=True)


async def _upload_answer(
    request: Request, caller: Principal, file: UploadFile, save: bool
) -> HTMLResponse:
    """The page of an uploaded file checked (or, with `save`, saved): what it saves and
    every bad row with its row, column and reason."""
    caller.require("planner", "registrar")
    uploaded = await _read_upload(file)
    too_long = api.batch_too_long(request, uploaded.items)
    if too_long:
        raise HTTPException(
            422, f"文件太长 File too long: {too_long}; split it and upload each part"
        )
    writer = request.app.state.batch_writer
    write = writer.save if save else writer.check
    result = await write(uploaded.items, caller.name, caller.scope)
    rejected = api.with_rows(result.rejected, uploaded.rows, uploaded.unreadable)
    return render(
        request,
        "upload_result.html.j2",
        caller,
        file_name=file.filename or "",
        saved=result.accepted if save else None,
        would_save=result.accepted,
        rejected=_problem_lines(rejected),
        bad_rows=len({(r.row, r.index) for r in rejected}),
    )


async def _read_upload(file: UploadFile) -> api.UploadedItems:
    """The uploaded file as a batch; a file of another kind, too large or unreadable is a
    `Refusal` saying so."""
    name = (file.filename or "").lower()
    suffix = next((s for s in UPLOAD_SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        raise HTTPException(422, "请上传 CSV 或 XLSX 文件 Upload a CSV or XLSX registrations file")
    body = await file.read()
    try:
        uploaded = await run_in_threadpool(api.file_items, body, suffix)
    except InputError as error:
        raise HTTPException(422, f"文件无法读取 The file cannot be read: {error}") from None
    return uploaded


def _problem_lines(rejected: list[CheckedRejected]) -> list[dict[str, Any]]:
    """Each rejection as one line a problem: its row, the column the problem names (the
    API's reasons read `phone: ...; earliest_date: ...`) and what is wrong there."""
    lines = []
    for entry in rejected:
        for problem in entry.reason.split("; "):
            column, sep, reason = problem.partition(": ")
            if not sep or " " in column or len(column) > 40:
                column, reason = "", problem
            lines.append(
                {
                    "row": entry.row,
                    "registration_id": entry.registration_id or "",
                    "column": column,
                    "reason": reason,
                }
            )
    return lines


@router.get("/{registration_id}", response_class=HTMLResponse)
def registration_page(request: Request, registration_id: str, caller: Visitor) -> HTMLResponse:
    """One registration with its history and the form to post an event."""
    caller.require("planner", "registrar")
    if id_problem(registration_id):
        raise HTTPException(404, f"no registration {registration_id!r}")
    shown = api.get_registration(request, registration_id, caller, database_of(request))
    return render(
        request,
        "registration.html.j2",
        caller,
        registration=shown,
        event_kinds=_event_kinds(caller.role),
        now=china_now().strftime("%Y-%m-%dT%H:%M"),
        message="",
        **_choices(),
    )


@router.post("/{registration_id}/events", response_class=HTMLResponse, dependencies=[Posted])
def post_event(
    request: Request,
    registration_id: str,
    caller: Visitor,
    event: Annotated[str, Form(max_length=20)],
    time: Annotated[str, Form(max_length=20)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
    reason: Annotated[str, Form(max_length=20)] = "",
    result: Annotated[str, Form(max_length=20)] = "",
    need: Annotated[str, Form(max_length=20)] = "",
    earliest_date: Annotated[str, Form(max_length=10)] = "",
    latest_date: Annotated[str, Form(max_length=10)] = "",
    view: Annotated[str, Form(max_length=10)] = "list",
) -> HTMLResponse:
    """Records an event (the API's checks: the status machine, the role, the times) and
    answers the registration's line of the list, with its new status or the reason why
    not."""
    if id_problem(registration_id):
        raise HTTPException(404, f"no registration {registration_id!r}")
    db = database_of(request)
    fields: dict[str, Any] = {"event": event, "place": place, "note": note}
    for name, value in (
        ("reason", reason),
        ("result", result),
        ("need", need),
        ("earliest_date", earliest_date),
        ("latest_date", latest_date),
    ):
        if value:
            fields[name] = value
    message, ok = "", False
    try:
        fields["time"] = _event_time(time)
        posted = EventIn.model_validate(fields)
    except ValidationError as invalid:
        message = problems_of(invalid)
    except ValueError as invalid:
        message = str(invalid)
    else:
        try:
            api.post_event(request, registration_id, caller, db, posted)
            ok = True
            message = f"已记录 Recorded: {EVENT_NAMES.get(event, event)}"
        except HTTPException as refused:
            message = message_of(refused.detail)
        except RequestValidationError as refused:
            message = message_of(list(refused.errors()))
    shown = None
    if caller.role in ("admin", "planner", "registrar"):
        shown = api.get_registration(request, registration_id, caller, db)
    return render(
        request,
        "event_answer.html.j2",
        caller,
        registration=shown,
        registration_id=registration_id,
        ok=ok,
        message=message,
        view=view,
        event_kinds=_event_kinds(caller.role),
        now=china_now().strftime("%Y-%m-%dT%H:%M"),
        **_choices(),
    )


def _event_time(text: str) -> dt.datetime:
    """The form's time (the browser's YYYY-MM-DDTHH:MM, Beijing time); now, to the second,
    when empty or this minute (a registration saved a few seconds ago was received after
    the minute began)."""
    try:
        given = dt.datetime.fromisoformat(text).replace(tzinfo=CHINA_TIME) if text else None
    except ValueError:
        raise ValueError("时间 time: not a time (YYYY-MM-DD HH:MM)") from None
    if given is None or given == china_now():
        return dt.datetime.now(CHINA_TIME)
    return given

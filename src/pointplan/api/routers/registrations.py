"""Registrations: batches in, one registration with its history out, status events in."""

from __future__ import annotations

import base64
import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pointplan.api.auth import DB, Caller
from pointplan.api.routers.plans import plan_result
from pointplan.api.schemas import (
    BatchChecked,
    BatchSaved,
    CheckedRejected,
    EventIn,
    EventOut,
    HotlineTrip,
    LookupIn,
    LookupMatch,
    LookupOut,
    RegistrationOut,
    RegistrationPage,
    batch_openapi,
    error_responses,
    invalid,
    registration_summary,
    registration_view,
)
from pointplan.api.trip_index import TripIndex
from pointplan.domain.events import (
    CHINA_TIME,
    FOLLOW_UP,
    JOURNEY,
    LEDGER_STEPS,
    Status,
    StatusEvent,
)
from pointplan.domain.manifest import trip_manifest
from pointplan.domain.text import ID_PATTERN, SafeText, id_problem
from pointplan.io.aliases import with_column_names
from pointplan.io.errors import InputError
from pointplan.io.registrations import check_columns
from pointplan.io.tables import read_table
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.lookup import find_registrations, newest_plans_holding
from pointplan.store.registrations import (
    EventRefused,
    WriteRules,
    covers,
    history,
    page_of_registrations,
    record_event,
)

router = APIRouter(
    prefix="/v1/registrations",
    tags=["registrations"],
    responses=error_responses(401, 403, 404, 413, 415),
)
RegistrationId = Annotated[str, Path(pattern=ID_PATTERN)]
LOOKUP_PLANS = 10
"""How many of the newest done plans a lookup searches for the person's trip."""


def batch_too_long(request: Request, items: Sequence[object]) -> str | None:
    """Why `items` are too many for one request (the `max_batch` setting), or None."""
    limit: int = request.app.state.settings.max_batch
    return f"at most {limit} registrations per request" if len(items) > limit else None


@router.post(
    "",
    summary="create or update registrations (the CSV columns as keys)",
    openapi_extra=batch_openapi(),
    response_model_exclude_defaults=True,  # `notes` only when there are some
)
async def post_registrations(
    request: Request,
    caller: Caller,
    items: Annotated[list[Any], Body()],
) -> BatchSaved:
    """Each registration is validated as a row of a registrations file. The good ones are
    saved; the bad ones are listed with their index and a reason naming the field, whatever
    they hold. The same registration_id again updates only the keys it carries (null or ""
    removes a field) and records what changed; an item's `version`, when sent, must be the
    stored one, else it is rejected as `stale (409)`. Registrars and planners write only
    registrations whose origin or destination lies in their area, and change an end only
    within it."""
    caller.require("planner", "registrar")
    too_long = batch_too_long(request, items)
    if too_long:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, too_long)
    state = request.app.state
    result = await state.batch_writer.save(items, caller.name, caller.scope)
    return BatchSaved.model_validate(result, from_attributes=True)


TABLE_MEDIA = {
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
"""The files `POST /v1/registrations/validate` takes besides a JSON batch."""


@router.post(
    "/validate",
    summary="what a batch or a registrations file would save and reject, saving nothing",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "array", "items": {}}},
                "text/csv": {"schema": {"type": "string"}},
                next(iter(TABLE_MEDIA.keys() - {"text/csv"})): {
                    "schema": {"type": "string", "format": "binary"}
                },
            }
        }
    },
)
async def validate_registrations(request: Request, caller: Caller) -> BatchChecked:
    """A JSON batch, as for POST /v1/registrations, or a CSV or XLSX registrations file
    (Chinese headers and office dates as in files), checked exactly as a save would check
    it (fields, areas, versions, the stored registrations it would update) without saving:
    `would_save` and each rejection with its index (and a file's row) and reason."""
    caller.require("planner", "registrar")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    rows: list[int | None]
    if media in TABLE_MEDIA:
        try:
            uploaded = await run_in_threadpool(file_items, body, TABLE_MEDIA[media])
        except InputError as error:
            invalid(("body", str(error)))
        items, rows, unreadable = uploaded.items, uploaded.rows, uploaded.unreadable
    else:
        try:
            items = json.loads(body)
        except ValueError:
            invalid(("body", "not JSON"))
        if not isinstance(items, list):
            invalid(("body", "a JSON list of registrations"))
        rows, unreadable = [None] * len(items), []
    too_long = batch_too_long(request, items)
    if too_long:
        invalid(("body", too_long))
    state = request.app.state
    result = await state.batch_writer.check(items, caller.name, caller.scope)
    return BatchChecked(
        would_save=result.accepted,
        rejected=with_rows(result.rejected, rows, unreadable),
        notes=result.notes,
    )


def with_rows(
    rejected: list[dict[str, Any]], rows: list[int | None], unreadable: list[CheckedRejected]
) -> list[CheckedRejected]:
    """A batch's rejections (by index) with the file's rows, beside the rows the file could
    not give as a registration at all, in the order of the rows."""
    found = [CheckedRejected(**entry, row=rows[entry["index"]]) for entry in rejected]
    return sorted([*unreadable, *found], key=lambda r: (r.row or 0, r.index))


@dataclass(frozen=True)
class UploadedItems:
    """A registrations file as a batch: its items, each one's row, and the rows unread."""

    items: list[Any]
    rows: list[int | None]
    unreadable: list[CheckedRejected]


def file_items(body: bytes, suffix: str) -> UploadedItems:
    """A registrations file sent as a request body (`suffix` .csv or .xlsx), read as a file
    is (Chinese headers too); a file-level problem (a missing or unknown column, an
    unreadable file) is `InputError`."""
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / f"upload{suffix}"
        path.write_bytes(body)
        table = with_column_names(read_table(path))
        check_columns(table)
    return UploadedItems(
        items=[record.cells for record in table.records],
        rows=[record.row for record in table.records],
        unreadable=[
            CheckedRejected(index=-1, row=row, registration_id=None, reason=why)
            for row, why in table.unreadable
        ],
    )


@router.get("", summary="the registrations the caller may see, a page at a time")
def list_registrations(
    request: Request,
    caller: Caller,
    db: DB,
    area: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6})?$")] = "",
    status_is: Annotated[Status | None, Query(alias="status")] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    destination: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6})?$")] = "",
    employer: Annotated[SafeText, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,200}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RegistrationPage:
    """Registrars and planners: the registrations touching their area (and `area`, when
    given), with `status`, whose window meets `date_from`..`date_to`, going to
    `destination` (an adcode prefix), whose employer contains `employer`, in
    registration_id order, `limit` a page; pass `next_cursor` back as `cursor` for the next
    page. Personal data in full, the read recorded in the audit trail. 403 for an `area`
    outside the caller's."""
    caller.require("planner", "registrar")
    if area and not caller.reaches(area) and not covers(area, caller.scope):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"area {area} is outside your area")
    after = _after(cursor)
    with db.session() as session:
        rows = page_of_registrations(
            session,
            caller.scope,
            area=area,
            status=status_is,
            date_from=date_from,
            date_to=date_to,
            destination=destination,
            employer=employer,
            after=after,
            limit=limit,
        )
        sealer = request.app.state.sealer
        items = [registration_summary(r, sealer.open(r.fields), True) for r in rows]
        if items:
            audit(
                session, caller.name, "registrations.list", f"{len(items)} from {after or 'start'}"
            )
    next_cursor = _cursor(rows[-1].registration_id) if len(rows) == limit else None
    return RegistrationPage(items=items, next_cursor=next_cursor)


def _cursor(registration_id: str) -> str:
    return base64.urlsafe_b64encode(registration_id.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        after = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        after = ""
    if id_problem(after):
        invalid(("cursor", "not a cursor of this list"), where="query")
    return after


@router.post("/lookup", summary="find a person by id number or phone (the hotline)")
def lookup_registrations(request: Request, caller: Caller, db: DB, wanted: LookupIn) -> LookupOut:
    """Registrars and planners (the hotline's staff): the registrations of their area whose
    id number or phone is the one given, found by its keyed hash, each masked (whoever asks)
    with the trip it is on in the newest done plan that carries it: "which bus am I on?".
    Every lookup is recorded in the audit trail (which field, how many found; never the
    value)."""
    caller.require("planner", "registrar")
    field, value = wanted.wanted()
    sealer = request.app.state.sealer
    index: TripIndex = request.app.state.trip_index
    with db.session() as session:
        found = find_registrations(session, sealer, field, value, caller.scope)
        matches = [
            LookupMatch(
                registration=registration_summary(row, sealer.open(row.fields), False),
                trip=_current_trip(session, index, row),
            )
            for row in found
        ]
        audit(session, caller.name, "registrations.lookup", f"by {field}: {len(found)} found")
    return LookupOut(matches=matches)


def _current_trip(
    session: Session, index: TripIndex, row: models.Registration
) -> HotlineTrip | None:
    """The registration's trip in the newest done plan whose area and dates hold it."""
    plans = newest_plans_holding(session, row, LOOKUP_PLANS)
    for job in plans:
        trip = index.trip_of(job.plan_id, row.registration_id, partial(plan_result, job))
        if trip is None:
            continue
        line = next(m for m in trip_manifest(trip) if m.registration_id == row.registration_id)
        answer = session.get(models.TripAnswer, (job.plan_id, trip.trip_id))
        boards = line.pickup.departure or line.pickup.arrival
        return HotlineTrip(
            plan_id=job.plan_id,
            trip_id=trip.trip_id,
            date=trip.date,
            departure=trip.departure,
            vehicle_type=answer.vehicle_type
            if answer and answer.vehicle_type
            else trip.vehicle_type,
            plate=answer.fields.get("plate") if answer else None,
            boarding=line.pickup.place,
            boarding_time=boards.replace(tzinfo=CHINA_TIME) if boards else None,
            seats=list(line.seats),
            dropoff=line.dropoff,
            published=job.published_through is not None and trip.date <= job.published_through,
        )
    return None


@router.get("/{registration_id}", summary="one registration with its status history")
def get_registration(
    request: Request, registration_id: RegistrationId, caller: Caller, db: DB
) -> RegistrationOut:
    """404 when there is none in the caller's area. The read of its personal data is
    recorded in the audit trail."""
    caller.require("planner", "registrar")
    with db.session() as session:
        stored = _stored(session, registration_id, caller)
        fields = request.app.state.sealer.open(stored.fields)
        audit(session, caller.name, "registrations.read", registration_id)
        return registration_view(stored, fields, history(session, registration_id), True)


@router.post(
    "/{registration_id}/events",
    status_code=status.HTTP_201_CREATED,
    summary="record a status event",
    responses=error_responses(409),
)
def post_event(
    request: Request, registration_id: RegistrationId, caller: Caller, db: DB, event: EventIn
) -> EventOut:
    """health_checked (with a result), confirmed, boarded, handed_over, cancelled or
    rescheduled (with an optional reason, and optionally the new `earliest_date` and
    `latest_date`, which become the registration's window), at a time and place; after a
    handover quarantined, monitored or cleared; and the ledger's need_offered and
    need_served (with the `need`, kept in the history's `changes`), which never move the
    status. The event
    must fit the registration's history in the order of event times (the status machine of
    docs/concepts.md), else 409 with the reason; its time lies between the registration's
    receipt and `max_event_ahead_hours` from now, else 422. Planners and registrars; hr
    (human resources) record the follow-up and the ledger's steps only."""
    caller.require("planner", "registrar", "hr")
    if caller.role == "hr" and event.event in JOURNEY:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "the hr role records the follow-up and the ledger's steps only: "
            + ", ".join(sorted(kind.value for kind in FOLLOW_UP | LEDGER_STEPS)),
        )
    problems = event.problems()
    if problems:
        invalid(*problems)
    settings = request.app.state.settings
    ahead = dt.timedelta(hours=settings.max_event_ahead_hours)
    rules = WriteRules(max_window_days=settings.max_window_days)
    with db.session() as session:
        _stored(session, registration_id, caller)
        status_event = StatusEvent(registration_id=registration_id, **event.model_dump())
        try:
            row = record_event(session, status_event, caller.name, ahead, rules)
        except EventRefused as refused:
            if refused.field:
                invalid((refused.field, str(refused)))
            raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None
        session.flush()
        return EventOut.model_validate(row, from_attributes=True)


def _stored(session: Session, registration_id: str, caller: Caller) -> models.Registration:
    """The stored registration; 404 when there is none, or none in the caller's area (so
    that nobody learns which ids exist elsewhere)."""
    stored = session.get(models.Registration, registration_id)
    if stored is None or not caller.reaches(stored.origin_adcode, stored.destination_adcode):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no registration {registration_id!r}")
    return stored

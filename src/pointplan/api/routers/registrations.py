"""Registrations: batches in, one registration with its history out, status events in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Request, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from pointplan.api.auth import DB, Caller
from pointplan.api.schemas import (
    REGISTRATION_EXAMPLE,
    BatchSaved,
    EventIn,
    EventOut,
    RegistrationOut,
    Scalar,
    error_responses,
    registration_view,
)
from pointplan.domain.events import StatusEvent
from pointplan.store import models
from pointplan.store.registrations import history, record_event

router = APIRouter(
    prefix="/v1/registrations",
    tags=["registrations"],
    responses=error_responses(401, 403, 404, 413),
)
RegistrationId = Annotated[str, Path(min_length=1, max_length=100)]


@router.post("", summary="create or update registrations (the CSV columns as keys)")
async def post_registrations(
    request: Request,
    caller: Caller,
    items: Annotated[list[dict[str, Scalar]], Body(examples=[[REGISTRATION_EXAMPLE]])],
) -> BatchSaved:
    """Each registration is validated as a row of a registrations file. The good ones are
    saved (the same registration_id again updates it and records what changed); the bad ones
    are listed with their index and reason. Registrars and planners write only registrations
    whose origin or destination lies in their area."""
    caller.require("planner", "registrar")
    limit = request.app.state.settings.max_batch
    if len(items) > limit:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"at most {limit} registrations per request"
        )
    state = request.app.state
    result = await state.batch_writer.save(items, caller.name, caller.scope, state.points_version)
    return BatchSaved.model_validate(result, from_attributes=True)


@router.get("/{registration_id}", summary="one registration with its status history")
def get_registration(registration_id: RegistrationId, caller: Caller, db: DB) -> RegistrationOut:
    """404 when there is none; 403 when it lies outside the caller's area."""
    caller.require("planner", "registrar")
    with db.session() as session:
        stored = _stored(session, registration_id, caller)
        return registration_view(stored, history(session, registration_id), True)


@router.post(
    "/{registration_id}/events",
    status_code=status.HTTP_201_CREATED,
    summary="record a status event",
)
def post_event(registration_id: RegistrationId, caller: Caller, db: DB, event: EventIn) -> EventOut:
    """health_checked (with a result), confirmed, boarded, handed_over, cancelled or
    rescheduled (with an optional reason), at a time and place."""
    caller.require("planner", "registrar")
    problems = event.problems()
    if problems:
        raise RequestValidationError(
            [
                {"type": "value_error", "loc": ("body", name), "msg": message, "input": None}
                for name, message in problems
            ]
        )
    with db.session() as session:
        _stored(session, registration_id, caller)
        status_event = StatusEvent(registration_id=registration_id, **event.model_dump())
        row = record_event(session, status_event, caller.name)
        session.flush()
        return EventOut.model_validate(row, from_attributes=True)


def _stored(session: Session, registration_id: str, caller: Caller) -> models.Registration:
    stored = session.get(models.Registration, registration_id)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no registration {registration_id!r}")
    caller.require_area(stored.origin_adcode, stored.destination_adcode)
    return stored

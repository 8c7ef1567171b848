"""The early warning of involuntary returns in the service (docs/hr.md): warnings raised
from the week's indicators, acknowledged and closed, each with its trail. Admins and the
`hr` role, for the counties of its area."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from sqlalchemy.orm import Session

from pointplan.api.auth import DB, Caller, Principal
from pointplan.api.hr_schemas import (
    EvaluatedOut,
    EvaluateIn,
    StepIn,
    WarningOut,
    WarningsOut,
    WarningStepOut,
)
from pointplan.api.schemas import invalid
from pointplan.domain.registration import Direction
from pointplan.exports.weekly import registered_on
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.hr.warning import county_warnings
from pointplan.store import models
from pointplan.store.database import Database
from pointplan.store.models import WarningState
from pointplan.store.reading import registrations_touching, stored_events
from pointplan.store.registrations import covers
from pointplan.store.warnings import (
    StepRefused,
    move_warning,
    raise_warnings,
    trail,
    warnings_in,
)

router = APIRouter()
"""Included under /v1/hr by `pointplan.api.routers.hr`."""


@router.post("/warnings/evaluate", summary="raise the week's warnings for your area (预警)")
def evaluate_warnings(request: Request, caller: Caller, db: DB, body: EvaluateIn) -> EvaluatedOut:
    """Admins and hr: the indicators of every home county of their area for the week, and a
    warning raised for each that reaches a level (raised again where the level rose;
    evaluating twice raises nothing new). Thresholds: the body's, else the service's."""
    caller.require("hr")
    if body.week_start.weekday() != 0:
        invalid(("week_start", "not a Monday"))
    thresholds = body.thresholds or request.app.state.thresholds
    with db.session() as session:
        returnees = registrations_touching(
            session, caller.scope, request.app.state.sealer, Direction.RETURN_HOME
        )
        mine = [r for r in returnees if caller.reaches(r.destination.county)]
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
    caller.require("hr")
    with db.session() as session:
        return WarningsOut(
            items=_warnings_out(session, warnings_in(session, caller.scope, week_start, state))
        )


WARNING_ID = r"^W-\d{6}-\d{8}$"
WARNING_ID_PATTERN = re.compile(WARNING_ID)
WarningId = Annotated[str, Path(pattern=WARNING_ID)]


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
    caller.require("hr")
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

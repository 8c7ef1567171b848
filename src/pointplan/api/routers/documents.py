"""A plan's documents on demand: plan.xlsx, plan.geojson, map.html and each trip's 一车一方案
as HTML and PDF, made from the stored plan (on the vehicles transport swapped in) and its
registrations, names, id numbers and phones masked for viewers as the manifests are."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi import Path as PathParam

from pointplan.api.auth import DB, Caller
from pointplan.api.routers.plans import PlanId, plan_job, plan_result
from pointplan.api.schemas import error_responses
from pointplan.domain.personal import shown_personal_fields
from pointplan.domain.plan import Plan
from pointplan.exports.geojson import plan_geojson
from pointplan.exports.people import PersonalData
from pointplan.exports.vehicle_html import FONT_FILE, render_vehicle_pages
from pointplan.exports.vehicle_page import TransportAnswer, vehicle_page
from pointplan.exports.vehicle_pdf import write_vehicle_pdf
from pointplan.exports.webmap import write_map
from pointplan.exports.workbook import write_workbook
from pointplan.fonts import font_path
from pointplan.store import models
from pointplan.store.answers import answers_of, fleet_and_policy, opened, with_answers
from pointplan.store.audit import audit
from pointplan.store.models import JobState
from pointplan.store.reading import registrations_by_id
from pointplan.store.sealing import Sealer

router = APIRouter(prefix="/v1/plans", tags=["plans"], responses=error_responses(401, 403, 404))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRIP_DOCUMENT = (
    r"^(plan\.xlsx|plan\.geojson|map\.html|trips/[A-Za-z0-9._-]{1,100}\.(html|pdf|ttf))$"
)
DOCUMENT_NAME = re.compile(TRIP_DOCUMENT)


@router.get(
    "/{plan_id}/documents/{name:path}",
    summary="a plan's files: plan.xlsx, plan.geojson, map.html, trips/{trip_id}.html and .pdf",
)
def get_document(
    request: Request,
    plan_id: PlanId,
    name: Annotated[str, PathParam(pattern=TRIP_DOCUMENT)],
    caller: Caller,
    db: DB,
) -> Response:
    """Admins, planners and viewers of the plan's area; personal data masked for viewers (a
    document with it unmasked is an audited read). The trip pages' font is
    `trips/PointplanSans.ttf`. 404 when the plan is not done or has no such trip."""
    caller.require("planner", "viewer")
    if name == f"trips/{FONT_FILE}":
        return Response(font_path().read_bytes(), media_type="font/ttf")
    with db.session() as session:
        job = plan_job(session, plan_id, caller)
        if job.status != JobState.DONE:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"the plan is {job.status}, not done")
        plan = with_answers(session, job, Plan.from_json(plan_result(job)))
        if name == "plan.geojson":
            body = json.dumps(plan_geojson(plan), ensure_ascii=False)
            return Response(body, media_type="application/geo+json")
        if name == "map.html":
            return Response(file_bytes(lambda path: write_map(plan, path)), media_type="text/html")
        show = caller.sees_personal_data
        sealer = request.app.state.sealer
        ids = [rid for trip in plan.trips for rid in trip.registration_ids()]
        registrations = registrations_by_id(session, ids, sealer)
        answers = answers_of(session, plan_id)
        if show:
            audit(session, caller.name, "documents.read", f"{plan_id} {name}")
    if name == "plan.xlsx":
        content = file_bytes(lambda path: write_workbook(plan, path, registrations, show))
        return Response(content, media_type=XLSX)
    trip_id, _, kind = name.removeprefix("trips/").rpartition(".")
    trip = next((t for t in plan.trips if t.trip_id == trip_id), None)
    if trip is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no trip {trip_id!r} in the plan")
    fleet, policy = fleet_and_policy(job)
    recorded = answers.get(trip.trip_id)
    answer = _printed(recorded, sealer, show) if recorded is not None else None
    people = PersonalData(registrations, show)
    page = vehicle_page(trip, policy, fleet, people, answer, plan.itineraries())
    if kind == "html":
        return Response(render_vehicle_pages([page]), media_type="text/html")
    if kind == "pdf":
        return Response(
            file_bytes(lambda path: write_vehicle_pdf([page], path)), media_type="application/pdf"
        )
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"no document {name!r}")


def _printed(answer: models.TripAnswer, sealer: Sealer, show: bool) -> TransportAnswer:
    """Transport's answer as the trip's page prints it, the crew masked unless `show`."""
    fields, crew = opened(answer, sealer)

    def person(value: dict[str, str]) -> str:
        shown = shown_personal_fields(value, show)
        return f"{shown['name']} {shown['phone']}"

    return TransportAnswer(
        plate=fields.get("plate", ""),
        drivers="; ".join(person(d) for d in crew["drivers"]),
        escort=person(crew["escort"]) if crew["escort"] else "",
        charter_permit=fields.get("charter_permit", ""),
        operator=fields.get("operator", ""),
    )


def file_bytes(write: Callable[[Path], object]) -> bytes:
    """The bytes a writer of files writes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document"
        write(path)
        return path.read_bytes()

"""The console's plans: start one and follow its job, then its summary against the lower
bound, the trips as a table that sorts and filters, one trip's 一车一方案, the map, the
changes against the base plan with the people to tell, publishing, and the downloads.

Every read and write goes through the API's own calls (the same roles, areas, masking and
audit trail); the documents are the API's documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from pointplan.api.auth import database_of
from pointplan.api.console.pages import DOCUMENT_SECURITY, map_security, problems_of, render
from pointplan.api.console.session import Posted, Visitor
from pointplan.api.routers import documents
from pointplan.api.routers import plans as api
from pointplan.api.schemas import PlanIn, PlanStatus, PublishIn
from pointplan.domain.plan import Plan, Trip
from pointplan.exports.webmap import write_map
from pointplan.store.answers import with_answers
from pointplan.store.models import FINISHED, JobState

router = APIRouter(prefix="/plans")

STATE_NAMES = {
    "queued": "排队中 queued",
    "running": "计算中 running",
    "done": "完成 done",
    "failed": "失败 failed",
    "cancelled": "已取消 cancelled",
    "interrupted": "中断 interrupted",
}
TRIP_SORTS: dict[str, Callable[[Trip], Any]] = {
    "trip": lambda t: t.trip_id,
    "date": lambda t: (t.date, t.departure, t.trip_id),
    "vehicle": lambda t: (t.vehicle_type, t.trip_id),
    "people": lambda t: (-t.passengers, t.trip_id),
    "load": lambda t: (-t.passengers / max(t.capacity, 1), t.trip_id),
    "km": lambda t: (-t.distance_km, t.trip_id),
    "cost": lambda t: (-t.cost, t.trip_id),
}
"""The trips table's orders (the numbers largest first)."""


def _checked_id(plan_id: str) -> str:
    if not api.PLAN_ID_PATTERN.match(plan_id):
        raise HTTPException(404, f"no plan {plan_id!r}")
    return plan_id


@router.get("", response_class=HTMLResponse)
def plans_page(request: Request, caller: Visitor) -> HTMLResponse:
    """The form to start a plan (planners) and the newest plans of the area."""
    caller.require("planner", "viewer", "registrar")
    listed = api.list_plans(caller, database_of(request), limit=50)
    today = dt.date.today()
    return render(
        request,
        "plans.html.j2",
        caller,
        plans=listed.items,
        state_names=STATE_NAMES,
        defaults={
            "area": caller.area,
            "date_from": (today + dt.timedelta(days=1)).isoformat(),
            "date_to": (today + dt.timedelta(days=7)).isoformat(),
            "time_limit": 30,
        },
        error="",
    )


@router.post("", dependencies=[Posted])
def start_plan(
    request: Request,
    caller: Visitor,
    area: Annotated[str, Form(max_length=6)],
    date_from: Annotated[str, Form(max_length=10)],
    date_to: Annotated[str, Form(max_length=10)],
    time_limit: Annotated[str, Form(max_length=10)] = "30",
    max_load_factor: Annotated[str, Form(max_length=10)] = "",
    base_plan_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Queues the plan (the API's checks) and opens its page, which follows the job."""
    fields: dict[str, Any] = {
        "area": area,
        "date_from": date_from,
        "date_to": date_to,
        "time_limit": time_limit or "30",
    }
    if max_load_factor:
        fields["policy"] = {"max_load_factor": max_load_factor}
    if base_plan_id:
        fields["base_plan_id"] = base_plan_id
    try:
        body = PlanIn.model_validate(fields)
    except ValidationError as invalid:
        raise HTTPException(422, problems_of(invalid)) from None
    accepted = api.post_plan(request, caller, database_of(request), body)
    return RedirectResponse(f"/console/plans/{accepted.plan_id}", status_code=303)


def _status(request: Request, caller: Visitor, plan_id: str) -> tuple[PlanStatus, str | None]:
    """The plan job's status and, once done, its plan.json."""
    with database_of(request).session() as session:
        job = api.plan_job(session, plan_id, caller)
        return PlanStatus.model_validate(job, from_attributes=True), job.result


def _plan(request: Request, caller: Visitor, plan_id: str) -> tuple[PlanStatus, Plan]:
    """A done plan as its documents show it (the vehicles transport swapped in)."""
    with database_of(request).session() as session:
        job = api.plan_job(session, plan_id, caller)
        if job.status != JobState.DONE:
            raise HTTPException(404, f"the plan is {job.status}, not done")
        plan = with_answers(session, job, Plan.from_json(api.plan_result(job)))
        return PlanStatus.model_validate(job, from_attributes=True), plan


@router.get("/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: str,
    caller: Visitor,
    sort: Annotated[str, Query(max_length=10)] = "date",
    date: Annotated[str, Query(max_length=10)] = "",
    vehicle: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """A plan: while it runs, its progress; once done, the summary, the downloads, the
    trips (sorted by `sort`, filtered by `date`, `vehicle` and a text in a trip's id or
    stops) and, for planners, publishing and re-planning."""
    caller.require("planner", "viewer")
    status, result = _status(request, caller, _checked_id(plan_id))
    if status.status != JobState.DONE or result is None:
        return render(request, "plan_running.html.j2", caller, job=status, state_names=STATE_NAMES)
    _, plan = _plan(request, caller, plan_id)
    trips = [
        trip
        for trip in plan.trips
        if (not date or trip.date.isoformat() == date)
        and (not vehicle or trip.vehicle_type == vehicle)
        and (not q or q in trip.trip_id or any(q in stop.place for stop in trip.stops))
    ]
    trips.sort(key=TRIP_SORTS.get(sort, TRIP_SORTS["date"]))
    published = status.published_through
    first = min((t.date for t in plan.trips), default=status.date_from)
    next_date = published + dt.timedelta(days=1) if published else first
    return render(
        request,
        "plan.html.j2",
        caller,
        job=status,
        plan=plan,
        trips=trips,
        dates=sorted({t.date.isoformat() for t in plan.trips}),
        vehicles=sorted({t.vehicle_type for t in plan.trips}),
        filters={"sort": sort, "date": date, "vehicle": vehicle, "q": q},
        sorts=list(TRIP_SORTS),
        state_names=STATE_NAMES,
        next_publish=min(next_date, status.date_to).isoformat(),
        can_publish=published is None or published < status.date_to,
        gap=(plan.summary.vehicles - plan.summary.vehicles_lower_bound)
        / max(plan.summary.vehicles_lower_bound, 1),
    )


@router.get("/{plan_id}/progress", response_class=HTMLResponse)
def plan_progress(request: Request, plan_id: str, caller: Visitor) -> Response:
    """The progress bar of a running plan (htmx polls it); once the job has finished, an
    answer that makes the page load again, showing the plan or why it failed."""
    caller.require("planner", "viewer")
    status, _ = _status(request, caller, _checked_id(plan_id))
    if status.status in FINISHED:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "plan_progress.html.j2", caller, job=status, state_names=STATE_NAMES)


@router.post("/{plan_id}/cancel", dependencies=[Posted])
def cancel_plan(request: Request, plan_id: str, caller: Visitor) -> Response:
    """Cancels a queued or running plan."""
    api.delete_plan(request, _checked_id(plan_id), caller, database_of(request))
    return RedirectResponse(f"/console/plans/{plan_id}", status_code=303)


@router.post("/{plan_id}/replan", dependencies=[Posted])
def replan(request: Request, plan_id: str, caller: Visitor) -> Response:
    """A new plan of the same area, dates, fleet, rules and search time from this one: its
    published trips kept, the registrations as they stand now."""
    with database_of(request).session() as session:
        base = api.plan_job(session, _checked_id(plan_id), caller)
        fields = {
            "area": base.area,
            "date_from": base.date_from,
            "date_to": base.date_to,
            "fleet": base.fleet,
            "policy": base.policy,
            "time_limit": base.time_limit,
            "base_plan_id": plan_id,
        }
    body = PlanIn.model_validate(fields)
    accepted = api.post_plan(request, caller, database_of(request), body)
    return RedirectResponse(f"/console/plans/{accepted.plan_id}", status_code=303)


@router.post("/{plan_id}/publish", response_class=HTMLResponse, dependencies=[Posted])
def publish(
    request: Request,
    plan_id: str,
    caller: Visitor,
    through: Annotated[str, Form(max_length=10)],
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Publishes the plan's trips up to `through`, once its box is ticked."""
    if confirm != "yes":
        raise HTTPException(422, "请勾选确认 Tick the box to confirm the publication")
    try:
        body = PublishIn(through=dt.date.fromisoformat(through))
    except ValueError:
        raise HTTPException(422, "through: not a date (YYYY-MM-DD)") from None
    api.publish_plan(_checked_id(plan_id), body, caller, database_of(request))
    return RedirectResponse(f"/console/plans/{plan_id}#publish", status_code=303)


@router.get("/{plan_id}/trips/{trip_id}", response_class=HTMLResponse)
def trip_page(request: Request, plan_id: str, trip_id: str, caller: Visitor) -> HTMLResponse:
    """One trip: its 一车一方案 (seat map, route, passenger list) as it prints, with print
    and PDF buttons."""
    caller.require("planner", "viewer")
    status, plan = _plan(request, caller, _checked_id(plan_id))
    trip = next((t for t in plan.trips if t.trip_id == trip_id), None)
    if trip is None:
        raise HTTPException(404, f"no trip {trip_id!r} in the plan")
    return render(request, "trip.html.j2", caller, job=status, trip=trip)


@router.get("/{plan_id}/changes", response_class=HTMLResponse)
def changes_page(request: Request, plan_id: str, caller: Visitor) -> HTMLResponse:
    """A re-plan's changes for the people of the caller's area: whom to tell, and what."""
    changes = api.get_changes(request, _checked_id(plan_id), caller, database_of(request))
    return render(request, "changes.html.j2", caller, changes=changes)


@router.get("/{plan_id}/map", response_class=HTMLResponse)
def map_page(request: Request, plan_id: str, caller: Visitor) -> HTMLResponse:
    """The plan's map, in a frame (on grey unless a tile server is configured)."""
    caller.require("planner", "viewer")
    status, _ = _plan(request, caller, _checked_id(plan_id))
    tiles = request.app.state.settings.tile_url
    return render(request, "map.html.j2", caller, job=status, tiles=bool(tiles))


@router.get("/{plan_id}/map.html")
def map_document(request: Request, plan_id: str, caller: Visitor) -> Response:
    """The map itself: Leaflet written into the page, no background unless
    `tile_url` is set."""
    caller.require("planner", "viewer")
    _, plan = _plan(request, caller, _checked_id(plan_id))
    settings = request.app.state.settings
    tiles = settings.tile_url or None
    page = documents.file_bytes(
        lambda path: write_map(plan, path, tiles=tiles, attribution=settings.tile_attribution)
    )
    return Response(
        page, media_type="text/html", headers={"content-security-policy": map_security(tiles)}
    )


@router.get("/{plan_id}/documents/{name:path}")
def document(request: Request, plan_id: str, name: str, caller: Visitor) -> Response:
    """A plan's files, as `GET /v1/plans/{plan_id}/documents/{name}` answers them."""
    if not documents.DOCUMENT_NAME.match(name):
        raise HTTPException(404, f"no document {name!r}")
    answer = documents.get_document(
        request, _checked_id(plan_id), name, caller, database_of(request)
    )
    if name.endswith((".xlsx", ".pdf", ".geojson")):
        file_name = name.rsplit("/", 1)[-1]
        answer.headers["content-disposition"] = f'attachment; filename="{file_name}"'
    elif name.endswith(".html"):
        answer.headers["content-security-policy"] = DOCUMENT_SECURITY
    return answer

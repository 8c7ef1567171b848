"""The console's scenarios: one area's demand planned two or three ways side by side (load
cap, fleet, days either side, transfers), each a what-if plan job of the service that
changes no registration and is never published, then the comparison as a table and a chart.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from pointplan.api.auth import database_of
from pointplan.api.console.pages import problems_of, render
from pointplan.api.console.session import Posted, Visitor
from pointplan.api.routers import plans as api
from pointplan.api.schemas import PlanAccepted, PlanIn, PlanStatus
from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.io import default_fleet
from pointplan.store.models import FINISHED, JobState

router = APIRouter(prefix="/scenarios")

SCENARIOS = 3
"""Scenarios a comparison may hold (the form's columns)."""
RAIL_CARS = 40


def _coaches_only() -> Fleet:
    fleet = default_fleet()
    kept = tuple(t for t in fleet.vehicle_types if t.name.startswith("coach") or t.is_rail)
    return fleet.model_copy(update={"vehicle_types": kept})


def _with_rail() -> Fleet:
    fleet = default_fleet()
    types = tuple(
        t.model_copy(update={"count": RAIL_CARS}) if t.is_rail else t for t in fleet.vehicle_types
    )
    return fleet.model_copy(update={"vehicle_types": types})


FLEETS = {
    "default": ("默认车队 the shipped fleet", None),
    "coaches": ("只用大巴 coaches only (45–53 seats)", _coaches_only),
    "rail": (f"加铁路 with {RAIL_CARS} rail cars a day (transfers and rail on)", _with_rail),
}
"""The fleets a scenario may take: the label and how the fleet is made (None: the service's
default)."""


@dataclass(frozen=True)
class Row:
    """One scenario of a comparison: its plan job and, once done, its figures."""

    job: PlanStatus
    figures: dict[str, Any] | None
    settings: str


@router.get("", response_class=HTMLResponse)
def scenarios_page(request: Request, caller: Visitor) -> HTMLResponse:
    """The form: an area, dates and up to three scenarios."""
    caller.require("planner")
    today = dt.date.today()
    defaults = {
        "area": caller.area,
        "date_from": (today + dt.timedelta(days=1)).isoformat(),
        "date_to": (today + dt.timedelta(days=7)).isoformat(),
        "time_limit": 10,
    }
    starters = [
        {"name": "基准 as planned", "load": "", "fleet": "default", "days": 0, "transfers": False},
        {
            "name": "满载 75% load",
            "load": "0.75",
            "fleet": "default",
            "days": 0,
            "transfers": False,
        },
        {"name": "前后一天 ±1 day", "load": "", "fleet": "default", "days": 1, "transfers": False},
    ]
    return render(
        request,
        "scenarios.html.j2",
        caller,
        defaults=defaults,
        starters=starters,
        fleets={key: label for key, (label, _) in FLEETS.items()},
    )


@router.post("", dependencies=[Posted])
async def start_scenarios(request: Request, caller: Visitor) -> Response:
    """Queues one what-if plan a named scenario and opens the comparison."""
    caller.require("planner")
    form = await request.form()
    shared = {k: str(form.get(k, "")) for k in ("area", "date_from", "date_to", "time_limit")}
    bodies = []
    for index in range(SCENARIOS):
        name = str(form.get(f"name-{index}", "")).strip()
        if not name:
            continue
        bodies.append(_scenario_body(shared, name, form, index))
    if len(bodies) < 2:
        raise HTTPException(422, "至少两个方案 Name two scenarios or three to compare")
    if len({body.scenario for body in bodies}) < len(bodies):
        raise HTTPException(422, "方案名称重复 Give each scenario its own name")
    db = database_of(request)
    accepted: list[PlanAccepted] = []
    try:
        for body in bodies:
            accepted.append(api.post_plan(request, caller, db, body))
    except HTTPException as refused:  # the ones queued before it would be compared with none
        for queued in accepted:
            with suppress(HTTPException):  # one that finished already changed nothing
                api.delete_plan(request, queued.plan_id, caller, db)
        raise HTTPException(refused.status_code, f"{body.scenario}: {refused.detail}") from None
    query = "&".join(f"plan={a.plan_id}" for a in accepted)
    return RedirectResponse(f"/console/scenarios/compare?{query}", status_code=303)


def _scenario_body(shared: dict[str, str], name: str, form: Any, index: int) -> PlanIn:
    """The plan job of scenario `index` of the form, or a 422 naming what is wrong."""
    fleet_key = str(form.get(f"fleet-{index}", "default"))
    if fleet_key not in FLEETS:
        raise HTTPException(422, f"{name}: fleet: not one of the choices")
    make_fleet = FLEETS[fleet_key][1]
    policy: dict[str, Any] = {}
    if form.get(f"load-{index}"):
        policy["max_load_factor"] = str(form.get(f"load-{index}"))
    if form.get(f"transfers-{index}") or fleet_key == "rail":
        policy["transfers"] = True
    if fleet_key == "rail":
        policy["rail"] = True
    fields: dict[str, Any] = {
        **shared,
        "time_limit": shared["time_limit"] or "10",
        "scenario": name[:100],
        "date_flexibility_days": str(form.get(f"days-{index}", "0") or "0"),
    }
    if policy:
        fields["policy"] = policy
    if make_fleet is not None:
        fields["fleet"] = make_fleet().model_dump(mode="json")
    try:
        return PlanIn.model_validate(fields)
    except ValidationError as invalid:
        raise HTTPException(422, f"{name}: {problems_of(invalid)}") from None


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    caller: Visitor,
    plan: Annotated[list[str], Query(max_length=SCENARIOS)],
) -> HTMLResponse:
    """The comparison: each scenario's status while they run, then their figures side by
    side and a chart (htmx reloads the table until every plan has finished)."""
    caller.require("planner", "viewer")
    rows = []
    with database_of(request).session() as session:
        for plan_id in plan:
            if not api.PLAN_ID_PATTERN.match(plan_id):
                raise HTTPException(404, f"no plan {plan_id!r}")
            job = api.plan_job(session, plan_id, caller)
            figures = None
            if job.status == JobState.DONE and job.result is not None:
                figures = _figures(Plan.from_json(job.result))
            status = PlanStatus.model_validate(job, from_attributes=True)
            rows.append(Row(status, figures, _settings(job.policy, job.fleet)))
    running = any(row.job.status not in FINISHED for row in rows)
    done = [row for row in rows if row.figures is not None]
    return render(
        request,
        "compare.html.j2",
        caller,
        rows=rows,
        running=running,
        query="&".join(f"plan={p}" for p in plan),
        charts=[_chart(done, key, label) for key, label in CHARTED] if done else [],
    )


def _settings(policy: dict[str, Any] | None, fleet: dict[str, Any] | None) -> str:
    """What a scenario changed, in a few words."""
    policy = policy or {}
    said = (
        [f"满载 load ≤ {float(policy['max_load_factor']):.0%}"]
        if "max_load_factor" in policy
        else []
    )
    if policy.get("transfers"):
        said.append("换乘 transfers")
    if policy.get("rail"):
        said.append("铁路 rail")
    if fleet is not None:
        names = ", ".join(t["name"] for t in fleet.get("vehicle_types", []) if t.get("count") != 0)
        said.append(f"车队 fleet {names}")
    return " · ".join(said) or "默认 defaults"


def _figures(plan: Plan) -> dict[str, Any]:
    s = plan.summary
    return {
        "vehicles": s.vehicles,
        "bound": s.vehicles_lower_bound,
        "served": s.served_passengers,
        "people": s.passengers,
        "cost": s.cost,
        "cost_per_person": s.cost_per_person,
        "km": s.distance_km,
        "stops": s.stops,
        "unassigned": s.unassigned,
    }


CHARTED = (("vehicles", "车辆 vehicles"), ("cost_per_person", "每人费用 cost a person (¥)"))


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value, and length and position in the drawing."""

    label: str
    value: str
    width: float
    y: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of one figure across the scenarios (drawn as inline SVG)."""

    title: str
    bars: list[Bar]
    height: int


CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 420, 26, 180


def _chart(rows: list[Row], key: str, title: str) -> Chart:
    values = [float(row.figures[key]) if row.figures else 0.0 for row in rows]
    top = max(values, default=0.0) or 1.0
    bars = [
        Bar(
            label=row.job.scenario,
            value=f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}",
            width=round(CHART_WIDTH * value / top, 1),
            y=index * (BAR_HEIGHT + 8),
        )
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    ]
    return Chart(title=title, bars=bars, height=len(bars) * (BAR_HEIGHT + 8))

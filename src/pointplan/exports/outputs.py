"""Everything `pointplan plan --out DIR` writes beside plan.json, in one call."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path

from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.exports.geojson import write_geojson
from pointplan.exports.vehicle_html import write_vehicle_pages
from pointplan.exports.vehicle_page import vehicle_pages
from pointplan.exports.vehicle_pdf import write_vehicle_pdfs
from pointplan.exports.webmap import write_map
from pointplan.exports.weekly import write_weekly_report
from pointplan.exports.workbook import write_workbook

VEHICLES_FOLDER, WEEKLY_FOLDER = "vehicles", "weekly"


def write_outputs(
    plan: Plan,
    folder: Path,
    policy: Policy,
    fleet: Fleet,
    registrations: Sequence[Registration] = (),
    show_personal_data: bool = False,
    pdf: bool = True,
    workers: int = 1,
) -> list[Path]:
    """Write plan.json, plan.geojson, plan.xlsx, map.html, the per-vehicle plans
    (vehicles/index.html, one HTML page per trip, and one PDF per date unless `pdf` is off)
    and the weekly tables of every week the trips or the registrations' first dates fall in
    (weekly/, without status events: `pointplan report weekly` adds them) into `folder`;
    returns what was written, folders for the pages and the tables. The vehicles/ and
    weekly/ folders are pointplan's: they are emptied first. Personal data is masked unless
    `show_personal_data`."""
    folder.mkdir(parents=True, exist_ok=True)
    for owned in (VEHICLES_FOLDER, WEEKLY_FOLDER):
        # An earlier run's pages may hold trips, dates or unmasked personal data this one has not.
        shutil.rmtree(folder / owned, ignore_errors=True)
    plan.write(folder / "plan.json")
    write_geojson(plan, folder / "plan.geojson")
    write_workbook(plan, folder / "plan.xlsx", registrations, show_personal_data)
    write_map(plan, folder / "map.html")
    pages = vehicle_pages(plan, policy, fleet, registrations, show_personal_data)
    vehicles = folder / VEHICLES_FOLDER
    write_vehicle_pages(pages, vehicles)
    if pdf:
        write_vehicle_pdfs(pages, vehicles, workers)
    for monday in sorted(
        {trip.date - dt.timedelta(days=trip.date.weekday()) for trip in plan.trips}
    ):
        write_weekly_report(folder / WEEKLY_FOLDER, registrations, plan, (), monday)
    names = ["plan.json", "plan.geojson", "plan.xlsx", "map.html", VEHICLES_FOLDER, WEEKLY_FOLDER]
    return [folder / name for name in names if (folder / name).exists()]

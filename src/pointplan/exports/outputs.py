"""Everything `pointplan plan --out DIR` writes beside plan.json, in one call."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.exports.geojson import write_geojson
from pointplan.exports.vehicle_html import write_vehicle_pages
from pointplan.exports.vehicle_page import VehiclePage, vehicle_pages
from pointplan.exports.vehicle_pdf import write_vehicle_pdfs
from pointplan.exports.webmap import write_map
from pointplan.exports.weekly import write_weekly_report
from pointplan.exports.workbook import write_workbook
from pointplan.parallel import ordered_map

VEHICLES_FOLDER, WEEKLY_FOLDER = "vehicles", "weekly"


@dataclass(frozen=True)
class _Exports:
    """What every export of one plan reads; handed to each worker process once."""

    plan: Plan
    folder: Path
    registrations: Sequence[Registration]
    show_personal_data: bool
    pages: Sequence[VehiclePage]


EXPORTS = ("plan.xlsx", "map.html", "pages", "weekly", "plan.geojson")
"""The independent exports, the longest first (the workbook, then the map), so that on two
processes the others run beside the workbook."""


def write_outputs(
    plan: Plan,
    folder: Path,
    policy: Policy,
    fleet: Fleet,
    registrations: Sequence[Registration] = (),
    show_personal_data: bool = False,
    pdf: bool = False,
    workers: int = 1,
) -> list[Path]:
    """Write plan.json, plan.geojson, plan.xlsx, map.html, the per-vehicle plans
    (vehicles/index.html and one HTML page per trip, and with `pdf` one PDF per date) and the
    weekly tables of every week the trips or the registrations' first dates fall in
    (weekly/, without status events: `pointplan report weekly` adds them) into `folder`;
    returns what was written, folders for the pages and the tables. The exports are written
    on up to `workers` processes at once (the files are the same for any number). The
    vehicles/ and weekly/ folders are pointplan's: they are emptied first. Personal data is
    masked unless `show_personal_data`."""
    folder.mkdir(parents=True, exist_ok=True)
    for owned in (VEHICLES_FOLDER, WEEKLY_FOLDER):
        # An earlier run's pages may hold trips, dates or unmasked personal data this one has not.
        shutil.rmtree(folder / owned, ignore_errors=True)
    plan.write(folder / "plan.json")
    pages = vehicle_pages(plan, policy, fleet, registrations, show_personal_data)
    context = _Exports(plan, folder, registrations, show_personal_data, pages)
    for _ in ordered_map(_export, context, EXPORTS, workers):
        pass
    if pdf:
        write_vehicle_pdfs(pages, folder / VEHICLES_FOLDER, workers)
    names = ["plan.json", "plan.geojson", "plan.xlsx", "map.html", VEHICLES_FOLDER, WEEKLY_FOLDER]
    return [folder / name for name in names if (folder / name).exists()]


def _export(context: _Exports, name: str) -> str:
    """Write one of `EXPORTS`."""
    plan, folder = context.plan, context.folder
    if name == "plan.xlsx":
        write_workbook(plan, folder / name, context.registrations, context.show_personal_data)
    elif name == "map.html":
        write_map(plan, folder / name)
    elif name == "pages":
        write_vehicle_pages(context.pages, folder / VEHICLES_FOLDER)
    elif name == "weekly":
        for monday in sorted(
            {trip.date - dt.timedelta(days=trip.date.weekday()) for trip in plan.trips}
        ):
            write_weekly_report(folder / WEEKLY_FOLDER, context.registrations, plan, (), monday)
    elif name == "plan.geojson":
        write_geojson(plan, folder / name)
    return name

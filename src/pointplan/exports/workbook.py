"""plan.xlsx: the manifests a transport department prints and hands out.

Sheets: `summary` (the plan's figures), `trips` (one row per trip), `boarding` (the
per-pickup-point list: who boards which vehicle where and when, for the people who run each
assembly point), one sheet per trip (its stops, then its passenger list, 乘客信息登记表), and
`not served` (unassigned and rejected registrations with their reasons), and for a re-plan
`changes` (everyone added, moved or removed against the base plan, by origin and destination,
with the name and phone to call: each registrar's list of people to tell), and when some
are `advised` (too few for a charter), `advised`: each with the mode, why, its estimated
cost, and the name and phone to call; with date suggestions, `date suggestions`: the
people staff could ask to travel on another date, group by group (the best saving per
person asked first), with their window, the date to ask for, the trip that would take them,
and the name and phone to call; with a fleet of depots, `buses` (each bus of each depot,
its trips in turn and its empty runs) and `fleet sizing` (per depot and vehicle type the
buses the plan needs, what the depot has and lacks, and the buses away on each date).
Names, id numbers and phones come from the registrations and are masked unless
`show_personal_data` is set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pointplan.domain.personal import PERSONAL_FIELDS
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Registration
from pointplan.domain.tables import passengers_table, stops_table, trips_table
from pointplan.exports.names import unique_names
from pointplan.exports.people import PersonalData

FIXED_SHEETS = (
    "summary", "trips", "boarding", "not served", "changes", "advised", "date suggestions",
    "buses", "fleet sizing",
)  # fmt: skip
BOARDING_COLUMNS = (
    "date",
    "pickup",
    "point_id",
    "boarding",
    "trip_id",
    "vehicle_type",
    "registration_id",
    "name",
    "id_number",
    "phone",
)
PASSENGER_LIST_COLUMNS = (
    "registration_id",
    "name",
    "id_number",
    "phone",
    "people",
    "seats",
    "pickup",
    "boarding",
    "dropoff",
)


def write_workbook(
    plan: Plan,
    path: Path,
    registrations: Sequence[Registration] = (),
    show_personal_data: bool = False,
) -> None:
    """Write plan.xlsx (see the module's description of its sheets)."""
    people = PersonalData(registrations, show_personal_data)
    riders = passengers_table(plan.trips)
    personal = pd.DataFrame(
        [people.fields(rid) for rid in riders["registration_id"]],
        columns=list(PERSONAL_FIELDS),
        index=riders.index,
    )
    riders = pd.concat([riders, personal], axis=1)
    boarding = riders[list(BOARDING_COLUMNS)].rename(columns={"boarding": "departure"})
    listed = riders.assign(
        boarding=[
            "" if pd.isna(when) else when.strftime("%Y-%m-%d %H:%M") for when in riders["boarding"]
        ]
    )[list(PASSENGER_LIST_COLUMNS)]
    stops = stops_table(plan.trips).drop(columns=["date"])
    routes = dict(tuple(stops.drop(columns=["trip_id"]).groupby(stops["trip_id"], sort=False)))
    lists = dict(tuple(listed.groupby(riders["trip_id"], sort=False)))
    summary = plan.summary.model_dump()
    sheets = unique_names((t.trip_id for t in plan.trips), _sheet_name, FIXED_SHEETS)
    with pd.ExcelWriter(path, engine="xlsxwriter") as book:
        # A fixed creation date, so that the same plan gives the same file.
        book.book.set_properties({"created": dt.datetime(2000, 1, 1)})
        pd.DataFrame({"figure": list(summary), "value": list(summary.values())}).to_excel(
            book, sheet_name="summary", index=False
        )
        trips_table(plan.trips).to_excel(book, sheet_name="trips", index=False)
        boarding.sort_values(["date", "pickup", "departure", "trip_id"], kind="stable").to_excel(
            book, sheet_name="boarding", index=False
        )
        sheet_writer = _SheetWriter(book.book)
        for trip in plan.trips:
            route = routes[trip.trip_id]
            sheet = book.book.add_worksheet(sheets[trip.trip_id])
            sheet_writer.write(sheet, route, 0)
            sheet_writer.write(sheet, lists[trip.trip_id], len(route) + 2)
        _not_served(plan).to_excel(book, sheet_name="not served", index=False)
        if plan.advised:
            _advised(plan, people).to_excel(book, sheet_name="advised", index=False)
        if plan.date_suggestions:
            _suggested(plan, registrations, people).to_excel(
                book, sheet_name="date suggestions", index=False
            )
        if plan.base_plan is not None:
            _to_tell(plan, registrations, people).to_excel(book, sheet_name="changes", index=False)
        if plan.buses:
            _buses(plan).to_excel(book, sheet_name="buses", index=False)
            _fleet_sizing(plan).to_excel(book, sheet_name="fleet sizing", index=False)


def _buses(plan: Plan) -> pd.DataFrame:
    """One row per empty run of each bus, in the bus's order, with the trip it goes to."""
    rows = [
        {
            "bus_id": bus.bus_id,
            "depot_id": bus.depot_id,
            "vehicle_type": bus.vehicle_type,
            "run": run.kind,
            "after_trip": run.after_trip or "",
            "before_trip": run.before_trip or "",
            "start": run.start,
            "end": run.end,
            "empty_km": run.km,
        }
        for bus in plan.buses
        for run in bus.runs
    ]
    return pd.DataFrame(rows)


def _fleet_sizing(plan: Plan) -> pd.DataFrame:
    """Per depot and type: the buses needed, had and lacking, then one column per date."""
    dates = sorted({day for need in plan.fleet_sizing for day in need.by_date})
    rows = [
        {
            "depot_id": need.depot_id,
            "vehicle_type": need.vehicle_type,
            "trips": need.trips,
            "buses_needed": need.buses,
            "buses_available": need.available,
            "short": need.short,
            "empty_km": need.empty_km,
            **{day.isoformat(): need.by_date.get(day, 0) for day in dates},
        }
        for need in plan.fleet_sizing
    ]
    return pd.DataFrame(rows)


CHANGE_COLUMNS = (
    "origin",
    "destination",
    "registration_id",
    "change",
    "from_trips",
    "to_trips",
    "reason",
    "name",
    "phone",
)


def _to_tell(
    plan: Plan, registrations: Sequence[Registration], people: PersonalData
) -> pd.DataFrame:
    """The re-plan's changes other than `kept`, by origin, destination and id."""
    by_id = {r.registration_id: r for r in registrations}
    rows = []
    for change in plan.changes:
        if change.change == "kept":
            continue
        registration = by_id.get(change.registration_id)
        shown = people.fields(change.registration_id)
        rows.append(
            {
                "origin": registration.origin.label if registration else "",
                "destination": registration.destination.label if registration else "",
                "registration_id": change.registration_id,
                "change": change.change,
                "from_trips": " ".join(change.from_trips),
                "to_trips": " ".join(change.to_trips),
                "reason": change.reason,
                "name": shown["name"],
                "phone": shown["phone"],
            }
        )
    table = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return table.sort_values(["origin", "destination", "registration_id"], kind="stable")


class _SheetWriter:
    """Writes a table into a worksheet as pandas' `to_excel` does (a bold, bordered header
    row; dates as Excel dates; blanks for missing values), straight through xlsxwriter: a
    plan has a sheet per trip, and pandas' writer took most of plan.xlsx's time on them."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "border": 1, "align": "center", "valign": "top"}
        )
        self.moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})

    def write(self, sheet: Any, table: pd.DataFrame, first_row: int) -> None:
        """`table` with its header at `first_row`, without its index."""
        sheet.write_row(first_row, 0, [str(c) for c in table.columns], self.header)
        for column, (_, values) in enumerate(table.items()):
            for offset, value in enumerate(values.tolist(), start=first_row + 1):
                if (
                    value is None
                    or value is pd.NaT
                    or (isinstance(value, float) and value != value)
                ):
                    continue
                if isinstance(value, (pd.Timestamp, dt.datetime)):
                    sheet.write_datetime(offset, column, value, self.moment)
                else:
                    sheet.write(offset, column, value)


def _sheet_name(trip_id: str) -> str:
    """What Excel accepts as a sheet name: no []:*?/\\, no leading or trailing apostrophe,
    at most 31 characters (27 here, leaving room for a "-2")."""
    return re.sub(r"[\[\]:*?/\\]", "_", trip_id).strip("'")[:27]


def _not_served(plan: Plan) -> pd.DataFrame:
    rows = [
        {
            "registration_id": u.registration_id,
            "row": None,
            "status": "unassigned",
            "reason": u.reason,
        }
        for u in plan.unassigned
    ] + [
        {
            "registration_id": r.registration_id,
            "row": r.row,
            "status": "rejected",
            "reason": r.reason,
        }
        for r in plan.rejected
    ]
    return pd.DataFrame(rows, columns=["registration_id", "row", "status", "reason"])


def _advised(plan: Plan, people: PersonalData) -> pd.DataFrame:
    """The advised registrations: mode, why, estimated cost, and whom to call."""
    rows = [
        {
            "registration_id": a.registration_id,
            "mode": a.mode,
            "reason": a.reason,
            "cost": a.cost,
            **people.fields(a.registration_id),
        }
        for a in plan.advised
    ]
    columns = ["registration_id", "mode", "reason", "cost", *PERSONAL_FIELDS]
    return pd.DataFrame(rows, columns=columns)


def _suggested(
    plan: Plan, registrations: Sequence[Registration], people: PersonalData
) -> pd.DataFrame:
    """The date suggestions, one row per person asked, in the plan's order (by group)."""
    windows = {r.registration_id: (r.earliest_date, r.latest_date) for r in registrations}
    sizes: dict[int, int] = {}
    for s in plan.date_suggestions:
        sizes[s.group] = sizes.get(s.group, 0) + 1
    rows = [
        {
            "group": s.group,
            "registration_id": s.registration_id,
            "window": "{} - {}".format(*windows[s.registration_id])
            if s.registration_id in windows
            else "",
            "move_to": s.move_to,
            "trip_id": s.trip_id,
            "saves_vehicles": s.saves_vehicles,
            "saved_per_registration_asked": round(s.saves_vehicles / sizes[s.group], 3),
            **people.fields(s.registration_id),
        }
        for s in plan.date_suggestions
    ]
    columns = [
        "group", "registration_id", "window", "move_to", "trip_id", "saves_vehicles",
        "saved_per_registration_asked", *PERSONAL_FIELDS,
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)

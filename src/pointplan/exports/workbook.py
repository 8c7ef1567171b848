"""plan.xlsx: the manifests a transport department prints and hands out.

Sheets: `summary` (the plan's figures), `trips` (one row per trip), `boarding` (the
per-pickup-point list: who boards which vehicle where and when, for the people who run each
assembly point), one sheet per trip (its stops, then its passenger list, 乘客信息登记表; a plan
of more than `SHEET_PER_TRIP_UP_TO` trips has instead the sheets `manifests`, `manifests 2`,
... of `TRIPS_PER_MANIFESTS_SHEET` trips each, every trip a block of its heading, stops and
passenger list, with a page break before each: a workbook of thousands of tabs is one nobody
can find a trip in, and Excel allows 1,023 page breaks a sheet), and
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
from dataclasses import dataclass
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
SHEET_PER_TRIP_UP_TO = 500
"""Plans of at most this many trips get a sheet per trip; larger ones stacked manifests."""
TRIPS_PER_MANIFESTS_SHEET = 1000
"""Trips on one stacked manifests sheet (each after a page break; Excel allows 1,023)."""
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
    routes = _Table.groups(stops, "trip_id")
    lists = _Table.groups(listed.assign(trip_id=riders["trip_id"]), "trip_id")
    summary = plan.summary.model_dump()
    with pd.ExcelWriter(path, engine="xlsxwriter") as book:
        # A fixed creation date, so that the same plan gives the same file.
        book.book.set_properties({"created": dt.datetime(2000, 1, 1)})
        sheet_writer = _SheetWriter(book.book)
        sheet_writer.sheet(
            "summary", pd.DataFrame({"figure": list(summary), "value": list(summary.values())})
        )
        sheet_writer.sheet("trips", trips_table(plan.trips))
        sheet_writer.sheet(
            "boarding",
            boarding.sort_values(["date", "pickup", "departure", "trip_id"], kind="stable"),
        )
        if len(plan.trips) <= SHEET_PER_TRIP_UP_TO:
            sheets = unique_names((t.trip_id for t in plan.trips), _sheet_name, FIXED_SHEETS)
            for trip in plan.trips:
                route = routes.get(trip.trip_id, _Table.empty(routes))
                sheet = book.book.add_worksheet(sheets[trip.trip_id])
                sheet_writer.write(sheet, route, 0)
                riding = lists.get(trip.trip_id, _Table.empty(lists))
                sheet_writer.write(sheet, riding, len(route) + 2)
        else:
            _stacked_manifests(book.book, sheet_writer, plan, routes, lists)
        sheet_writer.sheet("not served", _not_served(plan))
        if plan.advised:
            sheet_writer.sheet("advised", _advised(plan, people))
        if plan.date_suggestions:
            sheet_writer.sheet("date suggestions", _suggested(plan, registrations, people))
        if plan.base_plan is not None:
            sheet_writer.sheet("changes", _to_tell(plan, registrations, people))
        if plan.buses:
            sheet_writer.sheet("buses", _buses(plan))
            sheet_writer.sheet("fleet sizing", _fleet_sizing(plan))


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


def _stacked_manifests(
    workbook: Any,
    sheet_writer: _SheetWriter,
    plan: Plan,
    routes: dict[str, _Table],
    lists: dict[str, _Table],
) -> None:
    """The trips' manifests stacked on `manifests` sheets (see the module)."""
    for first in range(0, len(plan.trips), TRIPS_PER_MANIFESTS_SHEET):
        number = first // TRIPS_PER_MANIFESTS_SHEET + 1
        sheet = workbook.add_worksheet("manifests" if number == 1 else f"manifests {number}")
        row, breaks = 0, []
        for trip in plan.trips[first : first + TRIPS_PER_MANIFESTS_SHEET]:
            if row:
                breaks.append(row)
            heading = [trip.trip_id, trip.date.isoformat(), trip.departure, trip.vehicle_type]
            sheet.write_row(
                row, 0, [*heading, f"乘客 passengers {trip.passengers}"], sheet_writer.bold
            )
            route = routes.get(trip.trip_id, _Table.empty(routes))
            sheet_writer.write(sheet, route, row + 1)
            people = lists.get(trip.trip_id, _Table.empty(lists))
            sheet_writer.write(sheet, people, row + len(route) + 3)
            row += len(route) + len(people) + 5
        sheet.set_h_pagebreaks(breaks)


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
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.bold = workbook.add_format({"bold": True})
        self.workbook = workbook

    def sheet(self, name: str, table: pd.DataFrame) -> None:
        """A new sheet `name` holding `table`."""
        self.write(self.workbook.add_worksheet(name), _Table.of(table), 0)

    def write(self, sheet: Any, table: _Table, first_row: int) -> None:
        """`table` with its header at `first_row`. Each cell goes to the writer of its type
        (a text stays text, as pandas writes it)."""
        sheet.write_row(first_row, 0, table.columns, self.header)
        for offset, row in enumerate(table.rows, start=first_row + 1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(offset, column, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(offset, column, value)
                elif isinstance(value, (int, float)):
                    if value == value:  # not NaN: a missing value is a blank
                        sheet.write_number(offset, column, value)
                elif isinstance(value, (pd.Timestamp, dt.datetime)):
                    if not pd.isna(value):
                        sheet.write_datetime(offset, column, value, self.moment)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(offset, column, value, self.day)
                elif value is not None:
                    sheet.write(offset, column, value)


@dataclass(frozen=True)
class _Table:
    """A table as plain rows, for writing cell by cell without pandas in the loop."""

    columns: list[str]
    rows: list[list[Any]]

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def of(cls, table: pd.DataFrame) -> _Table:
        """The rows of `table`, as Python values, without its index."""
        return cls([str(c) for c in table.columns], table.astype(object).to_numpy().tolist())

    @classmethod
    def groups(cls, table: pd.DataFrame, key: str) -> dict[str, _Table]:
        """The rows of `table` by the value of its column `key`, without that column, in
        order."""
        whole = cls.of(table.drop(columns=[key]))
        found: dict[str, _Table] = {}
        for value, row in zip(table[key].tolist(), whole.rows, strict=True):
            found.setdefault(value, cls(whole.columns, [])).rows.append(row)
        return found

    @staticmethod
    def empty(groups: dict[str, _Table]) -> _Table:
        """A table of no rows with the columns of `groups`' tables."""
        return _Table(next(iter(groups.values())).columns if groups else [], [])


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

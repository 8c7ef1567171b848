"""The weekly tables (周报): return-to-work (返岗调查表) and return-home (返乡调查表).

Each table is one workbook with a region sheet (one row per league or city), one sheet per
league or city (盟市) with one row per county (旗县市区) and a total row, and one sheet for
counties outside Inner Mongolia or places without an adcode. Return-to-work rows are keyed
by the county of origin, return-home rows by the home county (the destination). Every count
is of people (party sizes), except columns that say vehicle-trips. Columns the inputs cannot
fill are present and empty. docs/weekly.md says what each column counts and how.

A registration's standing is taken at the end of the report week (Sunday 24:00, Beijing time):
events after that are not seen, so a week's report does not change as later events arrive.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from pointplan.domain.events import (
    CHINA_TIME,
    FOLLOW_UP,
    JOURNEY,
    EventKind,
    HealthResult,
    StatusEvent,
)
from pointplan.domain.fleet import is_rail_car
from pointplan.domain.places import Place
from pointplan.domain.plan import Plan, Trip
from pointplan.domain.registration import Direction, Need, Registration
from pointplan.domain.warnings import Thresholds, WarningLevel
from pointplan.geo.gazetteer import AdminUnit, Gazetteer, default_gazetteer
from pointplan.hr.warning import Returnee, indicators, level_of

log = logging.getLogger(__name__)

TABLES = {
    "return_to_work": Direction.RETURN_TO_WORK,
    "return_home": Direction.RETURN_HOME,
}
"""Table name (as in the file name) -> the direction of the registrations it counts."""
REGION = "15"
"""Adcode prefix of Inner Mongolia."""
REGION_SHEET = "全区 region"
OUTSIDE_SHEET = "区外及未定 outside or unknown"
CODE = "行政区划代码 adcode"
NAME = "名称 name"
TOTAL = "合计 total"
TOP_PLACES = 3
"""How many places the main-destinations (main-places) column names."""
NOT_PLANNED = "not_planned"
NOTES_SHEET = "说明 notes"
NOTE = "说明 note"


@dataclass(frozen=True)
class Week:
    """A report week, Monday to Sunday."""

    start: dt.date

    @property
    def end(self) -> dt.date:
        """The week's Sunday."""
        return self.start + dt.timedelta(days=6)

    @property
    def cutoff(self) -> dt.datetime:
        """The first moment after the week (the next Monday 00:00)."""
        return dt.datetime.combine(self.start + dt.timedelta(days=7), dt.time())

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def report_week(week_start: dt.date) -> Week:
    """The week starting on `week_start`; a day that is not a Monday is a `ValueError`."""
    if week_start.weekday() != 0:
        monday = week_start - dt.timedelta(days=week_start.weekday())
        raise ValueError(
            f"{week_start} is a {week_start:%A}, not a Monday; the week that holds it "
            f"starts on {monday}"
        )
    return Week(week_start)


@dataclass(frozen=True)
class Standing:
    """One registration as the weekly tables see it at the end of the week.

    `area` is the adcode of the end the table is keyed by (origin for return-to-work, home
    for return-home; empty when the place has none); `other` the prefecture-level name of the
    other end and `other_inside` whether it lies in the region.
    """

    people: int
    area: str
    other: str
    other_inside: bool
    new: bool
    departed: bool
    departed_in_week: bool
    carried_on: tuple[Trip, ...]  # every leg it rode this week, in order (none: not by plan)
    handed_over: bool
    tested: bool
    abnormal: bool
    not_travelled: str | None
    waiting: bool
    return_reason: str = ""
    needs: frozenset[str] = frozenset()
    offered: bool = False
    registered: dt.date | None = None
    served: frozenset[str] = frozenset()
    follow_up: str = ""


Count = Callable[[Sequence[Standing]], int | str]


class Column(NamedTuple):
    """A column of a weekly table: its header and how a group of standings fills it
    (`None`: the inputs cannot fill it and it stays empty), and what the inputs must give
    for it to be filled (`given`: one of `REASONS_GIVEN`, `NEEDS_GIVEN`, `JOBS_GIVEN`; None:
    always)."""

    header: str
    fill: Count | None
    given: str | None = None


REASONS_GIVEN, NEEDS_GIVEN, JOBS_GIVEN = "reasons", "needs", "jobs"
SERVED_GIVEN, FOLLOW_UP_GIVEN = "served", "follow-up"
"""What a column may wait for: return reasons, needs, the job offers pushed (by the jobs
file's matching or by need_offered events), need_served events, follow-up events."""


def weekly_tables(
    registrations: Sequence[Registration],
    plan: Plan,
    events: Sequence[StatusEvent],
    week_start: dt.date,
    gazetteer: Gazetteer | None = None,
    offered: Collection[str] | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, dict[str, pd.DataFrame]]:
    """The weekly tables of the week starting Monday `week_start`: table -> sheet -> rows.

    Tables are `return_to_work` and `return_home`. Sheets are `全区 region` (one row per
    league and one for outside or unknown places), then every league or city by name in
    adcode order (one row per county of the gazetteer, plus any other code registered
    there), then `区外及未定 outside or unknown`, each ending with a total row; then `说明
    notes`, saying how "registered" was counted. A registration counts from the day it
    registered (`registered_on`). Plan trips and
    events of registrations not in `registrations` are not counted (and logged).
    """
    week = report_week(week_start)
    places = gazetteer or default_gazetteer()
    _log_strangers(registrations, plan, events)
    tables = {}
    for table, (standings, columns) in _counted(
        registrations, plan, events, week, places, offered, thresholds
    ).items():
        counted = [r for r in registrations if r.direction is TABLES[table]]
        tables[table] = table_sheets(standings, columns, places)
        tables[table][NOTES_SHEET] = pd.DataFrame({NOTE: [registration_note(counted)]})
    return tables


def area_rows(
    registrations: Sequence[Registration],
    plan: Plan | None,
    events: Sequence[StatusEvent],
    week_start: dt.date,
    area: str,
    gazetteer: Gazetteer | None = None,
    offered: Collection[str] | None = None,
    thresholds: Thresholds | None = None,
    exact: bool = False,
) -> dict[str, dict[str, object]]:
    """One area's row of each weekly table (table -> column header -> value), counted as
    `weekly_tables` counts its rows, over the registrations keyed by a place in `area` (an
    adcode prefix; with `exact`, by `area` itself: a league's people whose county is not
    known): a county's report. Without a plan nobody rode a charter."""
    week = report_week(week_start)
    places = gazetteer or default_gazetteer()
    rows = {}
    for table, (standings, columns) in _counted(
        registrations, plan, events, week, places, offered, thresholds
    ).items():
        mine = [
            item
            for item in standings
            if (item.area == area if exact else item.area.startswith(area))
        ]
        row = _row(area, area_name(area, places), mine, columns)
        rows[table] = {key: None if value is pd.NA else value for key, value in row.items()}
    return rows


def _counted(
    registrations: Sequence[Registration],
    plan: Plan | None,
    events: Sequence[StatusEvent],
    week: Week,
    places: Gazetteer,
    offered: Collection[str] | None,
    thresholds: Thresholds | None,
) -> dict[str, tuple[list[Standing], list[Column]]]:
    """Each table's standings (registrations registered by the week's end) and columns
    (those the inputs cannot fill made empty)."""
    trips = plan.itineraries() if plan is not None else {}
    unassigned = {u.registration_id for u in plan.unassigned} if plan is not None else set()
    history = event_history(events, week)
    pushed = set(offered or ())
    kinds = {e.event for e in events}
    counted = {}
    for table, direction in TABLES.items():
        standings = [
            _with_offer(
                standing(
                    registration,
                    week,
                    trips.get(registration.registration_id, ()),
                    registration.registration_id in unassigned,
                    history.get(registration.registration_id, ()),
                    places,
                ),
                registration.registration_id in pushed,
            )
            for registration in registrations
            if registration.direction is direction and registered_on(registration) <= week.end
        ]
        mine = [r for r in registrations if r.direction is direction]
        known = {
            REASONS_GIVEN: any(r.return_reason for r in mine),
            NEEDS_GIVEN: any(r.needs for r in mine),
            JOBS_GIVEN: offered is not None or EventKind.NEED_OFFERED in kinds,
            SERVED_GIVEN: EventKind.NEED_SERVED in kinds,
            FOLLOW_UP_GIVEN: bool(kinds & FOLLOW_UP),
        }
        columns = [
            column if column.given is None or known[column.given] else _empty(column.header)
            for column in COLUMNS[table]
        ]
        if thresholds is not None:
            columns = [
                Column(c.header, _warning(thresholds, week.start)) if c.header == WARNINGS else c
                for c in columns
            ]
        counted[table] = (standings, columns)
    return counted


def combined_rows(
    code: str, name: str, rows: Sequence[dict[str, object]], table: str
) -> dict[str, object]:
    """The row of an area made by combining its areas' rows of `table` (a league's from its
    counties' submissions, the region's from its leagues'): counts add up (a vehicle-trip
    serving two counties counts in each); the main places rank the places the rows name,
    with their people added; the warnings list the rows' levels with how many rows raised
    each. A column empty in every row stays empty."""
    combined: dict[str, object] = {CODE: code, NAME: name}
    for column in COLUMNS[table]:
        values = [row.get(column.header) for row in rows]
        given = [v for v in values if v is not None and not (isinstance(v, float) and pd.isna(v))]
        if not given:
            combined[column.header] = None
        elif column.header == WARNINGS:
            combined[column.header] = _combined_warnings([str(v) for v in given])
        elif all(isinstance(v, int) for v in given):
            combined[column.header] = sum(int(v) for v in given)  # type: ignore[call-overload]
        else:
            combined[column.header] = _combined_places([str(v) for v in given])
    return combined


def _combined_places(cells: Sequence[str]) -> str:
    people: Counter[str] = Counter()
    for cell in cells:
        for part in filter(None, (p.strip() for p in cell.split(";"))):
            name, _, count = part.rpartition(" ")
            people[name] += int(count)
    ranked = sorted(people.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_PLACES]
    return "; ".join(f"{name} {n}" for name, n in ranked)


def _combined_warnings(cells: Sequence[str]) -> str:
    raised: Counter[str] = Counter()
    for cell in cells:
        if cell == NO_WARNING:
            continue
        if ":" in cell:  # a county's: its level, then why
            raised[cell.split(":")[0]] += 1
            continue
        for part in cell.split("; "):  # combined already: levels with counts
            label, _, count = part.rpartition(" x ")
            raised[label] += int(count)
    if not raised:
        return NO_WARNING
    order = [level.label for level in reversed(WarningLevel)]
    return "; ".join(f"{label} x {raised[label]}" for label in order if raised[label])


def registered_on(registration: Registration) -> dt.date:
    """The day a registration counts as registered: its `registered_at` (Beijing time),
    else the first day of its window."""
    if registration.registered_at is None:
        return registration.earliest_date
    return registration.registered_at.astimezone(CHINA_TIME).date()


def registration_note(registrations: Sequence[Registration]) -> str:
    """How a table counted "registered": by `registered_at`, and how many registrations
    lacked it and counted by their window's first day instead."""
    undated = [r for r in registrations if r.registered_at is None]
    if not undated:
        return "登记按报名时间统计 registered: counted by registered_at"
    people = sum(r.party_size for r in undated)
    return (
        f"{len(undated)} 条登记无报名时间, 按最早出行日期计入登记周 / {len(undated)} of "
        f"{len(registrations)} registrations ({people} people) have no registered_at and count "
        "as registered in the week their window starts"
    )


def write_weekly_report(
    out_dir: Path,
    registrations: Sequence[Registration],
    plan: Plan,
    events: Sequence[StatusEvent],
    week_start: dt.date,
    gazetteer: Gazetteer | None = None,
    offered: Collection[str] | None = None,
    thresholds: Thresholds | None = None,
) -> list[Path]:
    """Write `weekly_<table>_<week_start>.xlsx` for each table into `out_dir`; their paths
    (`offered`, `thresholds`: as for `weekly_tables`).

    The same inputs give byte-identical files (the workbook's creation date is the week's
    Monday).
    """
    tables = weekly_tables(registrations, plan, events, week_start, gazetteer, offered, thresholds)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, sheets in tables.items():
        path = out_dir / f"weekly_{table}_{week_start.isoformat()}.xlsx"
        write_sheets(path, sheets, dt.datetime.combine(week_start, dt.time()))
        paths.append(path)
    return paths


def event_history(events: Iterable[StatusEvent], week: Week) -> dict[str, tuple[StatusEvent, ...]]:
    """Each registration's events up to the end of `week`, oldest first (ties: file order)."""
    seen: dict[str, list[StatusEvent]] = {}
    for event in events:
        if event.time < week.cutoff:
            seen.setdefault(event.registration_id, []).append(event)
    return {
        rid: tuple(sorted(items, key=lambda e: (e.time, e.row or 0))) for rid, items in seen.items()
    }


def standing(
    registration: Registration,
    week: Week,
    itinerary: Sequence[Trip],
    unassigned: bool,
    history: Sequence[StatusEvent],
    gazetteer: Gazetteer,
) -> Standing:
    """Where `registration` stands at the end of `week`, given its plan trips (one per leg,
    none when it has none), whether the plan left it unassigned, and its events up to the
    end of the week. The journey's events say where it stands; the follow-up after a
    handover and the ledger's steps say what came after."""
    trip = itinerary[0] if itinerary else None
    services = [e for e in history if e.event not in JOURNEY]
    history = [e for e in history if e.event in JOURNEY]
    latest = history[-1] if history else None
    withdrawn = latest is not None and latest.withdrawal_reason is not None
    cancelled = latest is not None and latest.event is EventKind.CANCELLED
    departed_on = departure_date(trip, history, withdrawn)
    departed = departed_on is not None and departed_on <= week.end
    this_week = [e for e in history if e.time.date() in week]
    key, other = keyed_ends(registration)
    return Standing(
        people=registration.party_size,
        area=key.adcode or "",
        other=prefecture_name(other, gazetteer),
        other_inside=(other.adcode or "").startswith(REGION),
        new=registered_on(registration) in week,
        departed=departed,
        departed_in_week=departed_on in week,
        carried_on=tuple(itinerary) if departed_on in week else (),
        handed_over=any(e.event is EventKind.HANDED_OVER for e in this_week),
        tested=any(e.event is EventKind.HEALTH_CHECKED for e in this_week),
        abnormal=any(e.result is HealthResult.ABNORMAL for e in this_week),
        not_travelled=None
        if departed
        else not_travelled_reason(registration, week, unassigned, latest),
        waiting=not departed
        and not cancelled
        and not unassigned
        and registration.latest_date > week.end,
        return_reason=registration.return_reason.value if registration.return_reason else "",
        needs=frozenset(need.value for need in registration.needs),
        registered=registered_on(registration),
        # A step for a need the registration does not list is not the ledger's (docs/hr.md).
        served=frozenset(
            e.need.value
            for e in services
            if e.event is EventKind.NEED_SERVED and e.need in registration.needs
        ),
        offered=Need.JOB in registration.needs
        and any(e.event is EventKind.NEED_OFFERED and e.need is Need.JOB for e in services),
        follow_up=next((e.event.value for e in reversed(services) if e.event in FOLLOW_UP), ""),
    )


def keyed_ends(registration: Registration) -> tuple[Place, Place]:
    """(the end a table row is keyed by, the other end): origin first for return-to-work,
    home (the destination) first for return-home."""
    if registration.direction is Direction.RETURN_TO_WORK:
        return registration.origin, registration.destination
    return registration.destination, registration.origin


def departure_date(
    trip: Trip | None, history: Sequence[StatusEvent], withdrawn: bool
) -> dt.date | None:
    """When a registration left: its first `boarded` event, else its plan trip's date
    (unless its latest event cancelled or rescheduled it), else its first `handed_over`."""
    boarded = [e.time.date() for e in history if e.event is EventKind.BOARDED]
    if boarded:
        return min(boarded)
    if trip is not None and not withdrawn:
        return trip.date
    handed_over = [e.time.date() for e in history if e.event is EventKind.HANDED_OVER]
    return min(handed_over) if handed_over else None


def not_travelled_reason(
    registration: Registration, week: Week, unassigned: bool, latest: StatusEvent | None
) -> str | None:
    """Why a registration that has not left counts as not travelled this week, if it does:
    the reason of a cancellation or rescheduling made this week that is still its latest
    event; or `not_planned` when the plan left it unassigned and its window starts this week.
    """
    if latest is not None and latest.withdrawal_reason is not None:
        return latest.withdrawal_reason.value if latest.time.date() in week else None
    if unassigned and registration.earliest_date in week:
        return NOT_PLANNED
    return None


def prefecture_name(place: Place, gazetteer: Gazetteer) -> str:
    """The league, city or province a place lies in ('包头市', '北京市'); its label if it
    has no adcode."""
    code = place.adcode or ""
    for prefix in (code[:4], code[:2]):
        unit = gazetteer.by_code.get(prefix.ljust(12, "0")) if len(prefix) in (2, 4) else None
        if unit is not None:
            return unit.name
    return place.label


def table_sheets(
    standings: Sequence[Standing], columns: Sequence[Column], gazetteer: Gazetteer
) -> dict[str, pd.DataFrame]:
    """The sheets of one table (see `weekly_tables`) from its registrations' standings."""
    leagues = region_leagues(gazetteer)
    by_sheet: dict[str | None, list[Standing]] = {}
    for item in standings:
        league = item.area[:4] if item.area.startswith(REGION) else ""
        by_sheet.setdefault(league if league in leagues else None, []).append(item)
    region_rows = [
        _row(code, unit.name, by_sheet.get(code, []), columns) for code, unit in leagues.items()
    ]
    region_rows.append(_row("", OUTSIDE_SHEET, by_sheet.get(None, []), columns))
    sheets = {REGION_SHEET: _frame(region_rows, standings, columns)}
    for code, unit in leagues.items():
        counties = [c.short_code for c in gazetteer.by_code.values() if _is_county_of(c, code)]
        sheets[unit.name] = _area_sheet(by_sheet.get(code, []), counties, columns, gazetteer)
    sheets[OUTSIDE_SHEET] = _area_sheet(by_sheet.get(None, []), [], columns, gazetteer)
    return sheets


def region_leagues(gazetteer: Gazetteer) -> dict[str, AdminUnit]:
    """The leagues and cities of Inner Mongolia by 4-digit adcode, in adcode order."""
    units = [u for u in gazetteer.by_code.values() if u.level == 2 and u.code.startswith(REGION)]
    return {unit.short_code: unit for unit in sorted(units, key=lambda u: u.code)}


def _is_county_of(unit: AdminUnit, league: str) -> bool:
    return unit.level == 3 and unit.code.startswith(league)


def _area_sheet(
    standings: Sequence[Standing],
    counties: Iterable[str],
    columns: Sequence[Column],
    gazetteer: Gazetteer,
) -> pd.DataFrame:
    by_area: dict[str, list[Standing]] = {code: [] for code in counties}
    for item in standings:
        by_area.setdefault(item.area, []).append(item)
    # Counties first by code, then codes above county level, then places without a code.
    order = sorted(by_area, key=lambda code: (code == "", len(code) != 6, code))
    rows = [_row(code, area_name(code, gazetteer), by_area[code], columns) for code in order]
    return _frame(rows, standings, columns)


def area_name(code: str, gazetteer: Gazetteer) -> str:
    """A row's name: the county's name inside the region, the place with its parents outside,
    and a note where the registration gave no county."""
    if not code:
        return "未知 unknown (no adcode)"
    unit = gazetteer.by_code.get(code.ljust(12, "0"))
    if unit is None:
        return f"{code} (不在区划表 not a known adcode)"
    if not code.startswith(REGION):
        return gazetteer.label(unit)
    if unit.level == 3:
        return unit.name
    note = "未指明旗县 county not given" if unit.level == 2 else "未指明盟市 league not given"
    return f"{unit.name} ({note})"


def _row(
    code: str, name: str, group: Sequence[Standing], columns: Sequence[Column]
) -> dict[str, object]:
    row: dict[str, object] = {CODE: code, NAME: name}
    for column in columns:
        row[column.header] = pd.NA if column.fill is None else column.fill(group)
    return row


def _frame(
    rows: list[dict[str, object]], everyone: Sequence[Standing], columns: Sequence[Column]
) -> pd.DataFrame:
    rows = [*rows, _row("", TOTAL, everyone, columns)]
    frame = pd.DataFrame(rows, columns=[CODE, NAME, *(c.header for c in columns)])
    empty = [c.header for c in columns if c.fill is None]
    return frame.astype(dict.fromkeys(empty, "Int64"))


def write_sheets(path: Path, sheets: dict[str, pd.DataFrame], created: dt.datetime) -> None:
    """Write one weekly table's sheets to an XLSX workbook, headers wrapped and the code and
    name columns frozen; `created` is the workbook's creation date (kept fixed so that the
    file depends on its content only)."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        book.set_properties({"created": created})
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        total = book.add_format({"bold": True})
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for number, title in enumerate(frame.columns):
                sheet.write(0, number, title, header)
            if name == NOTES_SHEET:
                sheet.set_column(0, 0, 120)
                continue
            sheet.set_row(0, 64)
            sheet.set_row(len(frame), None, total)
            sheet.set_column(0, 0, 12)
            sheet.set_column(1, 1, 28)
            sheet.set_column(2, len(frame.columns) - 1, 13)
            sheet.freeze_panes(1, 2)


def _log_strangers(
    registrations: Sequence[Registration], plan: Plan, events: Sequence[StatusEvent]
) -> None:
    known = {r.registration_id for r in registrations}
    on_trips = {rid for trip in plan.trips for rid in trip.registration_ids()}
    strangers = (on_trips | {e.registration_id for e in events}) - known
    if strangers:
        log.warning(
            "%d registration(s) of the plan or the events are not among the registrations "
            "and are not counted: %s",
            len(strangers),
            ", ".join(sorted(strangers)[:10]),
        )


# --- what the columns count -------------------------------------------------------------


def _people(test: Callable[[Standing], bool]) -> Count:
    def count(group: Sequence[Standing]) -> int:
        return sum(item.people for item in group if test(item))

    return count


def _carried_trips(group: Sequence[Standing], rail: bool | None = None) -> list[Trip]:
    trips = {trip.trip_id: trip for item in group for trip in item.carried_on}
    return [
        trip
        for _, trip in sorted(trips.items())
        if rail is None or is_rail_car(trip.vehicle_type) == rail
    ]


def _vehicle_trips(rail: bool) -> Count:
    def count(group: Sequence[Standing]) -> int:
        return len(_carried_trips(group, rail))

    return count


def _carried_people(rail: bool) -> Count:
    return _people(lambda item: any(is_rail_car(t.vehicle_type) == rail for t in item.carried_on))


def _escorts(group: Sequence[Standing]) -> int:
    return sum(len(trip.escort_seats) for trip in _carried_trips(group))


def _main_places(test: Callable[[Standing], bool]) -> Count:
    def count(group: Sequence[Standing]) -> str:
        people: Counter[str] = Counter()
        for item in group:
            if test(item):
                people[item.other] += item.people
        ranked = sorted(people.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_PLACES]
        return "; ".join(f"{name} {n}" for name, n in ranked)

    return count


def _reason(reason: str) -> Count:
    return _people(lambda item: item.not_travelled == reason)


def _empty(header: str) -> Column:
    return Column(header, None)


def _because(reason: str) -> Count:
    return _people(lambda item: item.return_reason == reason)


def _needing(need: str) -> Count:
    return _people(lambda item: need in item.needs)


WARNINGS = "预警 warnings"
NO_WARNING = "无 none"


def _warning(thresholds: Thresholds, week_start: dt.date) -> Count:
    """The early-warning level of a row's (or a sheet's) returnees in the week."""

    def level(group: Sequence[Standing]) -> str:
        found = indicators(
            (
                Returnee(
                    item.registered,
                    item.people,
                    item.return_reason,
                    "rights" in item.needs and "rights" not in item.served,
                )
                for item in group
                if item.registered is not None
            ),
            week_start,
            thresholds.weeks_before,
        )
        raised, reasons = level_of(found, thresholds)
        return f"{raised.label}: {'; '.join(reasons)}" if raised else NO_WARNING

    return level


def _serving(need: str) -> Count:
    return _people(lambda item: need in item.served)


def _following(kind: str) -> Count:
    return _people(lambda item: item.follow_up == kind)


def _with_offer(item: Standing, matched: bool) -> Standing:
    return replace(item, offered=item.offered or matched) if matched else item


def _offers(group: Sequence[Standing]) -> int:
    """Job offers pushed (one per registration matched)."""
    return sum(1 for item in group if item.offered)


def _everyone(item: Standing) -> bool:
    return True


def _by_plan(item: Standing) -> bool:
    return bool(item.carried_on)


_RAIL_AND_AIR = (
    Column("铁路车次/车厢 rail (trains or carriages)", _vehicle_trips(rail=True)),
    Column("铁路人数 rail (people)", _carried_people(rail=True)),
    _empty("航班 air (flights)"),
    _empty("航空人数 air (people)"),
)

RETURN_TO_WORK_COLUMNS = (
    Column("登记人数(累计) registered (total)", _people(_everyone)),
    Column("本周登记 registered (this week)", _people(lambda item: item.new)),
    Column("其中去区内 of total: inside the region", _people(lambda item: item.other_inside)),
    Column("其中去区外 of total: outside the region", _people(lambda i: not i.other_inside)),
    Column("本周返岗 departed (this week)", _people(lambda item: item.departed_in_week)),
    Column("其中点对点 of which point-to-point", _people(_by_plan)),
    Column("汽车包车车次 coach charters (vehicle-trips)", _vehicle_trips(rail=False)),
    Column("汽车包车人数 coach charters (people)", _carried_people(rail=False)),
    *_RAIL_AND_AIR,
    Column("主要去向 main destinations", _main_places(lambda item: item.departed_in_week)),
    Column("随车工作人员 escorts sent", _escorts),
    Column("到达交接 handed over", _people(lambda item: item.handed_over)),
    Column("行前检测 pre-trip tests (done)", _people(lambda item: item.tested)),
    Column("检测异常 pre-trip tests (abnormal)", _people(lambda item: item.abnormal)),
    Column(
        "登记未成行 registered but not travelled (total)",
        _people(lambda item: item.not_travelled is not None),
    ),
    Column("未成行:取消 not travelled: cancelled", _reason("cancelled")),
    Column("未成行:改期 not travelled: rescheduled", _reason("rescheduled")),
    Column("未成行:健康原因 not travelled: health", _reason("health")),
    Column("未成行:工作变动 not travelled: job changed", _reason("job_changed")),
    Column("未成行:未排上车 not travelled: no trip in the plan", _reason(NOT_PLANNED)),
    Column("待下周返岗 waiting for next week", _people(lambda item: item.waiting)),
)
"""The return-to-work table's columns after the adcode and name."""

RETURN_HOME_COLUMNS = (
    _empty("滞留人数 stranded"),
    Column("有返乡意愿(累计登记) wishing to return (registered, total)", _people(_everyone)),
    Column("本周登记 registered (this week)", _people(lambda item: item.new)),
    Column("所在地区内 where they are: inside the region", _people(lambda i: i.other_inside)),
    Column("所在地区外 where they are: outside the region", _people(lambda i: not i.other_inside)),
    Column("主要所在地 main places they are", _main_places(_everyone)),
    Column("已返乡(累计) returned (total)", _people(lambda item: item.departed)),
    Column("本周返乡 returned (this week)", _people(lambda item: item.departed_in_week)),
    Column("其中点对点 of which point-to-point", _people(_by_plan)),
    Column("汽车包车车次 coach charters (vehicle-trips)", _vehicle_trips(rail=False)),
    Column("汽车包车人数 coach charters (people)", _carried_people(rail=False)),
    *_RAIL_AND_AIR,
    Column("到达交接 handed over", _people(lambda item: item.handed_over)),
    Column("集中隔离 in quarantine", _following("quarantined"), FOLLOW_UP_GIVEN),
    Column("居家健康监测 in health monitoring", _following("monitored"), FOLLOW_UP_GIVEN),
    Column(
        "非自愿返乡:停工停产 involuntary returns: stoppage", _because("stoppage"), REASONS_GIVEN
    ),
    Column("非自愿返乡:裁员 involuntary returns: layoff", _because("layoff"), REASONS_GIVEN),
    Column(
        "非自愿返乡:欠薪 involuntary returns: unpaid wages", _because("unpaid_wages"), REASONS_GIVEN
    ),
    Column("就业需求 job needs", _needing("job"), NEEDS_GIVEN),
    Column("推送岗位 jobs pushed", _offers, JOBS_GIVEN),
    Column("实现就业 employed", _serving("job"), SERVED_GIVEN),
    Column("培训需求 training needs", _needing("training"), NEEDS_GIVEN),
    Column("已培训 trained", _serving("training"), SERVED_GIVEN),
    Column("创业意愿 entrepreneurship wishes", _needing("business"), NEEDS_GIVEN),
    Column("创业服务 entrepreneurship served", _serving("business"), SERVED_GIVEN),
    Column("维权诉求 rights claims", _needing("rights"), NEEDS_GIVEN),
    Column("维权已解决 rights claims resolved", _serving("rights"), SERVED_GIVEN),
    _empty(WARNINGS),
)
"""The return-home table's columns after the adcode and name."""

COLUMNS = {"return_to_work": RETURN_TO_WORK_COLUMNS, "return_home": RETURN_HOME_COLUMNS}

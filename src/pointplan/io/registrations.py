"""Registrations from CSV, XLSX, a DataFrame or a list of records, validated row by row.

Every row ends in exactly one place: a valid `Registration`, or a `Rejection` that names the
row, the columns and why. A column the table does not know is refused, naming it. A row that
names a pickup or drop-off point boards or leaves there (the point must exist); otherwise it
boards at its origin and leaves at its destination until a planner chooses otherwise
(`pointplan.build_problem` chooses the nearest pickup point): reading decides nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import SecretStr

from pointplan.domain.events import CHINA_TIME
from pointplan.domain.personal import phone_problem, resident_id_problem
from pointplan.domain.places import Place, Point
from pointplan.domain.plan import Rejection
from pointplan.domain.registration import Direction, Need, Registration, ReturnReason
from pointplan.domain.text import id_problem, text_problem
from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer
from pointplan.io.aliases import NEED_ALIASES, RETURN_REASON_ALIASES, with_column_names
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.tables import Table, missing_columns, read_table, refuse_unknown_columns

COLUMNS = (
    "registration_id",
    "direction",
    "origin",
    "origin_lat",
    "origin_lon",
    "destination",
    "destination_lat",
    "destination_lon",
    "earliest_date",
    "latest_date",
    "party_size",
    "name",
    "id_number",
    "phone",
    "pickup_point",
    "dropoff_point",
    "registered_at",
    "employer",
    "trade",
    "return_reason",
    "needs",
)
"""Every column of the registrations table, in the order of interchange.md."""
REQUIRED = ("registration_id", "direction", "earliest_date", "latest_date")
DIRECTIONS = {
    "return_to_work": Direction.RETURN_TO_WORK,
    "返岗": Direction.RETURN_TO_WORK,
    "return_home": Direction.RETURN_HOME,
    "返乡": Direction.RETURN_HOME,
}
_WHOLE = re.compile(r"^-?\d+(\.0*)?$")
MAX_PARTY = 99
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
COUNTY_WITHIN_KM = 50.0
"""How near a county's seat must be to give coordinates without a code their county."""
_DATE = re.compile(
    r"^(\d{4})(?:[-/年](\d{1,2})[-/月](\d{1,2})日?|(\d{2})(\d{2}))(?:[ T]00:00(?::00)?)?$"
)
"""2022-11-21, 2022/11/21, 2022年11月21日, 20221121 (a time of midnight allowed)."""
_MOMENT = re.compile(r"^(?P<date>[^ T]+)(?:[ T]+(?P<time>\d{1,2}:\d{2}\S*))?$")
"""A date as `_DATE` has it, then optionally a time of day with or without an offset."""
_NEEDS_SEPARATOR = re.compile(r"[;；、]")
MAX_LABEL = 100
"""The longest employer or trade, in characters."""


@dataclass(frozen=True)
class RegistrationBatch:
    """What a registrations table gave: valid registrations, rejected rows, the issues, and
    notes on valid rows (what the reader inferred, such as a county from coordinates)."""

    registrations: tuple[Registration, ...]
    rejected: tuple[Rejection, ...]
    issues: tuple[InputIssue, ...]
    notes: tuple[InputIssue, ...] = ()

    def ids(self) -> set[str]:
        """The registration ids of the table, valid rows and rejected ones alike."""
        return {r.registration_id for r in self.registrations} | {
            r.registration_id for r in self.rejected if r.registration_id
        }

    @property
    def rows(self) -> int:
        """Input rows read (valid + rejected)."""
        return len(self.registrations) + len(self.rejected)

    def require_valid(self, keep_going: bool, then: str = "plan the rest") -> None:
        """Raise `InputError` listing every bad row, unless there is none or `keep_going`
        (then the bad rows go on as rejected); `then` says what keeping going does."""
        if self.issues and not keep_going:
            summary = InputIssue(
                "registrations",
                f"{len(self.rejected)} of {self.rows} rows are not valid; fix them, or run with "
                f"--keep-going to {then} and list these as rejected",
            )
            raise InputError([*self.issues, summary])


RegistrationTable = Path | str | pd.DataFrame | Sequence[Mapping[Any, Any]]
"""A registrations table: a CSV or XLSX file, a DataFrame, or records (the columns as keys,
as the HTTP API receives them; row numbers then count the header as row 1 too)."""


def read_registrations(
    source: RegistrationTable,
    points: Sequence[Point] = (),
    gazetteer: Gazetteer | None = None,
    county_within_km: float = COUNTY_WITHIN_KM,
) -> RegistrationBatch:
    """Read and validate registrations. Bad rows become rejections; nothing is dropped.

    `points` are those a row may name as its pickup or drop-off point. An end given by a
    place code (or name) and coordinates keeps the code's county for its area; one given by
    coordinates alone gets the county whose seat is nearest, anywhere in the place table,
    when it is within `county_within_km`, else no area; either way a note says so. A
    file-level problem (unreadable file, missing or unknown column) raises `InputError`.
    """
    table = read_table(_as_table_source(source))
    if isinstance(source, (str, Path, pd.DataFrame)):
        # a file's (or a DataFrame's) Chinese headers; the API's keys are the columns
        table = with_column_names(table)
    return RegistrationReader(points, gazetteer, county_within_km).read(table)


class RegistrationReader:
    """Validates a registrations table a chunk at a time (`pointplan.io.tables.read_table_chunks`),
    remembering the ids seen so that a duplicate in a later chunk is refused as in a whole
    table. The arguments are `read_registrations`'."""

    def __init__(
        self,
        points: Sequence[Point] = (),
        gazetteer: Gazetteer | None = None,
        county_within_km: float = COUNTY_WITHIN_KM,
    ) -> None:
        self._points = {p.point_id: p for p in points}
        self._gazetteer = gazetteer or default_gazetteer()
        self._county_within_km = county_within_km
        self._first_row: dict[str, int] = {}

    def read(self, table: Table) -> RegistrationBatch:
        """The registrations of `table` (its columns named as the interchange's: see
        `with_column_names`), validated; a missing or unknown column raises `InputError`."""
        name = table.name
        check_columns(table)
        reader = _RowReader(name, self._points, self._gazetteer, self._county_within_km)
        registrations: list[Registration] = []
        rejected: list[Rejection] = []
        issues: list[InputIssue] = []
        first_row = self._first_row
        for row, why in table.unreadable:
            issues.append(InputIssue(name, why, row))
            rejected.append(Rejection(row=row, registration_id=None, reason=why))
        for record in table.records:
            row = record.row
            registration, row_issues = reader.read(row, record.cells)
            rid = valid_id(record.cells.get("registration_id", ""))
            if rid is not None and rid in first_row:
                row_issues.append(
                    InputIssue(
                        name,
                        f"duplicate registration_id (first on row {first_row[rid]})",
                        row,
                        "registration_id",
                        rid,
                    )
                )
            elif rid is not None:
                first_row[rid] = row
            if row_issues or registration is None:
                issues.extend(row_issues)
                reason = "; ".join(
                    f"{i.column}: {i.message}" if i.column else i.message for i in row_issues
                )
                rejected.append(Rejection(row=row, registration_id=rid, reason=reason))
            else:
                registrations.append(registration)
        rejected.sort(key=lambda r: r.row)
        issues.sort(key=lambda i: i.row or 0)
        valid_rows = {r.row for r in registrations}
        notes = tuple(note for note in reader.notes if note.row in valid_rows)
        return RegistrationBatch(tuple(registrations), tuple(rejected), tuple(issues), notes)


def check_columns(table: Table) -> None:
    """`InputError` naming the columns a registrations table lacks, or has and should not."""
    missing = missing_columns(table, REQUIRED)
    for side in ("origin", "destination"):
        if side not in table.columns and not {f"{side}_lat", f"{side}_lon"} <= set(table.columns):
            missing.append(f"{side} (or {side}_lat and {side}_lon)")
    if missing:
        raise InputError([InputIssue(table.name, f"missing column(s): {', '.join(missing)}")])
    refuse_unknown_columns(table, COLUMNS)


def valid_id(text: str) -> str | None:
    """`text` stripped when it is a valid registration id, else None (so that a bad id is
    never repeated in a rejection)."""
    rid = text.strip()
    return rid if rid and id_problem(rid) is None else None


def county_of(
    gazetteer: Gazetteer, text: str, lat: float, lon: float, within_km: float = COUNTY_WITHIN_KM
) -> tuple[str | None, str]:
    """The county (adcode) of an end given by coordinates, and a note when it was inferred:
    the code's, when a place code or name `text` comes with them (no note); else the county
    whose seat is nearest, when within `within_km`; else none, the note saying why."""
    if text:
        try:
            return gazetteer.resolve(text).adcode, ""
        except PlaceNotFound:
            pass  # a label only: the coordinates decide
    unit, km = gazetteer.nearest_county(lat, lon)
    if km <= within_km:
        return (
            unit.short_code,
            f"county {unit.short_code} from the coordinates (its seat {km:.1f} km away)",
        )
    return None, f"no area: no county seat within {within_km:g} km of the coordinates"


def parse_date(text: str, column: str, problem: Callable[[str, str], None]) -> dt.date | None:
    """A date as offices write it (YYYY-MM-DD, YYYY/MM/DD, YYYY年MM月DD日 or YYYYMMDD,
    optionally with a time of 00:00) within FIRST_DATE..LAST_DATE, else None after telling
    `problem` (column, message) why not."""
    match = _DATE.match(text)
    if not match:
        message = "not a date (YYYY-MM-DD, YYYY/MM/DD, YYYY年MM月DD日 or YYYYMMDD)"
        problem(column, message if text else "empty date")
        return None
    year, month, day = (
        match.group(1),
        match.group(2) or match.group(4),
        match.group(3) or match.group(5),
    )
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        problem(column, "not a calendar date")
        return None
    if not FIRST_DATE <= value <= LAST_DATE:
        problem(column, f"outside {FIRST_DATE}..{LAST_DATE}")
        return None
    return value


def parse_moment(text: str, column: str, problem: Callable[[str, str], None]) -> dt.datetime | None:
    """A date or date-time (a date as `parse_date` reads it, then optionally a time of day
    and an offset; Beijing time when there is none) with its offset, else None after
    telling `problem` (column, message) why not."""
    match = _MOMENT.match(text)
    if not match:
        problem(column, "not a date or date-time (YYYY-MM-DD or YYYY-MM-DD HH:MM[+08:00])")
        return None
    day = parse_date(match["date"], column, problem)
    if day is None:
        return None
    clock = match["time"] or "00:00"
    try:
        time = dt.time.fromisoformat(clock if clock[2] == ":" else f"0{clock}")
    except ValueError:
        problem(column, "not a time of day (HH:MM or HH:MM:SS, optionally an offset)")
        return None
    return dt.datetime.combine(day, time, time.tzinfo or CHINA_TIME)


def _as_table_source(source: RegistrationTable) -> Path | pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, (str, Path)):
        return Path(source)
    records = list(source)
    columns = list(dict.fromkeys(key for record in records for key in record))
    return pd.DataFrame(records, columns=columns, dtype=object)


class _RowReader:
    def __init__(
        self,
        source: str,
        points: Mapping[str, Point],
        gazetteer: Gazetteer,
        county_within_km: float,
    ) -> None:
        self.source = source
        self.points = points
        self.county_within_km = county_within_km
        self.notes: list[InputIssue] = []
        self.gazetteer = gazetteer

    def read(
        self, row: int, record: Mapping[Any, Any]
    ) -> tuple[Registration | None, list[InputIssue]]:
        issues: list[InputIssue] = []
        rid = str(record.get("registration_id", "")).strip()
        shown_id = valid_id(rid)

        def problem(column: str, message: str) -> None:
            issues.append(InputIssue(self.source, message, row, column, shown_id))

        def cell(column: str) -> str:
            return str(record.get(column, "")).strip()

        for column in record:
            message = text_problem(str(record[column]))
            if message:
                problem(str(column), message)
        if issues:  # text that cannot be stored is judged no further
            return None, issues
        if not rid:
            problem("registration_id", "empty registration_id")
        elif shown_id is None:
            problem("registration_id", str(id_problem(rid)))
        direction = DIRECTIONS.get(cell("direction").lower())
        if direction is None:
            problem("direction", "not return_to_work or return_home (返岗 / 返乡)")

        def note(column: str, message: str) -> None:
            self.notes.append(InputIssue(self.source, message, row, column, shown_id))

        origin = self._place(cell, "origin", problem, note)
        destination = self._place(cell, "destination", problem, note)
        earliest = parse_date(cell("earliest_date"), "earliest_date", problem)
        latest = parse_date(cell("latest_date"), "latest_date", problem)
        if earliest and latest and earliest > latest:
            problem("earliest_date", "after latest_date")
        party_size = self._party_size(cell("party_size"), problem)
        for column, check in (("id_number", resident_id_problem), ("phone", phone_problem)):
            message = check(cell(column)) if cell(column) else None
            if message:
                problem(column, message)
        if len(cell("name")) > 64:
            problem("name", "longer than 64 characters")
        pickup_point = self._point(cell("pickup_point"), "pickup_point", problem)
        dropoff_point = self._point(cell("dropoff_point"), "dropoff_point", problem)
        registered_at = (
            parse_moment(cell("registered_at"), "registered_at", problem)
            if cell("registered_at")
            else None
        )
        for column in ("employer", "trade"):
            if len(cell(column)) > MAX_LABEL:
                problem(column, f"longer than {MAX_LABEL} characters")
        return_reason = self._return_reason(cell("return_reason"), problem)
        needs = self._needs(cell("needs"), problem)
        if direction is Direction.RETURN_TO_WORK:
            for column in ("return_reason", "needs"):
                if cell(column):
                    problem(column, "for return_home only")

        if issues or None in (direction, origin, destination, earliest, latest, party_size):
            return None, issues
        assert origin and destination and direction and earliest and latest and party_size
        pickup: Place = pickup_point or origin
        dropoff: Place = dropoff_point or destination
        return Registration(
            registration_id=rid,
            direction=direction,
            origin=origin,
            destination=destination,
            earliest_date=earliest,
            latest_date=latest,
            party_size=party_size,
            pickup=pickup,
            dropoff=dropoff,
            pickup_point_id=pickup_point.point_id if pickup_point else None,
            dropoff_point_id=dropoff_point.point_id if dropoff_point else None,
            name=SecretStr(cell("name")) if cell("name") else None,
            id_number=SecretStr(cell("id_number").upper()) if cell("id_number") else None,
            phone=SecretStr(cell("phone")) if cell("phone") else None,
            registered_at=registered_at,
            employer=cell("employer") or None,
            trade=cell("trade") or None,
            return_reason=return_reason,
            needs=needs,
            row=row,
        ), issues

    def _place(self, cell: Any, side: str, problem: Any, note: Any) -> Place | None:
        lat_text, lon_text = cell(f"{side}_lat"), cell(f"{side}_lon")
        if lat_text or lon_text:
            coordinates = {}
            for column, text, limit in (
                (f"{side}_lat", lat_text, 90),
                (f"{side}_lon", lon_text, 180),
            ):
                try:
                    value = float(text)
                except ValueError:
                    problem(
                        column, "not a number" if text else f"give both {side}_lat and {side}_lon"
                    )
                    continue
                if not -limit <= value <= limit:
                    problem(column, f"outside -{limit}..{limit}")
                    continue
                coordinates[column] = value
            if len(coordinates) < 2:
                return None
            lat, lon = coordinates[f"{side}_lat"], coordinates[f"{side}_lon"]
            label = cell(side) or f"{lat:.5f},{lon:.5f}"
            return Place(
                label=label, lat=lat, lon=lon, adcode=self._area(cell(side), lat, lon, side, note)
            )
        text = cell(side)
        if not text:
            problem(side, f"empty: give {side} (adcode or place name) or {side}_lat/{side}_lon")
            return None
        try:
            return self.gazetteer.resolve(text)
        except PlaceNotFound as error:
            problem(side, str(error))
            return None

    def _area(self, text: str, lat: float, lon: float, side: str, note: Any) -> str | None:
        adcode, why = county_of(self.gazetteer, text, lat, lon, self.county_within_km)
        if why:
            note(side, why)
        return adcode

    @staticmethod
    def _return_reason(text: str, problem: Any) -> ReturnReason | None:
        if not text:
            return None
        value = RETURN_REASON_ALIASES.get(text, text.lower())
        if value not in ReturnReason.__members__.values():
            named = ", ".join(ReturnReason)
            problem("return_reason", f"not one of {named} (自愿, 停工停产, 裁员, 欠薪, 其他)")
            return None
        return ReturnReason(value)

    @staticmethod
    def _needs(text: str, problem: Any) -> tuple[Need, ...]:
        needs: list[Need] = []
        for part in _NEEDS_SEPARATOR.split(text):
            word = part.strip()
            if not word:
                continue
            value = NEED_ALIASES.get(word, word.lower())
            if value not in Need.__members__.values():
                named = ", ".join(Need)
                problem("needs", f"not ;-separated {named} (就业, 培训, 创业, 维权)")
                return ()
            if Need(value) not in needs:
                needs.append(Need(value))
        return tuple(needs)

    @staticmethod
    def _party_size(text: str, problem: Any) -> int | None:
        if not text:
            return 1
        if not _WHOLE.match(text):
            problem("party_size", "not a whole number")
            return None
        value = int(float(text))
        if value < 1:
            problem("party_size", "less than 1")
            return None
        if value > MAX_PARTY:
            problem("party_size", f"more than {MAX_PARTY}; split the party")
            return None
        return value

    def _point(self, point_id: str, column: str, problem: Any) -> Point | None:
        if not point_id:
            return None
        point = self.points.get(point_id)
        if point is None:
            hint = "" if self.points else " (no points are loaded)"
            problem(column, f"no such point{hint}")
        return point

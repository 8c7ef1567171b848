"""Status events from CSV, XLSX or a DataFrame, validated row by row.

Columns: `registration_id, event, time` (required), `place, note` (free text), `reason`
(cancelled and rescheduled events only), `result` (health_checked events only), and
`earliest_date, latest_date` (rescheduled events only: the new window). Any bad row stops
the read with an `InputError` naming every bad row and column; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import pandas as pd

from pointplan.domain.events import (
    PLANNED_KIND,
    EventKind,
    EventReason,
    HealthResult,
    Refused,
    Standing,
    Status,
    StatusEvent,
    detail_problems,
    next_status,
)
from pointplan.domain.registration import Need
from pointplan.domain.text import id_problem, text_problem
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.registrations import FIRST_DATE, LAST_DATE, parse_date, valid_id
from pointplan.io.tables import Table, missing_columns, read_table, refuse_unknown_columns

COLUMNS = (
    "registration_id",
    "event",
    "time",
    "place",
    "note",
    "reason",
    "result",
    "earliest_date",
    "latest_date",
    "need",
)
"""Every column of the events table."""
REQUIRED = ("registration_id", "event", "time")
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # a date
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"  # optionally a time of day
    r"(?:Z|[+-]\d{2}:?\d{2})?)?$"  # optionally an offset from UTC
)
_LIMITS = {"place": 200, "note": 1000}
_WINDOW = ("earliest_date", "latest_date")

Problem = Callable[[str, str], None]
E = TypeVar("E", bound=StrEnum)


def read_events(
    source: Path | str | pd.DataFrame, registration_ids: Collection[str] | None = None
) -> tuple[StatusEvent, ...]:
    """Read and validate status events, in file order.

    With `registration_ids`, an event for any other registration is an error. Every problem
    (missing or unknown column, bad cell, unknown registration) raises one `InputError`
    listing each bad row and column.
    """
    table = read_table(source if isinstance(source, pd.DataFrame) else Path(source))
    _check_columns(table)
    known = None if registration_ids is None else frozenset(registration_ids)
    issues = [InputIssue(table.name, why, row) for row, why in table.unreadable]
    events: list[StatusEvent] = []
    for record in table.records:
        event, row_issues = _read_row(table.name, record.row, record.cells, known)
        issues.extend(row_issues)
        if event is not None:
            events.append(event)
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.row or 0))
    return tuple(events)


def standings(
    events: Sequence[StatusEvent], unplanned: Collection[str] = (), source: str = "events"
) -> dict[str, Standing]:
    """Each registration's standing after its events, taken in the order of their times; an
    event the status machine refuses is an `InputError` naming its row. A file holds no
    `planned` events: a registration starts as registered when it is in `unplanned` (a plan
    left it unassigned), else as planned (on a trip of a plan)."""
    issues = []
    by_registration: dict[str, list[StatusEvent]] = {}
    for event in events:
        by_registration.setdefault(event.registration_id, []).append(event)
    found = {}
    for rid, history in by_registration.items():
        now = Standing(Status.REGISTERED)
        if rid not in unplanned:
            now = Standing(next_status(now.status, PLANNED_KIND))
        for event in sorted(history, key=lambda e: e.time):  # stable: file order within a time
            try:
                now = now.after(event)
            except Refused as refused:
                issues.append(InputIssue(source, str(refused), event.row, "event", rid))
        found[rid] = now
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.row or 0))
    return found


def _check_columns(table: Table) -> None:
    missing = missing_columns(table, REQUIRED)
    if missing:
        raise InputError([InputIssue(table.name, f"missing column(s): {', '.join(missing)}")])
    refuse_unknown_columns(table, COLUMNS)


def _read_row(
    source: str, row: int, cells: dict[str, str], known: frozenset[str] | None
) -> tuple[StatusEvent | None, list[InputIssue]]:
    issues: list[InputIssue] = []
    rid = cells.get("registration_id", "").strip()
    shown_id = valid_id(rid)

    def problem(column: str, message: str) -> None:
        issues.append(InputIssue(source, message, row, column, shown_id))

    for column, text in cells.items():
        message = text_problem(text, lines=column == "note")
        if message:
            problem(column, message)
    if issues:  # text that cannot be stored is judged no further
        return None, issues
    if not rid:
        problem("registration_id", "empty registration_id")
    elif shown_id is None:
        problem("registration_id", str(id_problem(rid)))
    elif known is not None and rid not in known:
        problem("registration_id", "not a registration of the registrations file")
    kind = _choice(EventKind, cells.get("event", ""), "event", problem, required=True)
    time = _time(cells.get("time", "").strip(), problem)
    reason = _choice(EventReason, cells.get("reason", ""), "reason", problem)
    result = _choice(HealthResult, cells.get("result", ""), "result", problem)
    need = _choice(Need, cells.get("need", ""), "need", problem)
    earliest, latest = (
        parse_date(cells[c].strip(), c, problem) if cells.get(c, "").strip() else None
        for c in _WINDOW
    )
    for column, limit in _LIMITS.items():
        if len(cells.get(column, "")) > limit:
            problem(column, f"longer than {limit} characters")
    if kind is not None:
        named = {issue.column for issue in issues}
        for column, message in detail_problems(kind, reason, result, (earliest, latest), need):
            if column not in named:  # a cell already reported as unreadable is not re-judged
                problem(column, message)
    if issues or kind is None or time is None:
        return None, issues
    event = StatusEvent(
        registration_id=rid,
        event=kind,
        time=time,
        place=cells.get("place", "").strip(),
        note=cells.get("note", "").strip(),
        reason=reason,
        result=result,
        earliest_date=earliest,
        latest_date=latest,
        need=need,
        row=row,
    )
    return event, issues


def _choice(
    kind: type[E], text: str, column: str, problem: Problem, required: bool = False
) -> E | None:
    value = text.strip().lower()
    if not value:
        if required:
            problem(column, f"empty {column}")
        return None
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        problem(column, f"not one of {choices}")
        return None


def _time(text: str, problem: Problem) -> dt.datetime | None:
    """An ISO time (`YYYY-MM-DD HH:MM[:SS]`, a date alone meaning 00:00, an optional offset)."""
    if not text:
        problem("time", "empty time")
        return None
    if not _TIME.match(text):
        problem("time", "not a time (YYYY-MM-DD HH:MM)")
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        problem("time", "not a calendar date and time")
        return None
    if not FIRST_DATE <= value.date() <= LAST_DATE:
        problem("time", f"outside {FIRST_DATE}..{LAST_DATE}")
        return None
    return value

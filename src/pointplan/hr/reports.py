"""Weekly reports that flow upward (四(三)): a county's tables are made from the data, a
league's combine its counties' submissions, the region's its leagues'. Each is due on the
Monday after its week at 10:00, Beijing time (domain.md); the level above sees which of its
areas submitted on time, late, or not at all.

This module holds the rules: which areas report to which, the deadline, and where an area's
submission stands. The tables themselves are `pointplan.exports.weekly`'s; the submissions
are stored by `pointplan.store.submissions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer

REGION = "15"
"""The region's adcode prefix (Inner Mongolia): the top of the flow."""
DUE_AFTER = dt.timedelta(days=7, hours=10)
"""A week's report is due this long after its Monday 00:00: the next Monday at 10:00."""


class Submitted(StrEnum):
    """Where an area's report for a week stands, as the level above sees it."""

    ON_TIME = "on_time"  # submitted by the deadline
    LATE = "late"  # submitted after it
    PENDING = "pending"  # not submitted (or reopened), the deadline not passed
    MISSING = "missing"  # not submitted (or reopened), the deadline passed


def level_of_area(area: str) -> str:
    """`region`, `league` or `county` for an adcode prefix of 2, 4 or 6 digits."""
    return {2: "region", 4: "league", 6: "county"}[len(area)]


def deadline(week_start: dt.date) -> dt.datetime:
    """When the report of the week starting Monday `week_start` is due: the next Monday
    10:00, naive Beijing time."""
    return dt.datetime.combine(week_start, dt.time()) + DUE_AFTER


def standing_of(
    submitted_at: dt.datetime | None, week_start: dt.date, now: dt.datetime
) -> Submitted:
    """Where a report stands: `submitted_at` is its current submission's time (None: none,
    or reopened since), `now` the time of asking, both naive Beijing time."""
    due = deadline(week_start)
    if submitted_at is not None:
        return Submitted.ON_TIME if submitted_at <= due else Submitted.LATE
    return Submitted.MISSING if now > due else Submitted.PENDING


@dataclass(frozen=True)
class ReportingArea:
    """An area that reports to the one above: its code and name."""

    code: str
    name: str


def reporting_areas(area: str, gazetteer: Gazetteer | None = None) -> list[ReportingArea]:
    """The areas whose submissions `area`'s report combines, in adcode order: the region's
    leagues and cities, a league's counties; none for a county (it reports from the data)."""
    places = gazetteer or default_gazetteer()
    if len(area) == 6:
        return []
    level = 2 if len(area) == 2 else 3
    units = [
        unit
        for unit in places.by_code.values()
        if unit.level == level and unit.code.startswith(area)
    ]
    return [ReportingArea(u.short_code, u.name) for u in sorted(units, key=lambda u: u.code)]


def report_area_problem(area: str, gazetteer: Gazetteer | None = None) -> str | None:
    """Why `area` cannot report (None when it can): it must be the region, one of its
    leagues or cities, or one of their counties, by adcode."""
    places = gazetteer or default_gazetteer()
    if not area.startswith(REGION) or len(area) not in (2, 4, 6):
        return "an area of the region: 15, a league's 4 digits or a county's 6"
    try:
        unit = places.unit_for_code(area)
    except PlaceNotFound:
        return "not a known adcode"
    if unit.short_code != area:
        return "not a known adcode"
    return None


def parent_area(area: str) -> str | None:
    """The area `area` reports to (None for the region)."""
    return {6: area[:4], 4: area[:2]}.get(len(area))

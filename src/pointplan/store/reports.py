"""Human resources' views over what the service holds: the job matching of every stored
job seeker and posting, the plan a week's report counts trips from, a county's weekly rows
made from the data, and a league's or the region's made by combining the submissions of the
areas that report to it (`pointplan.hr.reports` has the rules)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pointplan.domain.jobs import JobPosting
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Direction, Registration
from pointplan.domain.warnings import Thresholds
from pointplan.exports.weekly import (
    CODE,
    COLUMNS,
    NAME,
    TABLES,
    TOTAL,
    area_rows,
    combined_rows,
    keyed_ends,
)
from pointplan.geo.gazetteer import Gazetteer, default_gazetteer
from pointplan.hr.matching import Matching, match_jobs, seekers
from pointplan.hr.reports import Submitted, reporting_areas, standing_of
from pointplan.store import models
from pointplan.store.jobs import stored_postings
from pointplan.store.lookup import newest_done_plans
from pointplan.store.reading import registrations_at, registrations_touching, stored_events
from pointplan.store.sealing import Sealer
from pointplan.store.submissions import current_submissions


@dataclass(frozen=True)
class JobMatching:
    """Every stored return-home registration, the stored postings and their matching."""

    returnees: tuple[Registration, ...]
    postings: tuple[JobPosting, ...]
    matching: Matching

    @property
    def offered(self) -> set[str] | None:
        """The registrations offered a job (None when nothing is posted: the weekly
        tables' jobs pushed then waits for postings)."""
        return {m.registration_id for m in self.matching.matches} if self.postings else None


def job_matching(session: Session, sealer: Sealer) -> JobMatching:
    """The matching of every stored job seeker to every stored posting: one matching for
    the whole service, so that no opening is offered twice to seekers of two areas."""
    returnees = registrations_touching(session, "", sealer, Direction.RETURN_HOME)
    postings = stored_postings(session)
    return JobMatching(returnees, postings, match_jobs(seekers(returnees), postings))


class MatchingCache:
    """The last job matching made, kept while the stored return-home registrations and
    postings are as they were (their counts and latest update times): one per service
    process, so that a morning of ledger and report reads matches once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple[Any, ...], JobMatching] | None = None

    def get(self, session: Session, sealer: Sealer) -> JobMatching:
        """The matching of the data as it stands (see `job_matching`)."""
        state = _matching_state(session)
        with self._lock:
            if self._kept is not None and self._kept[0] == state:
                return self._kept[1]
        made = job_matching(session, sealer)
        with self._lock:
            self._kept = (state, made)
        return made


def _matching_state(session: Session) -> tuple[Any, ...]:
    registrations = session.execute(
        select(func.count(), func.max(models.Registration.updated_at)).where(
            models.Registration.direction == Direction.RETURN_HOME.value
        )
    ).one()
    postings = session.execute(
        select(func.count(), func.max(models.JobPostingRow.updated_at))
    ).one()
    return (*registrations, *postings)


def newest_plan(
    session: Session, area: str, week_start: dt.date | None = None
) -> tuple[str | None, Plan | None]:
    """The newest done plan whose area holds `area` (and whose dates meet the week of
    `week_start` when given): its id and plan; None, None without one. A week's report of
    `area` counts trips from it."""
    week_end = week_start + dt.timedelta(days=6) if week_start is not None else None
    for job in newest_done_plans(session, [area], week_start, week_end):
        session.refresh(job, ["result"])
        assert job.result is not None
        return job.plan_id, Plan.from_json(job.result)
    return None, None


def county_tables(
    session: Session,
    sealer: Sealer,
    county: str,
    week_start: dt.date,
    thresholds: Thresholds,
    offered: set[str] | None,
) -> dict[str, Any]:
    """A county's report made from the data: each table's one row, counting trips from
    `newest_plan` of the week, the stored events and the job offers of `offered`
    (registration ids)."""
    registrations = registrations_touching(session, county, sealer)
    plan_id, plan = newest_plan(session, county, week_start)
    events = stored_events(session, [r.registration_id for r in registrations])
    rows = area_rows(
        registrations, plan, events, week_start, county, offered=offered, thresholds=thresholds
    )
    tables = {table: {"rows": [row], "total": row} for table, row in rows.items()}
    return {"plan_id": plan_id, **tables}


def unplaced_rows(
    session: Session,
    sealer: Sealer,
    area: str,
    week_start: dt.date,
    thresholds: Thresholds,
    offered: Callable[[], set[str] | None],
) -> dict[str, dict[str, object]]:
    """The rows, made from the data, of the people a league's (or the region's) report
    holds that no area below it reports: those keyed by the league's (or region's) own code,
    whose county (or league) is not known. Tables with none are left out. `offered` gives
    the job offers, asked only when there are such people."""
    registrations = registrations_at(session, area, sealer)
    keyed = {
        table
        for table, direction in TABLES.items()
        for r in registrations
        if r.direction is direction and (keyed_ends(r)[0].adcode or "") == area
    }
    if not keyed:
        return {}
    _, plan = newest_plan(session, area, week_start)
    events = stored_events(session, [r.registration_id for r in registrations])
    rows = area_rows(
        registrations, plan, events, week_start, area, offered=offered(),
        thresholds=thresholds, exact=True,
    )  # fmt: skip
    return {table: row for table, row in rows.items() if table in keyed}


@dataclass(frozen=True)
class Reporting:
    """An area that reports to the one asking: its code, name, current submission (None:
    none) and where it stands."""

    code: str
    name: str
    submission: models.ReportSubmission | None
    standing: Submitted


def combined_tables(
    session: Session,
    area: str,
    week_start: dt.date,
    now: dt.datetime,
    unplaced: dict[str, dict[str, object]] | None = None,
    gazetteer: Gazetteer | None = None,
) -> tuple[dict[str, Any], list[Reporting]]:
    """A league's or the region's report combined from the current submissions of the areas
    that report to it: each table's rows (one per reporting area, empty where it has not
    submitted; then the `unplaced` row of the table, if any) and total; and where each
    reporting area stands at `now` (naive Beijing)."""
    places = gazetteer or default_gazetteer()
    below = reporting_areas(area, places)
    current = current_submissions(session, [a.code for a in below], week_start)
    reporting = [
        Reporting(
            a.code,
            a.name,
            current.get(a.code),
            standing_of(
                models.beijing_time(current[a.code].submitted_at) if a.code in current else None,
                week_start,
                now,
            ),
        )
        for a in below
    ]
    tables: dict[str, Any] = {}
    for table in COLUMNS:
        rows = []
        for item in reporting:
            if item.submission is None:
                rows.append(_blank_row(item.code, item.name, table))
            else:
                submitted = dict(item.submission.tables[table]["total"])
                rows.append({**submitted, CODE: item.code, NAME: item.name})
        given = [row for item, row in zip(reporting, rows, strict=True) if item.submission]
        if unplaced and table in unplaced:
            rows.append(unplaced[table])
            given.append(unplaced[table])
        tables[table] = {"rows": rows, "total": combined_rows(area, TOTAL, given, table)}
    return tables, reporting


def _blank_row(code: str, name: str, table: str) -> dict[str, Any]:
    return {
        CODE: code,
        NAME: name,
        **{column.header: None for column in COLUMNS[table]},
    }

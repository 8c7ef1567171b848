"""Weekly report submissions in the database: an area's office submits its tables as they
stand; the office above may reopen a submission, saying why, and the area submits again.
Nothing is overwritten: every submission is kept, a reopened one with who reopened it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.store import models
from pointplan.store.audit import audit


class SubmissionRefused(ValueError):
    """A submission that may not be made or reopened now; the message says why."""


def current_submissions(
    session: Session, areas: Sequence[str], week_start: dt.date
) -> dict[str, models.ReportSubmission]:
    """The current submission (latest, not reopened) of each of `areas` that has one."""
    if not areas:
        return {}
    rows = session.scalars(
        select(models.ReportSubmission)
        .where(
            models.ReportSubmission.area.in_(list(areas)),
            models.ReportSubmission.week_start == week_start,
            models.ReportSubmission.reopened_at.is_(None),
        )
        .order_by(models.ReportSubmission.id)
    )
    return {row.area: row for row in rows}


def submissions_of(
    session: Session, area: str, week_start: dt.date
) -> list[models.ReportSubmission]:
    """Every submission of `area` for the week, oldest first (the trail)."""
    return list(
        session.scalars(
            select(models.ReportSubmission)
            .where(
                models.ReportSubmission.area == area,
                models.ReportSubmission.week_start == week_start,
            )
            .order_by(models.ReportSubmission.id)
        )
    )


def submit(
    session: Session, area: str, week_start: dt.date, tables: dict[str, Any], actor: str
) -> models.ReportSubmission:
    """Store `area`'s tables for the week as submitted by `actor`; `SubmissionRefused` when
    a current submission exists (the office above reopens it first)."""
    if current_submissions(session, [area], week_start):
        raise SubmissionRefused(
            f"{area} has submitted its report of {week_start} already; the office above "
            "reopens it for a new submission"
        )
    row = models.ReportSubmission(
        area=area, week_start=week_start, tables=tables, submitted_by=actor
    )
    session.add(row)
    session.flush()
    audit(session, actor, "reports.submit", f"{area} {week_start}")
    return row


def reopen(
    session: Session, area: str, week_start: dt.date, reason: str, actor: str
) -> models.ReportSubmission:
    """Reopen `area`'s current submission for the week, with the reason;
    `SubmissionRefused` when there is none."""
    current = current_submissions(session, [area], week_start).get(area)
    if current is None:
        raise SubmissionRefused(f"{area} has no submitted report of {week_start} to reopen")
    current.reopened_at, current.reopened_by = models.utc_now(), actor
    current.reopen_reason = reason
    audit(session, actor, "reports.reopen", f"{area} {week_start}")
    return current

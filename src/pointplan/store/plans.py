"""Plans in the database: jobs asked for, their state, and the registrations they plan."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pointplan.domain.events import (
    BEFORE_PLANNING,
    PLANNED_KIND,
    EventKind,
    HealthResult,
    Status,
    hold_reason,
)
from pointplan.domain.manifest import seat_labels
from pointplan.domain.plan import Plan
from pointplan.io import REGISTRATION_COLUMNS
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.models import FINISHED, JobState
from pointplan.store.registrations import touching
from pointplan.store.sealing import Sealer

PLANNABLE = tuple(status.value for status in (*BEFORE_PLANNING, Status.PLANNED))
"""Statuses a new plan moves to `planned`; later ones (confirmed, boarded, ...) stay (the
status machine's `planned` step, `pointplan.domain.events.next_status`)."""
RESTART_REASON = "the service stopped while this plan was being solved; ask for it again"


def add_job(
    session: Session,
    area: str,
    date_from: dt.date,
    date_to: dt.date,
    fleet: dict[str, Any] | None,
    policy: dict[str, Any] | None,
    time_limit: float,
    actor: str,
) -> models.PlanJob:
    """A queued plan job."""
    job = models.PlanJob(
        plan_id=uuid.uuid4().hex,
        area=area,
        date_from=date_from,
        date_to=date_to,
        fleet=fleet,
        policy=policy,
        time_limit=time_limit,
        status=JobState.QUEUED,
        created_by=actor,
    )
    session.add(job)
    audit(session, actor, "plans.create", job.plan_id)
    return job


def claim_queued(session: Session, limit: int) -> list[tuple[str, float]]:
    """Mark up to `limit` queued jobs running, oldest first; their ids and time limits."""
    queued = session.execute(
        select(models.PlanJob.plan_id, models.PlanJob.time_limit)
        .where(models.PlanJob.status == JobState.QUEUED)
        .order_by(models.PlanJob.created_at)
        .limit(limit)
    ).all()
    claimed = []
    for plan_id, time_limit in queued:
        changed = session.execute(
            update(models.PlanJob)
            .where(models.PlanJob.plan_id == plan_id, models.PlanJob.status == JobState.QUEUED)
            .values(status=JobState.RUNNING, started_at=models.utc_now())
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            claimed.append((plan_id, time_limit))
    return claimed


def finish(
    session: Session, plan_id: str, status: JobState, result: str | None, error: str = ""
) -> bool:
    """Move a running job to `status`, unless it has finished already; whether it moved."""
    changed = session.execute(
        update(models.PlanJob)
        .where(models.PlanJob.plan_id == plan_id, models.PlanJob.status.not_in(FINISHED))
        .values(status=status, result=result, error=error, finished_at=models.utc_now())
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def fail_interrupted(session: Session) -> int:
    """Mark jobs left running by a process that died as failed, saying why; how many."""
    changed = session.execute(
        update(models.PlanJob)
        .where(models.PlanJob.status == JobState.RUNNING)
        .values(status=JobState.FAILED, error=RESTART_REASON, finished_at=models.utc_now())
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


NOT_PLANNED = (Status.CANCELLED, Status.BOARDED, Status.HANDED_OVER)
"""Statuses a plan's input leaves out (interchange.md: cancelled, and boarded or handed over
people, who are never put on a new trip)."""


@dataclass(frozen=True)
class PlanInput:
    """What a plan job plans: its registrations as a registrations table, and those of them
    that may not travel now (their latest health check was abnormal), with the reason."""

    table: pd.DataFrame
    held: dict[str, str]


def plan_input(session: Session, job: models.PlanJob, sealer: Sealer) -> PlanInput:
    """The stored registrations a job plans (personal data opened with `sealer`): those
    touching its area whose window meets its dates, less those cancelled, boarded or handed
    over; those whose latest health check was abnormal are held off every trip."""
    rows = session.scalars(
        select(models.Registration)
        .where(
            touching(job.area),
            models.Registration.earliest_date <= job.date_to,
            models.Registration.latest_date >= job.date_from,
            models.Registration.status.not_in([s.value for s in NOT_PLANNED]),
        )
        .order_by(models.Registration.registration_id)
    ).all()
    records = []
    for r in rows:
        fields = sealer.open(r.fields)
        records.append(
            {
                column: "" if fields.get(column) is None else str(fields[column])
                for column in REGISTRATION_COLUMNS
            }
        )
    checks = _latest_checks(session, [r.registration_id for r in rows])
    held = {}
    for r in rows:
        reason = hold_reason(Status(r.status), checks.get(r.registration_id))
        if reason:
            held[r.registration_id] = reason
    return PlanInput(pd.DataFrame(records, columns=list(REGISTRATION_COLUMNS)), held)


def _latest_checks(
    session: Session, registration_ids: list[str]
) -> dict[str, tuple[dt.datetime, HealthResult]]:
    """The latest health check (Beijing time, result) of each registration that has one."""
    latest: dict[str, tuple[dt.datetime, HealthResult]] = {}
    for chunk in range(0, len(registration_ids), 1000):
        events = session.execute(
            select(
                models.RegistrationEvent.registration_id,
                models.RegistrationEvent.time,
                models.RegistrationEvent.result,
            )
            .where(
                models.RegistrationEvent.registration_id.in_(
                    registration_ids[chunk : chunk + 1000]
                ),
                models.RegistrationEvent.kind == EventKind.HEALTH_CHECKED.value,
            )
            .order_by(models.RegistrationEvent.time, models.RegistrationEvent.id)
        )
        for rid, time, result in events:
            if result is not None:
                latest[rid] = (models.beijing_time(time), HealthResult(result))
    return latest


def mark_planned(session: Session, plan_id: str, plan: Plan, actor: str) -> None:
    """Record a `planned` event (trip and seats) for every registration on a trip, as done
    by `actor` (who asked for the plan)."""
    now = models.event_now()
    for trip in plan.trips:
        seats = seat_labels(trip)
        for rid in trip.registration_ids():
            session.add(
                models.RegistrationEvent(
                    registration_id=rid,
                    kind=PLANNED_KIND,
                    time=now,
                    note=f"plan {plan_id}, trip {trip.trip_id} on {trip.date}, seats "
                    + " ".join(seats.get(rid, [])),
                    actor=actor,
                )
            )
        session.execute(
            update(models.Registration)
            .where(
                models.Registration.registration_id.in_(trip.registration_ids()),
                models.Registration.status.in_(PLANNABLE),
            )
            .values(status=Status.PLANNED.value)
        )

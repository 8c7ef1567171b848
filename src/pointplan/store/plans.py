"""Plans in the database: jobs asked for, their state, and the registrations they plan."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session, defer

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
from pointplan.store.reading import table_record
from pointplan.store.registrations import touching
from pointplan.store.sealing import Sealer

PLANNABLE = tuple(status.value for status in (*BEFORE_PLANNING, Status.PLANNED))
"""Statuses a new plan moves to `planned`; later ones (confirmed, boarded, ...) stay (the
status machine's `planned` step, `pointplan.domain.events.next_status`)."""


def add_job(
    session: Session,
    area: str,
    date_from: dt.date,
    date_to: dt.date,
    fleet: dict[str, Any] | None,
    policy: dict[str, Any] | None,
    time_limit: float,
    actor: str,
    base_plan_id: str | None = None,
    scenario: str = "",
    date_flexibility_days: int = 0,
) -> models.PlanJob:
    """A queued plan job (planned from `base_plan_id` when given; a what-if of `scenario`,
    with windows widened by `date_flexibility_days`, when that is given)."""
    job = models.PlanJob(
        base_plan_id=base_plan_id,
        scenario=scenario,
        date_flexibility_days=date_flexibility_days,
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


def recent_jobs(
    session: Session, scope: str, *, meeting: bool = False, limit: int = 50
) -> list[models.PlanJob]:
    """The newest `limit` plan jobs (without their plan.json) whose area lies in `scope`
    (with `meeting`, also those whose area holds `scope`), newest first."""
    area = models.PlanJob.area
    inside = area.startswith(scope)
    query = select(models.PlanJob).options(defer(models.PlanJob.result))
    if scope:
        query = query.where(inside | literal(scope).startswith(area) if meeting else inside)
    query = query.order_by(models.PlanJob.created_at.desc(), models.PlanJob.plan_id).limit(limit)
    return list(session.scalars(query))


class NotPublishable(Exception):
    """A plan that may not be published through a date, and why (the service answers 409)."""


def publish(session: Session, job: models.PlanJob, through: dt.date, actor: str) -> int:
    """Publish a done plan's trips dated on or before `through` (一车一方案 issued); how
    many trips are published now. Once per date: a date published already, or before one,
    is refused, as a published date is never withdrawn (only changed by a later plan)."""
    if job.status != JobState.DONE:
        raise NotPublishable(f"the plan is {job.status}, not done")
    if job.scenario:
        raise NotPublishable(f"the plan is a what-if of scenario {job.scenario!r}: never published")
    if job.published_through is not None and through <= job.published_through:
        raise NotPublishable(
            f"the plan is published through {job.published_through} already; a published "
            "date is never withdrawn, and each date is published once"
        )
    changed = session.execute(
        update(models.PlanJob)
        .where(
            models.PlanJob.plan_id == job.plan_id,
            (models.PlanJob.published_through.is_(None))
            | (models.PlanJob.published_through < through),
        )
        .values(published_through=through, published_at=models.utc_now(), published_by=actor)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise NotPublishable("the plan was published by someone else just now; read it again")
    audit(session, actor, "plans.publish", f"{job.plan_id} through {through}")
    assert job.result is not None
    plan = Plan.model_validate_json(job.result)
    return sum(1 for trip in plan.trips if trip.date <= through)


def claim_queued(
    session: Session, limit: int, owner: str = "", lease_seconds: float = 30.0
) -> list[tuple[str, float]]:
    """Mark up to `limit` queued jobs running, oldest first, held by `owner` for
    `lease_seconds`; their ids and time limits. Another worker claiming at the same moment
    gets other jobs (a job moves from queued once)."""
    queued = session.execute(
        select(models.PlanJob.plan_id, models.PlanJob.time_limit)
        .where(models.PlanJob.status == JobState.QUEUED)
        .order_by(models.PlanJob.created_at, models.PlanJob.plan_id)
        .limit(limit)
    ).all()
    claimed = []
    now = models.utc_now()
    for plan_id, time_limit in queued:
        changed = session.execute(
            update(models.PlanJob)
            .where(models.PlanJob.plan_id == plan_id, models.PlanJob.status == JobState.QUEUED)
            .values(
                status=JobState.RUNNING,
                started_at=now,
                lease_owner=owner,
                lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
                attempts=models.PlanJob.attempts + 1,
            )
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            claimed.append((plan_id, time_limit))
    return claimed


def renew_leases(
    session: Session, owner: str, plan_ids: Collection[str], lease_seconds: float
) -> set[str]:
    """Extend `owner`'s leases of `plan_ids` that are still running and still its own; the
    ids it still holds (a job cancelled, or taken back after its lease ran out, is not)."""
    if not plan_ids:
        return set()
    session.execute(
        update(models.PlanJob)
        .where(
            models.PlanJob.plan_id.in_(list(plan_ids)),
            models.PlanJob.status == JobState.RUNNING,
            models.PlanJob.lease_owner == owner,
        )
        .values(lease_expires_at=models.utc_now() + dt.timedelta(seconds=lease_seconds))
    )
    held = session.scalars(
        select(models.PlanJob.plan_id).where(
            models.PlanJob.plan_id.in_(list(plan_ids)),
            models.PlanJob.status == JobState.RUNNING,
            models.PlanJob.lease_owner == owner,
        )
    )
    return set(held)


def give_back(session: Session, owner: str, plan_ids: Collection[str]) -> int:
    """Queue again `owner`'s running jobs of `plan_ids` (a worker stopping: another takes
    them); how many."""
    if not plan_ids:
        return 0
    changed = session.execute(
        update(models.PlanJob)
        .where(
            models.PlanJob.plan_id.in_(list(plan_ids)),
            models.PlanJob.status == JobState.RUNNING,
            models.PlanJob.lease_owner == owner,
        )
        .values(status=JobState.QUEUED, progress=None, lease_owner="", lease_expires_at=None)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


MAX_ATTEMPTS = 3
"""Claims after which a job whose worker keeps dying is failed rather than queued again."""
ATTEMPTS_REASON = (
    f"the worker solving this plan stopped {MAX_ATTEMPTS} times before it finished; ask for "
    "it again"
)


def take_back_expired(session: Session, every_running: bool = False) -> tuple[int, int]:
    """Queue again the running jobs whose lease ran out (their worker is gone), or every
    running job with `every_running` (a one-process database starting: nobody else holds
    one); a job claimed `MAX_ATTEMPTS` times is failed instead, saying why. (queued, failed)."""
    lapsed = models.PlanJob.status == JobState.RUNNING
    if not every_running:
        lapsed = lapsed & (
            models.PlanJob.lease_expires_at.is_(None)
            | (models.PlanJob.lease_expires_at < models.utc_now())
        )
    failed = session.execute(
        update(models.PlanJob)
        .where(lapsed, models.PlanJob.attempts >= MAX_ATTEMPTS)
        .values(
            status=JobState.FAILED,
            error=ATTEMPTS_REASON,
            finished_at=models.utc_now(),
            lease_owner="",
            lease_expires_at=None,
        )
    )
    queued = session.execute(
        update(models.PlanJob)
        .where(lapsed, models.PlanJob.attempts < MAX_ATTEMPTS)
        .values(status=JobState.QUEUED, progress=None, lease_owner="", lease_expires_at=None)
    )
    return int(queued.rowcount), int(failed.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class QueueState:
    """The plan queue: jobs waiting, jobs running, and how long the oldest running job has
    held its worker (seconds; 0 when none runs)."""

    queued: int
    running: int
    oldest_lease_seconds: float


def queue_state(session: Session) -> QueueState:
    """The plan queue as it stands."""
    queued = session.scalar(select(func.count()).where(models.PlanJob.status == JobState.QUEUED))
    running, oldest = session.execute(
        select(func.count(), func.min(models.PlanJob.started_at)).where(
            models.PlanJob.status == JobState.RUNNING
        )
    ).one()
    age = (models.utc_now() - oldest).total_seconds() if oldest is not None else 0.0
    return QueueState(int(queued or 0), int(running), max(age, 0.0))


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


RIDING = (Status.BOARDED, Status.HANDED_OVER)
"""Statuses of people on their way or arrived: on a published trip they stay, on no other."""


@dataclass(frozen=True)
class PlanInput:
    """What a plan job plans: its registrations as a registrations table, those of them
    that may not travel now (their latest health check was abnormal), with the reason, and
    those riding a published trip of the base plan (boarded or handed over)."""

    table: pd.DataFrame
    held: dict[str, str]
    riding: frozenset[str] = frozenset()


def plan_input(
    session: Session, job: models.PlanJob, sealer: Sealer, on_published: Collection[str] = ()
) -> PlanInput:
    """The stored registrations a job plans (personal data opened with `sealer`): those
    touching its area whose window meets its dates, less those cancelled, and less those
    boarded or handed over that are not `on_published` trips of the base plan; those whose
    latest health check was abnormal are held off every trip."""
    on_published = set(on_published)
    rows = [
        r
        for r in session.scalars(
            select(models.Registration)
            .where(
                touching(job.area),
                models.Registration.earliest_date <= job.date_to,
                models.Registration.latest_date >= job.date_from,
                models.Registration.status != Status.CANCELLED.value,
            )
            .order_by(models.Registration.registration_id)
        )
        if Status(r.status) not in RIDING or r.registration_id in on_published
    ]
    riding = frozenset(r.registration_id for r in rows if Status(r.status) in RIDING)
    records = [table_record(r, sealer) for r in rows]
    checks = _latest_checks(session, [r.registration_id for r in rows])
    held = {}
    for r in rows:
        # on a published trip, only an abnormal check takes a boarded person off it
        status = Status.PLANNED if r.registration_id in riding else Status(r.status)
        reason = hold_reason(status, checks.get(r.registration_id))
        if reason:
            held[r.registration_id] = reason
    riding = frozenset(riding - set(held))
    return PlanInput(pd.DataFrame(records, columns=list(REGISTRATION_COLUMNS)), held, riding)


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
    by `actor` (who asked for the plan); in a re-plan, only for those not kept where they
    were (their history has that trip and seat already)."""
    now = models.event_now()
    kept = {c.registration_id for c in plan.changes if c.change == "kept"}
    for trip in plan.trips:
        seats = seat_labels(trip)
        for rid in trip.registration_ids():
            if rid in kept:
                continue
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

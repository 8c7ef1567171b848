"""The service's tables (SQLAlchemy 2): tokens, points, registrations with their full status
history, plans as jobs, and the audit trail of every write (全程可追溯).

All times are stored in UTC without a zone. A registration row holds the registration as
it was last sent, in the columns of the
registrations CSV (so that planning reads it back through the same validation as a file),
plus the adcodes of its two ends for access control. Every change, status event and re-send is
one `RegistrationEvent`; nothing is overwritten without one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pointplan.domain.events import CHINA_OFFSET


def utc_now() -> dt.datetime:
    """Now, in UTC without a zone: every time the tables store is in UTC (event times too),
    converted to Beijing time with its offset once, in the answers."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def event_now() -> dt.datetime:
    """Now to the second, in UTC without a zone (the time of the events the service
    records itself: registered, updated, planned)."""
    return utc_now().replace(microsecond=0)


def stored_time(beijing: dt.datetime) -> dt.datetime:
    """A naive Beijing time (a status event's) as the tables store it: naive UTC."""
    return (beijing - CHINA_OFFSET).replace(tzinfo=None)


def beijing_time(stored: dt.datetime) -> dt.datetime:
    """A stored naive UTC time as naive Beijing time."""
    return stored + CHINA_OFFSET


class Base(DeclarativeBase):
    """The declarative base of the service's tables."""


class Token(Base):
    """A bearer token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(12), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Point(Base):
    """A station, assembly point or reception point (the points-file columns)."""

    __tablename__ = "points"

    point_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    adcode: Mapped[str] = mapped_column(String(12), default="")
    kind: Mapped[str] = mapped_column(String(10), default="stop", server_default="stop")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class Registration(Base):
    """A registration as last sent; `fields` holds its CSV columns, as sent."""

    __tablename__ = "registrations"

    registration_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    direction: Mapped[str] = mapped_column(String(20))
    origin_adcode: Mapped[str] = mapped_column(String(12), default="")
    destination_adcode: Mapped[str] = mapped_column(String(12), default="")
    earliest_date: Mapped[dt.date]
    latest_date: Mapped[dt.date]
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="registered")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    """The id number's keyed hash (`Sealer.lookup_hash`); "" for none, NULL not yet hashed."""
    phone_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    """The phone's keyed hash, as `id_number_hash`."""

    __table_args__ = (
        Index("ix_registrations_origin", "origin_adcode"),
        Index("ix_registrations_destination", "destination_adcode"),
        Index("ix_registrations_dates", "earliest_date", "latest_date"),
    )


class RegistrationEvent(Base):
    """One step of a registration's history: registered, updated (with what changed), a
    status event, planned; who recorded it and when."""

    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("registrations.registration_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    time: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(String(20), default=None)
    result: Mapped[str | None] = mapped_column(String(20), default=None)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class JobState(StrEnum):
    """Where a plan job stands (the `status` of `GET /v1/plans/{id}`): queued, then running,
    then one of the finished states."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
"""The states a job never leaves."""


class PlanJob(Base):
    """A plan asked for: its inputs, its status and progress, and its result once done."""

    __tablename__ = "plans"

    plan_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    area: Mapped[str] = mapped_column(String(12))
    date_from: Mapped[dt.date]
    date_to: Mapped[dt.date]
    fleet: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    time_limit: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED.value, index=True)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    result: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    base_plan_id: Mapped[str | None] = mapped_column(String(40), default=None)
    published_through: Mapped[dt.date | None] = mapped_column(default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    lease_owner: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """The plan worker that holds a running job (`host:pid:nonce`)."""
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    """Until when its worker holds it: the worker renews the lease while it solves; a job
    whose lease ran out is queued again for another worker."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times a worker claimed the job."""
    scenario: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """The scenario this plan is a what-if of ("" for a plan to run): a scenario's plan
    changes no registration's status and is never published."""
    date_flexibility_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Days either side of each party's window the plan may use (scenarios only)."""


class TripAnswer(Base):
    """Transport's answer to a published trip: the blank lines of its 一车一方案 filled in
    (plate, operator, drivers, escort, their phones: `fields`, sealed), and the vehicle type
    it was swapped for, if it was ("" when not)."""

    __tablename__ = "trip_answers"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("plans.plan_id", ondelete="CASCADE"), primary_key=True
    )
    trip_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    vehicle_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(100))


class AuditEntry(Base):
    """Who wrote what, when: every write of the service."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class JobPostingRow(Base):
    """A job posting (the jobs-file columns), created or updated by `job_id`."""

    __tablename__ = "job_postings"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    employer: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(6), index=True)
    trade: Mapped[str] = mapped_column(String(100), default="")
    openings: Mapped[int] = mapped_column(Integer)
    wage: Mapped[float] = mapped_column(Float)
    max_km: Mapped[float] = mapped_column(Float, default=100.0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(100))


class WarningState(StrEnum):
    """Where a raised warning stands: raised, then acknowledged by the county's office,
    then closed with what was done."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class WarningRecord(Base):
    """An early warning raised for a county and week: its level (the highest raised), the
    indicators and reasons it was last raised with, and its state."""

    __tablename__ = "warnings"

    warning_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    county: Mapped[str] = mapped_column(String(6), index=True)
    week_start: Mapped[dt.date] = mapped_column(index=True)
    level: Mapped[str] = mapped_column(String(10))
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=WarningState.RAISED.value)
    raised_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class WarningStep(Base):
    """One step of a warning's trail: raised (or raised again at a higher level),
    acknowledged, closed; who, when and the note."""

    __tablename__ = "warning_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[str] = mapped_column(
        ForeignKey("warnings.warning_id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ReportSubmission(Base):
    """A weekly report submitted by an area's office (a county, a league, the region): its
    tables as submitted, and, once the level above reopens it, who did, when and why. The
    area's current submission is its latest one not reopened."""

    __tablename__ = "report_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area: Mapped[str] = mapped_column(String(6), index=True)
    week_start: Mapped[dt.date] = mapped_column(index=True)
    tables: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    submitted_by: Mapped[str] = mapped_column(String(100))
    reopened_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    reopened_by: Mapped[str] = mapped_column(String(100), default="")
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

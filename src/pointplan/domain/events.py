"""Status events: what happened to a registration after it was registered.

A registration moves registered -> health-checked -> planned -> confirmed -> boarded ->
handed over, or is cancelled or rescheduled with a reason (domain.md). Each step is a
`StatusEvent`; the weekly tables count over them. Event kinds are those of the HTTP contract
(`POST /v1/registrations/{id}/events`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
"""Event times are stored as naive Beijing time; times with an offset are converted to it."""


class EventKind(StrEnum):
    """What happened."""

    HEALTH_CHECKED = "health_checked"  # 行前核酸、体温
    CONFIRMED = "confirmed"
    BOARDED = "boarded"
    HANDED_OVER = "handed_over"  # 到达交接
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class EventReason(StrEnum):
    """Why a registration was cancelled or rescheduled (the weekly tables' reasons)."""

    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    HEALTH = "health"
    JOB_CHANGED = "job_changed"


class HealthResult(StrEnum):
    """The outcome of a pre-trip health check."""

    NORMAL = "normal"
    ABNORMAL = "abnormal"


WITHDRAWING = frozenset({EventKind.CANCELLED, EventKind.RESCHEDULED})
"""Event kinds after which the registration does not travel as planned; they take a reason."""


def detail_problems(
    event: EventKind, reason: EventReason | None, result: HealthResult | None
) -> list[tuple[str, str]]:
    """(field, message) for each `reason` or `result` that does not fit the event kind.

    A reason belongs only to cancelled and rescheduled events (where it may be left out:
    it then defaults to the event's own kind); a result is required on health_checked
    events and belongs nowhere else.
    """
    problems = []
    if reason is not None and event not in WITHDRAWING:
        problems.append(
            (
                "reason",
                f"a reason belongs only to cancelled or rescheduled events, not {event.value}",
            )
        )
    if event is EventKind.HEALTH_CHECKED and result is None:
        problems.append(("result", "a health_checked event needs a result: normal or abnormal"))
    if result is not None and event is not EventKind.HEALTH_CHECKED:
        problems.append(
            ("result", f"a result belongs only to health_checked events, not {event.value}")
        )
    return problems


class StatusEvent(BaseModel):
    """One event of one registration, at a time (Beijing time) and optionally a place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    registration_id: str = Field(min_length=1)
    event: EventKind
    time: dt.datetime
    place: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    reason: EventReason | None = None
    result: HealthResult | None = None
    row: int | None = Field(default=None, description="source row (header is row 1), for messages")

    @field_validator("time")
    @classmethod
    def _in_china_time(cls, time: dt.datetime) -> dt.datetime:
        if time.tzinfo is None:
            return time
        return time.astimezone(CHINA_TIME).replace(tzinfo=None)

    @model_validator(mode="after")
    def _details_fit_the_kind(self) -> StatusEvent:
        problems = detail_problems(self.event, self.reason, self.result)
        if problems:
            raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
        return self

    @property
    def withdrawal_reason(self) -> EventReason | None:
        """For a cancelled or rescheduled event its reason (default: the event's own kind)."""
        if self.event not in WITHDRAWING:
            return None
        return self.reason or EventReason(self.event.value)

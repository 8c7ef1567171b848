"""Status events: what happened to a registration after it was registered.

A registration moves registered -> health-checked -> planned -> confirmed -> boarded ->
handed over, or is cancelled or rescheduled with a reason (domain.md). Each step is a
`StatusEvent`; the weekly tables count over them. Beside the journey, human resources record
the follow-up after a handover (quarantined, monitored, cleared) and the steps of the
return-home services ledger (a need offered, a need served, with the `need`): these never
move the status. Event kinds are those of the HTTP contract
(`POST /v1/registrations/{id}/events`). `replay` is the status machine: which event may follow
which, in the order of their times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pointplan.domain.registration import Need

CHINA_OFFSET = dt.timedelta(hours=8)
CHINA_TIME = dt.timezone(CHINA_OFFSET, "CST")
"""Beijing time. A `StatusEvent`'s time is naive Beijing time; one given with an offset is
converted to it."""


class EventKind(StrEnum):
    """What happened."""

    HEALTH_CHECKED = "health_checked"  # 行前核酸、体温
    CONFIRMED = "confirmed"
    BOARDED = "boarded"
    HANDED_OVER = "handed_over"  # 到达交接
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    QUARANTINED = "quarantined"  # 集中隔离, after the handover
    MONITORED = "monitored"  # 居家健康监测, after the handover
    CLEARED = "cleared"  # follow-up ended
    NEED_OFFERED = "need_offered"  # the ledger: a service offered (a job pushed, a course)
    NEED_SERVED = "need_served"  # the ledger: the need met (employed, trained, resolved)


FOLLOW_UP = frozenset({EventKind.QUARANTINED, EventKind.MONITORED, EventKind.CLEARED})
"""Health follow-up after a handover: recorded only once the registration is handed over."""
LEDGER_STEPS = frozenset({EventKind.NEED_OFFERED, EventKind.NEED_SERVED})
"""The ledger's steps: they name the `need` they move."""
JOURNEY = frozenset(EventKind) - FOLLOW_UP - LEDGER_STEPS
"""The events of the journey itself, the ones the status follows."""


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
    event: EventKind,
    reason: EventReason | None,
    result: HealthResult | None,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    need: Need | None = None,
) -> list[tuple[str, str]]:
    """(field, message) for each `reason`, `result`, new window or `need` that does not fit
    the event kind (a need is required on the ledger's steps and belongs nowhere else).

    A reason belongs only to cancelled and rescheduled events (where it may be left out:
    it then defaults to the event's own kind); a result is required on health_checked
    events and belongs nowhere else; a new window (earliest_date and latest_date, both, in
    order) belongs only to rescheduled events.
    """
    problems = []
    earliest, latest = window
    if (earliest is not None or latest is not None) and event is not EventKind.RESCHEDULED:
        problems.append(("earliest_date", "a new window belongs only to rescheduled events"))
    elif (earliest is None) != (latest is None):
        problems.append(("latest_date", "give both earliest_date and latest_date, or neither"))
    elif earliest is not None and latest is not None and earliest > latest:
        problems.append(("earliest_date", "after latest_date"))
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
    needs = ", ".join(n.value for n in Need)
    if event in LEDGER_STEPS and need is None:
        problems.append(("need", f"a {event.value} event needs a need: {needs}"))
    if need is not None and event not in LEDGER_STEPS:
        problems.append(
            ("need", f"a need belongs only to need_offered and need_served, not {event.value}")
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
    earliest_date: dt.date | None = None
    latest_date: dt.date | None = None
    need: Need | None = None
    row: int | None = Field(default=None, description="source row (header is row 1), for messages")

    @field_validator("time")
    @classmethod
    def _in_china_time(cls, time: dt.datetime) -> dt.datetime:
        return in_china_time(time)

    @model_validator(mode="after")
    def _details_fit_the_kind(self) -> StatusEvent:
        window = (self.earliest_date, self.latest_date)
        problems = detail_problems(self.event, self.reason, self.result, window, self.need)
        if problems:
            raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
        return self

    @property
    def new_window(self) -> tuple[dt.date, dt.date] | None:
        """The travel window a rescheduled event gives, if it gives one."""
        if self.earliest_date is None or self.latest_date is None:
            return None
        return self.earliest_date, self.latest_date

    @property
    def withdrawal_reason(self) -> EventReason | None:
        """For a cancelled or rescheduled event its reason (default: the event's own kind)."""
        if self.event not in WITHDRAWING:
            return None
        return self.reason or EventReason(self.event.value)


def in_china_time(time: dt.datetime) -> dt.datetime:
    """`time` as naive Beijing time (a naive time is Beijing time already); `ValueError` for
    a time that cannot be (a date at the edge of the calendar with an offset)."""
    if time.tzinfo is None:
        return time
    try:
        return time.astimezone(CHINA_TIME).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("outside the dates an event may have") from None


class Status(StrEnum):
    """Where a registration stands (the `status` the service reports)."""

    REGISTERED = "registered"
    HEALTH_CHECKED = "health_checked"
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    BOARDED = "boarded"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


PLANNED_KIND = "planned"
"""The kind of the event a plan records for each registration it puts on a trip."""
BEFORE_PLANNING = frozenset({Status.REGISTERED, Status.HEALTH_CHECKED, Status.RESCHEDULED})
BEFORE_BOARDING = BEFORE_PLANNING | {Status.PLANNED, Status.CONFIRMED}
_MAY_FOLLOW: dict[EventKind, frozenset[Status]] = {
    # a pre-trip test before or after planning, and follow-up checks after the handover
    EventKind.HEALTH_CHECKED: BEFORE_BOARDING | {Status.BOARDED, Status.HANDED_OVER},
    EventKind.CONFIRMED: frozenset({Status.PLANNED, Status.CONFIRMED}),
    EventKind.BOARDED: frozenset({Status.PLANNED, Status.CONFIRMED}),
    EventKind.HANDED_OVER: frozenset({Status.BOARDED}),
    EventKind.CANCELLED: BEFORE_BOARDING,
    EventKind.RESCHEDULED: BEFORE_BOARDING,
}


_EVENT_KINDS = frozenset(kind.value for kind in EventKind)


class Refused(ValueError):
    """An event that may not follow the registration's history; the message says why."""


def next_status(status: Status, kind: str) -> Status:
    """The status after an event of `kind` (an `EventKind`, or `planned`, `registered` or
    `updated`, which the service records itself); `Refused` when it may not happen now.

    A health check moves the status only before planning: afterwards it is history, not a
    stage (a check dated before a handover never undoes it). A plan moves only registrations
    not yet planned or re-planned; later stages stay. The follow-up (after a handover only)
    and the ledger's steps (at any time) never move it.
    """
    if kind == PLANNED_KIND:
        return Status.PLANNED if status in BEFORE_PLANNING or status is Status.PLANNED else status
    if kind not in _EVENT_KINDS:
        return status  # registered, updated: no change of stage
    event = EventKind(kind)
    if event in LEDGER_STEPS:
        return status  # services go on whatever became of the journey
    if event in FOLLOW_UP:
        if status is not Status.HANDED_OVER:
            raise Refused(f"{event.value} follows a handover, not {status.value}")
        return status
    if status is Status.CANCELLED:
        raise Refused("the registration is cancelled: register again under a new id")
    if status not in _MAY_FOLLOW[event]:
        raise Refused(f"{event.value} cannot follow {status.value}")
    if event is EventKind.HEALTH_CHECKED:
        return Status.HEALTH_CHECKED if status in BEFORE_PLANNING else status
    return Status(event.value)


def replay(kinds: Iterable[str], start: Status = Status.REGISTERED) -> Status:
    """The status after events of `kinds`, in time order, from `start`; `Refused` naming the
    first that may not follow the ones before it."""
    status = start
    for kind in kinds:
        status = next_status(status, kind)
    return status


def hold_reason(
    status: Status, latest_check: tuple[dt.datetime, HealthResult] | None
) -> str | None:
    """Why a registration may not be put on a trip now, or None when it may: it has boarded
    or been handed over (never a new trip), is cancelled, or its latest health check was
    abnormal (off every trip until a normal one)."""
    if status is Status.BOARDED:
        return "boarded: on its way, never put on a new trip"
    if status is Status.HANDED_OVER:
        return "handed over: arrived, never put on a new trip"
    if status is Status.CANCELLED:
        return "cancelled: not planned"
    if latest_check is not None and latest_check[1] is HealthResult.ABNORMAL:
        return (
            f"health check abnormal ({latest_check[0]:%Y-%m-%d %H:%M}): kept off every trip "
            "until a normal check"
        )
    return None


@dataclass(frozen=True)
class Standing:
    """Where a registration stands after its events: its status, its latest health check
    (time and result), and the window a reschedule gave it, if one did."""

    status: Status
    latest_check: tuple[dt.datetime, HealthResult] | None = None
    window: tuple[dt.date, dt.date] | None = None

    def after(self, event: StatusEvent) -> Standing:
        """The standing after `event` (the next in time order); `Refused` when the status
        machine refuses it."""
        return Standing(
            next_status(self.status, event.event.value),
            (event.time, event.result) if event.result is not None else self.latest_check,
            event.new_window or self.window,
        )

    def hold_reason(self) -> str | None:
        """Why it may not be put on a trip now (`hold_reason`), or None."""
        return hold_reason(self.status, self.latest_check)

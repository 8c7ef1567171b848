"""The HTTP API's request and response bodies.

Responses that carry registrations are built only through `registration_view`, which masks
names, id numbers and phones unless the caller may see them: no route returns a stored row.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, NoReturn

from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from pointplan.domain.events import (
    CHINA_TIME,
    EventKind,
    EventReason,
    HealthResult,
    detail_problems,
    in_china_time,
)
from pointplan.domain.fleet import Fleet
from pointplan.domain.personal import (
    PERSONAL_FIELDS,
    mask_field,
    phone_problem,
    resident_id_problem,
)
from pointplan.domain.places import PointKind
from pointplan.domain.plan import ChangeKind, Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Need
from pointplan.domain.text import ID_PATTERN, SafeNote, SafeText
from pointplan.domain.trip import Trip
from pointplan.io import REGISTRATION_COLUMNS
from pointplan.replan import TRANSFERS_NOT_YET
from pointplan.store import models
from pointplan.store.models import JobState

Scalar = str | int | Annotated[float, Field(allow_inf_nan=False)] | bool | None


def _in_beijing_time(stored: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC) as Beijing time with its offset."""
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.UTC)
    return stored.astimezone(CHINA_TIME)


StoredTime = Annotated[dt.datetime, AfterValidator(_in_beijing_time)]
"""A time the tables store (naive UTC), answered in Beijing time with its offset: every
date-time of every answer carries one."""


class PointIn(BaseModel):
    """A point (the points-file columns), created or updated by `point_id`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "point_id": "BS-150121",
                    "name": "土默特左旗汽车站",
                    "lat": 40.73,
                    "lon": 111.17,
                    "adcode": "150121",
                }
            ]
        },
    )

    point_id: str = Field(pattern=ID_PATTERN)
    name: SafeText = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    adcode: str = Field(default="", pattern=r"^(\d{2}|\d{4}|\d{6}|\d{12})?$")
    kind: PointKind = Field(
        default=PointKind.STOP,
        description="stop (an assembly or reception point), hub (parties may change vehicles "
        "there) or station (a railway station)",
    )


class PointsSaved(BaseModel):
    """How many points were created and how many updated."""

    created: int
    updated: int


class Rejected(BaseModel):
    """A registration of a batch that was not accepted, and why."""

    index: int
    registration_id: str | None
    reason: str


class Noted(BaseModel):
    """What was inferred for an accepted registration (pointplan's addition to the
    contract), such as its county from coordinates alone."""

    index: int
    registration_id: str
    note: str


class BatchSaved(BaseModel):
    """The answer to a batch of registrations (`notes`: pointplan's addition)."""

    accepted: int
    rejected: list[Rejected]
    notes: list[Noted] = []


class CheckedRejected(Rejected):
    """An item or row that would be rejected; `row` is the file's row (the header is row 1),
    null for a JSON batch."""

    row: int | None = None


class BatchChecked(BaseModel):
    """What a batch or a file would save and reject; nothing was saved."""

    would_save: int
    rejected: list[CheckedRejected]
    notes: list[Noted] = []


REGISTRATION_EXAMPLE = {
    "registration_id": "R1",
    "direction": "return_to_work",
    "origin": "150121",
    "destination": "150203",
    "earliest_date": "2022-11-21",
    "latest_date": "2022-11-22",
    "party_size": 2,
    "name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "pickup_point": "BS-150121",
}


class EventIn(BaseModel):
    """A status event of a registration (time in Beijing time, or with an offset)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event": "boarded",
                    "time": "2022-11-21T07:55:00+08:00",
                    "place": "土默特左旗汽车站",
                    "note": "",
                }
            ]
        },
    )

    event: EventKind
    time: dt.datetime
    place: SafeText = Field(default="", max_length=200)
    note: SafeNote = Field(default="", max_length=1000)
    reason: EventReason | None = None
    result: HealthResult | None = None
    earliest_date: dt.date | None = Field(
        default=None, description="rescheduled only: the new first day of the window"
    )
    latest_date: dt.date | None = Field(
        default=None, description="rescheduled only: the new last day of the window"
    )
    need: Need | None = Field(
        default=None,
        description="need_offered and need_served only (required there): the need of the "
        "return-home services ledger the step moves",
    )

    @field_validator("time")
    @classmethod
    def _in_china_time(cls, time: dt.datetime) -> dt.datetime:
        return in_china_time(time)

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for a reason, result, window or need that does not fit the event
        kind."""
        window = (self.earliest_date, self.latest_date)
        return detail_problems(self.event, self.reason, self.result, window, self.need)


class EventOut(BaseModel):
    """One step of a registration's history."""

    kind: str
    time: StoredTime
    place: str
    note: str
    reason: str | None
    result: str | None
    changes: dict[str, Any] | None
    actor: str
    recorded_at: StoredTime


class RegistrationSummary(BaseModel):
    """A registration as last sent (personal data masked unless the caller may see it) and
    its status, without its history."""

    registration_id: str
    status: str
    version: int
    fields: dict[str, Scalar]
    origin_adcode: str
    destination_adcode: str
    created_at: StoredTime
    updated_at: StoredTime


class RegistrationOut(RegistrationSummary):
    """A registration with its whole history."""

    history: list[EventOut]


class RegistrationPage(BaseModel):
    """One page of registrations, and the cursor of the next page (null on the last)."""

    items: list[RegistrationSummary]
    next_cursor: str | None


class LookupIn(BaseModel):
    """Whom the hotline looks for: an id number or a phone, exactly one (in the body, so that
    it is never in a URL or an access log)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"phone": "13812345678"}]}
    )

    id_number: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=40)

    def wanted(self) -> tuple[str, str]:
        """(field, value) to look for; 422 naming the field when not exactly one is given or
        it is not a valid id number or phone (never repeating the value)."""
        given = [(f, v) for f, v in (("id_number", self.id_number), ("phone", self.phone)) if v]
        if len(given) != 1:
            invalid(("id_number", "give exactly one of id_number and phone"))
        field, written = given[0]
        value = re.sub(r"[\s-]", "", written).upper()  # as people say it: 150105 1990...
        check = resident_id_problem if field == "id_number" else phone_problem
        problem = check(value)
        if problem:
            invalid((field, problem))
        return field, value


class HotlineTrip(BaseModel):
    """The trip a registration is on in the newest done plan that has it: what the hotline
    tells the person (the plate once transport has answered)."""

    plan_id: str
    trip_id: str
    date: dt.date
    departure: str = Field(description="HH:MM, Beijing time")
    vehicle_type: str
    plate: str | None
    boarding: str = Field(description="where the party boards")
    boarding_time: dt.datetime | None = Field(description="when the vehicle is there")
    seats: list[str]
    dropoff: str
    published: bool = Field(description="whether its 一车一方案 is issued")


class LookupMatch(BaseModel):
    """One registration found (masked, whoever asks) and its current trip, if any."""

    registration: RegistrationSummary
    trip: HotlineTrip | None


class LookupOut(BaseModel):
    """The registrations of the caller's area with that id number or phone (at most 20)."""

    matches: list[LookupMatch]


def batch_openapi() -> dict[str, Any]:
    """The request body of `POST /v1/registrations` as OpenAPI describes it: a list of items,
    each the columns of a registrations file as keys (text, numbers or null) and the
    optional `version` its sender last read. (The route itself takes any list, so that a bad
    item is rejected on its own instead of failing the batch.)"""
    scalar = TypeAdapter(Scalar).json_schema()
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["registration_id"],
        "properties": {
            **{column: scalar for column in REGISTRATION_COLUMNS},
            "registration_id": {"type": "string", "pattern": ID_PATTERN},
            "version": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        },
    }
    schema = {"type": "array", "items": item, "examples": [[REGISTRATION_EXAMPLE]]}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def registration_summary(
    stored: models.Registration, opened_fields: dict[str, Any], show_personal: bool
) -> RegistrationSummary:
    """The answer for a stored registration without its history, its fields opened
    (`Sealer.open`) and masked unless `show_personal`."""
    fields: dict[str, Scalar] = dict(opened_fields)
    if not show_personal:
        for name in PERSONAL_FIELDS:
            if isinstance(fields.get(name), str):
                fields[name] = mask_field(name, str(fields[name]))
    return RegistrationSummary(
        registration_id=stored.registration_id,
        status=stored.status,
        version=stored.version,
        fields=fields,
        origin_adcode=stored.origin_adcode,
        destination_adcode=stored.destination_adcode,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def registration_view(
    stored: models.Registration,
    opened_fields: dict[str, Any],
    events: list[models.RegistrationEvent],
    show_personal: bool,
) -> RegistrationOut:
    """The answer for a stored registration with its history."""
    summary = registration_summary(stored, opened_fields, show_personal)
    return RegistrationOut(
        **summary.model_dump(),
        history=[EventOut.model_validate(event, from_attributes=True) for event in events],
    )


class PlanIn(BaseModel):
    """A plan to make: the registrations touching `area` whose travel window meets
    `date_from`..`date_to`, with a fleet and policy (the file formats as JSON; defaults: the
    shipped fleet and the default rules) and a search budget in seconds."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "area": "1501",
                    "date_from": "2022-11-21",
                    "date_to": "2022-11-27",
                    "policy": {"max_load_factor": 0.5},
                    "time_limit": 30,
                }
            ]
        },
    )

    area: str = Field(pattern=r"^(\d{2}|\d{4}|\d{6})$", description="adcode prefix")
    date_from: dt.date
    date_to: dt.date
    fleet: Fleet | None = None
    policy: Policy | None = None
    time_limit: float = Field(default=30.0, gt=0)
    scenario: str = Field(
        default="",
        max_length=100,
        description="a what-if of a comparison, by its scenario's name: the plan changes no "
        "registration's status and is never published (pointplan's addition)",
    )
    date_flexibility_days: int = Field(
        default=0,
        ge=0,
        le=7,
        description="scenarios only: every party may travel up to this many days before its "
        "earliest and after its latest date, inside the plan's dates (pointplan's addition)",
    )
    base_plan_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,40}$",
        description="a done plan of the same area to start from: its published trips stay "
        "as they are, its people keep their trips where that costs no extra vehicle, and "
        "plan.json lists every change",
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> PlanIn:
        if self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        if (
            self.base_plan_id
            and self.policy
            and (self.policy.transfers or self.policy.min_trip_passengers > 1)
        ):
            raise ValueError(TRANSFERS_NOT_YET)
        if self.date_flexibility_days and not self.scenario:
            raise ValueError("date_flexibility_days is for a scenario's plan only (scenario)")
        if self.scenario and self.base_plan_id:
            raise ValueError("a scenario's plan starts from no base plan")
        return self


class PlanAccepted(BaseModel):
    """A plan job was queued."""

    plan_id: str
    status: JobState


class PlanStatus(BaseModel):
    """A plan job without its plan: status, progress while running, why it failed if it
    did, who asked and when."""

    plan_id: str
    status: JobState
    area: str
    date_from: dt.date
    date_to: dt.date
    progress: dict[str, Any] | None
    error: str
    created_by: str
    created_at: StoredTime
    started_at: StoredTime | None
    finished_at: StoredTime | None
    base_plan_id: str | None = None
    published_through: dt.date | None = None
    published_at: StoredTime | None = None
    scenario: str = ""
    date_flexibility_days: int = 0


class PlanList(BaseModel):
    """Plans without their plan.json, newest first."""

    items: list[PlanStatus]


class PublishIn(BaseModel):
    """Publish a plan's trips dated on or before `through`."""

    model_config = ConfigDict(extra="forbid")

    through: dt.date


class Published(BaseModel):
    """A plan published through a date: its trips up to it are issued (一车一方案)."""

    plan_id: str
    published_through: dt.date
    published_trips: int
    published_by: str
    published_at: StoredTime


class ChangeLine(BaseModel):
    """One person to tell about a re-plan: the change (plan.json's `changes` item) with the
    name and phone to call (masked unless the caller may see them)."""

    registration_id: str
    change: ChangeKind
    from_trips: list[str]
    to_trips: list[str]
    reason: str
    name: str
    phone: str


class ChangesOut(BaseModel):
    """The changes of a re-plan for the registrations in the caller's area."""

    plan_id: str
    base_plan_id: str | None
    items: list[ChangeLine]


class PlanOut(PlanStatus):
    """A plan job: its status and, once done, plan.json."""

    plan: Plan | None


def _a_phone(value: str) -> str:
    problem = phone_problem(value)
    if problem:
        raise ValueError(problem)  # the reason, never the number
    return value


Phone = Annotated[str, Field(max_length=20), AfterValidator(_a_phone)]


class Person(BaseModel):
    """A driver or an escort on transport's answer: a name and a phone."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[SafeText, Field(min_length=1, max_length=50)]
    phone: Phone


class TripAnswerIn(BaseModel):
    """Transport's answer to a published trip: the blank lines of its 一车一方案 filled in,
    and, to swap its vehicle, another vehicle type of the plan's fleet with as many seats or
    more (the people keep their seats)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "plate": "蒙A12345",
                    "operator": "呼和浩特市公交集团",
                    "drivers": [{"name": "王师傅", "phone": "13912345678"}],
                    "escort": {"name": "李医生", "phone": "13712345678"},
                }
            ]
        },
    )

    plate: Annotated[SafeText, Field(min_length=1, max_length=20)]
    operator: Annotated[SafeText, Field(min_length=1, max_length=200)]
    charter_permit: Annotated[SafeText, Field(max_length=50)] = ""
    drivers: list[Person] = Field(min_length=1, max_length=4)
    escort: Person | None = None
    vehicle_type: Annotated[SafeText, Field(max_length=100)] | None = None


class PersonOut(BaseModel):
    """A driver or an escort as answered (masked unless the caller may see them)."""

    name: str
    phone: str


class TripAnswerOut(BaseModel):
    """Transport's answer as recorded (names and phones masked unless the caller may see
    them), who recorded it and when; `vehicle_type` the trip's vehicle now."""

    plate: str
    operator: str
    charter_permit: str
    drivers: list[PersonOut]
    escort: PersonOut | None
    vehicle_type: str
    updated_by: str
    updated_at: StoredTime


class ManifestLine(BaseModel):
    """One registration on a trip: who (masked unless the caller may see it), seats, where
    they board and leave."""

    registration_id: str
    name: str
    id_number: str
    phone: str
    seats: list[str]
    pickup: str
    dropoff: str


class TripOut(BaseModel):
    """One trip of a plan with its manifest (乘客信息登记表), and transport's answer to it once
    recorded (its vehicle swapped in `trip` too)."""

    trip: Trip
    manifest: list[ManifestLine]
    answer: TripAnswerOut | None = None


class ErrorOut(BaseModel):
    """An error: what is wrong (422 answers list each field instead, FastAPI's way)."""

    detail: str


_ERRORS: dict[int, str] = {
    401: "no valid bearer token",
    403: "outside the token's role or area",
    404: "no such id (or none in the caller's area)",
    409: "the plan has finished already (or is not done), the event may not follow the "
    "history, or the date is published already",
    413: "the request body is too large",
    415: "the request body is not JSON",
    503: "the database does not answer",
}


def invalid(*problems: tuple[str, str], where: str = "body") -> NoReturn:
    """Answer 422 for the fields of `problems` in the request's `where` (body, query, path),
    each (dotted field, message), as FastAPI answers its own validation errors."""
    raise RequestValidationError(
        [
            {"type": "value_error", "loc": (where, *field.split(".")), "msg": message}
            for field, message in problems
        ]
    )


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error answers a route may give."""
    return {code: {"model": ErrorOut, "description": _ERRORS[code]} for code in codes}

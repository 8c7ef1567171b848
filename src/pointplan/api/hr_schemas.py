"""The bodies of human resources' calls (`/v1/hr/...`, docs/hr.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pointplan.api.schemas import Scalar, StoredTime
from pointplan.domain.jobs import JobPosting
from pointplan.domain.text import ID_PATTERN, SafeNote, SafeText
from pointplan.domain.warnings import Thresholds, WarningLevel
from pointplan.hr.flows import Flow
from pointplan.hr.ledger import LedgerEntry
from pointplan.hr.reports import Submitted
from pointplan.store.models import WarningState


class PostingIn(BaseModel):
    """A job posting, the jobs-file columns as keys."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "job_id": "J-150121-001",
                    "employer": "土左旗建筑公司",
                    "county": "150121",
                    "trade": "建筑",
                    "openings": 20,
                    "wage": 5200,
                    "max_km": 100,
                }
            ]
        },
    )

    job_id: str = Field(pattern=ID_PATTERN)
    employer: SafeText = Field(min_length=1, max_length=200)
    county: str = Field(pattern=r"^\d{6}$", description="the job's county (6-digit adcode)")
    trade: SafeText = Field(default="", max_length=100, description="empty: any trade")
    openings: int = Field(ge=1, le=100_000)
    wage: float = Field(ge=0, le=1_000_000, allow_inf_nan=False, description="yuan a month")
    max_km: float = Field(
        default=100.0, ge=0, le=5_000, allow_inf_nan=False, description="farthest home"
    )

    def posting(self) -> JobPosting:
        """The domain's posting."""
        return JobPosting.model_validate(self.model_dump())


class PostingsSaved(BaseModel):
    """How many postings were created and updated."""

    created: int
    updated: int


class PostingOut(BaseModel):
    """A stored posting, with how many of its openings the matching filled."""

    job_id: str
    employer: str
    county: str
    trade: str
    openings: int
    wage: float
    max_km: float
    matched: int
    left: int


class PostingsOut(BaseModel):
    """The postings of the caller's area."""

    items: list[PostingOut]


class PushLine(BaseModel):
    """A job offer to push: who, to call, and the posting."""

    home_county: str
    registration_id: str
    name: str
    phone: str
    job_id: str
    employer: str
    job_county: str
    wage: float
    km: float


class LedgerOut(BaseModel):
    """The ledger of the returnees whose home is in the caller's area."""

    items: list[LedgerEntry] = Field(description="one per need of each returnee")
    push_list: list[PushLine]
    unmatched: list[dict[str, str]] = Field(
        description="job seekers of the area left without an offer: registration_id, reason"
    )


class CoordinationRow(BaseModel):
    """A row of the coordination list the region sends another province: who travels in
    one window between two counties for one employer, and from a plan the dates they travel
    on (`2022-11-21 x 12`) and the places of their trips."""

    other_province_adcode: str
    other_province: str
    direction: str
    origin_adcode: str
    origin: str
    destination_adcode: str
    destination: str
    earliest_date: dt.date
    latest_date: dt.date
    employer: str
    registrations: int
    people: int
    planned_dates: str
    pickups: str
    dropoffs: str


class CoordinationOut(BaseModel):
    """The flows the caller's office answers for and, for the region, the coordination
    lists per other province."""

    area: str
    level: str
    flows: list[Flow]
    coordination_lists: list[CoordinationRow]


class ReceivingOut(BaseModel):
    """The arrivals of a plan in the caller's area."""

    plan_id: str
    arrival_measure: str
    items: list[dict[str, Scalar]]


class EvaluateIn(BaseModel):
    """The week to raise warnings for, and the thresholds (default: the service's)."""

    model_config = ConfigDict(extra="forbid")

    week_start: dt.date = Field(description="the Monday the week starts on")
    thresholds: Thresholds | None = None


class WarningStepOut(BaseModel):
    """One step of a warning's trail."""

    model_config = ConfigDict(from_attributes=True)

    step: str
    level: str
    note: str
    actor: str
    at: StoredTime


class WarningOut(BaseModel):
    """A recorded warning, its indicators, reasons, state and trail."""

    warning_id: str
    county: str
    county_name: str
    week_start: dt.date
    level: WarningLevel
    indicators: dict[str, Any]
    reasons: list[str]
    state: WarningState
    trail: list[WarningStepOut]


class WarningsOut(BaseModel):
    """Recorded warnings."""

    items: list[WarningOut]


class EvaluatedOut(BaseModel):
    """The warnings raised (or raised again at a higher level) by an evaluation, and how
    many counties of the area were evaluated."""

    counties: int
    raised: list[WarningOut]


class StepIn(BaseModel):
    """A note for a step of a warning (what was done)."""

    model_config = ConfigDict(extra="forbid")

    note: SafeNote = Field(default="", max_length=1000)


class ReopenIn(BaseModel):
    """Why a submission is reopened."""

    model_config = ConfigDict(extra="forbid")

    reason: SafeNote = Field(min_length=1, max_length=1000)


class SubmissionOut(BaseModel):
    """One submission of the trail: who submitted when, and who reopened it, if anyone."""

    model_config = ConfigDict(from_attributes=True)

    submitted_at: StoredTime
    submitted_by: str
    reopened_at: StoredTime | None
    reopened_by: str
    reopen_reason: str


class ReportingOut(BaseModel):
    """An area reporting to this one, and where its submission stands."""

    area: str
    name: str
    standing: Submitted
    submitted_at: StoredTime | None
    submitted_by: str


class TableOut(BaseModel):
    """One weekly table of a report: its columns, a row per area, and the total."""

    columns: list[str]
    rows: list[dict[str, Scalar]]
    total: dict[str, Scalar]


class ReportOut(BaseModel):
    """An area's weekly report: as submitted (the current submission), else as it stands
    (a county's from the data, a league's or the region's from what its areas submitted);
    the deadline and where it stands; the areas reporting to it."""

    area: str
    name: str
    level: str
    week_start: dt.date
    deadline: dt.datetime
    standing: Submitted
    submitted: bool
    plan_id: str | None
    tables: dict[str, TableOut]
    reporting: list[ReportingOut]
    late: list[str]
    missing: list[str]
    trail: list[SubmissionOut]

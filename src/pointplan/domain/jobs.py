"""Jobs posted by employers or counties for returnees (return-home job services, 三(六))."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ANY_TRADE = ""
"""A posting's trade when any trade will do."""


class JobPosting(BaseModel):
    """Openings of one employer in one county for one trade, at a wage, for job seekers whose
    home county seat lies within `max_km` of the county's seat."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    job_id: str = Field(min_length=1)
    employer: str = Field(min_length=1)
    county: str = Field(pattern=r"^\d{6}$", description="the job's county (6-digit adcode)")
    trade: str = Field(default=ANY_TRADE, description="the trade asked for; empty: any")
    openings: int = Field(ge=1)
    wage: float = Field(ge=0, description="yuan a month")
    max_km: float = Field(default=100.0, ge=0, description="farthest home a seeker may have")

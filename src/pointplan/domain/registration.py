"""A registration: one person or one party asking to travel."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from pointplan.domain.places import Place


class Direction(StrEnum):
    """Which way a registration travels."""

    RETURN_TO_WORK = "return_to_work"  # 返岗
    RETURN_HOME = "return_home"  # 返乡


class ReturnReason(StrEnum):
    """Why a worker returns home (return_home only)."""

    VOLUNTARY = "voluntary"  # 自愿
    STOPPAGE = "stoppage"  # 停工停产
    LAYOFF = "layoff"  # 裁员
    UNPAID_WAGES = "unpaid_wages"  # 欠薪
    OTHER = "other"  # 其他

    @property
    def involuntary(self) -> bool:
        """Whether this is an involuntary return (非自愿返乡)."""
        return self in INVOLUNTARY


INVOLUNTARY = frozenset((ReturnReason.STOPPAGE, ReturnReason.LAYOFF, ReturnReason.UNPAID_WAGES))
"""The return reasons of an involuntary return (非自愿返乡)."""


class Need(StrEnum):
    """A return-home service a returnee asks for (the 台账 of return-home services)."""

    JOB = "job"  # 就业
    TRAINING = "training"  # 培训
    BUSINESS = "business"  # 创业
    RIGHTS = "rights"  # 维权


class Registration(BaseModel):
    """A validated, resolved registration as the solvers see it.

    `pickup` and `dropoff` are the places where the party boards and leaves; they are the
    registration's own pickup/drop-off point when it named one, else the point the engine chose,
    else its origin/destination. Personal data is held as `SecretStr` so that it never shows in
    logs or reprs by accident.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    registration_id: str = Field(min_length=1)
    direction: Direction
    origin: Place
    destination: Place
    earliest_date: dt.date
    latest_date: dt.date
    party_size: int = Field(default=1, ge=1)
    pickup: Place
    dropoff: Place
    pickup_point_id: str | None = None
    dropoff_point_id: str | None = None
    name: SecretStr | None = None
    id_number: SecretStr | None = None
    phone: SecretStr | None = None
    registered_at: dt.datetime | None = Field(
        default=None, description="when the person registered (with its offset)"
    )
    employer: str | None = Field(default=None, description="用人单位")
    trade: str | None = Field(default=None, description="the person's trade or skill")
    return_reason: ReturnReason | None = None
    needs: tuple[Need, ...] = ()
    row: int | None = Field(default=None, description="source row (header is row 1), for messages")

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Registration:
        if self.earliest_date > self.latest_date:
            raise ValueError("earliest_date is after latest_date")
        if self.direction is Direction.RETURN_TO_WORK and (self.return_reason or self.needs):
            raise ValueError("return_reason and needs are for return_home only")
        if self.registered_at is not None and self.registered_at.tzinfo is None:
            raise ValueError("registered_at needs its offset")
        return self

    def window(self) -> list[dt.date]:
        """Every date the registration may travel on, in order."""
        days = (self.latest_date - self.earliest_date).days
        return [self.earliest_date + dt.timedelta(days=i) for i in range(days + 1)]

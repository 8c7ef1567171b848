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
    row: int | None = Field(default=None, description="source row (header is row 1), for messages")

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Registration:
        if self.earliest_date > self.latest_date:
            raise ValueError("earliest_date is after latest_date")
        return self

    def window(self) -> list[dt.date]:
        """Every date the registration may travel on, in order."""
        days = (self.latest_date - self.earliest_date).days
        return [self.earliest_date + dt.timedelta(days=i) for i in range(days + 1)]

"""The rules in force: epidemic seat rules, stop limits and driving-time rules."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Policy(BaseModel):
    """Every rule a plan must keep. All keys are optional; misspelled keys are refused.

    The first block is the contract of interchange.md; the rest are the numbers of domain.md,
    configurable because rules differ between places and years.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_load_factor: float = Field(default=0.5, gt=0, le=1)
    reserved_rear_rows: int = Field(default=2, ge=0)
    alternate_seating: bool = True
    checkerboard: bool = False
    party_may_sit_together: bool = False
    escort_seats: int = Field(default=0, ge=0)
    max_pickups: int = Field(default=3, ge=1)
    max_dropoffs: int = Field(default=3, ge=1)
    pickup_radius_km: float = Field(default=60.0, ge=0)
    dropoff_radius_km: float = Field(default=60.0, ge=0)
    driving_rules: bool = True

    # Geography and timing.
    road_factor: float = Field(default=1.25, ge=1, le=3, description="road km per straight km")
    departure_time: dt.time = Field(default=dt.time(8, 0), description="first pickup, local")
    stop_minutes: int = Field(default=15, ge=0, description="dwell at each stop")
    pickup_search_km: float = Field(
        default=30.0,
        ge=0,
        description="a party without a pickup point boards at the nearest point "
        "of the points file within this distance of its origin, else at its origin",
    )

    # Driving-time rules of long-distance passenger transport (domain.md).
    continuous_day_hours: float = Field(default=4.0, gt=0)
    continuous_night_hours: float = Field(default=2.0, gt=0)
    rest_minutes: int = Field(default=20, ge=1)
    daily_driving_hours_per_driver: float = Field(default=8.0, gt=0)
    second_driver_km: float = Field(default=400.0, gt=0)
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    no_running_start: dt.time = dt.time(2, 0)
    no_running_end: dt.time = dt.time(5, 0)

    @field_validator(
        "departure_time",
        "night_start",
        "night_end",
        "no_running_start",
        "no_running_end",
        mode="before",
    )
    @classmethod
    def _clock_time(cls, value: object) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError("give a clock time as text, 'HH:MM'")
        if isinstance(value, str) and re.match(r"^\d:\d{2}", value.strip()):
            return "0" + value.strip()  # 8:00 -> 08:00
        return value

    @field_validator(
        "departure_time", "night_start", "night_end", "no_running_start", "no_running_end"
    )
    @classmethod
    def _local_time(cls, value: dt.time) -> dt.time:
        if value.tzinfo is not None:
            raise ValueError("give a local clock time without a time zone, 'HH:MM'")
        return value

    @model_validator(mode="after")
    def _night_limit_not_above_day_limit(self) -> Policy:
        if self.continuous_night_hours > self.continuous_day_hours:
            raise ValueError("continuous_night_hours is more than continuous_day_hours")
        return self

"""The service's settings, read from the environment (POINTPLAN_*) or given directly."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pointplan.store.database import DEFAULT_URL


class Settings(BaseSettings):
    """What `pointplan serve` runs with; each field can be set as POINTPLAN_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="POINTPLAN_", extra="ignore")

    database_url: str = Field(default=DEFAULT_URL, description="any SQLAlchemy URL")
    max_body_bytes: int = Field(default=10_000_000, ge=1_000, description="larger bodies: 413")
    max_batch: int = Field(default=10_000, ge=1, description="registrations per request")
    plan_workers: int = Field(default=1, ge=1, description="plans solved at once")
    validation_processes: int = Field(
        default=1,
        ge=0,
        description="processes validating and saving registration batches (0: a thread)",
    )
    max_time_limit: float = Field(default=600.0, gt=0, description="longest plan search, s")

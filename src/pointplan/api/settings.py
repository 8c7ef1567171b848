"""The service's settings, read from the environment (POINTPLAN_*) or given directly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pointplan.domain.warnings import Thresholds
from pointplan.io.config import default_thresholds, load_thresholds
from pointplan.store.database import DEFAULT_URL, sqlite_path
from pointplan.store.sealing import DataKeyError, Sealer, key_file, keys_from
from pointplan.store.tokens import TOKEN_CACHE_SECONDS


class Settings(BaseSettings):
    """What `pointplan serve` runs with; each field can be set as POINTPLAN_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="POINTPLAN_", extra="ignore")

    database_url: str = Field(default=DEFAULT_URL, description="any SQLAlchemy URL")
    max_body_bytes: int = Field(default=10_000_000, ge=1_000, description="larger bodies: 413")
    max_batch: int = Field(default=10_000, ge=1, description="registrations per request")
    plan_workers: int = Field(
        default=1,
        ge=0,
        description="plans this process solves at once (0: none; `pointplan worker` "
        "processes on the same database solve them)",
    )
    plan_lease_seconds: float = Field(
        default=30.0,
        ge=1,
        description="how long a plan worker holds a job without renewing it: a job whose "
        "worker died is queued again after this, s",
    )
    token_cache_seconds: float = Field(
        default=TOKEN_CACHE_SECONDS,
        ge=0,
        description="how long a process trusts a token it has seen without asking the "
        "database (so how long a revoked token may still open it), s",
    )
    validation_processes: int = Field(
        default=1,
        ge=0,
        description="processes validating and saving registration batches (0: a thread)",
    )
    max_time_limit: float = Field(default=600.0, gt=0, description="longest plan search, s")
    max_window_days: int = Field(
        default=60, ge=1, description="longest travel window a registration may ask, days"
    )
    plan_margin_seconds: float = Field(
        default=60.0,
        gt=0,
        description="time a plan job may take beyond its search and the solver's own wall "
        "guard (reading, writing) before the runner stops it and fails it, s",
    )
    tile_url: str = Field(
        default="",
        description="the console map's background tiles, a URL template such as "
        "https://tiles.example/{z}/{x}/{y}.png; empty (default): no tiles, the map on grey, "
        "and no request leaves the machine",
    )
    tile_attribution: str = Field(
        default="tiles", description="whose tiles `tile_url` serves, shown on the map"
    )
    max_event_ahead_hours: float = Field(
        default=24.0, ge=0, description="how far in the future an event may be dated, hours"
    )
    thresholds_file: str = Field(
        default="",
        description="the early warning's thresholds (YAML/JSON, docs/hr.md); empty: the "
        "shipped ones",
    )
    data_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet keys for id numbers and phones at rest, comma-separated, newest "
        "first (`pointplan db new-key` makes one)",
    )
    data_key_file: str = Field(
        default="",
        description="a file of data keys, one a line, newest first, used when data_keys is "
        "empty (default for a SQLite database: the database file's name + .key, made "
        "readable by its owner only on first start)",
    )

    def sealer(self) -> Sealer:
        """The sealer of personal data at rest, from the data keys or their file."""
        keys = keys_from(self.data_keys.get_secret_value())
        if keys:
            return Sealer(keys)
        path = self.data_key_file or _default_key_file(self.database_url)
        if not path:
            raise DataKeyError(
                "a database other than SQLite needs its data keys: set POINTPLAN_DATA_KEYS "
                "or POINTPLAN_DATA_KEY_FILE (`pointplan db new-key` makes a key)"
            )
        return Sealer(key_file(Path(path)))


def thresholds_of(settings: Settings) -> Thresholds:
    """The thresholds the service raises warnings with: its file's, else the shipped ones."""
    if settings.thresholds_file:
        return load_thresholds(settings.thresholds_file)
    return default_thresholds()


def _default_key_file(database_url: str) -> str:
    path = sqlite_path(database_url)
    return "" if path is None else f"{path}.key"

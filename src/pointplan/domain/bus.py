"""A depot's buses: the physical vehicles that run a plan's trips one after another.

A trip is one vehicle on one date (a vehicle-day, what `summary.vehicles` counts). A bus
belongs to a depot (an operator's yard) and runs a chain of trips: it leaves its depot empty,
runs a trip, and either drives on empty to the start of its next trip (a bus that takes
workers out brings others back) or goes home first; at the end it goes home. Field names are
additions to interchange.md's plan.json (docs/fleet.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pointplan.domain.trip import BeijingTime

_FROZEN = ConfigDict(frozen=True, extra="forbid")

RunKind = Literal["from_depot", "between", "to_depot"]
"""An empty run: from the bus's depot to a trip's first stop, from one trip's last stop to
the next trip's first, or from a trip's last stop home."""


class EmptyRun(BaseModel):
    """A bus driving without passengers, with the trips it comes after and goes to."""

    model_config = _FROZEN

    kind: RunKind
    after_trip: str | None = None
    before_trip: str | None = None
    start: BeijingTime
    end: BeijingTime
    km: float = Field(ge=0)


class Bus(BaseModel):
    """One physical vehicle of a depot and the trips it runs, in order, with its empty runs
    in order (each trip comes between the run before it and the run after it)."""

    model_config = _FROZEN

    bus_id: str
    depot_id: str
    vehicle_type: str
    trips: tuple[str, ...] = Field(min_length=1)
    runs: tuple[EmptyRun, ...]
    empty_km: float
    empty_cost: float = 0.0


class DepotNeed(BaseModel):
    """The fleet-sizing answer for one depot and vehicle type: the least buses that run the
    depot's trips of the plan, what the depot has (`None`: not given), how many it lacks,
    and the buses away from the depot on each date."""

    model_config = _FROZEN

    depot_id: str
    vehicle_type: str
    buses: int
    available: int | None = None
    short: int = 0
    trips: int = 0
    empty_km: float = 0.0
    by_date: dict[dt.date, int] = Field(default_factory=dict)

"""The plan: its trips (see `trip`), what could not be served, the figures.

Field names are the contract of interchange.md (plan.json); fields beyond it are additions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pointplan.domain.bus import Bus, DepotNeed
from pointplan.domain.trip import EscortSeat, ScheduleEvent, SeatAssignment, Stop, Trip, itineraries

if TYPE_CHECKING:
    import pandas as pd

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Unassigned(BaseModel):
    """A valid registration the plan could not serve, and why."""

    model_config = _FROZEN

    registration_id: str
    reason: str


class Advice(BaseModel):
    """A registration not put on a charter, its flow being too small for one: the mode
    advised (`scheduled`: a scheduled coach or train), why, and its estimated cost (yuan)."""

    model_config = _FROZEN

    registration_id: str
    mode: str
    reason: str
    cost: float


class DateSuggestion(BaseModel):
    """One person staff could ask to travel on `move_to` instead (引导集中出行): with the
    rest of its `group`, who move together, on trip `trip_id`, the plan saves
    `saves_vehicles` vehicles."""

    model_config = _FROZEN

    registration_id: str
    move_to: dt.date
    saves_vehicles: int
    group: int
    trip_id: str


class Rejection(BaseModel):
    """An input row that was not valid, and why (`row` counts the header as row 1)."""

    model_config = _FROZEN

    row: int
    registration_id: str | None
    reason: str


ChangeKind = Literal["added", "moved", "removed", "kept"]
"""What a re-plan did to one registration (see `Change`)."""


class Change(BaseModel):
    """What a re-plan did to one registration against its base plan: `kept` on the same
    trip, date and seats; `moved` to other trips or seats; `removed` from every trip; `added`
    (new, or unassigned in the base plan). `from_trips` and `to_trips` list trip ids, one per
    leg (empty when on none)."""

    model_config = _FROZEN

    registration_id: str
    change: ChangeKind
    from_trips: tuple[str, ...] = ()
    to_trips: tuple[str, ...] = ()
    reason: str = ""


class Summary(BaseModel):
    """The plan's figures."""

    model_config = _FROZEN

    registrations: int
    passengers: int
    served_passengers: int
    vehicles: int
    vehicles_lower_bound: int
    stops: int
    distance_km: float
    cost: float
    solve_seconds: float
    served_registrations: int = 0
    unassigned: int = 0
    rejected: int = 0
    solver: str = ""
    seed: int = 0
    advised: int = 0
    legs: int = 0
    cost_per_person: float = 0.0
    buses: int | None = Field(
        default=None,
        exclude_if=lambda buses: buses is None,
        description="physical vehicles of the fleet's depots that run the trips (written "
        "only for a fleet with depots; docs/fleet.md)",
    )
    empty_km: float | None = Field(
        default=None,
        exclude_if=lambda km: km is None,
        description="km the depots' buses drive without passengers (written with buses); "
        "their cost is in `cost`",
    )
    buses_short: int | None = Field(
        default=None,
        exclude_if=lambda short: short is None,
        description="buses the depots lack for the plan, summed over depots and types "
        "(written with buses)",
    )


RE_PLAN_FIELDS = ("base_plan", "frozen_through", "changes")
"""The fields only a re-plan has (interchange.md, "Re-plans")."""


class Plan(BaseModel):
    """A whole plan, as written to and read from plan.json."""

    model_config = _FROZEN

    summary: Summary
    trips: tuple[Trip, ...]
    unassigned: tuple[Unassigned, ...]
    rejected: tuple[Rejection, ...]
    base_plan: str | None = None
    frozen_through: dt.date | None = None
    changes: tuple[Change, ...] = ()
    date_suggestions: tuple[DateSuggestion, ...] = Field(
        default=(),
        exclude_if=lambda suggestions: not suggestions,
        description="people staff could ask to travel on another date, in groups that save a "
        "vehicle each (written only when there are some)",
    )
    advised: tuple[Advice, ...] = Field(
        default=(),
        exclude_if=lambda advised: not advised,
        description="registrations advised to travel by scheduled service (written only when "
        "there are some)",
    )
    buses: tuple[Bus, ...] = Field(
        default=(),
        exclude_if=lambda buses: not buses,
        description="the depots' buses and the trips each runs in turn (a fleet with depots)",
    )
    fleet_sizing: tuple[DepotNeed, ...] = Field(
        default=(),
        exclude_if=lambda needs: not needs,
        description="per depot and vehicle type, the least buses the plan needs, what the "
        "depot has, and the buses away on each date",
    )

    @model_validator(mode="after")
    def _unique_trip_ids(self) -> Plan:
        seen: set[str] = set()
        for trip in self.trips:
            if trip.trip_id in seen:
                raise ValueError(f"trip ids must be unique; {trip.trip_id!r} is used twice")
            seen.add(trip.trip_id)
        return self

    def itineraries(self) -> dict[str, tuple[Trip, ...]]:
        """Each registration on a trip -> its trips, one per leg (`itineraries`)."""
        return itineraries(self.trips)

    def to_json(self, indent: int | None = 2) -> str:
        """plan.json text: stable key order, two-space indent (one line, no newline, with
        `indent=None`), UTF-8 characters kept. The re-plan fields are written only for a
        re-plan (and a trip's `overrides` and `rules` only when it has some), so that a plan
        from scratch under fixed rules is as before."""
        absent = set() if self.base_plan is not None else set(RE_PLAN_FIELDS)
        text = self.model_dump_json(indent=indent, exclude=absent)
        return text + "\n" if indent is not None else text

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """Read plan.json text."""
        return cls.model_validate_json(text)

    def write(self, path: Path) -> None:
        """Write plan.json to `path`."""
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Plan:
        """Read plan.json from `path`."""
        return cls.from_json(path.read_bytes())

    def to_dataframe(
        self, table: Literal["trips", "stops", "passengers"] = "trips"
    ) -> pd.DataFrame:
        """The plan as a pandas table: one row per trip (default), per stop, or per
        registration on a trip (see `pointplan.domain.tables`)."""
        from pointplan.domain import tables

        makers = {
            "trips": tables.trips_table,
            "stops": tables.stops_table,
            "passengers": tables.passengers_table,
        }
        if table not in makers:
            raise ValueError(f"unknown table {table!r}; choose from {sorted(makers)}")
        return makers[table](self.trips)


__all__ = [
    "Change",
    "EscortSeat",
    "Plan",
    "Rejection",
    "ScheduleEvent",
    "SeatAssignment",
    "Stop",
    "Summary",
    "Trip",
    "Unassigned",
]

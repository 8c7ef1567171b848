"""The plan: trips with stops, seats and times; what could not be served; the figures.

Field names are the contract of interchange.md (plan.json); fields beyond it are additions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pointplan.domain.registration import Direction

if TYPE_CHECKING:
    import pandas as pd

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Stop(BaseModel):
    """One stop of a trip: who boards (pickup) or leaves (dropoff) there, and when."""

    model_config = _FROZEN

    kind: Literal["pickup", "dropoff"]
    place: str
    lat: float
    lon: float
    registrations: tuple[str, ...]
    point_id: str | None = None
    arrival: dt.datetime | None = None
    departure: dt.datetime | None = None


class SeatAssignment(BaseModel):
    """One person in one seat; `row` counts from 1 at the front, `seat` is the letter."""

    model_config = _FROZEN

    row: int = Field(ge=1)
    seat: str
    registration_id: str


class EscortSeat(BaseModel):
    """A seat kept for an escort or medical worker."""

    model_config = _FROZEN

    row: int = Field(ge=1)
    seat: str


class ScheduleEvent(BaseModel):
    """A piece of a trip's timeline: driving, a stop, a rest or the small-hours stop."""

    model_config = _FROZEN

    kind: Literal["stop", "drive", "rest", "daily_rest", "no_running"]
    start: dt.datetime
    end: dt.datetime
    km: float = 0.0


class Trip(BaseModel):
    """One vehicle on one date (one 一车一方案 document)."""

    model_config = _FROZEN

    trip_id: str
    direction: Direction
    date: dt.date
    departure: str = Field(pattern=r"^\d{2}:\d{2}$")
    vehicle_type: str
    layout: tuple[str, ...]
    capacity: int
    stops: tuple[Stop, ...]
    seats: tuple[SeatAssignment, ...]
    passengers: int
    distance_km: float
    arrival: dt.datetime | None = None
    drivers: int = 1
    cost: float = 0.0
    escort_seats: tuple[EscortSeat, ...] = ()
    schedule: tuple[ScheduleEvent, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Trip:
        if not self.layout or not self.stops:
            raise ValueError(f"trip {self.trip_id}: a trip needs a layout and stops")
        boarding = {rid for s in self.stops if s.kind == "pickup" for rid in s.registrations}
        leaving = {rid for s in self.stops if s.kind == "dropoff" for rid in s.registrations}
        if boarding != leaving:
            odd = sorted(boarding ^ leaving)[:3]
            raise ValueError(
                f"trip {self.trip_id}: registrations {odd} board without leaving or leave "
                "without boarding"
            )
        for seat in self.seats:
            if seat.row > len(self.layout) or seat.seat not in self.layout[seat.row - 1]:
                raise ValueError(
                    f"trip {self.trip_id}: seat {seat.row}{seat.seat} is not in the layout"
                )
        return self

    def registration_ids(self) -> list[str]:
        """Registrations on this trip, in boarding order."""
        return [rid for stop in self.stops if stop.kind == "pickup" for rid in stop.registrations]


class Unassigned(BaseModel):
    """A valid registration the plan could not serve, and why."""

    model_config = _FROZEN

    registration_id: str
    reason: str


class Rejection(BaseModel):
    """An input row that was not valid, and why (`row` counts the header as row 1)."""

    model_config = _FROZEN

    row: int
    registration_id: str | None
    reason: str


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


class Plan(BaseModel):
    """A whole plan, as written to and read from plan.json."""

    model_config = _FROZEN

    summary: Summary
    trips: tuple[Trip, ...]
    unassigned: tuple[Unassigned, ...]
    rejected: tuple[Rejection, ...]

    @model_validator(mode="after")
    def _unique_trip_ids(self) -> Plan:
        seen: set[str] = set()
        for trip in self.trips:
            if trip.trip_id in seen:
                raise ValueError(f"trip ids must be unique; {trip.trip_id!r} is used twice")
            seen.add(trip.trip_id)
        return self

    def to_json(self) -> str:
        """plan.json text: stable key order, two-space indent, UTF-8 characters kept."""
        return self.model_dump_json(indent=2) + "\n"

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
        registration on a trip (see `pointplan.exports.tables`)."""
        from pointplan.exports import tables

        makers = {
            "trips": tables.trips_table,
            "stops": tables.stops_table,
            "passengers": tables.passengers_table,
        }
        if table not in makers:
            raise ValueError(f"unknown table {table!r}; choose from {sorted(makers)}")
        return makers[table](self)

    def with_rejected(self, rejected: tuple[Rejection, ...]) -> Plan:
        """This plan with input rows that were rejected before solving added to it."""
        all_rejected = self.rejected + rejected
        summary = self.summary.model_copy(
            update={
                "registrations": self.summary.registrations + len(rejected),
                "rejected": len(all_rejected),
            }
        )
        return self.model_copy(update={"rejected": all_rejected, "summary": summary})

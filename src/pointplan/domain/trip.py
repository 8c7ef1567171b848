"""A trip: one vehicle on one date, with its stops, seats and timeline (one 一车一方案).

Field names are the contract of interchange.md (plan.json); fields beyond it are additions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from pointplan.domain.events import CHINA_TIME
from pointplan.domain.registration import Direction


def _as_beijing_time(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment  # written without an offset (plan.json before 2026-12): Beijing time
    return moment.astimezone(CHINA_TIME).replace(tzinfo=None)


def _with_offset(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=CHINA_TIME)


BeijingTime = Annotated[
    dt.datetime,
    AfterValidator(_as_beijing_time),
    PlainSerializer(_with_offset, return_type=dt.datetime, when_used="json"),
]
"""A time of a trip's timeline: held as naive Beijing time (the clock of the driving rules),
written to plan.json with its offset (`2022-11-22T08:00:00+08:00`); read with any offset, or
none (Beijing time)."""

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
    arrival: BeijingTime | None = None
    departure: BeijingTime | None = None


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
    start: BeijingTime
    end: BeijingTime
    km: float = 0.0


Leg = Literal["direct", "feeder", "trunk", "distribution"]
"""Which leg of its riders' journeys a trip is: door to door (`direct`), pickup point to a
gathering hub (`feeder`), between hubs or stations (`trunk`), or from a reception hub to the
drop-off points (`distribution`, the receiving side's)."""
Mode = Literal["coach", "rail"]
"""What runs a trip: a road vehicle, or rail cars."""


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
    arrival: BeijingTime | None = None
    drivers: int = 1
    cost: float = 0.0
    escort_seats: tuple[EscortSeat, ...] = ()
    schedule: tuple[ScheduleEvent, ...] = ()
    leg: Leg = Field(
        default="direct",
        exclude_if=lambda leg: leg == "direct",
        description="direct (the default, not written), feeder, trunk or distribution",
    )
    mode: Mode = Field(
        default="coach",
        exclude_if=lambda mode: mode == "coach",
        description="coach (the default, not written) or rail",
    )
    train: str | None = Field(
        default=None,
        exclude_if=lambda train: train is None,
        description="rail only: the train the car runs in (its cars share date, departure and "
        "stations); not written for road trips",
    )
    train_cars: int | None = Field(
        default=None,
        exclude_if=lambda cars: cars is None,
        description="rail only: how many of the plan's cars the train has",
    )
    special_train: bool = Field(
        default=False,
        exclude_if=lambda special: not special,
        description="rail only: whether the train is a special train (专列) of the plan's "
        "cars alone (at least the policy's special_train_cars); otherwise its cars are "
        "chartered cars of a scheduled train; written only when true",
    )
    overrides: tuple[int, ...] = Field(
        default=(),
        exclude_if=lambda overrides: not overrides,
        description="the policy's overrides (their indices) that may hold for this trip's "
        "people; written only when there are some",
    )
    bus_id: str | None = Field(
        default=None,
        exclude_if=lambda bus: bus is None,
        description="the depot's bus that runs this trip (plan.buses); written only for a "
        "fleet with depots",
    )
    depot_id: str | None = Field(
        default=None,
        exclude_if=lambda depot: depot is None,
        description="the depot of that bus",
    )
    rules: dict[str, Any] = Field(
        default_factory=dict,
        exclude_if=lambda rules: not rules,
        description="the values of the rules those overrides set, as the trip was planned "
        "under them",
    )

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

    def people_by_registration(self) -> dict[str, int]:
        """Each registration on this trip -> its people (its seats), in seating order."""
        people: dict[str, int] = {}
        for seat in self.seats:
            people[seat.registration_id] = people.get(seat.registration_id, 0) + 1
        return people

    def registration_ids(self) -> list[str]:
        """Registrations on this trip, in boarding order."""
        return [rid for stop in self.stops if stop.kind == "pickup" for rid in stop.registrations]


def itineraries(trips: Iterable[Trip]) -> dict[str, tuple[Trip, ...]]:
    """Each registration on `trips` -> its trips, one per leg, in the order it rides them
    (by date and departure); a direct journey is one trip."""
    found: dict[str, list[Trip]] = {}
    for trip in sorted(trips, key=lambda t: (t.date, t.departure, t.trip_id)):
        for rid in trip.registration_ids():
            found.setdefault(rid, []).append(trip)
    return {rid: tuple(legs) for rid, legs in found.items()}

"""The rules in force: epidemic seat rules, stop limits and driving-time rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from pointplan.domain.fleet import VehicleType

STRICTER: dict[str, Callable[[Any, Any], Any]] = {
    "max_load_factor": min,
    "reserved_rear_rows": max,
    "alternate_seating": max,  # True is stricter
    "checkerboard": max,
    "party_may_sit_together": min,  # False is stricter
    "escort_seats": max,
    "isolation_seats": max,
    "max_pickups": min,
    "max_dropoffs": min,
    "pickup_radius_km": min,
    "dropoff_radius_km": min,
    "driving_rules": max,
    "continuous_day_hours": min,
    "continuous_night_hours": min,
    "rest_minutes": max,
    "daily_driving_hours_per_driver": min,
    "second_driver_km": min,
}
"""The keys an override may set, each with the choice of the stricter of two values."""
LOOSER: dict[str, Callable[[Any, Any], Any]] = {
    key: max if stricter is min else min for key, stricter in STRICTER.items()
}
"""The choice of the looser of two values, key by key."""


_SCOPE_KEYS = ("area", "from", "to", "date_from", "date_to")
RAIL_NEEDS_TRANSFERS = (
    "rail cars carry trunk legs between stations, so rail needs transfers: true and max_legs "
    "of 3 or more (to the station, the train, from the station)"
)
"""Why a policy asking for rail without the legs a rail journey rides is refused."""
TRANSFERS_WITH_OVERRIDES = (
    "transfers with overrides are not supported in this version (a journey's legs would run "
    "under different rules); plan with one or the other"
)
"""Why a policy asking for transfers and overrides together is refused."""


class Override(BaseModel):
    """Rules that hold for trips with a stop in `area` (an adcode prefix) on a date from
    `from` to `to` (each optional: no area is everywhere, no dates every day), written flat:
    `{"area": "1501", "from": "2022-11-21", "to": "2022-11-27", "max_load_factor": 0.5}`."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    area: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    date_from: dt.date | None = Field(default=None, alias="from")
    date_to: dt.date | None = Field(default=None, alias="to")
    rules: dict[str, Any] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _rules_beside_the_scope(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        scope = {k: v for k, v in data.items() if k in _SCOPE_KEYS}
        rules = {k: v for k, v in data.items() if k not in scope}
        if set(rules) == {"rules"} and isinstance(rules["rules"], dict):
            rules = rules["rules"]  # the nested form, as a model is dumped in Python
        unknown = sorted(set(rules) - set(STRICTER))
        if unknown:
            raise ValueError(
                f"an override may not set {', '.join(unknown)}; it may set " + ", ".join(STRICTER)
            )
        if not rules:
            raise ValueError("an override sets no rule")
        try:
            checked = Policy.model_validate(rules)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None
        return {**scope, "rules": {key: getattr(checked, key) for key in rules}}

    def __hash__(self) -> int:  # rules is a dict; policies are cache keys
        return hash((self.area, self.date_from, self.date_to, tuple(sorted(self.rules.items()))))

    @model_validator(mode="after")
    def _dates_in_order(self) -> Override:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("from is after to")
        return self

    @model_serializer
    def _flat(self) -> dict[str, Any]:
        scope = {"area": self.area, "from": self.date_from, "to": self.date_to}
        return {**{k: v for k, v in scope.items() if v is not None}, **self.rules}

    def matches(self, areas: Iterable[str], first: dt.date, last: dt.date) -> bool:
        """Whether it holds for a stop in one of `areas` (adcodes) on some date from
        `first` to `last`."""
        if self.area is not None and not any(a.startswith(self.area) for a in areas):
            return False
        if self.date_from is not None and last < self.date_from:
            return False
        return self.date_to is None or first <= self.date_to


ArrivalMeasure = Literal["none", "monitoring", "quarantine"]
"""What the receiving side does with people on arrival (the policy's `arrival_measure`)."""


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

    # Rules that change by place and date (interchange.md, "Policy: more keys").
    overrides: tuple[Override, ...] = ()

    # Networks (interchange.md, "Policy: more keys"; docs/networks.md).
    transfers: bool = Field(default=False, description="parties may change vehicles at hubs")
    transfer_minutes: int = Field(
        default=60, ge=0, description="least time between two legs at a hub"
    )
    max_legs: int = Field(default=3, ge=1, le=5, description="legs one registration may ride")
    min_trip_passengers: int = Field(
        default=1, ge=1, description="people a direct or trunk trip carries at least"
    )
    rail: bool = Field(default=False, description="rail cars may carry trunk legs")
    isolation_seats: int = Field(
        default=0,
        ge=0,
        description="seats held empty at the rear of each vehicle for anyone who falls ill, "
        "besides the reserved rear rows (rail cars take rail_isolation_seats instead)",
    )
    rail_isolation_seats: int = Field(
        default=4,
        ge=0,
        description="isolation seats per rail car, held in place of the rear rows (domain.md)",
    )
    rail_escorts_per_car: int = Field(
        default=1,
        ge=0,
        description="escorts (专人同车护送) riding each rail car, each in a seat of their own",
    )
    special_train_cars: int = Field(
        default=8,
        ge=1,
        description="rail cars between two stations on one day that make a special train "
        "(专列) of their own; fewer ride as chartered cars of a scheduled train",
    )
    date_suggestion_days: int = Field(
        default=0,
        ge=0,
        le=7,
        description="how many days before or after their window staff may ask people to "
        "travel, for the plan's date suggestions (0: none)",
    )
    scheduled_fare_per_km: float = Field(
        default=0.4,
        ge=0,
        description="yuan a person pays per road km by scheduled coach or train: the estimated "
        "cost of anyone advised (a proposal, no reported figure)",
    )

    # What the receiving side does on arrival (docs/hr.md).
    arrival_measure: ArrivalMeasure = Field(
        default="none",
        description="what the receiving county does with the people a plan carries after "
        "their handover: none, monitoring (居家健康监测) or quarantine (集中隔离); the "
        "receiving lists then list whom to house or follow up, until cleared",
    )

    # A fleet's depots and buses (docs/fleet.md).
    chain_trips: bool = Field(
        default=True,
        description="a depot's bus may drive from where one trip ends to the start of its "
        "next (false: every trip starts and ends at its bus's depot)",
    )
    turnaround_minutes: int = Field(
        default=480,
        ge=0,
        description="rest of a bus's crew after a trip before the bus drives again",
    )
    max_empty_km: float = Field(
        default=800.0,
        ge=0,
        description="longest empty run of a bus from the end of one trip to the start of the next",
    )

    def with_rules(self, values: Mapping[str, Any]) -> Policy:
        """This policy with these rule values (an override's, or a trip's `rules`) in place
        of its own, and no overrides: the rules one trip is planned under."""
        return self.model_copy(update={**values, "overrides": ()})

    def for_vehicle(self, vehicle_type: VehicleType) -> Policy:
        """The rules one vehicle of this type runs under (see `for_mode`)."""
        return self.for_mode("rail" if vehicle_type.is_rail else "coach")

    def for_mode(self, mode: str) -> Policy:
        """The rules a vehicle of `mode` runs under: a rail car keeps the seat gaps and the
        load cap, holds `rail_isolation_seats` at its end instead of rear rows, seats
        `rail_escorts_per_car` escorts, and keeps no road driving rules; a road vehicle
        (`coach`) keeps this policy."""
        if mode != "rail":
            return self
        return self.model_copy(
            update={
                "reserved_rear_rows": 0,
                "isolation_seats": self.rail_isolation_seats,
                "escort_seats": max(self.escort_seats, self.rail_escorts_per_car),
                "driving_rules": False,
            }
        )

    def legs_allowed(self) -> int:
        """How many legs one registration may ride: 1 without transfers."""
        return self.max_legs if self.transfers else 1

    def applied(self, full: Iterable[int], partial: Iterable[int] = ()) -> Policy:
        """The rules under the overrides `full` (indices into `overrides`, holding on every
        day in question) and `partial` (holding on some of them): key by key, the strictest
        value of those that set it, and of this policy's own where only partial ones do (on
        the other days it holds); this policy's where none does. No overrides in the result."""
        values: dict[str, Any] = {}
        partial = tuple(partial)
        only_partial = set(STRICTER)
        for number in (*full, *partial):
            for key, value in self.overrides[number].rules.items():
                values[key] = STRICTER[key](values[key], value) if key in values else value
                if number not in partial:
                    only_partial.discard(key)
        for key in only_partial & set(values):
            values[key] = STRICTER[key](values[key], getattr(self, key))
        return self.with_rules(values)

    def matching(
        self, areas: Iterable[str], first: dt.date, last: dt.date
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The indices of the overrides holding for a stop in one of `areas` on every date
        from `first` to `last`, and of those holding on some of them only."""
        codes = [a for a in areas if a]
        full: list[int] = []
        partial: list[int] = []
        for index, override in enumerate(self.overrides):
            if override.matches(codes, first, last):
                covers = override.matches(codes, first, first) and override.matches(
                    codes, last, last
                )
                (full if covers else partial).append(index)
        return tuple(full), tuple(partial)

    def loosest(self) -> Policy:
        """Key by key the loosest value of this policy and of every override (no overrides):
        what no trip's rules are looser than, for lower bounds."""
        values = {key: getattr(self, key) for key in STRICTER}
        for override in self.overrides:
            for key, value in override.rules.items():
                values[key] = LOOSER[key](values[key], value)
        return self.with_rules(values)

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
    def _networks_not_yet(self) -> Policy:
        if self.transfers and self.overrides:
            raise ValueError(f"transfers: {TRANSFERS_WITH_OVERRIDES}")
        if self.rail and self.legs_allowed() < 3:
            raise ValueError(f"rail: {RAIL_NEEDS_TRANSFERS}")
        return self

    @model_validator(mode="after")
    def _night_limit_not_above_day_limit(self) -> Policy:
        if self.continuous_night_hours > self.continuous_day_hours:
            raise ValueError("continuous_night_hours is more than continuous_day_hours")
        return self

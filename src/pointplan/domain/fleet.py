"""Vehicle types and the fleet."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_ROW_PATTERN = re.compile(r"^[A-Z]+(\|[A-Z]+)*$")


RAIL_PREFIX = "rail"
"""A vehicle type whose name starts with this is a rail car (interchange.md)."""


def is_rail_car(vehicle_type: str) -> bool:
    """Whether the vehicle type of this name is a rail car."""
    return vehicle_type.startswith(RAIL_PREFIX)


class VehicleType(BaseModel):
    """One kind of vehicle: its seat layout, rated seats, cost, speed and daily availability.

    `layout` lists rows front first; each row is seat letters with `|` for an aisle, so
    `"AB|CD"` is a 2+2 row and `"ABCDE"` a back bench.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    layout: tuple[str, ...] = Field(min_length=1)
    rated_seats: int = Field(ge=1)
    count: int | None = Field(default=None, ge=0, description="vehicles per day; None = unlimited")
    cost_per_km: float = Field(default=0.0, ge=0)
    cost_per_trip: float = Field(default=0.0, ge=0)
    speed_kmh: float = Field(default=70.0, gt=0, le=200)

    @field_validator("layout")
    @classmethod
    def _rows_are_seat_letters(cls, rows: tuple[str, ...]) -> tuple[str, ...]:
        for number, row in enumerate(rows, start=1):
            if not _ROW_PATTERN.match(row):
                raise ValueError(
                    f"row {number} {row!r} must be upper-case seat letters with '|' between blocks"
                )
            letters = row.replace("|", "")
            if len(set(letters)) != len(letters):
                raise ValueError(f"row {number} {row!r} names a seat twice")
        return rows

    @model_validator(mode="after")
    def _rated_fits_layout(self) -> VehicleType:
        if self.rated_seats > self.seat_count:
            raise ValueError(
                f"rated_seats {self.rated_seats} is more than the {self.seat_count} seats "
                "of the layout"
            )
        return self

    @property
    def is_rail(self) -> bool:
        """Whether this is a rail car (`is_rail_car`): it carries trunk legs between
        stations only, under the rail seat rules."""
        return is_rail_car(self.name)

    @property
    def seat_count(self) -> int:
        """Seats drawn in the layout."""
        return sum(len(row.replace("|", "")) for row in self.layout)


class Depot(BaseModel):
    """An operator's depot (车队, 客运企业): where its buses start and end, and how many of
    each vehicle type it has (`None`: as many as the plan needs, for a fleet-sizing answer)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depot_id: str = Field(min_length=1)
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    buses: dict[str, int | None] = Field(min_length=1)

    @field_validator("buses")
    @classmethod
    def _counts_not_negative(cls, buses: dict[str, int | None]) -> dict[str, int | None]:
        for name, count in buses.items():
            if count is not None and count < 0:
                raise ValueError(f"buses of {name!r}: {count} is below 0")
        return buses


class Fleet(BaseModel):
    """The vehicle types a plan may use, and the depots whose buses run them.

    With depots, a vehicle type without a `count` of its own may run on a day as many
    trips as the depots have buses of it (a bus is busy every day of its trip); the plan's
    buses are then chained trip to trip (`pointplan.buses`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    vehicle_types: tuple[VehicleType, ...] = Field(min_length=1)
    depots: tuple[Depot, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _counts_from_depots(cls, data: Any) -> Any:
        """A type without a count of its own gets the depots' buses of it (when every depot
        gives a number). Anything malformed is left for field validation to name."""
        if not isinstance(data, dict) or not isinstance(data.get("depots"), (list, tuple)):
            return data
        totals: dict[str, int | None] = {}
        for depot in data["depots"]:
            buses = depot.buses if isinstance(depot, Depot) else None
            if isinstance(depot, dict) and isinstance(depot.get("buses"), dict):
                buses = depot["buses"]
            for name, count in (buses or {}).items():
                if not isinstance(name, str) or not (count is None or isinstance(count, int)):
                    return data
                before = totals.get(name, 0)
                totals[name] = None if before is None or count is None else before + count
        types = data.get("vehicle_types")
        if not isinstance(types, (list, tuple)):
            return data
        counted = []
        for vehicle_type in types:
            type_name: Any
            own_count: Any
            if isinstance(vehicle_type, VehicleType):
                type_name, own_count = vehicle_type.name, vehicle_type.count
            elif isinstance(vehicle_type, dict):
                type_name, own_count = vehicle_type.get("name"), vehicle_type.get("count")
            else:
                type_name, own_count = None, 0
            total = totals.get(type_name) if isinstance(type_name, str) else None
            if own_count is None and total is not None:
                vehicle_type = (
                    vehicle_type.model_copy(update={"count": total})
                    if isinstance(vehicle_type, VehicleType)
                    else {**vehicle_type, "count": total}
                )
            counted.append(vehicle_type)
        return {**data, "vehicle_types": counted}

    @model_validator(mode="after")
    def _depots_run_known_types(self) -> Fleet:
        names = {vt.name for vt in self.vehicle_types}
        seen: set[str] = set()
        for depot in self.depots:
            if depot.depot_id in seen:
                raise ValueError(f"depot {depot.depot_id!r} is listed twice")
            seen.add(depot.depot_id)
            for name in depot.buses:
                if name not in names:
                    raise ValueError(
                        f"depot {depot.depot_id!r} has buses of {name!r}, which is not "
                        "one of the vehicle types"
                    )
                if is_rail_car(name):
                    raise ValueError(
                        f"depot {depot.depot_id!r}: rail cars ({name!r}) are not buses"
                    )
        return self

    @field_validator("vehicle_types")
    @classmethod
    def _names_are_unique(cls, types: tuple[VehicleType, ...]) -> tuple[VehicleType, ...]:
        seen: set[str] = set()
        for vehicle_type in types:
            if vehicle_type.name in seen:
                raise ValueError(f"vehicle type {vehicle_type.name!r} is listed twice")
            seen.add(vehicle_type.name)
        return types

    def by_name(self, name: str) -> VehicleType:
        """The vehicle type called `name` (KeyError if there is none)."""
        for vehicle_type in self.vehicle_types:
            if vehicle_type.name == name:
                return vehicle_type
        raise KeyError(name)

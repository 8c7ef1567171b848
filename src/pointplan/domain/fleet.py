"""Vehicle types and the fleet."""

from __future__ import annotations

import re

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


class Fleet(BaseModel):
    """The vehicle types a plan may use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vehicle_types: tuple[VehicleType, ...] = Field(min_length=1)

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

"""Places on the map: bare coordinates, resolved places and named points (stations, gates)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Location(BaseModel):
    """A WGS84 coordinate, latitude first as people write it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Place(Location):
    """A resolved place: coordinates plus the label and adcode it came from (if any)."""

    label: str
    adcode: str | None = None

    @property
    def county(self) -> str:
        """The adcode cut to its county (a league's or the region's code as it is; ""
        without one): the county that registers, receives or reports the place's people."""
        return (self.adcode or "")[:6]


class PointKind(StrEnum):
    """What a point of the points file is (interchange.md, "Points: kind")."""

    STOP = "stop"
    """An assembly or reception point: parties board or are handed over there."""
    HUB = "hub"
    """A gathering or reception point where parties may change vehicles under supervision
    (集中转运点 / 接收点)."""
    STATION = "station"
    """A railway station."""


class Point(Place):
    """A named pickup or drop-off point from the points file (集中乘车点 / 交接点), a hub or
    a station."""

    point_id: str = Field(min_length=1)
    kind: PointKind = PointKind.STOP

    @property
    def name(self) -> str:
        """The point's human name (stored as the place label)."""
        return self.label

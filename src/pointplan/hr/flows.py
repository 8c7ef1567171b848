"""Who coordinates which flow (三(二)): each flow of people classified by how far it goes, with
the level that answers for it, and the lists the region sends to other provinces.

A flow is the registrations of one direction from one origin county to one destination
county. Its *home county* is the county that registers and reports its people: the origin for
return-to-work, the destination (home) for return-home. By domain.md's hierarchy:

| scope | when | who answers |
| --- | --- | --- |
| `inside_county` | both ends in one county | county: the home county |
| `inside_league` | in one league or city, two counties | county: the home county |
| `between_leagues` | in the region, two leagues | league: the home county's |
| `between_provinces` | one end outside the region | region |
| `unknown` | an end without an adcode (coordinates only) | region, until a county is known |

For a flow between provinces, the *other province* is the end outside the region (where
return-to-work people go, or where return-home people are): the region sends that province a
coordination list of who travels when, from where to where, for which employers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pointplan.domain.places import Place
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Direction, Registration
from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer

REGION = "15"
"""The region's adcode (Inner Mongolia)."""


class Scope(StrEnum):
    """How far a flow goes (see the module)."""

    INSIDE_COUNTY = "inside_county"
    INSIDE_LEAGUE = "inside_league"
    BETWEEN_LEAGUES = "between_leagues"
    BETWEEN_PROVINCES = "between_provinces"
    UNKNOWN = "unknown"


class Level(StrEnum):
    """The level of government that answers for a flow."""

    COUNTY = "county"
    LEAGUE = "league"
    REGION = "region"


LEVEL_OF = {
    Scope.INSIDE_COUNTY: Level.COUNTY,
    Scope.INSIDE_LEAGUE: Level.COUNTY,
    Scope.BETWEEN_LEAGUES: Level.LEAGUE,
    Scope.BETWEEN_PROVINCES: Level.REGION,
    Scope.UNKNOWN: Level.REGION,
}
"""Who answers for each scope (domain.md: inside a league the county's, between leagues the
league's, between provinces the region's)."""


@dataclass(frozen=True)
class Flow:
    """One flow (direction, origin county, destination county), how far it goes, who answers
    for it, and what it holds: registrations, people, the span of their windows, employers."""

    direction: Direction
    origin_adcode: str
    origin: str
    destination_adcode: str
    destination: str
    scope: Scope
    level: Level
    responsible_adcode: str
    responsible: str
    other_province_adcode: str
    other_province: str
    registrations: int
    people: int
    first_date: dt.date
    last_date: dt.date
    employers: tuple[str, ...]


def flows(registrations: Iterable[Registration], gazetteer: Gazetteer | None = None) -> list[Flow]:
    """Every flow of `registrations`, return-to-work first, then by origin and destination."""
    places = gazetteer or default_gazetteer()
    End = tuple[str, str]
    grouped: dict[tuple[Direction, End, End], list[Registration]] = defaultdict(list)
    for registration in registrations:
        origin = _county(registration.origin, places)
        destination = _county(registration.destination, places)
        grouped[registration.direction, origin, destination].append(registration)
    made = [
        _flow(direction, origin, destination, members, places)
        for (direction, origin, destination), members in grouped.items()
    ]
    return sorted(
        made,
        key=lambda f: (
            f.direction is not Direction.RETURN_TO_WORK,
            f.origin_adcode, f.origin, f.destination_adcode, f.destination,
        ),
    )  # fmt: skip


def scope_of(origin_adcode: str, destination_adcode: str) -> Scope:
    """How far a flow between these county codes goes ("" for an end without one), the
    same either way."""
    if not origin_adcode or not destination_adcode:
        return Scope.UNKNOWN
    if not (origin_adcode.startswith(REGION) and destination_adcode.startswith(REGION)):
        return Scope.BETWEEN_PROVINCES
    if origin_adcode[:4] != destination_adcode[:4]:
        return Scope.BETWEEN_LEAGUES
    if origin_adcode[:6] != destination_adcode[:6]:
        return Scope.INSIDE_LEAGUE
    return Scope.INSIDE_COUNTY


def home_end(direction: Direction, origin: str, destination: str) -> str:
    """The end of a flow that is its home county (the origin of return-to-work people, the
    destination of return-home people)."""
    return origin if direction is Direction.RETURN_TO_WORK else destination


def for_area(found: Sequence[Flow], area: str, level: Level | None = None) -> list[Flow]:
    """The flows that the office of `area` (an adcode prefix: `15` the region, 4 digits a
    league, 6 a county) answers for, at `level` only when given: those whose responsible area
    lies in `area`."""
    return [
        f
        for f in found
        if f.responsible_adcode.startswith(area) and (level is None or f.level is level)
    ]


COORDINATION_COLUMNS = (
    "other_province_adcode", "other_province", "direction", "origin_adcode", "origin",
    "destination_adcode", "destination", "earliest_date", "latest_date", "employer",
    "registrations", "people", "planned_dates", "pickups", "dropoffs",
)  # fmt: skip
"""The columns of a coordination list row."""


def coordination_rows(
    registrations: Sequence[Registration],
    plan: Plan | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[dict[str, object]]:
    """The coordination lists of the flows between provinces, one row per (other province,
    direction, origin county, destination county, window, employer): registrations, people,
    and from `plan` the dates they travel on (`2022-11-21 x 12` for twelve people that day) and
    the pickup and drop-off places of their trips (else the places they registered)."""
    places = gazetteer or default_gazetteer()
    legs = plan.itineraries() if plan is not None else {}
    groups: dict[tuple[object, ...], list[Registration]] = defaultdict(list)
    for registration in registrations:
        origin = _county(registration.origin, places)
        destination = _county(registration.destination, places)
        if scope_of(origin[0], destination[0]) is not (Scope.BETWEEN_PROVINCES):
            continue
        outside = origin if not origin[0].startswith(REGION) else destination
        province = _province(outside[0], places)
        key: tuple[object, ...] = (
            *province, registration.direction.value, *origin, *destination,
            registration.earliest_date, registration.latest_date, registration.employer or "",
        )  # fmt: skip
        groups[key].append(registration)
    rows = []
    for key in sorted(groups, key=lambda k: tuple(str(part) for part in k)):
        members = groups[key]
        dates: Counter[dt.date] = Counter()
        pickups: set[str] = set()
        dropoffs: set[str] = set()
        for registration in members:
            trips = legs.get(registration.registration_id, ())
            if trips:
                dates[trips[0].date] += registration.party_size
                pickups |= {
                    s.place for s in trips[0].stops
                    if s.kind == "pickup" and registration.registration_id in s.registrations
                }  # fmt: skip
                dropoffs |= {
                    s.place for s in trips[-1].stops
                    if s.kind == "dropoff" and registration.registration_id in s.registrations
                }  # fmt: skip
            else:
                pickups.add(registration.pickup.label)
                dropoffs.add(registration.dropoff.label)
        rows.append(
            dict(
                zip(
                    COORDINATION_COLUMNS,
                    (
                        *key,
                        len(members),
                        sum(r.party_size for r in members),
                        "; ".join(f"{day.isoformat()} x {n}" for day, n in sorted(dates.items())),
                        "; ".join(sorted(pickups)),
                        "; ".join(sorted(dropoffs)),
                    ),
                    strict=True,
                )
            )
        )
    return rows


def _flow(
    direction: Direction,
    origin: tuple[str, str],
    destination: tuple[str, str],
    members: Sequence[Registration],
    places: Gazetteer,
) -> Flow:
    scope = scope_of(origin[0], destination[0])
    level = LEVEL_OF[scope]
    home = home_end(direction, origin[0], destination[0])
    if level is Level.COUNTY:
        responsible = home[:6]
    elif level is Level.LEAGUE:
        responsible = home[:4]
    else:
        responsible = REGION
    other = ("", "")
    if scope is Scope.BETWEEN_PROVINCES:
        outside = origin[0] if not origin[0].startswith(REGION) else destination[0]
        other = _province(outside, places)
    return Flow(
        direction=direction,
        origin_adcode=origin[0],
        origin=origin[1],
        destination_adcode=destination[0],
        destination=destination[1],
        scope=scope,
        level=level,
        responsible_adcode=responsible,
        responsible=places.name_of(responsible),
        other_province_adcode=other[0],
        other_province=other[1],
        registrations=len(members),
        people=sum(r.party_size for r in members),
        first_date=min(r.earliest_date for r in members),
        last_date=max(r.latest_date for r in members),
        employers=tuple(sorted({r.employer for r in members if r.employer})),
    )


def _county(place: Place, gazetteer: Gazetteer) -> tuple[str, str]:
    """(county adcode, label) of an end: its code cut to the county (6 digits) when it names
    one; a place without a code keeps its label and an empty code."""
    if not place.adcode:
        return "", place.label
    code = place.adcode[:6]
    try:
        unit = gazetteer.unit_for_code(code)
    except PlaceNotFound:
        return code, place.label
    return unit.short_code, gazetteer.label(unit)


def _province(code: str, gazetteer: Gazetteer) -> tuple[str, str]:
    """(2-digit code, name) of the province of an adcode."""
    return code[:2], gazetteer.name_of(code[:2])

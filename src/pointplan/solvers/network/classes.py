"""Demand by class: the registrations that share a direction, a pickup, a drop-off and a
window travel alike, so the network model routes classes, not people (docs/networks.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pointplan.domain.places import Place
from pointplan.domain.registration import Direction, Registration
from pointplan.solvers.decision import PlaceKey, place_key


@dataclass(frozen=True)
class DemandClass:
    """Registrations of one direction, pickup, drop-off and window (parties stay whole)."""

    direction: Direction
    pickup: Place
    dropoff: Place
    first: dt.date
    last: dt.date
    registrations: tuple[Registration, ...]

    @property
    def people(self) -> int:
        """People in the class."""
        return sum(r.party_size for r in self.registrations)

    def window(self) -> list[dt.date]:
        """Every date the class may leave on, in order."""
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


ClassKey = tuple[str, PlaceKey, PlaceKey, dt.date, dt.date]


def demand_classes(registrations: Iterable[Registration]) -> list[DemandClass]:
    """The registrations grouped into classes, in the order of their keys (direction,
    pickup, drop-off, window), each class's registrations by id: the same input in any
    order gives the same classes."""
    groups: dict[ClassKey, list[Registration]] = {}
    for r in registrations:
        key = (
            r.direction.value,
            place_key(r.pickup),
            place_key(r.dropoff),
            r.earliest_date,
            r.latest_date,
        )
        groups.setdefault(key, []).append(r)
    classes = []
    for key in sorted(groups, key=_sortable):
        members = sorted(groups[key], key=lambda r: r.registration_id)
        first = members[0]
        classes.append(
            DemandClass(
                first.direction,
                first.pickup,
                first.dropoff,
                first.earliest_date,
                first.latest_date,
                tuple(members),
            )
        )
    return classes


def _sortable(key: ClassKey) -> tuple[object, ...]:
    direction, pickup, dropoff, first, last = key
    return (direction, _place_order(pickup), _place_order(dropoff), first, last)


def _place_order(key: PlaceKey) -> tuple[float, float, str, str]:
    lat, lon, label, point_id = key
    return (lat, lon, label, point_id or "")

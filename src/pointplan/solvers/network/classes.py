"""Demand by class: the registrations that share a direction, a pickup, a drop-off and a
window travel alike, so the network model routes classes, not people (docs/networks.md).
Pickups and drop-offs may be compared by zone instead of by place: a class then holds the
registrations of one zone pair, and its pickup and drop-off are its first member's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
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


ClassKey = tuple[str, Hashable, Hashable, dt.date, dt.date]


def demand_classes(
    registrations: Iterable[Registration], by: Callable[[Place], Hashable] | None = None
) -> list[DemandClass]:
    """The registrations grouped into classes, in the order of their keys (direction,
    pickup, drop-off, window), each class's registrations by id: the same input in any
    order gives the same classes. `by` gives the key places are compared by (sortable),
    the place itself when None."""
    groups: dict[ClassKey, list[Registration]] = {}
    for r in registrations:
        key = (
            r.direction.value,
            by(r.pickup) if by else place_key(r.pickup),
            by(r.dropoff) if by else place_key(r.dropoff),
            r.earliest_date,
            r.latest_date,
        )
        groups.setdefault(key, []).append(r)
    classes = []
    for key in sorted(groups, key=_sortable if by is None else None):  # type: ignore[arg-type]
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


def _sortable(key: tuple[str, PlaceKey, PlaceKey, dt.date, dt.date]) -> tuple[object, ...]:
    direction, pickup, dropoff, first, last = key
    return (direction, _place_order(pickup), _place_order(dropoff), first, last)


def _place_order(key: PlaceKey) -> tuple[float, float, str, str]:
    lat, lon, label, point_id = key
    return (lat, lon, label, point_id or "")

"""Candidate journeys of a class through hubs (docs/networks.md): direct, via a gathering
hub near the pickup, via a reception hub near the drop-off, or via both, within the legs the
policy allows, and, where the policy allows rail, by coach to a station near the pickup, by
train to a station near the drop-off and by coach on (a leg whose ends are one point is left
out); the whole at most `DETOUR` longer than direct (so a hub a little behind the pickup may
still gather it, one far off the way may not). Rail km are taken as road km between the
stations. The direct journey is always the first candidate, so a model choosing among them
can always plan today's direct trip."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.policy import Policy
from pointplan.domain.trip import Leg, Mode
from pointplan.geo.distances import DistanceModel
from pointplan.solvers.network.classes import DemandClass

HUB_REACH_KM = 250.0
"""How far (straight km) a gathering hub may be from a pickup, or a reception hub from a
drop-off: 310 road km or so at the default road factor, some four and a half hours at 70 km/h."""
DETOUR = 0.3
"""How much longer (a share of the direct road km) a journey through hubs may be."""
NEAREST_HUBS = 3
"""How many hubs, the nearest within reach, an end may use: more only grow the model."""


@dataclass(frozen=True)
class Itinerary:
    """A journey: the places it passes (pickup, hubs or stations, drop-off), the kind of
    each leg, its road km, and how each leg is ridden (by coach unless `modes` says rail)."""

    places: tuple[Place, ...]
    legs: tuple[Leg, ...]
    km: float
    modes: tuple[Mode, ...] = ()

    def mode(self, position: int) -> Mode:
        """How the leg at `position` is ridden."""
        return self.modes[position] if self.modes else "coach"

    @property
    def hubs(self) -> tuple[Place, ...]:
        """The hubs it changes vehicles at, in order."""
        return self.places[1:-1]


def candidate_itineraries(
    demand: DemandClass, hubs: Sequence[Point], distances: DistanceModel, policy: Policy
) -> list[Itinerary]:
    """The journeys `demand` may take (see the module) through the hubs and, with rail
    allowed, the stations among `hubs`: direct first, then by legs, km and the hubs' ids."""
    pickup, dropoff = demand.pickup, demand.dropoff
    direct_km = distances.road_km(pickup, dropoff)
    found = [Itinerary((pickup, dropoff), ("direct",), direct_km)]
    allowed = policy.legs_allowed()
    if allowed < 2:
        return found
    usable = sorted((h for h in hubs if h.kind == PointKind.HUB), key=lambda h: h.point_id)
    gathering = _nearest(pickup, usable, distances)
    reception = _nearest(dropoff, usable, distances)
    longest = (1 + DETOUR) * direct_km
    candidates: list[Itinerary] = []
    candidates += [_journey((pickup, g, dropoff), ("feeder", "trunk")) for g in gathering]
    candidates += [_journey((pickup, r, dropoff), ("trunk", "distribution")) for r in reception]
    if allowed >= 3:
        candidates += [
            _journey((pickup, g, r, dropoff), ("feeder", "trunk", "distribution"))
            for g in gathering
            for r in reception
            if g.point_id != r.point_id
        ]
    if allowed >= 3 and policy.rail:
        stations = sorted(
            (h for h in hubs if h.kind == PointKind.STATION), key=lambda h: h.point_id
        )
        candidates += [
            _journey(
                (pickup, a, b, dropoff),
                ("feeder", "trunk", "distribution"),
                ("coach", "rail", "coach"),
            )
            for a in _nearest(pickup, stations, distances)
            for b in _nearest(dropoff, stations, distances)
            if a.point_id != b.point_id
        ]
    for journey in candidates:
        km = sum(distances.road_km(a, b) for a, b in itertools.pairwise(journey.places))
        if len(journey.legs) > 1 and km <= longest:  # one leg left is the direct journey
            found.append(replace(journey, km=km))
    found[1:] = sorted(
        found[1:],
        key=lambda i: (len(i.legs), i.km, [h.point_id for h in i.hubs if isinstance(h, Point)]),
    )
    return found


def _journey(
    places: tuple[Place, ...], legs: tuple[Leg, ...], modes: tuple[Mode, ...] = ()
) -> Itinerary:
    """A journey through `places`, without the legs whose ends are one point (a party whose
    pickup is the station itself boards the train there); its km are filled in later."""
    kept = [0] + [i for i in range(1, len(places)) if _key(places[i]) != _key(places[i - 1])]
    shown = tuple(places[i] for i in kept)
    legs_kept = tuple(legs[i - 1] for i in kept[1:])
    modes_kept = tuple(modes[i - 1] for i in kept[1:]) if modes else ()
    return Itinerary(shown, legs_kept, 0.0, modes_kept)


def _key(place: Place) -> object:
    return place.point_id if isinstance(place, Point) else (place.lat, place.lon)


def _nearest(end: Place, hubs: Sequence[Point], distances: DistanceModel) -> list[Point]:
    """The `NEAREST_HUBS` hubs within reach of `end`, nearest first (ties by id)."""
    near = [h for h in hubs if distances.within_km(end, h, HUB_REACH_KM)]
    near.sort(key=lambda h: (distances.straight_km(end, h), h.point_id))
    return near[:NEAREST_HUBS]

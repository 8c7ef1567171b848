"""Candidate journeys of a class through hubs (docs/networks.md): direct, via a gathering
hub near the pickup, via a reception hub near the drop-off, or via both, within the legs the
policy allows, the whole at most `DETOUR` longer than direct (so a hub a little behind the
pickup may still gather it, one far off the way may not). The direct journey is always the
first candidate, so a model choosing among them can always plan today's direct trip."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.policy import Policy
from pointplan.domain.trip import Leg
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
    """A journey: the places it passes (pickup, hubs, drop-off), the kind of each leg, and
    its road km."""

    places: tuple[Place, ...]
    legs: tuple[Leg, ...]
    km: float

    @property
    def hubs(self) -> tuple[Place, ...]:
        """The hubs it changes vehicles at, in order."""
        return self.places[1:-1]


def candidate_itineraries(
    demand: DemandClass, hubs: Sequence[Point], distances: DistanceModel, policy: Policy
) -> list[Itinerary]:
    """The journeys `demand` may take (see the module): direct first, then by legs, km and
    the hubs' ids."""
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
    candidates: list[tuple[tuple[Place, ...], tuple[Leg, ...]]] = []
    candidates += [((pickup, g, dropoff), ("feeder", "trunk")) for g in gathering]
    candidates += [((pickup, r, dropoff), ("trunk", "distribution")) for r in reception]
    if allowed >= 3:
        candidates += [
            ((pickup, g, r, dropoff), ("feeder", "trunk", "distribution"))
            for g in gathering
            for r in reception
            if g.point_id != r.point_id
        ]
    for places, legs in candidates:
        km = sum(distances.road_km(a, b) for a, b in itertools.pairwise(places))
        if km <= longest:
            found.append(Itinerary(places, legs, km))
    found[1:] = sorted(
        found[1:],
        key=lambda i: (len(i.legs), i.km, [h.point_id for h in i.hubs if isinstance(h, Point)]),
    )
    return found


def _nearest(end: Place, hubs: Sequence[Point], distances: DistanceModel) -> list[Point]:
    """The `NEAREST_HUBS` hubs within reach of `end`, nearest first (ties by id)."""
    near = [h for h in hubs if distances.within_km(end, h, HUB_REACH_KM)]
    near.sort(key=lambda h: (distances.straight_km(end, h), h.point_id))
    return near[:NEAREST_HUBS]

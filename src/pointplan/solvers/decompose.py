"""Splitting a problem into independent parts.

Two registrations can share a trip only if they travel the same direction, their pickups lie
within `pickup_radius_km` of each other (or are the same place), their drop-offs within
`dropoff_radius_km`, and their date windows overlap. A part is a connected component of that
"could share" relation, so no trip of any plan ever spans two parts and solving the parts
separately never rules out a better plan. (The fleet's daily counts are the one thing parts
share; solvers account for them when they put the parts' plans together.)

The relation is built on (direction, pickup, drop-off) pairs, then split by date: within a
component of pairs, registrations whose windows are chained by overlaps stay together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from pointplan.domain.places import Place
from pointplan.domain.registration import Registration
from pointplan.geo.distances import degree_spans
from pointplan.problem import Problem
from pointplan.solvers.decision import PlaceKey, place_key

PairKey = tuple[str, PlaceKey, PlaceKey]


@dataclass(frozen=True)
class Part:
    """Registrations that may share trips with each other and with nobody outside."""

    registrations: tuple[Registration, ...]

    @property
    def passengers(self) -> int:
        """People in the part."""
        return sum(r.party_size for r in self.registrations)


def _near_pairs(
    problem: Problem, places: Sequence[Place], radius_km: float, allowed: bool
) -> list[tuple[int, int]]:
    """Index pairs of places at most `radius_km` apart (straight line); none if not allowed."""
    if not allowed:
        return []
    order = sorted(range(len(places)), key=lambda i: places[i].lat)
    pairs = []
    for position, i in enumerate(order):
        a = places[i]
        lat_span, lon_span = degree_spans(a.lat, radius_km)
        for j in order[position + 1 :]:
            b = places[j]
            if b.lat - a.lat > lat_span:
                break
            if abs(b.lon - a.lon) <= lon_span and (problem.distances.within_km(a, b, radius_km)):
                pairs.append((i, j))
    return pairs


def decompose(problem: Problem) -> list[Part]:
    """The independent parts of a problem, in a deterministic order (largest first)."""
    policy = problem.policy
    by_pair: dict[PairKey, list[Registration]] = defaultdict(list)
    pickups: dict[PlaceKey, Place] = {}
    dropoffs: dict[PlaceKey, Place] = {}
    for registration in problem.registrations:
        p, d = place_key(registration.pickup), place_key(registration.dropoff)
        by_pair[registration.direction.value, p, d].append(registration)
        pickups.setdefault(p, registration.pickup)
        dropoffs.setdefault(d, registration.dropoff)

    graph = nx.Graph()
    graph.add_nodes_from(by_pair)
    near_pickup = _neighbours(problem, pickups, policy.pickup_radius_km, policy.max_pickups > 1)
    near_dropoff = _neighbours(problem, dropoffs, policy.dropoff_radius_km, policy.max_dropoffs > 1)
    pairs_from: dict[tuple[str, PlaceKey], list[PairKey]] = defaultdict(list)
    pairs_to: dict[tuple[str, PlaceKey], list[PairKey]] = defaultdict(list)
    for pair in by_pair:
        pairs_from[pair[0], pair[1]].append(pair)
        pairs_to[pair[0], pair[2]].append(pair)
    for direction, p, d in by_pair:
        # Walk the side with fewer neighbours; check the other side's radius.
        if len(near_pickup[p]) <= len(near_dropoff[d]):
            for other_p in near_pickup[p]:
                for other in pairs_from.get((direction, other_p), ()):
                    if other[2] in near_dropoff[d]:
                        graph.add_edge((direction, p, d), other)
        else:
            for other_d in near_dropoff[d]:
                for other in pairs_to.get((direction, other_d), ()):
                    if other[1] in near_pickup[p]:
                        graph.add_edge((direction, p, d), other)

    parts = []
    for component in nx.connected_components(graph):
        members = [r for pair in component for r in by_pair[pair]]
        parts.extend(_split_by_dates(members))
    return sorted(
        parts,
        key=lambda part: (-len(part.registrations), part.registrations[0].registration_id),
    )


def _neighbours(
    problem: Problem, places: dict[PlaceKey, Place], radius_km: float, allowed: bool
) -> dict[PlaceKey, set[PlaceKey]]:
    keys = sorted(places)
    values = [places[k] for k in keys]
    near: dict[PlaceKey, set[PlaceKey]] = {k: {k} for k in keys}
    for i, j in _near_pairs(problem, values, radius_km, allowed):
        near[keys[i]].add(keys[j])
        near[keys[j]].add(keys[i])
    return near


def _split_by_dates(members: list[Registration]) -> list[Part]:
    """Registrations whose windows are chained by overlaps, as separate parts."""
    members.sort(key=lambda r: (r.earliest_date, r.latest_date, r.registration_id))
    parts: list[list[Registration]] = []
    span_end = None
    for registration in members:
        if span_end is None or registration.earliest_date > span_end:
            parts.append([])
            span_end = registration.latest_date
        parts[-1].append(registration)
        span_end = max(span_end, registration.latest_date)
    return [Part(tuple(sorted(p, key=lambda r: r.registration_id))) for p in parts]

"""Distances and driving times between places, behind one interface.

`GeodesicDistances` is the default: the geodesic (WGS84 ellipsoid) distance times a road
circuity factor. `RoadNetworkDistances` uses shortest paths over a road graph given as an edge
list. A routing server can be added as a third implementation of `DistanceModel`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar, runtime_checkable

import networkx as nx
from geopy.distance import geodesic

from pointplan.domain.places import Location

T = TypeVar("T", bound=Location)


@runtime_checkable
class DistanceModel(Protocol):
    """What solvers ask of geography."""

    def straight_km(self, a: Location, b: Location) -> float:
        """Straight-line (geodesic) distance: the measure of pickup and drop-off radii."""
        ...

    def road_km(self, a: Location, b: Location) -> float:
        """Driving distance from `a` to `b`."""
        ...

    def within_km(self, a: Location, b: Location, radius_km: float) -> bool:
        """Whether `straight_km(a, b) <= radius_km` (answered faster where it can be)."""
        ...

    def __hash__(self) -> int:
        """Models are hashable (by identity unless they say otherwise): routes are cached
        per model."""
        ...


def degree_spans(lat: float, radius_km: float) -> tuple[float, float]:
    """Degrees of latitude and of longitude that hold every point within `radius_km` of a
    place at latitude `lat`: a cheap box test before the slow geodesic. A degree of latitude
    is at least 110.5 km, one of longitude at least 111.3 km x cos(latitude)."""
    lat_span = radius_km / 110.0 + 1e-9
    widest = min(89.0, abs(lat) + lat_span)
    return lat_span, radius_km / (111.0 * math.cos(math.radians(widest))) + 1e-9


@lru_cache(maxsize=1_000_000)
def _geodesic_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    if lat_a == lat_b and lon_a == lon_b:
        return 0.0
    return float(geodesic((lat_a, lon_a), (lat_b, lon_b)).km)


EARTH_MEAN_RADIUS_KM = 6371.0088
"""The mean radius of the earth (IUGG), for great-circle distances."""
# The great circle on the mean sphere is within 0.6% of the WGS84 geodesic; beyond this
# margin the cheap formula decides, inside it the exact geodesic does.
_SPHERE_MARGIN = 0.01
_METRE = 0.001  # and by a metre, for distances so short that the geodesic rounds to zero


def _great_circle_km(a: Location, b: Location) -> float:
    lat_a, lat_b = math.radians(a.lat), math.radians(b.lat)
    half_dlat = (lat_b - lat_a) / 2
    half_dlon = math.radians(b.lon - a.lon) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(half_dlon) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def great_circle_km(a: Location, b: Location) -> float:
    """The distance on a sphere of the Earth's mean radius: within half a percent of the
    geodesic and far quicker, for ranking places by nearness."""
    return _great_circle_km(a, b)


def geodesic_within(a: Location, b: Location, radius_km: float) -> bool:
    """Whether the geodesic distance is at most `radius_km`: the same answer as comparing
    `geodesic_km`, but the slow geodesic runs only for pairs near the boundary."""
    sphere = _great_circle_km(a, b)
    if sphere * (1 + _SPHERE_MARGIN) + _METRE <= radius_km:
        return True
    if sphere * (1 - _SPHERE_MARGIN) - _METRE > radius_km:
        return False
    return geodesic_km(a, b) <= radius_km


def nearest_within(
    origin: Location, candidates: Iterable[T], radius_km: float, key: Callable[[T], str]
) -> T | None:
    """The candidate nearest to `origin` by geodesic distance within `radius_km` (ties to the
    smallest `key`): the same answer as measuring every geodesic, but the slow geodesic runs
    only for candidates the great circle cannot rule out."""
    bounds = []
    for candidate in candidates:
        sphere = _great_circle_km(origin, candidate)
        low = sphere * (1 - _SPHERE_MARGIN) - _METRE
        if low <= radius_km:
            bounds.append((low, sphere * (1 + _SPHERE_MARGIN) + _METRE, candidate))
    if not bounds:
        return None
    best_high = min(high for _, high, _ in bounds)
    exact = [
        (geodesic_km(origin, candidate), key(candidate), candidate)
        for low, _, candidate in bounds
        if low <= best_high
    ]
    km, _, found = min(exact, key=lambda entry: entry[:2])
    return found if km <= radius_km else None


def geodesic_km(a: Location, b: Location) -> float:
    """Geodesic distance in km between two locations (symmetric, cached)."""
    if (a.lat, a.lon) > (b.lat, b.lon):
        a, b = b, a
    return _geodesic_km(a.lat, a.lon, b.lat, b.lon)


def road_metres(model: DistanceModel, places: Sequence[Location]) -> list[list[int]]:
    """Road distances between every two places, in whole metres: the integer matrix routing
    searches take."""
    return [[round(1000 * model.road_km(a, b)) for b in places] for a in places]


class GeodesicDistances:
    """Road km = geodesic km x `road_factor` (a circuity factor; about 1.2-1.4 on real roads)."""

    def __init__(self, road_factor: float = 1.25) -> None:
        if road_factor < 1:
            raise ValueError("road_factor must be at least 1")
        self.road_factor = road_factor

    def straight_km(self, a: Location, b: Location) -> float:
        """Geodesic distance."""
        return geodesic_km(a, b)

    def road_km(self, a: Location, b: Location) -> float:
        """Geodesic distance times the circuity factor."""
        return geodesic_km(a, b) * self.road_factor

    def within_km(self, a: Location, b: Location, radius_km: float) -> bool:
        """Whether the geodesic distance is at most `radius_km`."""
        return geodesic_within(a, b, radius_km)


class RoadNetworkDistances:
    """Shortest-path km over a road graph; places snap to their nearest graph node.

    `nodes` maps a node id to its location; `edges` are (node, node, km), two-way. The leg
    from a place to its snapped node is counted at straight-line km times `access_factor`.
    """

    def __init__(
        self,
        nodes: dict[str, Location],
        edges: Iterable[tuple[str, str, float]],
        access_factor: float = 1.25,
    ) -> None:
        if not nodes:
            raise ValueError("a road network needs at least one node")
        self.nodes = dict(nodes)
        self.access_factor = access_factor
        self.graph = nx.Graph()
        self.graph.add_nodes_from(self.nodes)
        for a, b, km in edges:
            if a not in self.nodes or b not in self.nodes:
                raise ValueError(f"edge {a}-{b} names a node that has no location")
            if km < 0:
                raise ValueError(f"edge {a}-{b} has negative length")
            self.graph.add_edge(a, b, km=km)
        self._from_node: dict[str, dict[str, float]] = {}

    def straight_km(self, a: Location, b: Location) -> float:
        """Geodesic distance."""
        return geodesic_km(a, b)

    def within_km(self, a: Location, b: Location, radius_km: float) -> bool:
        """Whether the geodesic distance is at most `radius_km`."""
        return geodesic_within(a, b, radius_km)

    def _nearest(self, place: Location) -> tuple[str, float]:
        return min(
            ((node, geodesic_km(place, loc)) for node, loc in sorted(self.nodes.items())),
            key=lambda item: item[1],
        )

    def road_km(self, a: Location, b: Location) -> float:
        """Access leg + shortest path + egress leg; infinite when the graph does not connect."""
        node_a, access = self._nearest(a)
        node_b, egress = self._nearest(b)
        if node_a not in self._from_node:
            self._from_node[node_a] = nx.single_source_dijkstra_path_length(
                self.graph, node_a, weight="km"
            )
        path = self._from_node[node_a].get(node_b, float("inf"))
        return path + (access + egress) * self.access_factor

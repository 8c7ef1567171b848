"""Geography: resolving place names and codes to coordinates, and distances between places."""

from pointplan.geo.distances import DistanceModel, GeodesicDistances, RoadNetworkDistances
from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer

__all__ = [
    "DistanceModel",
    "Gazetteer",
    "GeodesicDistances",
    "PlaceNotFound",
    "RoadNetworkDistances",
    "default_gazetteer",
]

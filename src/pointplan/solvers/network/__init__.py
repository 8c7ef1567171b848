"""The network planner's pieces (docs/networks.md): demand by class and candidate journeys
through hubs. The model that chooses among them is not built yet."""

from __future__ import annotations

from pointplan.solvers.network.classes import DemandClass, demand_classes
from pointplan.solvers.network.itineraries import Itinerary, candidate_itineraries

__all__ = ["DemandClass", "Itinerary", "candidate_itineraries", "demand_classes"]

"""The network planner's pieces (docs/networks.md): demand by class, candidate journeys
through hubs, zones, the local search and the model that chooses journeys, days and
vehicles per zone arc. `pointplan.networked` builds the trips from the model's answer."""

from __future__ import annotations

from pointplan.solvers.network.classes import DemandClass, demand_classes
from pointplan.solvers.network.itineraries import Itinerary, candidate_itineraries
from pointplan.solvers.network.model import NetworkAnswer, plan_network
from pointplan.solvers.network.search import Carrier

__all__ = [
    "Carrier",
    "DemandClass",
    "Itinerary",
    "NetworkAnswer",
    "candidate_itineraries",
    "demand_classes",
    "plan_network",
]

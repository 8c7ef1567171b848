"""The network planner's pieces (docs/networks.md): demand by class, candidate journeys
through hubs, and the model that chooses journeys, days and vehicles per arc. Nothing plans
with them yet: the trips built from the model's answer are the next piece."""

from __future__ import annotations

from pointplan.solvers.network.classes import DemandClass, demand_classes
from pointplan.solvers.network.itineraries import Itinerary, candidate_itineraries
from pointplan.solvers.network.model import Carrier, NetworkAnswer, plan_network

__all__ = [
    "Carrier",
    "DemandClass",
    "Itinerary",
    "NetworkAnswer",
    "candidate_itineraries",
    "demand_classes",
    "plan_network",
]

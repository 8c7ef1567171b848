"""The domain model: what pointplan plans with, independent of files, solvers and the service."""

from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.places import Location, Place, Point
from pointplan.domain.plan import (
    Plan,
    Rejection,
    ScheduleEvent,
    SeatAssignment,
    Stop,
    Summary,
    Trip,
    Unassigned,
)
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Direction, Registration

__all__ = [
    "Direction",
    "Fleet",
    "Location",
    "Place",
    "Plan",
    "Point",
    "Policy",
    "Registration",
    "Rejection",
    "ScheduleEvent",
    "SeatAssignment",
    "Stop",
    "Summary",
    "Trip",
    "Unassigned",
    "VehicleType",
]

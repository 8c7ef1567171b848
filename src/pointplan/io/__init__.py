"""Reading pointplan's input files: registrations, points, status events, fleet, policy.

Readers validate and name every bad row and column; they decide nothing about the plan.
"""

from pointplan.io.config import default_fleet, load_cost_sharing, load_fleet, load_policy
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.events import read_events
from pointplan.io.points import read_points
from pointplan.io.registrations import (
    COLUMNS as REGISTRATION_COLUMNS,
)
from pointplan.io.registrations import (
    FIRST_DATE,
    LAST_DATE,
    RegistrationBatch,
    RegistrationTable,
    read_registrations,
)

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "REGISTRATION_COLUMNS",
    "InputError",
    "InputIssue",
    "RegistrationBatch",
    "RegistrationTable",
    "default_fleet",
    "load_cost_sharing",
    "load_fleet",
    "load_policy",
    "read_events",
    "read_points",
    "read_registrations",
]

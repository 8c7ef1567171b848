"""Reading and writing pointplan's files: registrations, points, fleet, policy, plan."""

from pointplan.io.config import default_fleet, load_fleet, load_policy
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.points import read_points
from pointplan.io.registrations import RegistrationBatch, read_registrations

__all__ = [
    "InputError",
    "InputIssue",
    "RegistrationBatch",
    "default_fleet",
    "load_fleet",
    "load_policy",
    "read_points",
    "read_registrations",
]

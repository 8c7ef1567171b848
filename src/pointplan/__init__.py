"""pointplan: plans point-to-point charter trips (点对点包车) for migrant workers.

The layers, each importing only those before it: `domain` (registrations, places, vehicles,
policy, seat and driving rules, the plan) -> `geo` (place resolution, distances) ->
`Problem` (the frozen input of a solver) -> `solvers` and `solve()` -> `io` (files) ->
`scenarios` (`compare()` of several plans of one demand) and `plots` -> `cli`.

For notebooks: `read_registrations` (a CSV/XLSX path or a pandas DataFrame), `read_points`,
`load_fleet`, `load_policy`, `Problem`, `solve` -> `Plan`; `compare(registrations, [Scenario(...),
...])` -> a table of one row per scenario; charts in `pointplan.plots`.
"""

from pointplan.domain import Direction, Fleet, Place, Plan, Point, Policy, Registration, VehicleType
from pointplan.io import (
    InputError,
    default_fleet,
    load_fleet,
    load_policy,
    read_points,
    read_registrations,
)
from pointplan.problem import Problem
from pointplan.scenarios import Scenario, compare, load_scenarios
from pointplan.solve import solve

__version__ = "0.1.0"

__all__ = [
    "Direction",
    "Fleet",
    "InputError",
    "Place",
    "Plan",
    "Point",
    "Policy",
    "Problem",
    "Registration",
    "Scenario",
    "VehicleType",
    "compare",
    "default_fleet",
    "load_fleet",
    "load_policy",
    "load_scenarios",
    "read_points",
    "read_registrations",
    "solve",
]

"""pointplan: plans point-to-point charter trips (点对点包车) for migrant workers.

The layers, each importing only those below it (docs/architecture.md): `domain`
(registrations, places, vehicles, policy, seat and driving rules, the plan, personal data,
manifests) -> `geo` (place resolution, distances) -> `problem` (the frozen input of a solver)
-> `stop`, `parallel` -> `solvers` -> `solve()` -> `io` (reading files) -> `builder`
(`build_problem`) -> `scenarios` -> `fonts`, `exports`, `plots` -> `synthetic` -> `store`
-> `api` -> `cli`.

For notebooks: `build_problem` (a CSV/XLSX path, a DataFrame or records, with `read_points`,
`load_fleet`, `load_policy`) -> `solve` -> `Plan`; `compare(registrations, [Scenario(...),
...])` -> a table of one row per scenario; charts in `pointplan.plots`.
"""

from pointplan.builder import build_problem
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
"""The one place the version is written (pyproject.toml reads it from here)."""

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
    "build_problem",
    "compare",
    "default_fleet",
    "load_fleet",
    "load_policy",
    "load_scenarios",
    "read_points",
    "read_registrations",
    "solve",
]
